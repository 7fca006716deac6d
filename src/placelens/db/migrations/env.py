"""Alembic environment: migrations run on the connection placelens hands over (see
:meth:`placelens.db.database.Database.migrate`), against placelens' own metadata."""

from alembic import context

from placelens.db import qual_models  # noqa: F401  (its tables join the metadata)
from placelens.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
