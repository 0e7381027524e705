"""The ceiling for scripts/load_participants.py: a bare Litestar handler that inserts one row.

Served the same way as Chorus (uvicorn, same workers) on the same engine (`app.database.engine_for`),
with none of Chorus's work: no session, CSRF, templates, screening or survey queries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, post
from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table

from app import clock
from app.database import close_pool, engine_for, start_pool
from app.settings import get_settings

ENGINE = engine_for(get_settings())


class BareRow(Table, tablename="bare_row", db=ENGINE):
    note = Varchar(length=40)
    created_at = Timestamptz()


@post("/row", status_code=201)
async def insert_row() -> dict:
    await BareRow(note="load", created_at=clock.now()).save()
    return {"ok": True}


@asynccontextmanager
async def pool(_: Litestar) -> AsyncIterator[None]:
    await start_pool(ENGINE)  # as Chorus's lifespan does
    try:
        yield
    finally:
        await close_pool(ENGINE)


app = Litestar(route_handlers=[insert_row], lifespan=[pool], debug=False)
