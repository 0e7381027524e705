"""The safeguarding lead's work: disclosures held from every other role, their queue and triage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from app import clock
from app.audit import services as audit
from app.audit.services import Actor, AuditAction
from app.database import write_transaction
from app.safeguarding.tables import Disclosure, DisclosureState, SourceKind, TriageStep
from surveys.questionnaires.tables import Answer

if TYPE_CHECKING:
    from app.accounts.auth import CurrentUser
    from app.free_text import FlaggedText


async def open_disclosures(flagged: list[FlaggedText]) -> list[int]:
    """One new disclosure per flagged text (called through the door, `app.free_text.hold`)."""
    if not flagged:
        return []
    now = clock.now()
    rows = [
        Disclosure(
            source_kind=item.source_kind, source_id=item.source_id, survey=item.survey_id, place=item.place,
            question=item.question, text=item.text, level=item.assessment.level, categories=list(item.assessment.categories),
            reasons=list(item.assessment.reasons), received_at=now, state=DisclosureState.new, state_changed_at=now,
        )
        for item in flagged
    ]
    inserted = await Disclosure.insert(*rows)
    return [row["id"] for row in inserted]


# --- the queue and triage ------------------------------------------------------------------------

OVERDUE_AFTER = timedelta(hours=1)
"""An urgent disclosure not acknowledged within this is shown overdue."""
MAX_NOTE = 5000
OPEN_STATES = (DisclosureState.new, DisclosureState.acknowledged, DisclosureState.action_taken)
NEXT_STATES: dict[DisclosureState, tuple[DisclosureState, ...]] = {
    DisclosureState.new: (DisclosureState.acknowledged, DisclosureState.false_alarm),
    DisclosureState.acknowledged: (DisclosureState.action_taken, DisclosureState.closed, DisclosureState.false_alarm),
    DisclosureState.action_taken: (DisclosureState.closed,),
    DisclosureState.closed: (),
    DisclosureState.false_alarm: (),
}
STATE_LABELS = {
    DisclosureState.new: "New",
    DisclosureState.acknowledged: "Acknowledged",
    DisclosureState.action_taken: "Action taken",
    DisclosureState.closed: "Closed",
    DisclosureState.false_alarm: "False alarm",
}


class QueueView(str, Enum):
    open = "open"
    closed = "closed"
    false_alarm = "false_alarm"
    all = "all"


class TriageRefused(Exception):
    """A triage step that cannot be taken; the message says why, for the form."""


class TriageConflict(TriageRefused):
    """Another lead changed the disclosure since this one loaded it."""


@dataclass(frozen=True)
class HeldDisclosure:
    id: int
    source_kind: str
    place: str
    question: str
    text: str
    level: str
    categories: list[str]
    reasons: list[str]
    received_at: datetime
    state: DisclosureState
    state_changed_at: datetime
    version: int
    overdue: bool

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def next_states(self) -> tuple[DisclosureState, ...]:
        return NEXT_STATES[self.state]


@dataclass(frozen=True)
class Step:
    from_state: str
    to_state: str
    note: str
    by_email: str
    at: datetime


def is_overdue(level: str, state: str, received_at: datetime, now: datetime) -> bool:
    return level == "urgent" and state == DisclosureState.new and now - received_at > OVERDUE_AFTER


def _held(row: dict, now: datetime) -> HeldDisclosure:
    return HeldDisclosure(
        id=row["id"], source_kind=row["source_kind"], place=row["place"], question=row["question"], text=row["text"],
        level=row["level"], categories=list(row["categories"] or []), reasons=list(row["reasons"] or []),
        received_at=row["received_at"], state=DisclosureState(row["state"]), state_changed_at=row["state_changed_at"],
        version=row["version"], overdue=is_overdue(row["level"], row["state"], row["received_at"], now),
    )


def _who(viewer: CurrentUser) -> Actor:
    return Actor(viewer.id, viewer.email)


async def _record_views(ids: list[int], viewer: CurrentUser, where: str, ip_address: str) -> None:
    # Every sight of a disclosure's words is on the record, list or page alike.
    await audit.record_each(AuditAction.safeguarding_viewed, ids, actor=_who(viewer), target_type="disclosure",
                            detail={"on": where}, ip_address=ip_address)


async def queue(view: QueueView, viewer: CurrentUser, *, ip_address: str = "", limit: int = 100) -> list[HeldDisclosure]:
    """The lead's queue: overdue first, then urgent before concern, newest first. Each item shown is audit-logged."""
    query = Disclosure.select()
    if view is QueueView.open:
        query = query.where(Disclosure.state.is_in([s.value for s in OPEN_STATES]))
    elif view is not QueueView.all:
        query = query.where(Disclosure.state == view.value)
    rows = await query.order_by(Disclosure.received_at, ascending=False).limit(limit)
    now = clock.now()
    held = sorted((_held(r, now) for r in rows), key=lambda d: (not d.overdue, d.level != "urgent"))  # stable: newest first within
    await _record_views([d.id for d in held], viewer, "queue", ip_address)
    return held


