"""The one door free text comes in by: every participant's words are screened and scored here.

Survey answers use it now; retrospective cards and user-testing notes will too (ROADMAP §1), so
the safeguarding workflow has a single place to hook its queue and alerts.
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
    return FreeTextAssessment(screened.level, list(screened.categories), scored.polarity, scored.label)


def sentiment_label(text: str) -> str:
    """The library's label for text stored before labels were (answers from before that migration)."""
    return sentiment.score(text).label if text.strip() else "neutral"


async def assess_all(texts: list[str]) -> list[FreeTextAssessment]:
    """Assess several texts off the event loop (TextBlob and VADER are CPU work)."""
    return await asyncio.to_thread(lambda: [assess(t) for t in texts])


def warm_up() -> None:
    """Fit the screening model in the background at start-up, so no participant waits for it (a few seconds)."""
    threading.Thread(target=screening.default_screener, name="screening-warm-up", daemon=True).start()
