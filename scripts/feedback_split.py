"""The one split of the real-feedback set (../shared/data/nhs-feedback-neas.csv) into a development
part, tuned on, and a held-back part, reported as the generalisation figure.

A comment is held back when the SHA-256 of its comment_id, read as a number, is 0, 1 or 2 modulo
10 (about 30 %, ~1,500 comments). Fixed before any result was looked at; never change it.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "nhs-feedback-neas.csv"
# Theme columns that say nothing about a topic: the rule for a comment's primary theme skips them.
NOT_A_TOPIC = ("Not assigned", "Labelling not possible")
GENERAL = ("Positive experience & gratitude", "Negative experience & dissatisfaction")
FIRST_THEME_COLUMN = 5


def is_held_back(comment_id: str) -> bool:
    return int(hashlib.sha256(comment_id.encode("utf-8")).hexdigest(), 16) % 10 < 3


def load(part: str, path: Path = DEFAULT_PATH) -> list[dict]:
    """Rows of one part ("dev", "heldback" or "all"), each with `primary_theme` and `sentiment3`."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        theme_columns = reader.fieldnames[FIRST_THEME_COLUMN:]
        rows = []
        for row in reader:
            if part != "all" and is_held_back(row["comment_id"]) != (part == "heldback"):
                continue
            marked = [c for c in theme_columns if row[c] == "1"]
            row["primary_theme"] = primary_theme(marked)
            row["sentiment3"] = {"1": "positive", "2": "positive", "3": "neutral", "4": "negative", "5": "negative"}.get(row["sentiment"])
            rows.append(row)
    return rows


def primary_theme(marked: list[str]) -> str | None:
    """The first topical theme in the framework's column order; else a general one; else None."""
    topical = [c for c in marked if c not in NOT_A_TOPIC and c not in GENERAL]
    general = [c for c in marked if c in GENERAL]
    return (topical or general or [None])[0]
