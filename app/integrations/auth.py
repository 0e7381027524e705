"""Bearer-token access to /api/v1: a guard per route naming the scope it needs, and JSON errors.

The staff session cookie is never read on /api/ (SessionMiddleware excludes it), and the API only
answers GET, so CSRF never applies: a token is the one way in.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityScheme

from app.integrations import services
from app.integrations.services import Integration, Scope

logger = logging.getLogger("chorus.api")

SECURITY_SCHEME_NAME = "IntegrationToken"
SECURITY_SCHEME = SecurityScheme(
    type="http", scheme="bearer",
    description="An integration token made by a Chorus administrator (Admin → Integrations), sent as "
                "`Authorization: Bearer chorus_…`. Each token carries scopes; see docs/guides/integrations.md.",
)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="chorus-api"'}
NO_TOKEN = "Send an integration token as 'Authorization: Bearer <token>'. Session cookies do not work here."
BAD_TOKEN = "This token is not valid: it may be mistyped, revoked or expired. Ask a Chorus administrator for a new one."


def bearer_token(connection: ASGIConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_integration(connection: ASGIConnection) -> Integration | None:
    return connection.scope.get("integration")


class ScopeGuard:
    """Let through a request whose bearer token is live and carries `scope`: otherwise 401 (no or no
    good token; the same answer whether it never existed, was revoked or expired) or 403 (naming the
    scope needed)."""

    def __init__(self, scope: Scope):
        self.scope = scope

    async def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        integration = current_integration(connection)
        if integration is None:
            token = bearer_token(connection)
            if token is None:
                raise NotAuthorizedException(NO_TOKEN, headers=CHALLENGE)
            integration = await services.authenticate(
                token, path=connection.url.path, ip_address=connection.client.host if connection.client else "")
            if integration is None:
                raise NotAuthorizedException(BAD_TOKEN, headers={**CHALLENGE, "WWW-Authenticate": CHALLENGE["WWW-Authenticate"] + ', error="invalid_token"'})
            connection.scope["integration"] = integration
        if not integration.may(self.scope):
            raise PermissionDeniedException(f"This token does not have the '{self.scope.value}' scope, which this request needs. "
                                            "Ask a Chorus administrator for a token with it.")

    def __repr__(self) -> str:
        return f"scope({self.scope.value})"


def scope(needed: Scope) -> list[ScopeGuard]:
    return [ScopeGuard(needed)]


def api_error(request: Request, exc: Exception) -> Response:
    """Every error on /api/v1 is JSON, whatever the client accepts (a browser is not sent to sign in)."""
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        content = {"status_code": exc.status_code, "detail": exc.detail}
        if isinstance(exc.extra, list) and exc.extra:
            content["extra"] = exc.extra
        return Response(content, status_code=exc.status_code, media_type=MediaType.JSON, headers=exc.headers or None)
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response({"status_code": 500, "detail": "Something went wrong on our side. Please try again later."},
                    status_code=500, media_type=MediaType.JSON)
