"""Security headers on every response, including error pages and static files."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# Two years, as HSTS preload lists expect; only in production, where TLS is guaranteed.
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(production: bool) -> BeforeMessageSendHookHandler:
    """A before_send hook: Litestar calls it for every response the app sends, routed or not."""
    headers = dict(BASE_HEADERS)
    if production:
        headers["Strict-Transport-Security"] = HSTS

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            response_headers = MutableScopeHeaders.from_message(message)
            for name, value in headers.items():
                response_headers[name] = value
            # Pages may hold a child's answers or a staff secret: never keep them in any cache,
            # so the back button on a shared phone or kiosk cannot bring them back.
            if "cache-control" not in response_headers and not scope["path"].startswith("/static/"):
                response_headers["Cache-Control"] = "no-store"

    return add_security_headers
