"""What a receipt code does: a participant sees and deletes their own answers; an administrator
exports everything held for a code (a subject access request).

Codes are never stored, only their hash (`Response.receipt_hash`), so a lost code cannot be
looked up by anyone. Words already held for the safeguarding lead stay in `Disclosure` as the
safeguarding record when the answers are deleted (docs/safeguarding.md, "Data protection").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from app import clock
from app.accounts.auth import token_hash
from app.database import write_transaction
from surveys.participation.codes import normalise_code
from surveys.questionnaires.definition import QuestionDef
from surveys.questionnaires.definitions import load_definition
from surveys.questionnaires.responses import stored_value
from surveys.questionnaires.tables import Answer, ContactRequest, ErasedReceipt, QuestionKind, Response

log = logging.getLogger("chorus.receipts")

RECEIPT_LENGTH = 10


def receipt_hash(typed: str) -> str | None:
    """The stored hash of a typed receipt code, or None when it cannot be one (wrong length)."""
    code = normalise_code(typed)
    return token_hash(code) if len(code) == RECEIPT_LENGTH else None


class Found(str, Enum):
    held = "held"
    erased = "erased"
    """The participant deleted these answers already."""
    unknown = "unknown"
    """Never a code, mistyped, or the answers were deleted when the survey's retention period ended."""


@dataclass(frozen=True)
class ShownAnswer:
    question: str
    answer: str
    """What was chosen or written, as the participant would read it; "" when declined."""
    declined: bool
    held_for_safeguarding: bool


@dataclass(frozen=True)
class OwnAnswers:
    found: Found
    survey_title: str = ""
    submitted_at: datetime | None = None
    answers: list[ShownAnswer] = field(default_factory=list)

    @property
    def any_held(self) -> bool:
        return any(a.held_for_safeguarding for a in self.answers)


def _shown(question: QuestionDef, value: Any, other_text: str) -> str:
    if isinstance(value, list):
        labels = [question.label_of(v) for v in value if v != "_other"]
        return ", ".join(labels + ([other_text] if other_text else []))
    if value is None:
        return ""
    if question.kind in (QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.likert):
        return question.label_of(str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def _response_by_hash(hashed: str) -> dict | None:
    return await Response.select(Response.id, Response.survey, Response.survey.title, Response.submitted_at).where(
        Response.receipt_hash == hashed).first()


async def own_answers(typed: str) -> OwnAnswers:
    """The answers sent with this receipt code, in the survey's order, for the participant to read."""
    hashed = receipt_hash(typed)
    if hashed is None:
        return OwnAnswers(Found.unknown)
    response = await _response_by_hash(hashed)
    if response is None:
        erased = await ErasedReceipt.exists().where(ErasedReceipt.receipt_hash == hashed)
        return OwnAnswers(Found.erased if erased else Found.unknown)
    definition = await load_definition(response["survey"])
    rows = {r["question"]: r for r in await Answer.select(
        Answer.question, Answer.value, Answer.declined, Answer.other_text, Answer.screening_level).where(
        Answer.response == response["id"])}
    shown = [
        ShownAnswer(q.text, "" if rows[q.id]["declined"] else _shown(q, stored_value(rows[q.id]["value"]), rows[q.id]["other_text"]),
                    rows[q.id]["declined"], rows[q.id]["screening_level"] != "none")
        for q in definition.questions if q.id in rows
    ]
    return OwnAnswers(Found.held, response["survey.title"], response["submitted_at"], shown)


@dataclass(frozen=True)
class Erasure:
    found: Found
    answers: int = 0
    held_for_safeguarding: int = 0


async def erase(typed: str) -> Erasure:
    """Delete the response sent with this code, its answers and any contact request, at once and for good.
    A second try with the same code is told the answers were already deleted."""
    hashed = receipt_hash(typed)
    if hashed is None:
        return Erasure(Found.unknown)
    async with write_transaction():
        response = await _response_by_hash(hashed)
        if response is None:
            erased = await ErasedReceipt.exists().where(ErasedReceipt.receipt_hash == hashed)
            return Erasure(Found.erased if erased else Found.unknown)
        answers = await Answer.count().where(Answer.response == response["id"])
        held = await Answer.count().where((Answer.response == response["id"]) & (Answer.screening_level != "none"))
        deleted = await Response.delete().where(Response.id == response["id"]).returning(Response.id)
        if not deleted:  # a simultaneous erasure with the same code got there first
            return Erasure(Found.erased)
        await ErasedReceipt.insert(ErasedReceipt(receipt_hash=hashed, erased_at=clock.now()))
    log.info("participant erased a response: %d answers (%d held for the safeguarding lead stay there)", answers, held)
    return Erasure(Found.held, answers, held)


async def subject_access(typed: str) -> dict | None:
    """Everything held for a receipt code, for a subject access request: None when nothing is."""
    from app.safeguarding.tables import Disclosure, SourceKind  # the safeguarding app's tables refer to surveys'

    hashed = receipt_hash(typed)
    if hashed is None:
        return None
    response = await Response.select(Response.all_columns(), Response.survey.title).where(Response.receipt_hash == hashed).first()
    if response is None:
        return None
    definition = await load_definition(response["survey"])
    questions = {q.id: q for q in definition.questions}
    answers = await Answer.select().where(Answer.response == response["id"])
    answer_ids = [a["id"] for a in answers]
    disclosures = await Disclosure.select(Disclosure.id, Disclosure.source_id, Disclosure.level, Disclosure.state,
                                          Disclosure.received_at).where(
        (Disclosure.source_kind == SourceKind.survey_answer) & Disclosure.source_id.is_in(answer_ids or [0]))
    contact = await ContactRequest.select(ContactRequest.details, ContactRequest.created_at).where(
        ContactRequest.response == response["id"]).first()
    return {
        "survey": response["survey.title"],
        "response": {
            "submitted_at": response["submitted_at"].isoformat(), "started_at": response["started_at"].isoformat(),
            "language": response["language"], "mode": response["mode"], "consent_version": response["consent_version"],
            "consented_at": response["consented_at"].isoformat() if response["consented_at"] else None,
            "age_band": response["age_band"], "parent_statement": response["parent_statement"],
        },
        "answers": [
            {
                "question_key": questions[a["question"]].key if a["question"] in questions else None,
                "question": questions[a["question"]].text if a["question"] in questions else None,
                "value": stored_value(a["value"]), "declined": a["declined"], "other_text": a["other_text"],
                "screening_level": a["screening_level"], "sentiment_label": a["sentiment_label"],
                "held_for_safeguarding": a["screening_level"] != "none" and not a["released"],
            }
            for a in answers
        ],
        "contact_request": {"details": contact["details"], "created_at": contact["created_at"].isoformat()} if contact else None,
        # The safeguarding record exists and its state; its triage notes are released only as the
        # data protection officer decides (they may name other people).
        "safeguarding_records": [
            {"level": d["level"], "state": d["state"], "received_at": d["received_at"].isoformat()} for d in disclosures
        ],
    }
