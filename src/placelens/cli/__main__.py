"""``python -m placelens.cli``."""

from placelens.cli import main

main()