async def disclosure(disclosure_id: int, viewer: CurrentUser, *, ip_address: str = "") -> tuple[HeldDisclosure, list[Step]] | None:
    """One disclosure and its triage so far (None if there is no such disclosure); the view is audit-logged."""
    row = await Disclosure.select().where(Disclosure.id == disclosure_id).first()
    if row is None:
        return None
    steps = await TriageStep.select().where(TriageStep.disclosure == disclosure_id).order_by(TriageStep.at).order_by(TriageStep.id)
    await _record_views([disclosure_id], viewer, "page", ip_address)
    return _held(row, clock.now()), [Step(s["from_state"], s["to_state"], s["note"], s["by_email"], s["at"]) for s in steps]


async def triage(disclosure_id: int, to_state: str, note: str, *, seen_version: int, viewer: CurrentUser, ip_address: str = "") -> None:
    """Move a disclosure one step on with a note, or refuse (TriageRefused) and change nothing.

    The step applies only if nobody else has moved the disclosure since `seen_version` was read, so
    two leads acting at once cannot both win (TriageConflict). A false alarm is released back into
    normal analysis in the same transaction."""
    note = note.strip()
    if not note:
        raise TriageRefused("Write a note: what you did or decided, and why.")
    if len(note) > MAX_NOTE:
        raise TriageRefused(f"The note is too long: at most {MAX_NOTE:,} characters.")
    try:
        target = DisclosureState(to_state)
    except ValueError:
        raise TriageRefused("Choose what happens next.") from None
    now = clock.now()
    async with write_transaction():
        row = await Disclosure.select(Disclosure.state, Disclosure.version, Disclosure.source_kind, Disclosure.source_id).where(
            Disclosure.id == disclosure_id).first()
        if row is None:
            raise TriageRefused("There is no such disclosure.")
        current = DisclosureState(row["state"])
        if row["version"] != seen_version:
            raise TriageConflict("Someone else updated this disclosure while you were looking at it. Their step is shown below: "
                                 "check it, then choose again.")
        if target not in NEXT_STATES[current]:
            raise TriageRefused(f"A disclosure that is {STATE_LABELS[current].lower()} cannot become {STATE_LABELS[target].lower()}.")
        # The version in the WHERE makes the check and the change one step on both engines.
        changed = await Disclosure.update(
            {Disclosure.state: target.value, Disclosure.state_changed_at: now, Disclosure.state_changed_by: viewer.id,
             Disclosure.version: seen_version + 1},
        ).where((Disclosure.id == disclosure_id) & (Disclosure.version == seen_version)).returning(Disclosure.id)
        if not changed:
            raise TriageConflict("Someone else updated this disclosure while you were looking at it. Their step is shown below: "
                                 "check it, then choose again.")
        await TriageStep.insert(TriageStep(disclosure=disclosure_id, from_state=current.value, to_state=target.value, note=note,
                                           by=viewer.id, by_email=viewer.email, at=now))
        if target is DisclosureState.false_alarm:
            await _release(row["source_kind"], row["source_id"])
    await audit.record(AuditAction.safeguarding_triaged, actor=_who(viewer), target_type="disclosure", target_id=disclosure_id,
                       detail={"from": current.value, "to": target.value}, ip_address=ip_address)
    if target is DisclosureState.false_alarm and row["source_kind"] == SourceKind.board_card:
        # A board card rejoins its live board after the triage is stored: the board numbers its events
        # in its own transaction (one order for every phone). Releasing is idempotent.
        from surveys.boards.actions import release_held_card

        await release_held_card(row["source_id"])


async def _release(source_kind: str, source_id: int) -> None:
    """A false alarm's words go back into normal analysis, where their source keeps them."""
    if source_kind == SourceKind.survey_answer:
        await Answer.update({Answer.released: True}).where(Answer.id == source_id)
    elif source_kind == SourceKind.study_observation:
        from surveys.user_tests.tables import Observation

        await Observation.update({Observation.released: True}).where(Observation.id == source_id)


# --- counts for the staff home's badge ------------------------------------------------------------

async def open_counts() -> dict[str, int]:
    """How many disclosures wait for a lead (`new`: nobody has acknowledged them) and how many of
    those are urgent and older than OVERDUE_AFTER (`overdue`), for the staff home's badge."""
    waiting = Disclosure.state == DisclosureState.new
    overdue_since = clock.now() - OVERDUE_AFTER
    return {
        "new": await Disclosure.count().where(waiting),
        "overdue": await Disclosure.count().where(waiting & (Disclosure.level == "urgent") & (Disclosure.received_at <= overdue_since)),
    }
