"""The ``placelens`` command line: one module per sub-app; commands parse their options, call a
service and print."""

from __future__ import annotations

import typer

from placelens.cli.benchmark import benchmark_app
from placelens.cli.compare import compare
from placelens.cli.complexity import complexity_app
from placelens.cli.data import data_app
from placelens.cli.evaluate import evaluate_app
from placelens.cli.evidence import evidence_app
from placelens.cli.library import register as register_library
from placelens.cli.matrices import matrices_app
from placelens.cli.networks import journey_app, network_app
from placelens.cli.places import index, indicators, metrics, places_app, profile
from placelens.cli.plans import register as register_plans
from placelens.cli.qualitative import qual_app
from placelens.cli.regions import regions_app
from placelens.cli.web import accounts_app, serve

app = typer.Typer(help="placelens: an open observatory for place-based innovation policy.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(data_app, name="data")
app.add_typer(places_app, name="places")
app.command()(profile)
app.command()(metrics)
app.command()(index)
app.command()(indicators)
app.add_typer(complexity_app, name="complexity")
register_plans(evaluate_app)
app.add_typer(evaluate_app, name="evaluate")
register_library(evidence_app)
app.add_typer(evidence_app, name="evidence")
app.add_typer(regions_app, name="regions")
app.add_typer(qual_app, name="qual")
app.add_typer(matrices_app, name="matrices")
app.add_typer(benchmark_app, name="benchmark")
app.command()(compare)
app.add_typer(network_app, name="network")
app.add_typer(journey_app, name="journey")
app.command()(serve)
app.add_typer(accounts_app, name="accounts")


def main() -> None:
    """The ``placelens`` command: the app, with any placelens error or operating-system error
    a command did not handle (a full disk, a read-only folder, a damaged warehouse) reported
    in one line instead of a traceback."""
    import sys

    from placelens.cli.common import console
    from placelens.errors import PlacelensError

    try:
        app(standalone_mode=True)
    except (PlacelensError, OSError) as error:
        console.print(f"[bold red]Error:[/] {error}")
        sys.exit(2)


__all__ = ["app", "main"]
