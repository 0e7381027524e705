"""“You said, we did” (issue 12 items 5 and 6): the participation lead publishes a finding back to young
people in plain words, with the quotes they choose and what was decided and done; the public pages
(the partnership's, and one per survey) show every publication; a participant's receipt code shows
which themes their answers fed and what happened to the findings from them, and they may leave an
email to hear when that changes.

What is public is only what the finding already shows anyone: its evidence was taken as someone who
may not see small groups sees it, quotes are the redacted ones, and a participant's own answers are
never on any of these pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from analysis.readability import assess
from app import clock
from app.audit.services import Actor, AuditAction, record
from app.database import write_transaction
from app.findings import services as findings
from app.findings.tables import Answer, EvidenceKind, Finding, FindingAction, FindingEvidence, FindingState
from app.you_said_we_did.tables import Publication, ReceiptFollow
from surveys.participation.text import N_

TARGET_READING_AGE = 11
"""Young people 13-17 read these pages: the plain-English guidance the survey builder uses for them."""
MAX_TEXT = 2000
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


class PublishRefused(ValueError):
    """Publishing refused, with the sentence to show; nothing was stored."""


NOT_AN_EMAIL = N_("That does not look like an email address. Check it and try again.")


class NotAnEmail(PublishRefused):
    """A participant typed something that is not an email address (the message goes through the catalogs)."""


@dataclass
class PublicAction:
    description: str
    progress: int
    due_on: date
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.progress >= 100


@dataclass
class PublicEntry:
    finding_id: int
    title: str
    said: str
    did: str
    quotes: list[str]
    counts: list[dict]
    """Each theme's figures as the finding shows them: label, answers, share (suppressed as on pages)."""
    decision: str
    """"accepted", "not_taken_forward", or "waiting" (sent, not answered yet)."""
    reason: str
    actions: list[PublicAction]
    recipient: str
    sent_at: datetime | None
    answered_at: datetime | None
    published_at: datetime
    updated_at: datetime
    survey_ids: set[int] = field(default_factory=set)
    theme_ids: set[int] = field(default_factory=set)


def readability(said: str, did: str):
    return assess(f"{said}\n{did}".strip())


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PublishRefused(f"Write {what}: young people read this first.")
    if len(value) > MAX_TEXT:
        raise PublishRefused(f"Keep {what} under {MAX_TEXT} characters (it has {len(value)}).")
    return value


async def publish(finding_id: int, said: str, did: str, quote_ids: list[int], *, actor: Actor, ip_address: str = "") -> int:
    """Publish (or update) the finding's "you said, we did"; returns the publication's id. Refused for a
    draft finding, one with no evidence that still resolves to its sources, or blank or over-long text."""
    row = await findings.get_finding(finding_id)
    if row is None:
        raise LookupError("There is no such finding.")
    if row["state"] != FindingState.sent:
        raise PublishRefused("Send the finding to a project or a board first: young people should hear who is answering it.")
    said, did = _text(said, "what young people said"), _text(did, "what was decided and done")
    evidence = [await findings.resolve_evidence(e) for e in await findings.evidence_rows(finding_id)]
    if not any(e.resolves for e in evidence):
        raise PublishRefused("Publishing needs at least one piece of evidence that still leads to what young people said.")
    quotes = {e.id for e in evidence if e.kind == EvidenceKind.quote and e.resolves}
    if not set(quote_ids) <= quotes:
        raise PublishRefused("Choose quotes from this finding's own evidence.")
    now = clock.now()
    values = {Publication.said: said, Publication.did: did, Publication.quote_ids: sorted(set(quote_ids)),
              Publication.reading_age: readability(said, did).reading_age, Publication.updated_at: now,
              Publication.withdrawn_at: None, Publication.published_by: actor.id}
    async with write_transaction():
        existing = await Publication.select(Publication.id).where(Publication.finding == finding_id).first()
        if existing:
            await Publication.update(values).where(Publication.id == existing["id"])
            publication_id = existing["id"]
        else:
            publication_id = (await Publication.insert(Publication(
                finding=finding_id, published_at=now, **{column._meta.name: value for column, value in values.items()})))[0]["id"]
        await record(AuditAction.finding_published, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"publication": publication_id, "quotes": len(quote_ids), "again": bool(existing)}, ip_address=ip_address)
    return publication_id


async def translate(finding_id: int, language: str, said: str, did: str, *, actor: Actor, ip_address: str = "") -> None:
    """A person's translation of the publication into one language (blank both to remove it)."""
    from surveys.participation import i18n

    if language == i18n.DEFAULT_LANGUAGE or language not in i18n.interface_languages():
        raise PublishRefused("Choose one of the languages the participant pages are in (English is the text above).")
    publication = await Publication.select().output(load_json=True).where(Publication.finding == finding_id).first()
    if publication is None:
        raise PublishRefused("Publish it in English first; then add translations.")
    translations = dict(publication["translations"] or {})
    if not said.strip() and not did.strip():
        translations.pop(language, None)
    else:
        translations[language] = {"said": _text(said, "what young people said"), "did": _text(did, "what was decided and done")}
    async with write_transaction():
        await Publication.update({Publication.translations: translations, Publication.updated_at: clock.now()}).where(
            Publication.id == publication["id"])
        await record(AuditAction.finding_published, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"translation": language, "removed": language not in translations}, ip_address=ip_address)


