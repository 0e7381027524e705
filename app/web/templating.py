"""What every template can use: `_` (English unless a participant page passes a translation) and
`show`, which marks survey text shown in English because no translation exists."""

from __future__ import annotations

from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape


def _english(message: str, **values) -> str:
    return message % values if values else message


def show(text) -> Markup:
    """A survey text; an untranslated one keeps lang="en" so screen readers pronounce it right."""
    if getattr(text, "fallback", False):
        return Markup('<span lang="en" dir="ltr" class="untranslated">{}</span>').format(text)
    return escape(text)


NEUTRAL_SITE = "https://www.bbc.co.uk/weather"
"""Where Quick exit goes: an ordinary page nobody would question on a young person's screen."""


def configure(engine: JinjaTemplateEngine) -> None:
    from app.settings import get_settings

    engine.engine.globals.update({"_": _english, "show": show, "NEUTRAL_SITE": NEUTRAL_SITE})
    # Checking every template file's time on every render costs ~5 % of a participant request (py-spy,
    # docs/benchmarks.md); templates change only with a deploy in production.
    engine.engine.auto_reload = not get_settings().is_production
