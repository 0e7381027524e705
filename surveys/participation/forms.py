"""Reading participant form posts strictly: UTF-8 only, URL-encoded only, a bounded number of fields."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qsl

from litestar import Request

from surveys.participation.text import TamperedForm

MAX_FIELDS = 400


async def read_form(request: Request) -> dict[str, list[str]]:
    """Every field and its values; TamperedForm for anything a browser showing our pages would not send."""
    content_type, _ = request.content_type
    if content_type != "application/x-www-form-urlencoded":
        raise TamperedForm(f"unexpected content type {content_type[:60]!r}")
    body = await request.body()
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise TamperedForm(f"form is not valid UTF-8 URL-encoding: {type(error).__name__}") from None
    fields: dict[str, list[str]] = defaultdict(list)
    for name, value in pairs:
        fields[name].append(value)
    return dict(fields)