async def withdraw(finding_id: int, *, actor: Actor, ip_address: str = "") -> None:
    async with write_transaction():
        changed = await Publication.update({Publication.withdrawn_at: clock.now()}).where(
            (Publication.finding == finding_id) & Publication.withdrawn_at.is_null()).returning(Publication.id)
        if not changed:
            raise PublishRefused("It is not published.")
        await record(AuditAction.finding_withdrawn, actor=actor, target_type="finding", target_id=finding_id, ip_address=ip_address)


async def publication_of(finding_id: int) -> dict | None:
    return await Publication.select().output(load_json=True).where(Publication.finding == finding_id).first()


# --- the public pages -------------------------------------------------------------------------


async def _sources(evidence: list[dict]) -> tuple[set[int], set[int]]:
    """The surveys and themes a finding's evidence comes from."""
    from app.insights.tables import ThemeRun

    runs = {e["run_id"] for e in evidence if e["run_id"]}
    surveys = {r["survey"] for r in await ThemeRun.select(ThemeRun.survey).where(ThemeRun.id.is_in(list(runs) or [-1])) if r["survey"]}
    for item in evidence:
        surveys |= set(item["survey_ids"] or [])
    return surveys, {e["theme_id"] for e in evidence if e["theme_id"]}


async def entries(language: str = "en", *, survey_id: int | None = None, finding_ids: set[int] | None = None) -> list[PublicEntry]:
    """Every published (not withdrawn) finding, newest change first; only those from one survey, or
    some findings, when asked. Text in `language` where a person translated it."""
    publications = await Publication.select().output(load_json=True).where(Publication.withdrawn_at.is_null()).order_by(
        Publication.updated_at, ascending=False)
    if finding_ids is not None:
        publications = [p for p in publications if p["finding"] in finding_ids]
    ids = [p["finding"] for p in publications]
    rows = {r["id"]: r for r in await findings.finding_rows(Finding.id.is_in(ids or [-1]))}
    evidence_rows = await FindingEvidence.select().output(load_json=True).where(FindingEvidence.finding.is_in(ids or [-1])).order_by(
        FindingEvidence.position, FindingEvidence.id)
    actions = await FindingAction.select().where(FindingAction.finding.is_in(ids or [-1])).order_by(FindingAction.id)
    out = []
    for publication in publications:
        row = rows[publication["finding"]]
        evidence = [e for e in evidence_rows if e["finding"] == row["id"]]
        surveys, themes = await _sources(evidence)
        if survey_id is not None and survey_id not in surveys:
            continue
        text = (publication["translations"] or {}).get(language) or {"said": publication["said"], "did": publication["did"]}
        chosen = set(publication["quote_ids"] or [])
        out.append(PublicEntry(
            finding_id=row["id"], title=row["title"], said=text["said"], did=text["did"],
            quotes=[e["quote"] for e in evidence if e["id"] in chosen and e["quote"]],
            counts=[e["figures"] for e in evidence if e["kind"] == EvidenceKind.theme_counts and e["figures"]],
            decision=row["answer"] or "waiting", reason=row["answer_reason"] if row["answer"] == Answer.not_taken_forward else "",
            actions=[PublicAction(a["description"], a["progress"], a["due_on"], a["updated_at"]) for a in actions if a["finding"] == row["id"]],
            recipient=findings.recipient_label(row), sent_at=row["sent_at"], answered_at=row["answered_at"],
            published_at=publication["published_at"], survey_ids=surveys, theme_ids=themes,
            # Changed when the words, the decision or any action's progress last changed: what followers hear about.
            updated_at=max([publication["updated_at"], *([row["answered_at"]] if row["answered_at"] else []),
                            *(a["updated_at"] for a in actions if a["finding"] == row["id"])]),
        ))
    return out


async def survey_by_code(code: str) -> dict | None:
    from surveys.questionnaires.tables import Survey, SurveyStatus

    return await Survey.select(Survey.id, Survey.title, Survey.public_code).where(
        (Survey.public_code == code) & (Survey.status != SurveyStatus.draft)).first()


# --- receipts that come back ----------------------------------------------------------------


@dataclass
class WhatHappened:
    themes: list[str]
    """Labels of the themes the participant's answers are in (each theme run's latest, once)."""
    entries: list[PublicEntry]
    following: bool


