"""The safeguarding lead's work: disclosures held from every other role, their queue and triage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app import clock
from app.safeguarding.tables import Disclosure, DisclosureState

if TYPE_CHECKING:
    from app.free_text import FlaggedText


async def open_disclosures(flagged: list[FlaggedText]) -> list[int]:
    """One new disclosure per flagged text (called through the door, `app.free_text.hold`)."""
    if not flagged:
        return []
    now = clock.now()
    rows = [
        Disclosure(
            source_kind=item.source_kind, source_id=item.source_id, survey=item.survey_id, place=item.place,
            question=item.question, text=item.text, level=item.assessment.level, categories=list(item.assessment.categories),
            reasons=list(item.assessment.reasons), received_at=now, state=DisclosureState.new, state_changed_at=now,
        )
        for item in flagged
    ]
    inserted = await Disclosure.insert(*rows)
    return [row["id"] for row in inserted]


# --- counts for the staff home's badge ------------------------------------------------------------

OVERDUE_AFTER_MINUTES = 60
"""An urgent disclosure not acknowledged within this long is shown overdue."""


async def open_counts() -> dict[str, int]:
    """How many disclosures wait for a lead (`new`: nobody has acknowledged them) and how many of
    those are urgent and older than OVERDUE_AFTER_MINUTES (`overdue`), for the staff home's badge."""
    from datetime import timedelta

    waiting = Disclosure.state == DisclosureState.new
    overdue_since = clock.now() - timedelta(minutes=OVERDUE_AFTER_MINUTES)
    return {
        "new": await Disclosure.count().where(waiting),
        "overdue": await Disclosure.count().where(waiting & (Disclosure.level == "urgent") & (Disclosure.received_at <= overdue_since)),
    }
