"""The Piccolo engine for DATABASE_URL, migrations, and the start-up and health probes."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from urllib.parse import urlsplit

import aiosqlite
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

from app.settings import ConfigError, Settings

# Piccolo's own bookkeeping table, which the migrations create alongside ours.
MIGRATION_TABLE = "migration"
LARGEST_ID = 2**31 - 1
"""Row ids are 32-bit integers (SERIAL) on PostgreSQL; a larger number cannot name a row on either engine."""


# Connections a worker keeps open to SQLite (readers run side by side under WAL; writers queue).
SQLITE_POOL_SIZE = 8
# At most this many connections from one worker to PostgreSQL; size max_connections for workers × this.
POSTGRES_POOL_SIZE = 10


def engine_for(settings: Settings) -> Engine:
    """Build the Piccolo engine that DATABASE_URL names."""
    if settings.database_engine == "sqlite":
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: several workers may write to one SQLite file.
        return PooledSQLiteEngine(path=str(path), timeout=15)
    return PostgresEngine(config={"dsn": settings.database_url})


async def _end_transaction_only(connection) -> None:
    """asyncpg's reset on release, without its round trip: asyncpg has already rolled back any open
    transaction; Chorus keeps no session state on pooled connections (no SET, LISTEN, advisory lock or
    cursor — the job engine and channels have their own), so `RESET ALL; UNLISTEN *; …` after every
    query was a second round trip for nothing (about a tenth of a participant page's CPU)."""


async def start_pool(engine: Engine | None = None) -> None:
    """Open the engine's connection pool for this worker's event loop (the app's lifespan does this)."""
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=POSTGRES_POOL_SIZE, reset=_end_transaction_only)
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.start_connection_pool(max_size=SQLITE_POOL_SIZE)


async def close_pool(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine | PooledSQLiteEngine):
        await engine.close_connection_pool()


class _SQLitePool:
    """Open aiosqlite connections of one event loop, and the lock its writers queue on.

    Piccolo's SQLite engine opens a connection (and aiosqlite a thread) for every query outside a
    transaction; under load that was half of the event loop's time. The write lock makes this
    worker's writers take turns in arrival order, instead of polling SQLite's busy handler, which
    lets newcomers overtake and starved some past the busy timeout ("database is locked"). Other
    workers' writers are still kept apart by SQLite's own lock and the busy timeout."""

    def __init__(self, engine: PooledSQLiteEngine, max_size: int):
        self.engine = engine
        self.loop = asyncio.get_running_loop()
        self.idle: asyncio.LifoQueue = asyncio.LifoQueue()
        self.max_size = max_size
        self.opened = 0
        self.writer = asyncio.Lock()

    async def acquire(self):
        if self.idle.empty() and self.opened < self.max_size:
            self.opened += 1
            try:
                return await self._open()
            except BaseException:
                self.opened -= 1
                raise
        return await self.idle.get()

    async def _open(self):
        """As Piccolo's `get_connection`, but its thread is a daemon: a pool that was never closed (a
        worker that crashed, a script that raised) must not keep the process from exiting. Nothing is
        lost: a commit is on disk when it returns, and an unfinished transaction rolls back."""
        connection = aiosqlite.connect(**self.engine.connection_kwargs)
        connection._thread.daemon = True  # aiosqlite starts the thread when the connection is awaited
        await connection
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def release(self, connection) -> None:
        if connection.in_transaction:  # left mid-way (a cancelled request): never hand it on
            self.opened -= 1
            await connection.close()
        else:
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()
            self.opened -= 1


def _writes(sql: str) -> bool:
    return not sql.lstrip()[:6].upper().startswith("SELECT")


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with a per-worker pool of open connections and a FIFO write lock.

    Without a started pool (the CLI, scripts) it behaves exactly as Piccolo's engine."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pool: _SQLitePool | None = None

    async def start_connection_pool(self, max_size: int = SQLITE_POOL_SIZE) -> None:
        self._pool = _SQLitePool(self, max_size)

    async def close_connection_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    def pool(self) -> _SQLitePool | None:
        """The pool, if one was opened on the running event loop (a pool serves only its own loop)."""
        pool = self._pool
        if pool is None:
            return None
        try:
            return pool if asyncio.get_running_loop() is pool.loop else None
        except RuntimeError:
            return None

    async def _run_in_new_connection(self, query: str, args=None, query_type: str = "generic", table=None):
        pool = self.pool()
        if pool is None or self.get_version_sync() < 3.35:
            return await super()._run_in_new_connection(query, args, query_type, table)
        if _writes(query):
            async with pool.writer:
                return await self._run_pooled(pool, query, args)
        return await self._run_pooled(pool, query, args)

    async def _run_pooled(self, pool: _SQLitePool, query: str, args):
        connection = await pool.acquire()
        try:
            # One hop to the connection's thread (INSERT … RETURNING gives the new key this way too).
            return await connection.execute_fetchall(query, args or [])
        finally:
            await pool.release(connection)

    async def run_unpooled(self, query: str) -> list:
        """On a new connection, as a new worker would open it: an open pooled connection keeps a
        moved or deleted file alive, so the health probe must not use one."""
        return await super()._run_in_new_connection(query)

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True) -> SQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection; IMMEDIATE and EXCLUSIVE ones hold the worker's write lock."""

    __slots__ = ("pool", "holds_writer")

    async def __aenter__(self) -> SQLiteTransaction:
        self.pool = None if self._parent is not None else self.engine.pool()
        self.holds_writer = False
        if self.pool is not None and self.transaction_type is not TransactionType.deferred:
            await self.pool.writer.acquire()
            self.holds_writer = True
        try:
            return await super().__aenter__()
        except BaseException:
            await self._give_back(None)
            raise

    async def get_connection(self):
        if self.pool is None:
            return await super().get_connection()
        return await self.pool.acquire()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent is not None or self.pool is None:
            return await super().__aexit__(exception_type, exception, traceback)
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back(self.connection)
        return exception is None

    async def _give_back(self, connection) -> None:
        try:
            if connection is not None:
                await self.pool.release(connection)
        finally:
            if self.holds_writer:
                self.holds_writer = False
                self.pool.writer.release()


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
    if isinstance(engine, PooledSQLiteEngine):
        await engine.run_unpooled("SELECT 1")
    else:
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
    from app import jobs  # the job engine's own tables, by its packaged migration

    await jobs.migrate()


def write_transaction():
    """A transaction that will write. On SQLite it takes the write lock at BEGIN (IMMEDIATE), so
    two concurrent writers queue instead of one failing with "database is locked" mid-way."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
