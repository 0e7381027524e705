"""QR codes for a participant link: what a facilitator shows a room or prints on a poster.

One place draws them (segno), so a survey's share page, its downloadable poster file and a board's
join screen scan the same way: error correction M survives a phone camera at an angle or a creased
print.
"""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "m"


def qr_svg_inline(link: str, title: str, *, scale: int = 5) -> str:
    """The link as an inline <svg> with an accessible title, to place in a page."""
    return segno.make(link, error=ERROR_CORRECTION).svg_inline(scale=scale, title=title)


def qr_svg_file(link: str, title: str, *, scale: int = 10) -> bytes:
    """The link as a stand-alone SVG file (large enough to print)."""
    buffer = io.BytesIO()
    segno.make(link, error=ERROR_CORRECTION).save(buffer, kind="svg", scale=scale, title=title)
    return buffer.getvalue()
