"""Alembic's environment for the history: always given a live connection by prodsmoke.

`prodsmoke.history.database.migrate` runs `alembic upgrade head` programmatically with the
connection in `config.attributes["connection"]`; no alembic.ini is needed. To write a revision
(developers only): `alembic -c prodsmoke/history/migrations/alembic.ini revision -m "…"`.
"""

from __future__ import annotations

from alembic import context

from prodsmoke.history.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the alembic CLI with a URL gets here
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///history.sqlite"
    with create_engine(url).connect() as own:
        context.configure(connection=own, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
