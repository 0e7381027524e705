"""Submitting: a draft's or a paper questionnaire's answers stored as one response, once, through the
free-text door (app.free_text), and the receipt code that comes back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from piccolo.engine.sqlite import SQLiteEngine

from app import clock, free_text
from app.accounts.auth import token_hash
from app.database import current_engine, write_transaction
from app.free_text import assess_all
from surveys.participation import consent
from surveys.participation.codes import CODE_ALPHABET
from surveys.questionnaires.definition import (
    Given,
    SurveyDef,
)
from surveys.questionnaires.drafts import DraftState
from surveys.questionnaires.finding import SurveyUnavailable, response_count
from surveys.questionnaires.responses import own_words
from surveys.questionnaires.tables import (
    Answer,
    ContactRequest,
    Draft,
    Response,
    ResponseMode,
    Survey,
)


def receipt_code(token: str, secret_key: str) -> str:
    """The same token always gives the same receipt, so a repeated submit shows the same one."""
    digest = hmac.new(secret_key.encode(), b"receipt:" + token.encode(), hashlib.sha256).digest()
    alphabet_code = base64.b32encode(digest).decode()
    return "".join(CODE_ALPHABET[ord(ch) % len(CODE_ALPHABET)] for ch in alphabet_code[:10])


@dataclass(frozen=True)
class Submitted:
    receipt: str
    flagged: bool
    repeated: bool
    """True when this token's answers had already been stored: nothing new was written."""
    mode: str = ResponseMode.online
    contact_left: bool = False
    """The participant left a way to contact them (only the safeguarding lead can see it)."""


async def _already_submitted(key: str) -> Response | None:
    return await Response.objects().where(Response.submission_key == key).first()


async def submit_draft(definition: SurveyDef, token: str, draft: DraftState, *, secret_key: str) -> Submitted:
    """Store the draft's answers as one response, once; the draft is deleted in the same transaction."""
    answers = definition.keep_visible(draft.answers)
    receipt = receipt_code(token, secret_key)
    return await store_response(
        definition, answers, submission_key=token_hash(token), receipt=receipt, language=draft.language,
        mode=ResponseMode(draft.mode), started_at=draft.started_at, draft_id=draft.id, within_cap=True,
        agreement=draft.consent, contact_details=draft.contact_details,
    )


async def was_submitted(token: str) -> bool:
    """Whether this draft token's answers were sent (they are stored under its hash)."""
    return await Response.exists().where(Response.submission_key == token_hash(token))


async def find_submission(token: str, secret_key: str) -> Submitted | None:
    """The earlier result of submitting this token, if it was submitted (a retry or a double tap)."""
    existing = await _already_submitted(token_hash(token))
    if existing is None:
        return None
    return Submitted(receipt_code(token, secret_key), existing.flagged, repeated=True, mode=existing.mode,
                     contact_left=await ContactRequest.exists().where(ContactRequest.response == existing.id))


async def store_response(
    definition: SurveyDef,
    answers: Mapping[str, Given],
    *,
    submission_key: str,
    receipt: str,
    language: str,
    mode: ResponseMode,
    started_at: datetime,
    draft_id: int | None = None,
    entered_by: int | None = None,
    submitted_at: datetime | None = None,
    within_cap: bool = False,
    agreement: consent.Agreement | None = None,
    contact_details: str = "",
) -> Submitted:
    """Write a response and all its answers in one transaction, or nothing at all.

    With `within_cap`, SurveyUnavailable("full") when the survey's response cap is reached, decided
    inside the same transaction so that simultaneous sends cannot pass the cap together."""
    by_key = {q.key: q for q in definition.questions}
    texts = {key: text for key, given in answers.items() if (text := own_words(by_key[key], given))}
    assessments = dict(zip(texts, await assess_all(list(texts.values())), strict=True))
    flagged = any(a.flagged for a in assessments.values())
    held: list[int] = []
    try:
        async with write_transaction():
            if within_cap:
                await _refuse_when_full(definition.id)
            response = Response(
                survey=definition.id, submission_key=submission_key, receipt_hash=token_hash(receipt), language=language,
                mode=mode, entered_by=entered_by, started_at=started_at, submitted_at=submitted_at or clock.now(), flagged=flagged,
                consent_version=agreement.consent_version if agreement else "",
                consented_at=started_at if agreement and agreement.consent_version else None,
                age_band=agreement.age_band if agreement else "", parent_statement=bool(agreement and agreement.parent_statement),
            )
            await response.save()
            if contact_details:
                # Never an answer: its own table, which only the safeguarding lead's reveal reads.
                await ContactRequest(response=response.id, details=contact_details, created_at=clock.now()).save()
            rows = []
            for key, given in answers.items():
                assessment = assessments.get(key)
                rows.append(Answer(
                    # Piccolo stores a str given to a JSON column as if it were JSON already: encode every value.
                    response=response.id, question=by_key[key].id, value=json.dumps(given.value), declined=given.declined,
                    other_text=given.other_text, screening_level=assessment.level if assessment else "none",
                    screening_categories=assessment.categories if assessment else [],
                    sentiment=assessment.polarity if assessment else None,
                    sentiment_label=assessment.sentiment if assessment else None,
                ))
            if rows:
                inserted = await Answer.insert(*rows)
                held = await free_text.hold([
                    free_text.FlaggedText(
                        source_kind="survey_answer", source_id=stored["id"], text=texts[key], assessment=assessments[key],
                        place=f"{definition.title} ({mode.value if isinstance(mode, ResponseMode) else mode})",
                        question=by_key[key].text, survey_id=definition.id,
                    )
                    for key, stored in zip(answers, inserted, strict=True)
                    if key in assessments and assessments[key].flagged
                ])
            if draft_id is not None:
                await Draft.delete().where(Draft.id == draft_id)
    except Exception:
        # A concurrent submit of the same token won the race: its response is the one.
        existing = await _already_submitted(submission_key)
        if existing is None:
            raise
        return Submitted(receipt, existing.flagged, repeated=True, mode=existing.mode)
    # Only now, committed: the alert job must find the disclosure, and on SQLite the job engine's
    # own connection would wait for this worker's write lock.
    await free_text.held_committed(held)
    return Submitted(receipt, flagged, repeated=False, mode=mode, contact_left=bool(contact_details))


async def _refuse_when_full(survey_id: int) -> None:
    """Inside a write transaction: raise SurveyUnavailable("full") if the cap is reached. On SQLite the
    transaction already holds the write lock (BEGIN IMMEDIATE); on PostgreSQL the survey's row is
    locked, so capped sends count one after another."""
    cap = (await Survey.select(Survey.response_cap).where(Survey.id == survey_id).first())["response_cap"]
    if not cap:
        return
    if not isinstance(current_engine(), SQLiteEngine):
        await Survey.select(Survey.id).where(Survey.id == survey_id).lock_rows()
    if await response_count(survey_id) >= cap:
        raise SurveyUnavailable("full")


async def store_paper_response(definition: SurveyDef, answers: Mapping[str, Given], *, mode: ResponseMode,
                               entered_by: int, secret_key: str, submission_id: str) -> Submitted:
    """A paper questionnaire or answers given aloud, typed in by staff (marked with its mode)."""
    return await store_response(
        definition, definition.keep_visible(answers), submission_key=token_hash("paper:" + submission_id),
        receipt=receipt_code("paper:" + submission_id, secret_key), language="en", mode=mode,
        started_at=clock.now(), entered_by=entered_by,
    )
