"""/health answers 503 when the database goes away under a running server, and 200 before."""

import asyncio
import json
import shutil
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from tests.browser_support import LiveServer
from tests.conftest import ON_POSTGRES, SERVER_URL, _admin, create_postgres_database, drop_postgres_database


def get_health(server: LiveServer) -> tuple[int, dict]:
    try:
        with urlopen(server.url + "/health", timeout=10) as response:
            body = json.loads(response.read())
            body.pop("models", None)  # ready or warming up: test_web_shell and test_startup check it
            return response.status, body
    except HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_is_503_when_the_sqlite_file_cannot_be_opened(subprocess_env, tmp_path):
    database = tmp_path / "outage.db"
    subprocess_env["DATABASE_URL"] = f"sqlite:///{database}"
    server = LiveServer(subprocess_env)
    try:
        assert get_health(server) == (200, {"status": "ok", "database": "ok"})
        database.unlink()
        database.mkdir()  # a folder where the database file was: SQLite cannot open it
        assert get_health(server) == (503, {"status": "error", "database": "unreachable"})
        database.rmdir()
        assert get_health(server)[0] == 200  # recovers once the database is back
    finally:
        server.stop()
        shutil.rmtree(database, ignore_errors=True)


@pytest.mark.skipif(not ON_POSTGRES, reason="runs when DATABASE_URL is PostgreSQL (as .ci/run does)")
def test_health_is_503_when_the_postgres_database_is_dropped(subprocess_env):
    url = create_postgres_database(SERVER_URL)
    subprocess_env["DATABASE_URL"] = url
    server = LiveServer(subprocess_env)
    try:
        assert get_health(server) == (200, {"status": "ok", "database": "ok"})
        name = url.rsplit("/", 1)[1]
        asyncio.run(_admin(SERVER_URL, f'DROP DATABASE "{name}" WITH (FORCE)'))
        assert get_health(server) == (503, {"status": "error", "database": "unreachable"})
    finally:
        server.stop()
        drop_postgres_database(url)
