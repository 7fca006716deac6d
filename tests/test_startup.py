"""Start-up budget: what importing the command line and the Python API pulls in.

``python -X importtime`` lists every module an import loads; the heavy ones named here cost
0.1–0.5 s each, and a command such as ``placelens --help`` must not wait for them."""

import subprocess
import sys

import pytest

HEAVY_FOR_EVERY_ENTRY = {"scipy.stats", "altair", "weasyprint", "vl_convert", "fastapi"}


def imported_modules(module: str) -> set[str]:
    """Every module a fresh interpreter loads to import ``module`` (from -X importtime)."""
    found = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                           capture_output=True, text=True, check=True)
    names = set()
    for line in found.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert module in names, found.stderr[-2000:]  # the parser read the listing
    return names


def test_the_command_line_starts_without_pandas_or_plotting():
    loaded = imported_modules("placelens.cli")
    assert loaded.isdisjoint(HEAVY_FOR_EVERY_ENTRY | {"pandas", "numpy", "duckdb", "scipy"})


@pytest.mark.parametrize("module", ["placelens.api", "placelens.report.tables"])
def test_the_python_api_loads_no_statistics_or_plotting_until_used(module):
    assert imported_modules(module).isdisjoint(HEAVY_FOR_EVERY_ENTRY)


@pytest.mark.parametrize("module", ["placelens.api", "placelens.report.profile"])
def test_profiles_from_the_derived_store_do_not_import_scipy(module):
    # scipy.sparse and scipy.linalg cost 0.1-0.2 s; only computing networks, complexity or
    # functional regions needs them, and a profile reads those from the derived store
    assert not {name for name in imported_modules(module) if name.split(".")[0] == "scipy"}
