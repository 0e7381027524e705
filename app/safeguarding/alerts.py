"""Alerts to safeguarding leads: an email per urgent disclosure, a daily digest of concerns.

No alert carries participant text, categories or the question: only that a disclosure needs a
lead and a link to it, which needs signing in with a second factor to open. Each email owed is an
`AlertDelivery` row, unique per disclosure and lead (or day and lead), marked when the mail server
takes it: a retry sends only what is still owed, and nothing is sent twice. The jobs that call
these functions are in `app.jobs`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from app import clock
from app.accounts.roles import Role
from app.accounts.tables import StaffRole
from app.mail import Mail, MailNotSent, send
from app.safeguarding.tables import AlertDelivery, Disclosure, DisclosureState
from app.settings import Settings
from app.web.links import public_link

logger = logging.getLogger("chorus.safeguarding.alerts")

URGENT = "urgent"
DIGEST = "digest"


class AlertsNotSent(RuntimeError):
    """Some owed alerts could not be sent; the job is retried and sends only those."""


async def disclosures_held(disclosure_ids: list[int]) -> None:
    """Queue an alert for each urgent disclosure just committed. Never raises: if the queue cannot
    be reached now, the once-a-minute sweep finds the disclosure without alerts and queues it."""
    if not disclosure_ids:
        return
    from app import jobs

    try:
        urgent = await Disclosure.select(Disclosure.id).where(
            Disclosure.id.is_in(disclosure_ids) & (Disclosure.level == URGENT)
        )
        for row in urgent:
            await jobs.enqueue(jobs.alert_urgent, row["id"])
    except Exception:  # noqa: BLE001 - the participant's answers are stored; the sweep will alert
        logger.exception("urgent alert not queued now; the sweep will queue it")


async def active_lead_ids() -> list[int]:
    rows = await StaffRole.select(StaffRole.user.id).where(
        (StaffRole.role == Role.safeguarding_lead) & (StaffRole.user.active == True)  # noqa: E712 - Piccolo expression
    )
    return sorted({row["user.id"] for row in rows})


async def _owe(kind: str, keys: dict[int, str], disclosure_id: int | None = None) -> None:
    """Record one owed email per lead; a row already there (sent or not) is left as it is."""
    if not keys:
        return
    now = clock.now()
    await AlertDelivery.insert(*[
        AlertDelivery(key=key, kind=kind, disclosure=disclosure_id, lead=lead, created_at=now)
        for lead, key in keys.items()
    ]).on_conflict(target=AlertDelivery.key, action="DO NOTHING")


async def _send_owed(settings: Settings, where, mail_for) -> None:
    """Send every owed row matched by `where` to its (still active) lead; raise if any failed."""
    owed = await AlertDelivery.select(AlertDelivery.id, AlertDelivery.lead.email).where(
        where & AlertDelivery.sent_at.is_null() & (AlertDelivery.lead.active == True)  # noqa: E712
    ).order_by(AlertDelivery.id)
    failed = 0
    for row in owed:
        try:
            await send(settings, mail_for(row["lead.email"]))
        except MailNotSent as error:
            failed += 1
            await AlertDelivery.update({
                AlertDelivery.attempts: AlertDelivery.attempts + 1, AlertDelivery.last_error: str(error)[:500],
            }).where(AlertDelivery.id == row["id"])
            continue
        await AlertDelivery.update({
            AlertDelivery.sent_at: clock.now(), AlertDelivery.attempts: AlertDelivery.attempts + 1, AlertDelivery.last_error: "",
        }).where(AlertDelivery.id == row["id"])
    if failed:
        raise AlertsNotSent(f"{failed} of {len(owed)} alert emails not sent; they will be retried")


def urgent_mail(settings: Settings, disclosure_id: int, to: str) -> Mail:
    link = public_link(settings, f"/safeguarding/disclosures/{disclosure_id}")
    return Mail(
        to=to,
        subject="Chorus: an urgent disclosure needs a safeguarding lead",
        body=(
            "Someone has written something in Chorus that screening marked urgent, and it is waiting "
            "for a safeguarding lead.\n\n"
            f"Sign in to read it and acknowledge it:\n{link}\n\n"
            "This email does not contain what was written. If another lead has already acknowledged "
            "it, the page will say so.\n"
        ),
    )


async def send_urgent_alerts(settings: Settings, disclosure_id: int) -> None:
    """Email each active lead about one urgent disclosure, once each (the `alert_urgent` job)."""
    disclosure = await Disclosure.select(Disclosure.id, Disclosure.level).where(Disclosure.id == disclosure_id).first()
    if disclosure is None or disclosure["level"] != URGENT:
        return
    await _owe(URGENT, {lead: f"{URGENT}:{disclosure_id}:{lead}" for lead in await active_lead_ids()}, disclosure_id)
    await _send_owed(
        settings,
        (AlertDelivery.kind == URGENT) & (AlertDelivery.disclosure == disclosure_id),
        lambda to: urgent_mail(settings, disclosure_id, to),
    )


async def sweep(settings: Settings) -> list[int]:
    """Queue alerts for urgent disclosures still new that were never alerted (none of their rows
    exist although a lead does) or still owe an email to an active lead. Returns their ids."""
    from app import jobs

    new_urgent = await Disclosure.select(Disclosure.id).where(
        (Disclosure.level == URGENT) & (Disclosure.state == DisclosureState.new)
    )
    if not new_urgent:
        return []
    ids = [row["id"] for row in new_urgent]
    rows = await AlertDelivery.select(AlertDelivery.disclosure, AlertDelivery.sent_at, AlertDelivery.lead.active).where(
        (AlertDelivery.kind == URGENT) & AlertDelivery.disclosure.is_in(ids)
    )
    with_rows = {row["disclosure"] for row in rows}
    owing = {row["disclosure"] for row in rows if row["sent_at"] is None and row["lead.active"]}
    leads_exist = bool(await active_lead_ids())
    due = sorted(owing | ({i for i in ids if i not in with_rows} if leads_exist else set()))
    for disclosure_id in due:
        await jobs.enqueue(jobs.alert_urgent, disclosure_id)
    if due:
        logger.warning("sweep queued urgent alerts for %d disclosure(s)", len(due))
    return due


def digest_mail(settings: Settings, to: str, open_concerns: int, new_today: int) -> Mail:
    link = public_link(settings, "/safeguarding")
    return Mail(
        to=to,
        subject=f"Chorus: {open_concerns} disclosure{'s' if open_concerns != 1 else ''} of concern waiting",
        body=(
            f"Disclosures marked 'concern' waiting for a safeguarding lead: {open_concerns}\n"
            f"Of those, received in the last 24 hours: {new_today}\n\n"
            f"Sign in to see the queue:\n{link}\n\n"
            "This email does not contain what was written.\n"
        ),
    )


async def send_concern_digest(settings: Settings) -> int:
    """Each active lead gets today's counts of new `concern` disclosures, at most once a day (the
    `concern_digest` job); nothing is sent when there are none. Returns how many are waiting."""
    now = clock.now()
    waiting = await Disclosure.select(Disclosure.received_at).where(
        (Disclosure.level == "concern") & (Disclosure.state == DisclosureState.new)
    )
    if not waiting:
        return 0
    recent = sum(1 for row in waiting if row["received_at"] >= now - timedelta(hours=24))
    day = now.date().isoformat()
    await _owe(DIGEST, {lead: f"{DIGEST}:{day}:{lead}" for lead in await active_lead_ids()})
    await _send_owed(
        settings,
        (AlertDelivery.kind == DIGEST) & AlertDelivery.key.like(f"{DIGEST}:{day}:%"),
        lambda to: digest_mail(settings, to, len(waiting), recent),
    )
    return len(waiting)
