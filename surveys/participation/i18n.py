"""Languages for participants: the interface's own words from gettext catalogs (Babel), the choice
of language from the browser, and the direction a script is written in.

Catalogs live in surveys/participation/locale/<lang>/LC_MESSAGES/messages.po and are compiled in memory when
first used, so there is no build step and no compiled file to forget. `make translations`
re-extracts the English strings and updates every catalog (docs/guides/translators.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from surveys.participation.text import Message

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "en"
# Languages a survey may be written in: English and the borough's main community languages.
SURVEY_LANGUAGES = ("en", "bn", "ur", "ar", "so", "pl", "tr", "pa", "gu", "ta", "ro", "pt", "es", "fr", "lt")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    """In the language itself, as a participant looks for it: "বাংলা", "اردو"."""
    english_name: str
    direction: str
    """"ltr" or "rtl"."""


@cache
def language(code: str) -> Language:
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Language(code, code, code, "ltr")
    name = locale.display_name or code
    return Language(
        code,
        name[:1].upper() + name[1:],
        locale.english_name or code,
        "rtl" if locale.character_order == "right-to-left" else "ltr",
    )


@cache
def interface_languages() -> tuple[str, ...]:
    """Languages with a catalog for the interface's own words (English needs none)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (DEFAULT_LANGUAGE, *found)


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalog for `code`, or English (the source strings) when there is none."""
    po_file = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext_for(code: str):
    """`_` for templates: `_("Page %(n)s of %(total)s", n=1, total=3)` formats after translating
    (a value that is itself a Message, such as a phase's name, is translated too)."""
    catalog = translations(code)

    def _(message: str, **values) -> str:
        translated = catalog.gettext(message)
        if not values:
            return translated
        return translated % {name: _(value, **value.params) if isinstance(value, Message) else value
                             for name, value in values.items()}

    return _


def translate(message: str, code: str) -> str:
    """A Message (or plain text) in language `code`, its values put in: for words sent outside a template."""
    return gettext_for(code)(message, **getattr(message, "params", {}))


def interface_language(chosen: str, accept_language: str) -> str:
    """A participant page's language: `chosen` (its `?lang=`) when we have words for it, else the
    browser's preference among ours (English by default)."""
    if chosen in interface_languages():
        return chosen
    return from_accept_language(accept_language, interface_languages())


def from_accept_language(header: str, offered: list[str] | tuple[str, ...]) -> str:
    """The first language the browser prefers that the survey offers, else the survey's first."""
    preferences = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            preferences.append((-quality, position, tag.split("-")[0].lower()))
    for _, _, code in sorted(preferences):
        if code in offered:
            return code
    return offered[0] if offered else DEFAULT_LANGUAGE
