"""``placelens serve`` (the web observatory) and ``placelens accounts`` (operator tasks)."""

from __future__ import annotations

import typer

from placelens.cli.common import console, note_derived_tables

accounts_app = typer.Typer(help="Accounts of the web observatory (operator tasks).",
                           no_args_is_help=True)


def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          workers: int = typer.Option(1, help="Worker processes (each keeps its own cache).")
          ) -> None:
    """Start the web observatory (uvicorn) on the warehouse ($PLACELENS_WAREHOUSE) and the
    application database ($PLACELENS_DATABASE_URL, default a SQLite file in var/)."""
    import uvicorn

    from placelens.warehouse import Warehouse
    from placelens.web.app import create_app

    create_app()   # fail here, with a clear message, if the warehouse or assets are missing
    note_derived_tables(Warehouse())
    console.print(f"placelens web observatory: http://{host}:{port}/")
    uvicorn.run("placelens.web.app:create_app", factory=True, host=host, port=port,
                workers=workers, proxy_headers=True, log_level="info")


@accounts_app.command("hub-admin")
def hub_admin(email: str = typer.Argument(..., help="The account's email address.")) -> None:
    """Give an existing account the hub-admin role (sees every partnership's name and size,
    not its private items)."""
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService

    database = Database()
    database.migrate()
    account = AccountService(database).make_hub_admin(email)
    console.print(f"{account.name} ({account.email}) is now a hub administrator.")


@accounts_app.command("migrate")
def migrate() -> None:
    """Bring the application database's schema up to date (Alembic migrations)."""
    from placelens.db.database import Database

    database = Database()
    database.migrate()
    console.print(f"Database schema up to date: {database.engine.url.render_as_string()}")
