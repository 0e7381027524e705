"""Live progress of theme runs over Litestar channels.

One channel per run (`insights_run_<id>`). The backend follows the database: in memory for the
embedded SQLite default (the job runs in the web worker, CHORUS_JOB_WORKER=web, so publisher and
page share a process), PostgreSQL's LISTEN/NOTIFY (`AsyncPgChannelsBackend`, asyncpg is already
Piccolo's driver) when DATABASE_URL is PostgreSQL, so a `chorus worker` process reaches every web
worker. A job running where the app's plugin is not started (a `chorus worker` process) publishes
with the same `pg_notify` the backend uses. The page never depends on a message arriving: the
websocket also reads the run's row, and without JavaScript the page refreshes itself.
"""

from __future__ import annotations

import json
import logging

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from app.database import current_engine
from app.settings import Settings

logger = logging.getLogger("chorus.insights")

_plugins: list[ChannelsPlugin] = []


def channel(run_id: int) -> str:
    return f"insights_run_{run_id}"


def channels_plugin(settings: Settings) -> ChannelsPlugin:
    """The app's channels: memory on SQLite, PostgreSQL LISTEN/NOTIFY on PostgreSQL."""
    if settings.database_engine == "postgres":
        backend = AsyncPgChannelsBackend(dsn=settings.database_url)
    else:
        backend = MemoryChannelsBackend()
    plugin = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)
    _plugins[:] = [plugin]
    return plugin


def current_plugin() -> ChannelsPlugin | None:
    return _plugins[0] if _plugins else None


async def publish(run_id: int, payload: dict) -> None:
    """Tell every page watching this run; never fails the run if nobody can be told."""
    data = json.dumps(payload)
    plugin = current_plugin()
    try:
        if plugin is not None:
            try:
                plugin.publish(data, channel(run_id))
                return
            except RuntimeError:  # the plugin is not started in this process (a `chorus worker`)
                pass
        if current_engine().engine_type == "postgres":
            await current_engine().run_ddl(f"SELECT pg_notify('{channel(run_id)}', '{data.replace(chr(39), chr(39) * 2)}')")
    except Exception:  # progress is a courtesy: the run's row is the truth
        logger.warning("could not publish progress of theme run %s", run_id, exc_info=True)
