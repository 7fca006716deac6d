"""``python -m placelens.cli``."""

from placelens.cli import app

app()
