"""PostgreSQL's pool hands back connections without asyncpg's per-release reset query (a round trip
per query, issue 9's profile), and still never hands on an open transaction."""

import pytest

from app.database import close_pool, current_engine, start_pool
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="asyncpg's pool (SQLite has its own, test_sqlite_pool)")


async def test_a_connection_released_mid_transaction_comes_back_clean(db):
    engine = current_engine()
    await start_pool(engine)
    try:
        pool = engine.pool
        async with pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute("CREATE TEMPORARY TABLE left_open (n int)")
            assert connection.is_in_transaction()
            backend = await connection.fetchval("SELECT pg_backend_pid()")
        async with pool.acquire() as connection:
            assert await connection.fetchval("SELECT pg_backend_pid()") == backend  # the same session, reused
            assert not connection.is_in_transaction()
            # Rolled back: what the abandoned transaction made is gone.
            assert await connection.fetchval("SELECT to_regclass('pg_temp.left_open') IS NULL")
        assert [dict(row) for row in await engine.run_ddl("SELECT 1 AS one")] == [{"one": 1}]
    finally:
        await close_pool(engine)


async def test_release_sends_no_reset_query(db):
    # Seen from the session: a setting made on a connection outlives its release, which asyncpg's
    # default reset (RESET ALL) would have undone. Chorus sets none; this shows the round trip is gone.
    engine = current_engine()
    await start_pool(engine)
    try:
        async with engine.pool.acquire() as connection:
            await connection.execute("SET application_name = 'released-without-reset'")
            backend = await connection.fetchval("SELECT pg_backend_pid()")
        async with engine.pool.acquire() as connection:
            assert await connection.fetchval("SELECT pg_backend_pid()") == backend
            assert await connection.fetchval("SHOW application_name") == "released-without-reset"
            await connection.execute("RESET application_name")
    finally:
        await close_pool(engine)
