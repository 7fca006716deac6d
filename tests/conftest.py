"""Shared fixtures: the real datapack and one warehouse built from it per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from placelens.sources.provenance import datapack_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def test_area_sets():
    """Every test sees the fixture area sets (the CLI reads them from the environment)."""
    previous = os.environ.get("PLACELENS_AREA_SETS")
    os.environ["PLACELENS_AREA_SETS"] = str(FIXTURES / "area_sets")
    yield
    if previous is None:
        os.environ.pop("PLACELENS_AREA_SETS", None)
    else:
        os.environ["PLACELENS_AREA_SETS"] = previous


@pytest.fixture(scope="session")
def datapack() -> Path:
    path = datapack_dir()
    if not (path / "SOURCES.md").exists():
        pytest.fail(f"datapack not found at {path}; set PLACELENS_DATAPACK")
    return path


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory, datapack) -> Path:
    from placelens.warehouse import build_warehouse

    path = tmp_path_factory.mktemp("warehouse") / "placelens.duckdb"
    build_warehouse(path, datapack, show_progress=False)
    return path


@pytest.fixture(scope="session")
def observatory(warehouse_path):
    from placelens.api import Observatory

    return Observatory(warehouse_path)


def _postgres_schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search path set to ``schema``, so parallel test
    workers sharing one PostgreSQL database never see each other's tables."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A migrated application database: a SQLite file, and PostgreSQL where
    $PLACELENS_TEST_POSTGRES_URL names a server (.ci/run starts one; CI fails without it)."""
    from sqlalchemy import create_engine, text

    from placelens.db.database import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'app.sqlite'}")
        db.migrate()
        yield db
        db.engine.dispose()
        return
    base = os.environ.get("PLACELENS_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: set PLACELENS_TEST_POSTGRES_URL")
        pytest.skip("no PostgreSQL server (set PLACELENS_TEST_POSTGRES_URL)")
    schema = f"t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(_postgres_schema_url(base, schema))
    db.migrate()
    yield db
    db.engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
