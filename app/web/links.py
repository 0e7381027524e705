"""The one builder of public links: in emails, on share pages, in QR codes.

Links always start with the configured public address (CHORUS_PUBLIC_URL), never with the request's
`Host` header, which a client chooses: a reset link built from it could point at another site.
"""

from __future__ import annotations

from app.settings import Settings


def public_link(settings: Settings, path: str) -> str:
    """The full address of `path` (which starts with "/") as people outside reach it."""
    if not path.startswith("/"):
        raise ValueError(f"a public link's path starts with '/', not {path[:40]!r}")
    return settings.public_url + path
