"""Opening the application database and bringing its schema up to date with Alembic."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from placelens.errors import InputError

MIGRATIONS = Path(__file__).with_name("migrations")


def default_database_url() -> str:
    """``$PLACELENS_DATABASE_URL``, or a SQLite file at ``var/placelens.sqlite``."""
    return os.environ.get("PLACELENS_DATABASE_URL", "sqlite:///var/placelens.sqlite")


def _enforce_sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record):  # SQLite ignores foreign keys unless asked
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str | None = None):
        self.url = url or default_database_url()
        if self.url.startswith("sqlite:///") and not self.url.startswith("sqlite:///:"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(self.url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            _enforce_sqlite_foreign_keys(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied (a new database gets the whole
        schema; an existing one keeps its rows)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends normally and rolled back otherwise, so a
        failed write leaves the database as it was."""
        with self._sessions() as session, session.begin():
            yield session


def flush_unique(session: Session, field: str, message: str) -> None:
    """Flush, reporting a unique-constraint clash (two requests creating the same name at
    once, after both checked it was free) as an error on ``field``; the transaction is
    rolled back."""
    try:
        session.flush()
    except IntegrityError:
        raise InputError(field, message) from None
