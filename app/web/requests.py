"""Small helpers that controllers share."""

from __future__ import annotations

from typing import Annotated

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import Parameter

from app.accounts.auth import SESSION_COOKIE, CurrentUser
from app.audit.services import Actor
from app.database import LARGEST_ID
from app.settings import Settings

AppSettings = NamedDependency[Settings]
"""The app's settings, injected by name (create_app provides them)."""

RowId = Annotated[int, Parameter(ge=1, le=LARGEST_ID, description="A row id")]
"""An id in a path: a number no row can have (0, negative, past 32 bits) is a 400, not a database error."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def session_cookie(token: str, settings: Settings) -> Cookie:
    """The staff session cookie: HttpOnly, SameSite=Lax, Secure in production, gone with the browser."""
    return Cookie(key=SESSION_COOKIE, value=token, httponly=True, secure=settings.is_production, samesite="lax", path="/")


def expired_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, expires=0, httponly=True, secure=settings.is_production, samesite="lax", path="/")


def signed_in_user(request: Request) -> CurrentUser | None:
    return request.scope.get("user")


def actor_of(request: Request) -> Actor:
    """The signed-in staff user, as the audit log records who did something."""
    user = signed_in_user(request)
    return Actor(user.id, user.email)
