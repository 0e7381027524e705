"""The board templates: each column has a key, a title, a prompt, a colour and a symbol, because
colour must never be the only cue (the symbol and title say the same)."""

from __future__ import annotations

import re

MAX_COLUMNS = 6
MAX_TITLE = 40
MAX_PROMPT = 160
# Colours with dark text on them pass WCAG AA contrast (checked by axe in the browser test).
PALETTE = ["#ffd6e0", "#ffe8b3", "#d4f4dd", "#d6e4ff", "#eadcff", "#e6e6e6"]
SYMBOLS = ["✿", "✱", "❀", "◆", "●", "■"]

TEMPLATES: dict[str, dict] = {
    "rose_thorn_bud": {"name": "Rose, thorn, bud", "columns": [
        ("rose", "Rose", "What went well?", "#ffd6e0", "✿"),
        ("thorn", "Thorn", "What hurt or got in the way?", "#ffe8b3", "✱"),
        ("bud", "Bud", "What could grow from here?", "#d4f4dd", "❀"),
    ]},
    "keep_lose_change": {"name": "Keep, lose, change", "columns": [
        ("keep", "Keep", "What should we keep doing?", "#d4f4dd", "✔"),
        ("lose", "Lose", "What should we stop or drop?", "#ffd6e0", "✖"),
        ("change", "Change", "What should we do differently?", "#d6e4ff", "↻"),
    ]},
    "start_stop_continue": {"name": "Start, stop, continue", "columns": [
        ("start", "Start", "What should we start doing?", "#d4f4dd", "▶"),
        ("stop", "Stop", "What should we stop doing?", "#ffd6e0", "■"),
        ("continue", "Continue", "What should we carry on doing?", "#d6e4ff", "↻"),
    ]},
    "how_might_we": {"name": "How might we…", "columns": [
        ("hmw", "How might we…", "Finish the sentence: how might we…?", "#eadcff", "?"),
    ]},
}
DEFAULT_TEMPLATE = "rose_thorn_bud"


class ColumnsError(ValueError):
    """Custom columns that cannot make a board, with what to fix."""


def template_choices() -> list[tuple[str, str]]:
    return [(key, spec["name"]) for key, spec in TEMPLATES.items()] + [("custom", "Custom columns")]


def columns_for(template: str, custom: str = "") -> list[dict]:
    """The columns of a template; for "custom", one column per line of `custom` ("Title: prompt")."""
    if template in TEMPLATES:
        return [{"key": key, "title": title, "prompt": prompt, "colour": colour, "symbol": symbol}
                for key, title, prompt, colour, symbol in TEMPLATES[template]["columns"]]
    if template != "custom":
        raise ColumnsError("Choose a template from the list.")
    lines = [line.strip() for line in custom.splitlines() if line.strip()]
    if not lines:
        raise ColumnsError("Write one column a line, like “Hopes: what do you hope for?”.")
    if len(lines) > MAX_COLUMNS:
        raise ColumnsError(f"A board has at most {MAX_COLUMNS} columns.")
    columns, keys = [], set()
    for i, line in enumerate(lines):
        title, _, prompt = line.partition(":")
        title, prompt = title.strip(), prompt.strip()
        if not title or len(title) > MAX_TITLE or len(prompt) > MAX_PROMPT:
            raise ColumnsError(f"Column {i + 1}: a title of 1-{MAX_TITLE} characters, then a colon and a prompt of at most {MAX_PROMPT}.")
        key = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:30] or f"column{i + 1}"
        while key in keys:
            key += "_"
        keys.add(key)
        columns.append({"key": key, "title": title, "prompt": prompt, "colour": PALETTE[i], "symbol": SYMBOLS[i]})
    return columns
