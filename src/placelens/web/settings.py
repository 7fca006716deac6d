"""Where the web observatory finds its data and secrets, from the environment with embedded
defaults (the demo warehouse, a SQLite file), so ``make serve`` needs no configuration."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from placelens.db.database import default_database_url
from placelens.warehouse.paths import default_warehouse_path

SESSION_HOURS = 8


def _secret_key(path: Path) -> str:
    """``$PLACELENS_SECRET_KEY``, or a random key kept in ``path`` (created readable by its
    owner only), so sessions survive a restart without a key in any repository."""
    if os.environ.get("PLACELENS_SECRET_KEY"):
        return os.environ["PLACELENS_SECRET_KEY"]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class WebSettings:
    """What the app needs: the warehouse, the application database, the session key and
    the folder of written outputs (evaluation reports are published from its
    ``evaluations/``).

    ``secure_cookies`` marks the session cookie Secure (sent over HTTPS only; browsers treat
    http://localhost as secure, so local use works); turn it off only for tests that speak
    plain HTTP to another host name."""

    warehouse: Path
    database_url: str
    secret_key: str
    secure_cookies: bool = True
    migrate: bool = True
    outputs: Path = Path("out")

    @classmethod
    def from_environment(cls) -> WebSettings:
        return cls(warehouse=default_warehouse_path(), database_url=default_database_url(),
                   secret_key=_secret_key(Path(os.environ.get(
                       "PLACELENS_SECRET_KEY_FILE", "var/secret_key"))),
                   outputs=Path(os.environ.get("PLACELENS_OUTPUTS", "out")))
