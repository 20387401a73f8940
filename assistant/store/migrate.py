"""Bringing a database's schema to the newest Alembic revision when a ``Store`` opens it.

Revisions live in ``migrations/`` (written by hand, append-only). Several processes may open a
fresh database at the same moment, so the upgrade runs inside a transaction that holds the
database's own lock, and the common case (already at head) takes no write lock at all.
"""

from __future__ import annotations

import threading
import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.engine import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: PostgreSQL advisory lock id that serialises schema upgrades across processes
_MIGRATION_LOCK_ID = zlib.crc32(b"escalation-playbook-studio:migrations")
#: alembic.context is a module global, so two threads must not run migrations at once
_ALEMBIC_LOCK = threading.Lock()


def migrations_config() -> Config:
    """Alembic's Config for this package, built in code so no alembic.ini is needed at runtime."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def upgrade_schema(database: Database) -> None:
    """Bring the schema to head unless it already is (the common case takes no write lock).

    Concurrent first opens are serialised by the database itself: SQLite's ``BEGIN
    IMMEDIATE`` or a PostgreSQL advisory lock, held until the upgrade commits, so the
    second opener finds the tables made.
    """
    config = migrations_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())

    def current(session: Session) -> set[str]:
        return set(MigrationContext.configure(session.connection()).get_current_heads())

    if database.run(current, write=False) == heads:
        return

    def upgrade(session: Session) -> None:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    with _ALEMBIC_LOCK:
        database.run(upgrade)
