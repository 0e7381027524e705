"""The demo's "you said, we did": the participation lead published the demo finding that project 3.3a
accepted, with its first quote, so `make run` shows the loop closed on /you-said-we-did. Idempotent."""

from __future__ import annotations

from app.accounts.demo import demo_email
from app.accounts.roles import Role
from app.accounts.tables import StaffUser
from app.audit.services import Actor
from app.findings.tables import Answer, EvidenceKind, Finding, FindingEvidence
from app.you_said_we_did import services
from app.you_said_we_did.tables import Publication


async def load_demo_publication() -> bool:
    """Returns whether it was published now (False when there is one already or no accepted finding)."""
    if await Publication.exists():
        return False
    finding = await Finding.select(Finding.id, Finding.title).where(Finding.answer == Answer.accepted).order_by(Finding.id).first()
    lead = await StaffUser.select(StaffUser.id, StaffUser.email).where(StaffUser.email == demo_email(Role.participation_lead)).first()
    if not (finding and lead):
        return False
    quote = await FindingEvidence.select(FindingEvidence.id).where(
        (FindingEvidence.finding == finding["id"]) & (FindingEvidence.kind == EvidenceKind.quote)).order_by(FindingEvidence.id).first()
    await services.publish(
        finding["id"],
        said=f"Many of you wrote about this: {finding['title'].lower()}. You said adults use different words for the same thing, "
             "and that makes it hard to ask for help.",
        did="The team for this project agreed to write one set of words with the youth assembly and take it to every partner. "
            "They have started.",
        quote_ids=[quote["id"]] if quote else [], actor=Actor(lead["id"], lead["email"]))
    return True
