"""Application state (accounts, partnerships, workspace items, audit log) in a relational
database through SQLAlchemy, with its schema managed by Alembic migrations.

SQLite is the zero-set-up default (``var/placelens.sqlite``); any SQLAlchemy URL works through
``$PLACELENS_DATABASE_URL``, and PostgreSQL is tested in CI. The warehouse (DuckDB) holds the
published statistics; this database holds what users create."""
