"""Revealing how a participant asked to be contacted: lawful only for the safeguarding lead, on a
flagged answer whose response left contact details, for a stated reason.

The reason goes into the disclosure's triage history (a step that does not change its state), so
it stays with the safeguarding record; the audit log records who revealed which disclosure's
contact and when, never the details or the reason's words.
"""

from __future__ import annotations

from app import clock
from app.accounts.auth import CurrentUser
from app.accounts.roles import Permission
from app.audit.services import Actor, AuditAction, record
from app.database import write_transaction
from app.safeguarding.tables import Disclosure, DisclosureState, SourceKind, TriageStep
from surveys.questionnaires.tables import Answer, ContactRequest

REASON_LIMIT = 1000
REVEAL_NOTE = "Contact details revealed. Reason: {reason}"


class RevealRefused(Exception):
    """The contact details cannot be shown; the message says why, for the lead."""


class NotAllowed(RevealRefused):
    pass


class ReasonRequired(RevealRefused):
    pass


class NoContactDetails(RevealRefused):
    pass


async def has_contact_details(disclosure_id: int) -> bool:
    """Whether the disclosure came from a response that left contact details (for showing the button)."""
    return await _contact_for(disclosure_id) is not None


async def _contact_for(disclosure_id: int) -> tuple[dict, str] | None:
    disclosure = await Disclosure.select(Disclosure.id, Disclosure.source_kind, Disclosure.source_id, Disclosure.state).where(
        Disclosure.id == disclosure_id).first()
    if disclosure is None or disclosure["source_kind"] != SourceKind.survey_answer:
        return None
    answer = await Answer.select(Answer.response).where(Answer.id == disclosure["source_id"]).first()
    if answer is None:  # erased by the participant, or past the survey's retention period
        return None
    contact = await ContactRequest.select(ContactRequest.details).where(ContactRequest.response == answer["response"]).first()
    return (disclosure, contact["details"]) if contact else None


async def reveal_contact(disclosure_id: int, user: CurrentUser | None, reason: str, *, ip_address: str = "") -> str:
    """The contact details left with the response this disclosure came from. Each reveal is audited
    and its reason kept in the triage history. Raises a RevealRefused saying why otherwise."""
    if user is None or not user.can(Permission.triage_safeguarding):
        raise NotAllowed("Only a safeguarding lead, signed in with their second factor, can see contact details.")
    reason = reason.strip()
    if not reason:
        raise ReasonRequired("Say why you need to contact this person: the reason is kept with the record.")
    if len(reason) > REASON_LIMIT:
        raise ReasonRequired(f"Keep the reason under {REASON_LIMIT} characters.")
    found = await _contact_for(disclosure_id)
    if found is None:
        raise NoContactDetails("This person did not leave contact details, or has since deleted their answers.")
    disclosure, details = found
    if disclosure["state"] == DisclosureState.false_alarm:
        raise NoContactDetails("This was judged a false alarm, so contact details stay hidden.")
    async with write_transaction():
        await TriageStep.insert(TriageStep(
            disclosure=disclosure_id, from_state=disclosure["state"], to_state=disclosure["state"],
            note=REVEAL_NOTE.format(reason=reason), by=user.id, by_email=user.email, at=clock.now(),
        ))
        await record(AuditAction.contact_revealed, actor=Actor(user.id, user.email), target_type="disclosure",
                     target_id=disclosure_id, ip_address=ip_address)
    return details
