"""Test harness: the environment is set before the app is imported, then one database per run.

On SQLite each run gets a new file; on PostgreSQL (DATABASE_URL=postgresql://...) a new database
is created on that server and dropped at the end. Migrations run once; every test that asks for
`db` starts from empty tables.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_VAR = Path(tempfile.mkdtemp(prefix="chorus-test-"))
SHARED_NLTK = ROOT.parent / "shared" / "nltk_data"

os.environ["CHORUS_ENV"] = "development"
os.environ["SECRET_KEY"] = "test-secret-key-" + "x" * 40
os.environ["CHORUS_VAR_DIR"] = str(TEST_VAR)
# The in-process client's address (see in_process_client): links and allowed hosts follow it.
os.environ["CHORUS_PUBLIC_URL"] = "http://testserver.local"
# No job worker in apps and servers by default: one left running (a browser test's server) would
# claim other tests' jobs with its own settings. Tests that need one say so (tests/jobs.py).
os.environ["CHORUS_JOB_WORKER"] = "separate"
if not os.environ.get("NLTK_DATA") and SHARED_NLTK.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED_NLTK)

SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgres://", "postgresql://"))


def with_database(url: str, name: str) -> str:
    """The same server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(dsn=with_database(url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(url: str) -> str:
    """Create an empty database on the server in `url`; return its URL."""
    name = f"chorus_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    return with_database(url, name)


def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.strip("/")
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if ON_POSTGRES:
    os.environ["DATABASE_URL"] = create_postgres_database(SERVER_URL)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{TEST_VAR / 'chorus-test.db'}"

# Only now may the app (and piccolo_conf, which reads DATABASE_URL) be imported.
from app.database import all_tables, current_engine, migrate  # noqa: E402
from app.settings import get_settings  # noqa: E402

# The job engine's rows (its migration record, ddl_migrations, stays).
JOB_QUEUE_TABLES = ("queue_task", "queue_maintenance", "queue_task_reservation")

AUDIT_TRIGGERS_SQLITE = importlib.import_module(
    "app.audit.piccolo_migrations.audit_2026_11_26t15_13_00_000000"
).SQLITE_TRIGGERS

pytest_plugins = ["tests.browser_support", "tests.staff"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ON_POSTGRES:
        drop_postgres_database(os.environ["DATABASE_URL"])
    shutil.rmtree(TEST_VAR, ignore_errors=True)


@pytest.fixture(scope="session")
async def migrated_database() -> str:
    """Apply every migration once to the run's empty database."""
    await migrate()
    return os.environ["DATABASE_URL"]


async def empty_all_tables() -> None:
    """Empty every table. The audit log refuses DELETE by trigger; only the harness lifts it, on
    SQLite by dropping and re-creating the triggers (TRUNCATE on PostgreSQL fires no row trigger)."""
    tables = [t._meta.tablename for t in all_tables()] + list(JOB_QUEUE_TABLES)
    engine = current_engine()
    if engine.engine_type == "postgres":
        await engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    # One script on one connection (stdlib sqlite3), not ~70 statements each on a connection of its
    # own: this runs before most tests, and was a tenth of a second each time.
    script = ["DROP TRIGGER IF EXISTS audit_event_no_delete;"]
    script += [f"DELETE FROM {table};" for table in reversed(tables)]
    script += [f"{statement};" for statement in AUDIT_TRIGGERS_SQLITE]
    connection = sqlite3.connect(engine.path, timeout=30)
    try:
        connection.executescript("BEGIN IMMEDIATE;\n" + "\n".join(script) + "\nCOMMIT;")
    finally:
        connection.close()


@pytest.fixture
async def db(migrated_database: str) -> AsyncIterator[str]:
    """A migrated database with every table empty."""
    await empty_all_tables()
    yield migrated_database


@asynccontextmanager
async def in_process_client(app, base_url: str = "http://testserver.local") -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in this process, its lifespan run on this test's loop.

    Litestar's AsyncTestClient runs the lifespan on a portal thread's loop, where an asyncpg pool
    opened at start-up cannot serve requests made from the test's loop.
    """
    started, stopping = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        # One task enters and leaves the lifespan: anyio scopes inside it must not change task.
        async with app.lifespan():
            started.set()
            await stopping.wait()

    lifespan = asyncio.create_task(hold_lifespan())
    started_wait = asyncio.create_task(started.wait())
    await asyncio.wait({lifespan, started_wait}, return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        started_wait.cancel()
        lifespan.result()  # start-up failed: raise its error here
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    finally:
        stopping.set()
        await lifespan


@pytest.fixture
async def client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on a fresh app over an empty database."""
    from app.asgi import create_app

    async with in_process_client(create_app()) as http_client:
        yield http_client


@pytest.fixture
def settings():
    return get_settings()


@pytest.fixture
def subprocess_env() -> Iterator[dict[str, str]]:
    """The environment a child `chorus` process gets: this run's, with a private HOME."""
    home = Path(tempfile.mkdtemp(prefix="chorus-home-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env["HOME"] = str(home)
    yield env
    shutil.rmtree(home, ignore_errors=True)
