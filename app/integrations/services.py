"""Integration tokens: created by admins (the secret shown once), scoped, revocable, audited.

Only the token's SHA-256 is stored (the same hash as staff sessions), so a copy of the database
cannot be replayed against the API. A token is refused alike whether it never existed, was
revoked or has expired: the caller learns nothing about which.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum

from app import clock
from app.accounts.auth import token_hash
from app.audit.services import Actor, AuditAction, record
from app.database import write_transaction
from app.integrations.tables import IntegrationToken

TOKEN_PREFIX = "chorus_"
"""Tokens start with this, so secret scanners and people can tell what a leaked string is."""
MAX_NAME = 100
# Writing last_used_at on every call would turn every API read into a write.
TOUCH_INTERVAL = timedelta(seconds=60)


class Scope(str, Enum):
    results_read = "results:read"
    themes_read = "themes:read"
    indicators_read = "indicators:read"
    findings_read = "findings:read"


SCOPE_DESCRIPTIONS = {
    Scope.results_read: "Surveys and their aggregated results (small groups suppressed)",
    Scope.themes_read: "Themes of free-text answers (redacted quotes, small groups suppressed)",
    Scope.indicators_read: "Theory-of-change indicators per outcome across survey waves",
    Scope.findings_read: "Findings sent to projects and boards, their evidence (as shown to anyone), answers and actions",
}
RESERVED_SCOPES: frozenset[Scope] = frozenset()
"""Named now so integrations can plan for them; they cannot be granted until their endpoints exist."""


class TokenError(ValueError):
    """A token request an admin must correct (said on the form; nothing is stored)."""


@dataclass(frozen=True)
class Integration:
    """The integration a request's bearer token belongs to."""

    id: int
    name: str
    scopes: frozenset[Scope]

    def may(self, scope: Scope) -> bool:
        return scope in self.scopes


def grantable_scopes() -> list[Scope]:
    return [s for s in Scope if s not in RESERVED_SCOPES]


def check_request(*, name: str, scopes: list[str], expires_on: str) -> tuple[str, list[Scope], datetime | None]:
    """The token's name, scopes and expiry moment, or a TokenError saying what to fix."""
    name = name.strip()
    if not name:
        raise TokenError("Name the integration that will use this token.")
    if len(name) > MAX_NAME:
        raise TokenError(f"Keep the name to {MAX_NAME} characters.")
    chosen = []
    for value in scopes:
        scope = next((s for s in Scope if s.value == value), None)
        if scope is None or scope in RESERVED_SCOPES:
            raise TokenError(f"{value!r} cannot be granted: choose from {', '.join(s.value for s in grantable_scopes())}.")
        if scope not in chosen:
            chosen.append(scope)
    if not chosen:
        raise TokenError("Choose at least one thing the token may read.")
    expires_at = None
    if expires_on.strip():
        try:
            day = date.fromisoformat(expires_on.strip())
        except ValueError:
            raise TokenError("Write the expiry date as YYYY-MM-DD, or leave it blank.") from None
        if day <= clock.now().astimezone(UTC).date():
            raise TokenError("Choose an expiry date after today, or leave it blank.")
        # The token works to the end of its expiry day (UTC).
        expires_at = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    return name, chosen, expires_at


async def create_token(*, name: str, scopes: list[str], expires_on: str = "", actor: Actor, ip_address: str = "") -> tuple[int, str]:
    """A new token: (its id, the secret to show once). Stored and audited together, or neither."""
    name, chosen, expires_at = check_request(name=name, scopes=scopes, expires_on=expires_on)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        rows = await IntegrationToken.insert(IntegrationToken(
            name=name, token_hash=token_hash(secret), scopes=[s.value for s in chosen], created_by=actor.id,
            created_at=clock.now(), expires_at=expires_at,
        ))
        token_id = rows[0]["id"]
        await record(AuditAction.integration_token_created, actor=actor, target_type="integration", target_id=token_id,
                     detail={"name": name[:MAX_NAME], "scopes": [s.value for s in chosen],
                             "expires": expires_at.date().isoformat() if expires_at else ""}, ip_address=ip_address)
    return token_id, secret


async def list_tokens() -> list[dict]:
    """Every token, newest first, with whether it still works (never the hash)."""
    rows = await IntegrationToken.select(
        IntegrationToken.id, IntegrationToken.name, IntegrationToken.scopes, IntegrationToken.created_at,
        IntegrationToken.expires_at, IntegrationToken.revoked_at, IntegrationToken.last_used_at,
    ).output(load_json=True).order_by(IntegrationToken.id, ascending=False)
    now = clock.now()
    for row in rows:
        row["state"] = ("revoked" if row["revoked_at"] else "expired" if row["expires_at"] and row["expires_at"] <= now else "active")
    return rows


async def revoke(token_id: int, *, actor: Actor, ip_address: str = "") -> bool:
    """Revoke a token at once. False when it was already revoked (nothing changes, nothing audited)."""
    async with write_transaction():
        row = await IntegrationToken.select(IntegrationToken.name, IntegrationToken.revoked_at).where(IntegrationToken.id == token_id).first()
        if row is None:
            raise TokenError("There is no such token.")
        if row["revoked_at"] is not None:
            return False
        await IntegrationToken.update({IntegrationToken.revoked_at: clock.now(), IntegrationToken.revoked_by: actor.id}).where(
            IntegrationToken.id == token_id)
        await record(AuditAction.integration_token_revoked, actor=actor, target_type="integration", target_id=token_id,
                     detail={"name": row["name"][:MAX_NAME]}, ip_address=ip_address)
    return True


async def authenticate(secret: str, *, path: str = "", ip_address: str = "") -> Integration | None:
    """The integration a bearer token belongs to, or None (unknown, revoked or expired alike).

    Each token's first call of a day (UTC) is written to the audit log; every call moves
    last_used_at (at most once a minute). The data behind the API is aggregated and suppressed, so
    a daily record per token says which integrations read Chorus without one audit row per call."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = await IntegrationToken.select(
        IntegrationToken.id, IntegrationToken.name, IntegrationToken.scopes, IntegrationToken.expires_at,
        IntegrationToken.revoked_at, IntegrationToken.last_used_at,
    ).output(load_json=True).where(IntegrationToken.token_hash == token_hash(secret)).first()
    now = clock.now()
    if row is None or row["revoked_at"] is not None or (row["expires_at"] is not None and row["expires_at"] <= now):
        return None
    last = row["last_used_at"]
    if last is None or now - last > TOUCH_INTERVAL:
        await IntegrationToken.update({IntegrationToken.last_used_at: now}).where(IntegrationToken.id == row["id"])
    if last is None or last.astimezone(UTC).date() != now.astimezone(UTC).date():
        await record(AuditAction.api_used, actor=Actor(None, f"integration:{row['id']}"), target_type="integration",
                     target_id=row["id"], detail={"name": row["name"][:MAX_NAME], "path": path[:200]}, ip_address=ip_address)
    known = {s.value: s for s in Scope}
    return Integration(row["id"], row["name"], frozenset(known[s] for s in row["scopes"] if s in known))
