"""Public pages of the platform itself: home and the health probe."""

from __future__ import annotations

import logging

from litestar import Controller, MediaType, Response, get
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app import free_text
from app.accounts.auth import PUBLIC
from app.database import ping

logger = logging.getLogger("chorus.health")


class HomeController(Controller):
    path = "/"
    tags = ["pages"]
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="home")
    async def home(self) -> Template:
        return Template(template_name="home.html")


@get("/health", tags=["operations"], media_type=MediaType.JSON, opt=PUBLIC)
async def health() -> Response[dict[str, str]]:
    """Liveness and database reachability, for load balancers and monitoring; "models" says whether
    the free-text models are fitted yet ("warming up" for about half a minute after a start)."""
    try:
        await ping()
    except Exception as error:  # noqa: BLE001 - any failure means the database is not usable
        logger.warning("health check: database unreachable: %s", error)
        return Response(
            {"status": "error", "database": "unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Cache-Control": "no-store"},
        )
    models = "ready" if free_text.models_ready() else "warming up"
    return Response({"status": "ok", "database": "ok", "models": models}, status_code=HTTP_200_OK, headers={"Cache-Control": "no-store"})
