"""Codes people type (join codes, resume codes, receipts): an alphabet read right off a screen or a poster,
and the one way a typed code is normalised and shown.
"""

from __future__ import annotations

import secrets

# Codes people type: no 0/O, 1/I/L, so a code read off a screen or a poster is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    """What someone typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def grouped(code: str) -> str:
    """A code as people read it: in fours, with dashes."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
