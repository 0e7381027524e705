"""Alerts: every active safeguarding lead is emailed about an urgent disclosure by the job engine,
once, with no participant text; mail that is down is retried and never duplicated; a daily digest
of concerns; a badge on the staff home. Real database, real worker, real SMTP (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import clock, jobs
from app.accounts.roles import Role
from app.accounts.tables import StaffUser
from app.asgi import create_app
from app.database import write_transaction
from app.free_text import FlaggedText, assess, hold
from app.safeguarding import alerts
from app.safeguarding.tables import AlertDelivery, Disclosure, DisclosureState
from surveys.questionnaires import definitions, submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import ResponseMode
from tests.conftest import in_process_client
from tests.jobs import RefusingSMTP, due_now, eventually, job_rows, running_worker, smtp_settings
from tests.staff import make_user, signed_in_cookie
from tests.surveys import make_survey

URGENT_TEXT = "I want to kill myself tonight"


@pytest.fixture
def refusing_smtp():
    servers = []

    def start(refuse: int) -> RefusingSMTP:
        server = RefusingSMTP(refuse)
        server.controller.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.controller.stop()


async def leads() -> tuple[int, int]:
    first = await make_user(Role.safeguarding_lead, email="lead.one@example.org")
    second = await make_user(Role.safeguarding_lead, email="lead.two@example.org")
    gone = await make_user(Role.safeguarding_lead, email="lead.gone@example.org")
    await StaffUser.update({StaffUser.active: False}).where(StaffUser.id == gone)
    await make_user(Role.participation_lead, email="participation@example.org")
    return first, second


async def disclosure(level: str, *, received_at: datetime | None = None, state: DisclosureState = DisclosureState.new) -> int:
    """A disclosure as the door stores it (no alert queued: as after a crash before the enqueue)."""
    now = received_at or clock.now()
    rows = await Disclosure.insert(Disclosure(
        source_kind="survey_answer", source_id=1, place="Feeling safe (online)", question="Anything else?",
        text="words only a lead may read", level=level, categories=["neglect"], reasons=["model"],
        received_at=now, state=state, state_changed_at=now,
    ))
    return rows[0]["id"]


async def test_an_urgent_answer_emails_every_active_lead_once_with_a_link_and_no_words(db, smtp_server):
    first, second = await leads()
    survey_id = await make_survey(code="alert")
    definition = await definitions.load_definition(survey_id)
    settings = smtp_settings(smtp_server)
    # The worker inside the web app (CHORUS_JOB_WORKER=web, as `make run` has it).
    async with in_process_client(create_app(replace_worker(settings, "web"))):
        submitted = await submitting.store_response(
            definition, {"knows": Given("no"), "say": Given(URGENT_TEXT)}, submission_key="k1", receipt="r1",
            language="en", mode=ResponseMode.online, started_at=datetime.now(UTC),
        )
        assert submitted.flagged
        for address in ("lead.one@example.org", "lead.two@example.org"):
            await eventually(lambda a=address: _has_mail(smtp_server, a), what=f"an alert to {address}")
        await eventually(lambda: _all_sent(2), what="both deliveries marked sent")
    (disclosure_id,) = [row["id"] for row in await Disclosure.select(Disclosure.id)]
    assert sorted(m["To"] for m in smtp_server.messages) == ["lead.one@example.org", "lead.two@example.org"]
    for message in smtp_server.messages:
        body = message.get_payload(decode=True).decode()
        assert f"http://testserver.local/safeguarding/disclosures/{disclosure_id}" in body
        for secret in (URGENT_TEXT, "kill", "suicid", "Anything else", "Feeling safe"):
            assert secret.lower() not in (body + message["Subject"]).lower()
    rows = await AlertDelivery.select(AlertDelivery.lead, AlertDelivery.kind).order_by(AlertDelivery.lead)
    assert rows == [{"lead": first, "kind": "urgent"}, {"lead": second, "kind": "urgent"}]


def replace_worker(settings, where: str):
    from dataclasses import replace

    return replace(settings, job_worker=where)


async def _has_mail(smtp, address: str) -> bool:
    return bool(smtp.bodies_to(address))


async def _all_sent(count: int) -> bool:
    return await AlertDelivery.count().where(AlertDelivery.sent_at.is_not_null()) == count


async def test_mail_down_is_retried_with_backoff_and_each_lead_gets_exactly_one(db, refusing_smtp):
    await leads()
    smtp = refusing_smtp(refuse=1)  # the first message (to the first lead) is refused, then it recovers
    disclosure_id = await disclosure("urgent")
    async with running_worker(smtp_settings(smtp)):
        await alerts.disclosures_held([disclosure_id])
        await eventually(lambda: _retry_waiting("safeguarding.alert_urgent"), what="the failed attempt waiting to retry")
        (job,) = await job_rows("safeguarding.alert_urgent")
        assert job["retry_count"] == 1 and "not sent" in job["error"]
        assert job["scheduled_at"] > datetime.now(UTC) + timedelta(seconds=20)  # backed off (30 s), not lost
        # The second lead was sent at the first attempt; the first is still owed, with the server's answer.
        owed = await AlertDelivery.select(AlertDelivery.lead.email, AlertDelivery.attempts, AlertDelivery.last_error).where(
            AlertDelivery.sent_at.is_null())
        assert [(r["lead.email"], r["attempts"]) for r in owed] == [("lead.one@example.org", 1)] and "451" in owed[0]["last_error"]
        # Queued again meanwhile (the sweep, a double submit): the waiting retry is the one job.
        await alerts.disclosures_held([disclosure_id])
        assert len(await job_rows("safeguarding.alert_urgent")) == 1
        assert await due_now("safeguarding.alert_urgent") == 1  # instead of waiting out the 30 s backoff
        await eventually(lambda: _all_sent(2), what="the retry")
        await eventually(lambda: _job_status("safeguarding.alert_urgent", "completed"), what="the job completing")
    assert smtp.refused == ["lead.one@example.org"]
    assert sorted(m["To"] for m in smtp.messages) == ["lead.one@example.org", "lead.two@example.org"]


async def _retry_waiting(task_name: str) -> bool:
    rows = await job_rows(task_name)
    return bool(rows) and rows[0]["status"] == "scheduled" and rows[0]["retry_count"] == 1


async def _job_status(task_name: str, status: str) -> bool:
    rows = await job_rows(task_name)
    return bool(rows) and all(row["status"] == status for row in rows)


async def test_the_sweep_alerts_a_disclosure_whose_enqueue_was_lost_and_nothing_twice(db, smtp_server):
    await leads()
    lost = await disclosure("urgent")  # committed, but the process died before queueing its alert
    acknowledged = await disclosure("urgent", state=DisclosureState.acknowledged)
    await disclosure("concern")
    settings = smtp_settings(smtp_server)
    async with running_worker(settings):
        assert await alerts.sweep(settings) == [lost]
        await eventually(lambda: _all_sent(2), what="the swept alerts")
        await eventually(lambda: _job_status("safeguarding.alert_urgent", "completed"), what="the job completing")
        assert await alerts.sweep(settings) == []  # all sent: nothing queued again
    assert len(smtp_server.messages) == 2
    assert await AlertDelivery.count().where(AlertDelivery.disclosure == acknowledged) == 0


async def test_an_alert_with_no_active_lead_sends_nothing_and_fails_nothing(db, smtp_server):
    await make_user(Role.participation_lead, email="participation@example.org")
    disclosure_id = await disclosure("urgent")
    settings = smtp_settings(smtp_server)
    await alerts.send_urgent_alerts(settings, disclosure_id)
    await alerts.send_urgent_alerts(settings, await disclosure("concern"))  # not urgent: no alert
    assert smtp_server.messages == [] and await AlertDelivery.count() == 0
    assert await alerts.sweep(settings) == []  # no lead to alert: not queued every minute for ever


async def test_the_concern_digest_goes_to_each_lead_once_a_day_with_counts_only(db, smtp_server, frozen_clock):
    await leads()
    settings = smtp_settings(smtp_server)
    assert await alerts.send_concern_digest(settings) == 0 and smtp_server.messages == []  # nothing waiting: no mail
    await disclosure("concern", received_at=frozen_clock.now() - timedelta(days=3))
    await disclosure("concern")
    await disclosure("concern", state=DisclosureState.closed)
    await disclosure("urgent")
    assert await alerts.send_concern_digest(settings) == 2
    frozen_clock.advance(hours=6)
    await alerts.send_concern_digest(settings)  # the same day again (a second worker, a re-run): nothing more
    assert sorted(m["To"] for m in smtp_server.messages) == ["lead.one@example.org", "lead.two@example.org"]
    body = smtp_server.bodies_to("lead.one@example.org")[0]
    assert "waiting for a safeguarding lead: 2" in body and "last 24 hours: 1" in body
    assert "http://testserver.local/safeguarding" in body and "words only a lead may read" not in body
    frozen_clock.advance(days=1)
    await alerts.send_concern_digest(settings)
    assert len(smtp_server.bodies_to("lead.one@example.org")) == 2 and len(smtp_server.messages) == 4


async def test_the_staff_home_shows_a_lead_new_and_overdue_disclosures(client, frozen_clock):
    lead = await make_user(Role.safeguarding_lead)
    analyst = await make_user(Role.analyst)
    await disclosure("urgent", received_at=frozen_clock.now() - timedelta(minutes=61))  # overdue
    await disclosure("urgent", received_at=frozen_clock.now() - timedelta(minutes=59))  # not yet
    await disclosure("concern", received_at=frozen_clock.now() - timedelta(hours=5))  # concerns are never overdue
    await disclosure("urgent", received_at=frozen_clock.now() - timedelta(hours=3), state=DisclosureState.acknowledged)
    client.cookies.update(await signed_in_cookie(lead))
    page = await client.get("/staff")
    assert page.status_code == 200
    assert "3 new disclosures" in page.text and "1 urgent overdue" in page.text
    client.cookies.update(await signed_in_cookie(analyst))
    page = await client.get("/staff")
    assert page.status_code == 200 and "disclosure" not in page.text


async def test_a_job_survives_the_process_that_queued_it(db, smtp_server):
    """Queued with no worker running (the web process stops), run by a worker started afterwards."""
    await leads()
    disclosure_id = await disclosure("urgent")
    jobs.use_settings(smtp_settings(smtp_server))
    await alerts.disclosures_held([disclosure_id])  # its own short-lived connection to the engine, then gone
    assert [row["status"] for row in await job_rows("safeguarding.alert_urgent")] == ["pending"]
    assert smtp_server.messages == []
    async with running_worker(smtp_settings(smtp_server)):
        await eventually(lambda: _all_sent(2), what="the alerts after the restart")


async def test_an_urgent_disclosure_is_held_and_queued_only_after_its_transaction_commits(db, smtp_server):
    """A rolled-back transaction leaves neither a disclosure nor a job."""
    await leads()
    flagged = FlaggedText("survey_answer", 1, URGENT_TEXT, assess(URGENT_TEXT), "Feeling safe (online)")
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await hold([flagged])
            raise RuntimeError("the response could not be stored")
    assert await Disclosure.count() == 0 and await job_rows("safeguarding.alert_urgent") == []
