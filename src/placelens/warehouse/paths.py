"""Where the warehouse lives, in a module of its own so that reading the warehouse never
imports the build (and with it every source module)."""

from __future__ import annotations

import os
from pathlib import Path


def default_warehouse_path() -> Path:
    """``$PLACELENS_WAREHOUSE``, or ``var/placelens.duckdb`` under the working directory."""
    return Path(os.environ.get("PLACELENS_WAREHOUSE", "var/placelens.duckdb"))
