"""Keep secret tokens out of every log line.

Invitation and password-reset links, and a participant's draft address (`/s/<code>/d/<token>`),
carry a bearer token in the path: anyone who reads it in a log could set a password or read and
change a child's unsent answers. A filter on every handler (and on the loggers that log requests)
masks those path segments before any line is written, whoever logged it: uvicorn's access log,
Litestar, or Chorus.
"""

from __future__ import annotations

import logging
import re

MASK = "[hidden]"
# The token after each of these is secret; whatever follows it (e.g. /exit) is kept.
TOKEN_IN_PATH = re.compile(r"(/s/[^/\s?#\"']+/d/|/invite/|/password/reset/)[^/\s?#\"']+")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "chorus")
"""Loggers whose handlers get the filter ("" is the root); the request loggers get it directly too."""


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(lambda m: m.group(1) + MASK, text)


def _masked(value):
    return mask_tokens(value) if isinstance(value, str) else value


class MaskTokens(logging.Filter):
    """Rewrites the record in place (message, arguments, traceback text) and always lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            # Element by element: uvicorn's access formatter unpacks the arguments it logged.
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = _masked(record.exc_text)
        return True


def install() -> None:
    """Add the filter wherever logging has been configured so far (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, MaskTokens) for f in target.filters):
                target.addFilter(MaskTokens())
