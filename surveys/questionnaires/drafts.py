"""A participant's unfinished answers (drafts): started, saved page by page, resumed by code, discarded, expired.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.accounts.auth import token_hash
from surveys.participation import consent
from surveys.participation.codes import normalise_code, random_code
from surveys.questionnaires.definition import (
    Given,
)
from surveys.questionnaires.tables import (
    Draft,
    ResponseMode,
)

DRAFT_LIFETIME = timedelta(days=14)


RESUME_CODE_LENGTH = 8


@dataclass
class DraftState:
    id: int
    survey_id: int
    language: str
    mode: str
    easy_read: bool
    answers: dict[str, Given]
    furthest_page: int
    started_at: datetime
    consent: consent.Agreement = consent.Agreement("")
    contact_details: str = ""


async def purge_expired_drafts() -> int:
    """Unfinished answers are deleted when they expire (14 days, or sooner if the survey closes)."""
    expired = await Draft.count().where(Draft.expires_at < clock.now())
    if expired:
        await Draft.delete().where(Draft.expires_at < clock.now())
    return expired


async def start_draft(survey: Mapping, *, language: str, mode: ResponseMode, easy_read: bool,
                      agreement: consent.Agreement | None = None) -> str:
    """A new, empty draft, with what the participant agreed to; returns the secret token that names it in the URL."""
    agreement = agreement or consent.Agreement("")
    await purge_expired_drafts()
    token = secrets.token_urlsafe(24)
    now = clock.now()
    expires = now + DRAFT_LIFETIME
    if survey["closes_at"] and survey["closes_at"] < expires:
        expires = survey["closes_at"]
    await Draft(survey=survey["id"], token_hash=token_hash(token), language=language, mode=mode, easy_read=easy_read,
                answers={}, furthest_page=1, started_at=now, updated_at=now, expires_at=expires,
                consent_version=agreement.consent_version, consented_at=now if agreement.consent_version else None,
                age_band=agreement.age_band, parent_statement=agreement.parent_statement).save()
    return token


async def load_draft(survey_id: int, token: str) -> DraftState | None:
    row = await Draft.select().where((Draft.token_hash == token_hash(token)) & (Draft.survey == survey_id)).output(load_json=True).first()
    if row is None or row["expires_at"] <= clock.now():
        return None
    return DraftState(row["id"], row["survey"], row["language"], row["mode"], row["easy_read"],
                      {k: Given.from_json(v) for k, v in (row["answers"] or {}).items()}, row["furthest_page"], row["started_at"],
                      consent.Agreement(row["consent_version"], row["age_band"], row["parent_statement"]), row["contact_details"])


async def save_draft(draft: DraftState, *, furthest_page: int | None = None, language: str | None = None, easy_read: bool | None = None) -> None:
    values = {Draft.answers: {k: v.to_json() for k, v in draft.answers.items()}, Draft.updated_at: clock.now(),
              Draft.contact_details: draft.contact_details}
    if furthest_page is not None:
        values[Draft.furthest_page] = max(furthest_page, draft.furthest_page)
    if language is not None:
        values[Draft.language] = language
    if easy_read is not None:
        values[Draft.easy_read] = easy_read
    await Draft.update(values).where(Draft.id == draft.id)


async def discard_draft(survey_id: int, token: str) -> None:
    """Delete unsent answers now (quick exit): nothing of them stays to be found."""
    await Draft.delete().where((Draft.token_hash == token_hash(token)) & (Draft.survey == survey_id))


async def issue_resume_code(draft: DraftState) -> str:
    """A short code to come back with; it replaces any earlier one for this draft."""
    for _ in range(20):
        code = random_code(RESUME_CODE_LENGTH)
        if not await Draft.exists().where(Draft.resume_code_hash == token_hash(code)):
            await Draft.update({Draft.resume_code_hash: token_hash(code)}).where(Draft.id == draft.id)
            return code
    raise RuntimeError("could not find an unused resume code")  # pragma: no cover


async def resume(survey_id: int, typed_code: str) -> str | None:
    """Swap a resume code for a new draft token (the old link stops working), or None."""
    code = normalise_code(typed_code)
    if len(code) != RESUME_CODE_LENGTH:
        return None
    row = await Draft.select(Draft.id, Draft.expires_at).where(
        (Draft.resume_code_hash == token_hash(code)) & (Draft.survey == survey_id)).first()
    if row is None or row["expires_at"] <= clock.now():
        return None
    token = secrets.token_urlsafe(24)
    await Draft.update({Draft.token_hash: token_hash(token), Draft.updated_at: clock.now()}).where(Draft.id == row["id"])
    return token


async def abandoned_drafts(survey_id: int) -> list[int]:
    """The furthest page each unfinished draft reached (for drop-off)."""
    return [r["furthest_page"] for r in await Draft.select(Draft.furthest_page).where(Draft.survey == survey_id)]
