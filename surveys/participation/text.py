"""Participant text every activity shares: messages marked for translation, and what is stored of
any typed text (or refused as a form our pages could not have sent). Pure Python.
"""

from __future__ import annotations

import re
import unicodedata

# Every C0/C1 control character except tab and newline (NUL alone would fail on PostgreSQL), and
# the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can make
# stored text read differently on a results page or in an export from what was written ("Trojan
# Source"). Right-to-left scripts such as Urdu need none of them: they carry their own direction.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def N_(message: str) -> str:
    """Mark a participant message for translation where it is defined (Babel extracts N_)."""
    return message


class Message(str):
    """A participant message: the catalog's msgid, with the values to put into it once translated."""

    params: dict

    def __new__(cls, msgid: str, **params):
        message = super().__new__(cls, msgid)
        message.params = params
        return message

    def english(self) -> str:
        if not self.params:
            return str(self)
        return self % {name: value.english() if isinstance(value, Message) else value for name, value in self.params.items()}


class Refused(ValueError):
    """Input refused with words to show: `message` is a Message a participant's page translates, while
    str() is its English (staff pages, logs). Plain text is kept as it is, as a Message with no values."""

    def __init__(self, message: str):
        self.message = message if isinstance(message, Message) else Message(message)
        super().__init__(self.message.english())


class TamperedForm(ValueError):
    """The form holds something our own pages could not have sent: refuse it whole."""


def clean_text(raw: str) -> str:
    """NFC, no control or bidi-override characters, no surrounding space: what we store of any typed text."""
    return _CONTROL_CHARS.sub("", unicodedata.normalize("NFC", raw)).strip()
