"""Server-side staff sessions in the database, the middleware that reads them, and role guards.

The cookie holds a random token; the database holds only its SHA-256, so a leaked database cannot
be replayed as cookies. Sessions end after 30 idle minutes or 12 hours, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from app import clock
from app.accounts.roles import MFA_REQUIRED, Permission, Role, allows
from app.accounts.tables import StaffRole, StaffSession

SESSION_COOKIE = "chorus_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_INTERVAL = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    display_name: str
    roles: frozenset[Role]
    mfa_enabled: bool
    mfa_passed: bool
    session_token: str = field(repr=False)
    project_ids: frozenset[int] = frozenset()
    board_ids: frozenset[int] = frozenset()

    @property
    def mfa_required(self) -> bool:
        return bool(self.roles & MFA_REQUIRED)

    @property
    def fully_signed_in(self) -> bool:
        """Password checked, and the second factor too where the account has or needs one."""
        if self.mfa_enabled:
            return self.mfa_passed
        return not self.mfa_required

    def can(self, permission: Permission) -> bool:
        return self.fully_signed_in and allows(self.roles, permission)


async def start_session(user_id: int, *, mfa_passed: bool, user_agent: str = "") -> str:
    """A new session with a new token (callers end the old one: the id always changes at sign-in)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await StaffSession.insert(
        StaffSession(
            token_hash=token_hash(token),
            user=user_id,
            mfa_passed=mfa_passed,
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:200],
        )
    )
    return token


async def end_session(token: str | None) -> None:
    if token:
        await StaffSession.delete().where(StaffSession.token_hash == token_hash(token))


async def end_all_sessions(user_id: int) -> None:
    await StaffSession.delete().where(StaffSession.user == user_id)


def _expired(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at > IDLE_TIMEOUT or now - created_at > ABSOLUTE_TIMEOUT


async def resolve_session(token: str) -> CurrentUser | None:
    """The signed-in user for a cookie token, or None (expired sessions are removed)."""
    row = (
        await StaffSession.select(
            StaffSession.id,
            StaffSession.created_at,
            StaffSession.last_seen_at,
            StaffSession.mfa_passed,
            StaffSession.user.id,
            StaffSession.user.email,
            StaffSession.user.display_name,
            StaffSession.user.active,
            StaffSession.user.mfa_enabled,
        )
        .where(StaffSession.token_hash == token_hash(token))
        .first()
    )
    if row is None:
        return None
    now = clock.now()
    if not row["user.active"] or _expired(row["created_at"], row["last_seen_at"], now):
        await StaffSession.delete().where(StaffSession.id == row["id"])
        return None
    if now - row["last_seen_at"] > TOUCH_INTERVAL:
        await StaffSession.update({StaffSession.last_seen_at: now}).where(StaffSession.id == row["id"])
    roles = await StaffRole.select(StaffRole.role, StaffRole.project, StaffRole.board).where(
        StaffRole.user == row["user.id"]
    )
    return CurrentUser(
        id=row["user.id"],
        email=row["user.email"],
        display_name=row["user.display_name"],
        roles=frozenset(Role(r["role"]) for r in roles),
        mfa_enabled=row["user.mfa_enabled"],
        mfa_passed=row["mfa_passed"],
        session_token=token,
        project_ids=frozenset(r["project"] for r in roles if r["project"]),
        board_ids=frozenset(r["board"] for r in roles if r["board"]),
    )


async def mark_mfa_passed(token: str) -> str:
    """Second factor done: replace the session with a new, fully signed-in one."""
    row = await StaffSession.select(StaffSession.user, StaffSession.user_agent).where(
        StaffSession.token_hash == token_hash(token)
    ).first()
    if row is None:
        raise NotAuthorizedException()
    await end_session(token)
    return await start_session(row["user"], mfa_passed=True, user_agent=row["user_agent"])


class SessionMiddleware(AbstractAuthenticationMiddleware):
    """Attach the signed-in staff user (or None) to every request; never refuses on its own."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        user = await resolve_session(token) if token else None
        return AuthenticationResult(user=user, auth=token if user else None)


# --- guards --------------------------------------------------------------------------------------


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    return connection.scope.get("user")


class PermissionGuard:
    """Allow a fully signed-in user whose roles grant `permission` (see roles.MATRIX)."""

    def __init__(self, permission: Permission):
        self.permission = permission

    def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None or not user.fully_signed_in:
            raise NotAuthorizedException("Please sign in.")
        if not allows(user.roles, self.permission):
            raise PermissionDeniedException("Your role does not allow this.")

    def __repr__(self) -> str:
        return f"requires({self.permission.value})"


class SignInStageGuard:
    """Allow anyone holding a session, even one still owing its second factor (MFA pages)."""

    def __call__(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if current_user(connection) is None:
            raise NotAuthorizedException("Please sign in.")


def requires(permission: Permission) -> list[PermissionGuard]:
    return [PermissionGuard(permission)]


PUBLIC = {"public": True}
"""Route opt for pages anyone may use (participants, sign-in); every other route needs a guard."""
