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
