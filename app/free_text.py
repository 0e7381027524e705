"""The one door free text comes in by: every participant's words are screened and scored here,
and whatever screening flags is held for the safeguarding lead here (`hold`).

Survey answers use it now; retrospective cards and user-testing notes will too (ROADMAP §1), so
the safeguarding queue and its alerts have one place to be fed from. tests/unit/test_free_text_door.py
checks that nothing else calls the screening.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
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
    return assess_many([text])[0]


def assess_many(texts: list[str]) -> list[FreeTextAssessment]:
    """Screen and score several texts in one pass through the models (blank texts are "none")."""
    present = [i for i, text in enumerate(texts) if text.strip()]
    screened = screening.screen_many([texts[i] for i in present])
    scored = sentiment.score_many([texts[i] for i in present])
    assessments = [FreeTextAssessment("none")] * len(texts)
    for i, screening_of, score in zip(present, screened, scored, strict=True):
        assessments[i] = FreeTextAssessment(screening_of.level, list(screening_of.categories), list(screening_of.reasons),
                                            score.polarity, score.label)
    return assessments


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


class _Batcher:
    """Assesses the texts of simultaneous sends together, off the event loop.

    While one batch is in the models' thread, the texts of sends arriving meanwhile wait and go
    together as the next batch: a lone send is assessed at once, and at a youth event's peak the
    sentence model embeds many texts per pass, for about a fifth of the CPU per text
    (docs/benchmarks.md). Each send still waits for its own words' screening before storing them."""

    MAX_TEXTS = 64
    """A bound on one batch, so that a send's wait stays short however many arrive at once."""

    def __init__(self) -> None:
        self._waiting: list[tuple[list[str], asyncio.Future]] = []
        self._draining: asyncio.Task | None = None

    async def assess(self, texts: list[str]) -> list[FreeTextAssessment]:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((texts, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, size = [], 0
            while self._waiting and (not batch or size + len(self._waiting[0][0]) <= self.MAX_TEXTS):
                texts, future = self._waiting.pop(0)
                batch.append((texts, future))
                size += len(texts)
            try:
                assessed = await asyncio.to_thread(assess_many, [text for texts, _ in batch for text in texts])
            except Exception as error:  # every send in the batch hears of it; none is stored unscreened
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            start = 0
            for texts, future in batch:
                if not future.done():  # a send whose client went away
                    future.set_result(assessed[start:start + len(texts)])
                start += len(texts)


_BATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batcher] = weakref.WeakKeyDictionary()


async def assess_all(texts: list[str]) -> list[FreeTextAssessment]:
    """Assess one send's texts off the event loop, batched with other sends' (see _Batcher)."""
    if not texts:
        return []
    batcher = _BATCHERS.setdefault(asyncio.get_running_loop(), _Batcher())
    return await batcher.assess(list(texts))


_MODELS_READY = threading.Event()


def models_ready() -> bool:
    """Whether start-up's warm_up has fitted the models (/health says so: send people in after it)."""
    return _MODELS_READY.is_set()


def warm_up() -> None:
    """Fit the models in the background at start-up, so no participant or results page waits for them:
    screening (a few seconds), sentiment and redaction's name tagger (under a second each)."""
    from analysis.name_model import default_name_tagger

    def fit_all() -> None:
        screening.default_screener()
        sentiment.default_model()
        default_name_tagger()
        assess_many(["warming up"])  # the first pass through the sentence model is slower than the rest
        _MODELS_READY.set()

    threading.Thread(target=fit_all, name="models-warm-up", daemon=True).start()
