"""The one door free text comes in by: every participant's words are screened and scored here,
and whatever screening flags is held for the safeguarding lead here (`hold`).

Survey answers use it now; retrospective cards and user-testing notes will too (ROADMAP §1), so
the safeguarding queue and its alerts have one place to be fed from. tests/unit/test_free_text_door.py
checks that nothing else calls the screening.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from analysis import screening, sentiment


@dataclass(frozen=True)
class FreeTextAssessment:
    level: str
    """"none", "concern" or "urgent" (analysis.screening)."""
    categories: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    polarity: float = 0.0
    sentiment: str = "neutral"
    """analysis.sentiment's label ("positive", "neutral", "negative"): stored and shown as it is."""

    @property
    def flagged(self) -> bool:
        return self.level != "none"


def assess(text: str) -> FreeTextAssessment:
    if not text.strip():
        return FreeTextAssessment("none")
    screened = screening.screen(text)
    scored = sentiment.score(text)
    return FreeTextAssessment(screened.level, list(screened.categories), list(screened.reasons), scored.polarity, scored.label)


@dataclass(frozen=True)
class FlaggedText:
    """Words screening flagged, with where they came in: what the safeguarding lead needs to act."""

    source_kind: str
    source_id: int
    text: str
    assessment: FreeTextAssessment
    place: str
    question: str = ""
    survey_id: int | None = None


async def hold(flagged: list[FlaggedText]) -> list[int]:
    """Hold flagged words for the safeguarding lead: one disclosure each, in the caller's transaction,
    so the words and their disclosure are stored together or not at all. Returns the disclosures' ids."""
    from app.safeguarding import services as safeguarding  # the safeguarding app's tables refer to surveys'

    return await safeguarding.open_disclosures(flagged)


async def held_committed(disclosure_ids: list[int]) -> None:
    """After the transaction that held them commits: alert the safeguarding leads (a job, off the request)."""
    from app.safeguarding import alerts

    await alerts.disclosures_held(disclosure_ids)


def sentiment_label(text: str) -> str:
    """The library's label for text stored before labels were (answers from before that migration)."""
    return sentiment.score(text).label if text.strip() else "neutral"


async def assess_all(texts: list[str]) -> list[FreeTextAssessment]:
    """Assess several texts off the event loop (TextBlob and VADER are CPU work)."""
    return await asyncio.to_thread(lambda: [assess(t) for t in texts])


def warm_up() -> None:
    """Fit the models in the background at start-up, so no participant or results page waits for them:
    screening (a few seconds), sentiment and redaction's name tagger (under a second each)."""
    from analysis.name_model import default_name_tagger

    def fit_all() -> None:
        screening.default_screener()
        sentiment.default_model()
        default_name_tagger()

    threading.Thread(target=fit_all, name="models-warm-up", daemon=True).start()