async def what_happened(receipt_hash: str, language: str = "en") -> WhatHappened:
    """Which themes one response's answers fed, and the published findings from those themes."""
    from app.insights.tables import RunState, Theme, ThemeMember, ThemeRun
    from surveys.questionnaires.tables import Response

    response = await Response.select(Response.id).where(Response.receipt_hash == receipt_hash).first()
    if response is None:
        return WhatHappened([], [], False)
    memberships = await ThemeMember.select(ThemeMember.theme, ThemeMember.run).where(
        (ThemeMember.item_kind == "survey_answer") & (ThemeMember.item_id == response["id"]))
    theme_ids = {m["theme"] for m in memberships}
    themes = await Theme.select(Theme.id, Theme.label, Theme.merged_into, Theme.kind, Theme.not_useful, Theme.run).where(
        Theme.id.is_in(list(theme_ids) or [-1]))
    # A theme merged into another counts as the one it is in now.
    merged = {t["merged_into"] for t in themes if t["merged_into"]}
    themes += await Theme.select(Theme.id, Theme.label, Theme.merged_into, Theme.kind, Theme.not_useful, Theme.run).where(
        Theme.id.is_in(list(merged - theme_ids) or [-1]))
    theme_ids |= merged
    runs = {r["id"]: r for r in await ThemeRun.select(ThemeRun.id, ThemeRun.source_key, ThemeRun.finished_at).where(
        ThemeRun.id.is_in([t["run"] for t in themes] or [-1]), ThemeRun.state == RunState.done)}
    latest: dict[str, int] = {}
    for run in sorted(runs.values(), key=lambda r: r["finished_at"]):
        latest[run["source_key"]] = run["id"]
    labels = sorted({t["label"] for t in themes if t["run"] in latest.values() and not t["merged_into"]
                     and t["kind"] == "theme" and not t["not_useful"]})
    from_themes = {e["finding"] for e in await FindingEvidence.select(FindingEvidence.finding).where(
        FindingEvidence.theme_id.is_in(list(theme_ids) or [-1]))}
    following = await ReceiptFollow.exists().where(ReceiptFollow.response == response["id"])
    return WhatHappened(labels, await entries(language, finding_ids=from_themes), following)


async def _response_id(receipt_hash: str) -> int | None:
    from surveys.questionnaires.tables import Response

    row = await Response.select(Response.id).where(Response.receipt_hash == receipt_hash).first()
    return row["id"] if row else None


async def follow(receipt_hash: str, email: str) -> None:
    email = email.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise NotAnEmail(NOT_AN_EMAIL)
    response_id = await _response_id(receipt_hash)
    if response_id is None:
        raise LookupError("no response for that receipt")
    # What is published now counts as told: the email is for changes from here on.
    told = {str(e.finding_id): e.updated_at.isoformat() for e in (await what_happened(receipt_hash)).entries}
    async with write_transaction():
        await ReceiptFollow.delete().where(ReceiptFollow.response == response_id)
        await ReceiptFollow.insert(ReceiptFollow(response=response_id, email=email, created_at=clock.now(), told=told))


async def unfollow(receipt_hash: str) -> bool:
    response_id = await _response_id(receipt_hash)
    deleted = await ReceiptFollow.delete().where(ReceiptFollow.response == (response_id or -1)).returning(ReceiptFollow.id)
    return bool(deleted)


async def tell_followers(settings) -> int:
    """Email each follower once about each publication from their themes that is new or changed since
    they were last told (the `you_said_we_did.tell_followers` job); returns how many emails were sent."""
    from app.mail import Mail, send

    sent = 0
    for follow_row in await ReceiptFollow.select(
            ReceiptFollow.all_columns(), ReceiptFollow.response.receipt_hash.as_alias("receipt_hash")).output(load_json=True):
        told = dict(follow_row["told"] or {})
        happened = await what_happened(follow_row["receipt_hash"])
        changed = [e for e in happened.entries if told.get(str(e.finding_id)) != e.updated_at.isoformat()]
        if not changed:
            continue
        lines = "\n".join(f"- {e.title}: {_decision_words(e)}" for e in changed)
        await send(settings, Mail(
            to=follow_row["email"], subject="What happened with what you told us",
            body=(f"Hello,\n\nYou asked us to tell you when something changes about what young people said in a survey you "
                  f"answered. Here is what is new:\n\n{lines}\n\nRead it all at {settings.public_url}/you-said-we-did\n\n"
                  "To stop these emails, type your receipt code at "
                  f"{settings.public_url}/receipt and choose \"Stop emailing me\". We use your email for nothing else.\n")))
        told |= {str(e.finding_id): e.updated_at.isoformat() for e in changed}
        await ReceiptFollow.update({ReceiptFollow.told: told}).where(ReceiptFollow.id == follow_row["id"])
        sent += 1
    return sent


def _decision_words(entry: PublicEntry) -> str:
    if entry.decision == "accepted":
        done = sum(a.done for a in entry.actions)
        return f"they agreed to act ({done} of {len(entry.actions)} actions done)"
    if entry.decision == "not_taken_forward":
        return "they decided not to do this, and said why"
    return "they are looking at it"
