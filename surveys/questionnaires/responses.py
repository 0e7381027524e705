"""Loading stored responses for results and exports (answers held for the safeguarding lead left out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from app import free_text
from surveys.questionnaires.definition import (
    TEXT_KINDS,
    Given,
    QuestionDef,
    SurveyDef,
)
from surveys.questionnaires.tables import (
    Answer,
    Response,
)


def own_words(question: QuestionDef, given: Given) -> str:
    """The participant's own words in an answer: a text answer, or what "other" said."""
    if question.kind in TEXT_KINDS and isinstance(given.value, str):
        return given.value
    return given.other_text


@dataclass(frozen=True)
class StoredAnswer:
    given: Given
    screening_level: str = "none"
    sentiment: float | None = None
    sentiment_label: str | None = None
    """analysis.sentiment's label for the free text (None when there is none)."""


@dataclass(frozen=True)
class StoredResponse:
    id: int
    submitted_at: datetime
    language: str
    mode: str
    flagged: bool
    answers: dict[str, StoredAnswer]


def stored_value(raw: str | float | None) -> str | float | list[str] | None:
    """An answer's value as stored: JSON text, except that SQLite hands a JSON number back as a number
    (the JSON column has numeric affinity), so Piccolo's load_json cannot be used on it."""
    return json.loads(raw) if isinstance(raw, str) else raw


async def load_responses(definition: SurveyDef) -> list[StoredResponse]:
    responses = await Response.select(Response.id, Response.submitted_at, Response.language, Response.mode, Response.flagged).where(
        Response.survey == definition.id).order_by(Response.submitted_at)
    keys = {q.id: q.key for q in definition.questions}
    answers: dict[int, dict[str, StoredAnswer]] = {r["id"]: {} for r in responses}
    rows = await Answer.select(
        Answer.response, Answer.question, Answer.value, Answer.declined, Answer.other_text, Answer.screening_level, Answer.sentiment,
        Answer.sentiment_label,
    ).where(Answer.response.survey == definition.id).where(
        # Words held for the safeguarding lead are in no result, chart, export or count: as if unanswered.
        (Answer.screening_level == "none") | (Answer.released == True)  # noqa: E712 (a Piccolo expression)
    )
    by_id = {q.id: q for q in definition.questions}
    for row in rows:
        if row["question"] in keys and row["response"] in answers:
            given = Given(stored_value(row["value"]), row["declined"], row["other_text"])
            label = row["sentiment_label"]
            if label is None and (text := own_words(by_id[row["question"]], given)):
                label = free_text.sentiment_label(text)  # stored before labels were kept: the same library, now
            answers[row["response"]][keys[row["question"]]] = StoredAnswer(given, row["screening_level"], row["sentiment"], label)
    return [StoredResponse(r["id"], r["submitted_at"], r["language"], r["mode"], r["flagged"], answers[r["id"]]) for r in responses]
