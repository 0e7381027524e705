"""Admin pages for integration tokens: make one (its secret shown once), see them all, revoke."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from app.accounts.auth import requires
from app.accounts.roles import Permission
from app.accounts.schemas import Form
from app.integrations import services
from app.integrations.schemas import TokenForm
from app.web.requests import RowId, actor_of, client_ip


async def _page(*, status: int = 200, **context) -> Template:
    return Template("admin/integrations.html", status_code=status, context={
        "tokens": await services.list_tokens(), "scopes": list(services.Scope), "descriptions": services.SCOPE_DESCRIPTIONS,
        "reserved": services.RESERVED_SCOPES, "form": None, "error": "", "created": None, "notice": "", **context,
    })


class IntegrationAdminController(Controller):
    path = "/admin/integrations"
    tags = ["admin"]
    include_in_schema = False
    guards = requires(Permission.manage_integrations)

    @get("/", name="admin_integrations")
    async def index(self, revoked: FromQuery[bool] = False, already: FromQuery[bool] = False) -> Template:
        notice = "That token was already revoked." if already else "Token revoked: it no longer works." if revoked else ""
        return await _page(notice=notice)

    @post("/", name="admin_integration_create")
    async def create(self, request: Request, data: Annotated[TokenForm, Form]) -> Template:
        """The secret is in this response only (never in an address or a log), and the page is not cached."""
        try:
            token_id, secret = await services.create_token(name=data.name, scopes=data.scope_list, expires_on=data.expires_on,
                                                           actor=actor_of(request), ip_address=client_ip(request))
        except services.TokenError as problem:
            return await _page(status=400, form=data, error=str(problem))
        return await _page(status=201, created={"id": token_id, "name": data.name.strip(), "secret": secret})

    @post("/{integration_id:int}/revoke", name="admin_integration_revoke")
    async def revoke(self, request: Request, integration_id: RowId) -> Redirect:
        try:
            changed = await services.revoke(integration_id, actor=actor_of(request), ip_address=client_ip(request))
        except services.TokenError:
            raise NotFoundException("There is no such token.") from None
        return Redirect("/admin/integrations?revoked=1" if changed else "/admin/integrations?already=1")
