"""Password rules (NIST SP 800-63B: length and a check against common and guessable values, no
composition rules) and argon2id hashing."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn scores 0-4; below 3 means a common password, a dictionary word or an easy pattern.
MIN_STRENGTH = 3

_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory defaults
# Verified against when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("chorus-dummy-password-for-timing")


class WeakPassword(ValueError):
    """The password breaks a rule; the message says which, in plain words."""


def check_new_password(password: str, *, email: str = "", display_name: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters. A few unrelated words make a good password.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    hints = _personal_words(email, display_name)
    result = zxcvbn(password[:100], user_inputs=hints)
    if result["score"] < MIN_STRENGTH:
        advice = result["feedback"]["warning"] or "It is too easy to guess."
        raise WeakPassword(f"That password is too common or easy to guess. {advice}".strip())


def _personal_words(email: str, display_name: str) -> list[str]:
    """The person's own name and email, whole, joined and word by word: guessable material."""
    local = email.split("@")[0]
    words = re.split(r"[\s._\-+]+", f"{local} {display_name}".lower())
    return [w for w in {email.lower(), local.lower(), display_name.lower(), "".join(display_name.lower().split()), *words} if len(w) > 2]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; always spends the same work, even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
