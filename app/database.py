"""The Piccolo engine for DATABASE_URL, migrations, and the start-up and health probes."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from urllib.parse import urlsplit

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from app.settings import ConfigError, Settings

# Piccolo's own bookkeeping table, which the migrations create alongside ours.
MIGRATION_TABLE = "migration"
LARGEST_ID = 2**31 - 1
"""Row ids are 32-bit integers (SERIAL) on PostgreSQL; a larger number cannot name a row on either engine."""


def engine_for(settings: Settings) -> Engine:
    """Build the Piccolo engine that DATABASE_URL names."""
    if settings.database_engine == "sqlite":
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: several workers may write to one SQLite file.
        return SQLiteEngine(path=str(path), timeout=15)
    return PostgresEngine(config={"dsn": settings.database_url})


def current_engine() -> Engine:
    """The engine every table uses, as configured in piccolo_conf.py."""
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf.py always defines DB
        raise ConfigError("piccolo_conf.py defines no DB: set PICCOLO_CONF=piccolo_conf")
    return engine


def all_tables() -> list[type[Table]]:
    """Every table of every registered Piccolo app, in dependency order."""
    return Finder().get_table_classes()


async def ping(engine: Engine | None = None) -> None:
    """One real round trip to the database; raises if it cannot be made."""
    engine = engine or current_engine()
    await engine.run_ddl("SELECT 1")


def check_reachable(settings: Settings) -> None:
    """Fail with a one-line ConfigError if the database cannot be reached (usable inside or outside an event loop)."""
    if settings.database_engine == "sqlite":
        path = settings.sqlite_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).execute("SELECT 1").close()
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(
                f"cannot open the SQLite database at {path} ({error}): "
                "fix DATABASE_URL or the folder's permissions"
            ) from None
        return
    # Run the async probe on a loop of its own so this works from sync and async callers alike.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(asyncio.run, _probe_postgres(settings.database_url)).result()
        except Exception as error:  # noqa: BLE001 - any failure means "cannot reach"
            where = urlsplit(settings.database_url)
            raise ConfigError(
                f"cannot connect to PostgreSQL at {where.hostname}:{where.port or 5432}"
                f"{where.path} ({type(error).__name__}: {error}): "
                "check DATABASE_URL and that the server is running"
            ) from None


async def _probe_postgres(dsn: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn=dsn, timeout=5)
    try:
        await connection.execute("SELECT 1")
    finally:
        await connection.close()


async def migrate() -> None:
    """Apply every pending migration of every app (idempotent)."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers carry on while one worker writes; the setting persists in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


def write_transaction():
    """A transaction that will write. On SQLite it takes the write lock at BEGIN (IMMEDIATE), so
    two concurrent writers queue instead of one failing with "database is locked" mid-way."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        from piccolo.engine.sqlite import TransactionType

        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
