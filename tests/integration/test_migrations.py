"""Migrations build the schema the table classes describe, from empty, on SQLite and PostgreSQL.

Each test applies every migration to a brand-new database through the real `chorus database
upgrade` command, then reads the schema back from the database's own catalogue.
"""

import asyncio
import sqlite3
import subprocess
import sys

import pytest

from app import jobs
from app.database import MIGRATION_TABLE, all_tables
from tests.conftest import ON_POSTGRES, SERVER_URL, create_postgres_database, drop_postgres_database

PROJECT_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def expected_schema() -> dict[str, dict[str, bool]]:
    """{table: {column: nullable}} from the Piccolo table classes."""
    return {
        table._meta.tablename: {c._meta.db_column_name: bool(c._meta.null) for c in table._meta.columns}
        for table in all_tables()
    }


def sqlite_schema(path: str) -> dict[str, dict[str, bool]]:
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {
            table: {row[1]: not row[3] and not row[5] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            for table in tables
        }


async def _postgres_schema(url: str) -> dict[str, dict[str, bool]]:
    import asyncpg

    connection = await asyncpg.connect(dsn=url)
    try:
        rows = await connection.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"
        )
    finally:
        await connection.close()
    schema: dict[str, dict[str, bool]] = {}
    for row in rows:
        schema.setdefault(row["table_name"], {})[row["column_name"]] = row["is_nullable"] == "YES"
    return schema


def upgrade(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "database", "upgrade"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def assert_matches_tables(actual: dict[str, dict[str, bool]]) -> None:
    expected = expected_schema()
    # The job engine's tables come from its own packaged migration, run by the same upgrade.
    assert set(jobs.TABLES) <= set(actual), "the job engine's tables were not created"
    assert set(actual) - {MIGRATION_TABLE, *jobs.TABLES} == set(expected), "tables differ from the table classes"
    for table, columns in expected.items():
        assert actual[table] == columns, f"columns of {table} differ from its table class"


def test_all_migrations_build_the_table_classes_schema_on_sqlite(subprocess_env, tmp_path):
    path = tmp_path / "fresh.db"
    subprocess_env["DATABASE_URL"] = f"sqlite:///{path}"
    result = upgrade(subprocess_env)
    assert result.returncode == 0, result.stderr
    assert_matches_tables(sqlite_schema(str(path)))
    again = upgrade(subprocess_env)
    assert again.returncode == 0 and "No migrations need to be run" in again.stdout


@pytest.mark.skipif(not ON_POSTGRES, reason="runs when DATABASE_URL is PostgreSQL (as .ci/run does)")
def test_all_migrations_build_the_table_classes_schema_on_postgres(subprocess_env):
    url = create_postgres_database(SERVER_URL)
    try:
        subprocess_env["DATABASE_URL"] = url
        result = upgrade(subprocess_env)
        assert result.returncode == 0, result.stderr
        assert_matches_tables(asyncio.run(_postgres_schema(url)))
        again = upgrade(subprocess_env)
        assert again.returncode == 0 and "No migrations need to be run" in again.stdout
    finally:
        drop_postgres_database(url)


async def test_the_run_database_has_the_same_schema(migrated_database):
    """The database every other test uses was built by the same migrations."""
    from app.database import current_engine

    engine = current_engine()
    if engine.engine_type == "postgres":
        assert_matches_tables(await _postgres_schema(migrated_database))
    else:
        assert_matches_tables(sqlite_schema(engine.path))
