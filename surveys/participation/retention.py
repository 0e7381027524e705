"""Retention: raw answers are kept for their survey's period (12 months unless its owner chose
otherwise), then deleted with their answers and contact requests; unfinished drafts go when they
expire. A plain async function, run daily (`chorus retention purge`, or the job engine).

It logs counts only, never content, and is idempotent: run twice, the second run deletes nothing.
Disclosures are not touched: they are the safeguarding record, kept under legal obligation
(docs/safeguarding.md, "Data protection").
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime

from app import clock
from app.database import write_transaction
from surveys.questionnaires.tables import Answer, ContactRequest, Draft, ErasedReceipt, Response, Survey

log = logging.getLogger("chorus.retention")

ERASED_RECEIPTS_KEPT_MONTHS = 24
"""How long the hash of an erased receipt code is kept, so a second erasure is told "already deleted"."""


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Purged:
    responses: int = 0
    answers: int = 0
    contact_requests: int = 0
    drafts: int = 0
    erased_receipts: int = 0

    def __str__(self) -> str:
        return (f"deleted {self.responses} responses ({self.answers} answers, {self.contact_requests} contact requests), "
                f"{self.drafts} expired unfinished answers, {self.erased_receipts} old erased-receipt records")


async def purge_expired(now: datetime | None = None) -> Purged:
    """Delete every raw response past its survey's retention period, and expired drafts. Counts only are logged."""
    now = now or clock.now()
    by_period: dict[int, list[int]] = {}
    for survey in await Survey.select(Survey.id, Survey.retention_months):
        by_period.setdefault(survey["retention_months"], []).append(survey["id"])
    responses = answers = contacts = 0
    async with write_transaction():
        for months, survey_ids in sorted(by_period.items()):
            cutoff = months_before(now, months)
            answers += await Answer.count().where(
                Answer.response.survey.is_in(survey_ids) & (Answer.response.submitted_at < cutoff))
            contacts += await ContactRequest.count().where(
                ContactRequest.response.survey.is_in(survey_ids) & (ContactRequest.response.submitted_at < cutoff))
            # Answers and contact requests go with their response (foreign keys ON DELETE CASCADE).
            responses += len(await Response.delete().where(
                Response.survey.is_in(survey_ids) & (Response.submitted_at < cutoff)).returning(Response.id))
        drafts = len(await Draft.delete().where(Draft.expires_at < now).returning(Draft.id))
        erased = len(await ErasedReceipt.delete().where(
            ErasedReceipt.erased_at < months_before(now, ERASED_RECEIPTS_KEPT_MONTHS)).returning(ErasedReceipt.id))
    purged = Purged(responses, answers, contacts, drafts, erased)
    log.info("retention purge: %s", purged)
    return purged
