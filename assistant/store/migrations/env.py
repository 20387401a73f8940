"""Alembic environment, run only by ``assistant.store.Store`` on the connection it passes in.

There is no alembic.ini: ``assistant.store.migrate.migrations_config()`` builds the Config in
code, and the Store hands over a connection that is already inside a locked transaction (so
concurrent first opens wait for each other) and commits it afterwards. Revisions in
``versions/`` are written by hand and append-only: add a new file, never edit one that has shipped.
"""

from __future__ import annotations

from alembic import context

from assistant.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations by opening assistant.store.Store(url); it passes the connection in.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
