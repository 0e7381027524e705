"""Retention with a moved clock: raw answers past their survey's period go, with their contact
requests; drafts go when they expire; safeguarding records stay; a second run deletes nothing;
the log holds counts, never content. Issue 10, item 8."""

import asyncio
import logging
import subprocess
import sys
from datetime import timedelta

from app.safeguarding.tables import Disclosure
from surveys.participation.retention import purge_expired
from surveys.questionnaires import finding
from surveys.questionnaires.tables import Answer, ContactRequest, Draft, ErasedReceipt, Response
from tests.conftest import ROOT
from tests.surveys import csrf, make_survey, receipt_in, send, start

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"


async def answered(client, code: str, say: str = "More youth clubs please", **extra) -> str:
    first = await start(client, code)
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit", area="north", say=say, **extra)
    return receipt_in(done.text)


async def test_raw_answers_go_after_their_surveys_period_and_a_second_run_deletes_nothing(client, db, frozen_clock, caplog):
    yearly = await make_survey(code="year", ask_contact=True)  # the default: 12 months
    quarterly = await make_survey(code="quarter", retention_months=3)
    await answered(client, "year", say=DISCLOSURE, contact_wanted="yes", contact_details="07700 900123")
    await answered(client, "quarter")
    frozen_clock.advance(days=60)
    await answered(client, "year")
    await start(client, "year")  # left unfinished: expires after 14 days
    assert (await Response.count(), await Answer.count(), await ContactRequest.count(), await Draft.count()) == (3, 9, 1, 1)

    frozen_clock.advance(days=40)  # 100 days after the first answers: the quarterly survey's are past 3 months
    with caplog.at_level(logging.INFO, logger="chorus.retention"):
        first_run = await purge_expired()
    assert (first_run.responses, first_run.answers, first_run.contact_requests, first_run.drafts) == (1, 3, 0, 1)
    assert await Response.count().where(Response.survey == quarterly) == 0
    assert await Response.count().where(Response.survey == yearly) == 2 and await Draft.count() == 0

    frozen_clock.advance(days=270)  # 370 days after the first: the first yearly response is past 12 months
    with caplog.at_level(logging.INFO, logger="chorus.retention"):
        second = await purge_expired()
        third = await purge_expired()
    assert (second.responses, second.answers, second.contact_requests) == (1, 3, 1)
    assert (third.responses, third.answers, third.contact_requests, third.drafts) == (0, 0, 0, 0)
    assert await Response.count() == 1 and await Answer.count() == 3 and await ContactRequest.count() == 0
    # The safeguarding record is kept (legal obligation); the raw answer it came from is gone.
    disclosure = await Disclosure.objects().first()
    assert disclosure.text == DISCLOSURE and not await Answer.exists().where(Answer.id == disclosure.source_id)
    logged = caplog.text
    assert "deleted 1 responses (3 answers, 1 contact requests)" in logged
    assert "07700" not in logged and "stepdad" not in logged and "youth clubs" not in logged


async def test_an_explicit_now_is_used_and_nothing_recent_goes(client, db, frozen_clock):
    await make_survey(code="year")
    await answered(client, "year")
    assert (await purge_expired(now=frozen_clock.now())).responses == 0
    a_year_on = frozen_clock.now().replace(year=frozen_clock.now().year + 1)
    assert (await purge_expired(now=a_year_on)).responses == 0  # kept for 12 months to the second
    assert (await purge_expired(now=a_year_on + timedelta(seconds=1))).responses == 1
    assert await Response.count() == 0


async def test_erased_receipt_records_are_kept_24_months(client, db, frozen_clock):
    await make_survey(code="year")
    code = await answered(client, "year")
    await client.post("/receipt/delete", data={"_csrf_token": csrf(client), "receipt": code, "confirm": "yes"})
    assert await ErasedReceipt.count() == 1
    frozen_clock.advance(days=700)
    assert (await purge_expired()).erased_receipts == 0
    frozen_clock.advance(days=40)
    assert (await purge_expired()).erased_receipts == 1 and await ErasedReceipt.count() == 0


async def test_chorus_retention_purge_runs_from_the_command_line(client, db, subprocess_env):
    survey_id = await make_survey(code="year", retention_months=1)
    await answered(client, "year")
    # Sent long ago: move its time back rather than the clock (the command runs in another process).
    sent = (await Response.objects().first()).submitted_at
    await Response.update({Response.submitted_at: sent.replace(year=sent.year - 1)}).where(Response.survey == survey_id)
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "app", "retention", "purge"], cwd=ROOT,
                                     env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "retention: deleted 1 responses (3 answers, 0 contact requests)" in result.stdout
    again = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "app", "retention", "purge"], cwd=ROOT,
                                    env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert "retention: deleted 0 responses" in again.stdout
    assert await Response.count() == 0
    assert await finding.response_count(survey_id) == 0
