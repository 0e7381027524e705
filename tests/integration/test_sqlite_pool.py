"""SQLite under load: a worker reuses a few open connections, and its writers queue in order
instead of racing SQLite's busy handler (issue 9: "database is locked" at 300 phones)."""

import asyncio
import subprocess
import sys
import threading

import pytest
from piccolo.columns import Integer
from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from app.database import SQLITE_POOL_SIZE, PooledSQLiteEngine, current_engine
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the SQLite engine's pool (PostgreSQL uses asyncpg's)")


@pytest.fixture
async def short_wait_engine(db):
    """The test database through its own pooled engine that waits at most 0.2 s for SQLite's lock,
    so a writer starved by the busy handler would fail at once instead of after 15 s."""
    engine = PooledSQLiteEngine(path=current_engine().path, timeout=0.2)

    class Tally(Table, tablename="pool_tally", db=engine):
        n = Integer()

    await Tally.create_table(if_not_exists=True)
    await engine.start_connection_pool()
    try:
        yield engine, Tally
    finally:
        await engine.close_connection_pool()
        await Tally.alter().drop_table(if_exists=True)


async def test_many_concurrent_queries_share_a_few_open_connections(short_wait_engine):
    engine, Tally = short_wait_engine
    threads_before = threading.active_count()
    await asyncio.gather(*(Tally.count() for _ in range(200)))
    assert engine.pool().opened <= SQLITE_POOL_SIZE
    # aiosqlite runs a thread per open connection: no more than the pool's, however many queries.
    assert threading.active_count() - threads_before <= SQLITE_POOL_SIZE


async def test_three_hundred_concurrent_writers_all_succeed_in_arrival_order(short_wait_engine):
    engine, Tally = short_wait_engine

    async def insert(n: int) -> None:
        await Tally(n=n).save()

    async def in_transaction(n: int) -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await Tally(n=n).save()
            await Tally.count()

    await asyncio.gather(*(insert(n) if n % 2 else in_transaction(n) for n in range(300)))
    rows = await Tally.select(Tally.n).order_by(Tally.id)
    assert len(rows) == 300
    assert [r["n"] for r in rows] == list(range(300))  # the lock is first come, first served


async def test_a_failed_transaction_hands_back_a_clean_connection(short_wait_engine):
    engine, Tally = short_wait_engine
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await Tally(n=1).save()
            raise RuntimeError("the request failed half-way")
    assert await Tally.count() == 0  # nothing half-stored
    assert all(not c.in_transaction for c in engine.pool().idle._queue)
    await Tally(n=2).save()
    assert await Tally.count() == 1


async def test_without_a_started_pool_it_is_piccolos_engine(db):
    engine = PooledSQLiteEngine(path=current_engine().path)
    assert engine.pool() is None
    assert await engine.run_ddl("SELECT 1 AS one") == [{"one": 1}]


def test_a_pool_never_closed_does_not_keep_the_process_from_exiting(tmp_path, subprocess_env):
    """A worker that crashes, or a script that raises, before closing its pool still exits."""
    script = (
        "import asyncio\n"
        "from app.database import PooledSQLiteEngine\n"
        f"engine = PooledSQLiteEngine(path={str(tmp_path / 'exit.db')!r})\n"
        "async def main():\n"
        "    await engine.start_connection_pool()\n"
        "    await engine.run_ddl('SELECT 1')\n"
        "    raise SystemExit(3)\n"
        "asyncio.run(main())\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], env=subprocess_env, timeout=60)
    assert finished.returncode == 3
