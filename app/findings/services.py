"""Findings: making one (from a theme or by hand), its evidence and where each piece comes from,
sending it to a project or a board's next meeting, the recipients' answer and actions, and the
lists (every finding's status for the participation lead, the inbox for recipients).

Listing functions return plain dataclasses and do their own scoping, so highlight reports, "you
said, we did" and the read-only API can reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app import clock
from app.audit.services import Actor, AuditAction, record
from app.database import write_transaction
from app.findings.tables import Answer, EvidenceKind, Finding, FindingAction, FindingEvidence, FindingNotice, FindingState
from surveys.questionnaires.results import Viewer

ANSWER_DAYS = 28
"""A finding sent to a project is due an answer this many days after sending (a board's: its meeting date)."""
MAX_TITLE = 200
MAX_TEXT = 4000
MAX_OWNER = 200
MAX_QUOTES_FROM_THEME = 3
PUBLISHED_VIEWER = Viewer(reveal_small_groups=False, raw_text=False)
"""Evidence is what anyone may read: counts suppressed as on pages, whoever makes the finding."""


class FindingRefused(ValueError):
    """A change refused, with the sentence to show on the page; nothing was stored."""


class AlreadyAnswered(FindingRefused):
    """The finding has its answer already."""


STATUS_LABELS = {
    "draft": "Draft",
    "sent": "Sent, awaiting an answer",
    "overdue": "Overdue: no answer by the due date",
    "accepted": "Accepted, with actions",
    "not_taken_forward": "Not taken forward",
}
STATUSES = tuple(STATUS_LABELS)


def status_of(row: dict, today: date) -> str:
    """draft, sent, overdue (sent, due date passed, no answer), accepted or not_taken_forward."""
    if row["state"] == FindingState.draft:
        return "draft"
    if row["answer"]:
        return row["answer"]
    if row["due_on"] is not None and row["due_on"] < today:
        return "overdue"
    return "sent"


@dataclass(frozen=True)
class FindingSummary:
    id: int
    title: str
    status: str
    recipient: str
    """"Project 3.3a …" or "<board> (meeting on …)", or "" for a draft."""
    project_id: int | None
    board_id: int | None
    created_at: object
    sent_at: object
    due_on: date | None
    answered_at: object

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"


@dataclass(frozen=True)
class ActionView:
    id: int
    finding_id: int
    description: str
    owner: str
    due_on: date
    progress: int
    updated_at: object


@dataclass
class EvidenceView:
    id: int
    kind: str
    quote: str
    figures: dict
    run_id: int | None
    theme_id: int | None
    item_ids: list[int]
    outcome_number: int | None
    question_key: str
    survey_ids: list[int]
    sources: list[dict] = field(default_factory=list)
    """{"label", "href"} for each source record the page links to."""
    resolves: bool = False


@dataclass
class FindingView:
    summary: FindingSummary
    row: dict
    evidence: list[EvidenceView]
    actions: list[ActionView]


# --- scoping -------------------------------------------------------------------------------------


def sees_every_finding(user) -> bool:
    from app.accounts.roles import Permission

    return user.can(Permission.route_findings)


def is_recipient(user, row: dict) -> bool:
    """A finding sent to the user's own project (lead, deputy or team) or one of their boards."""
    if row["state"] != FindingState.sent:
        return False
    return (row["project"] is not None and row["project"] in user.project_ids) or (
        row["board"] is not None and row["board"] in user.board_ids)


def may_see(user, row: dict) -> bool:
    return sees_every_finding(user) or is_recipient(user, row)


def may_answer(user, row: dict) -> bool:
    from app.accounts.roles import Permission

    return user.can(Permission.respond_to_findings) and is_recipient(user, row)


# --- lists ----------------------------------------------------------------------------------------


async def finding_rows(where=None) -> list[dict]:
    query = Finding.select(
        Finding.all_columns(), Finding.project.reference.as_alias("project_reference"), Finding.project.focus.as_alias("project_focus"),
        Finding.board.name.as_alias("board_name"), Finding.board.slug.as_alias("board_slug"),
    ).order_by(Finding.id, ascending=False)
    if where is not None:
        query = query.where(where)
    return await query


def recipient_label(row: dict) -> str:
    if row["project"] is not None:
        return f"Project {row['project_reference']}: {row['project_focus']}"
    if row["board"] is not None:
        return f"{row['board_name']} (meeting on {row['due_on']:%-d %B %Y})" if row["due_on"] else row["board_name"]
    return ""


def summary_of(row: dict, today: date) -> FindingSummary:
    return FindingSummary(
        id=row["id"], title=row["title"], status=status_of(row, today), recipient=recipient_label(row), project_id=row["project"],
        board_id=row["board"], created_at=row["created_at"], sent_at=row["sent_at"], due_on=row["due_on"], answered_at=row["answered_at"],
    )


async def list_findings(user, *, status: str = "", project_id: int | None = None, board_id: int | None = None) -> list[FindingSummary]:
    """The findings this user may see, newest first: every one for the participation lead, else
    those sent to their own projects and boards. Filters: status (see STATUSES), project, board."""
    today = clock.now().date()
    rows = [r for r in await finding_rows() if may_see(user, r)]
    found = [summary_of(r, today) for r in rows]
    if status:
        found = [f for f in found if f.status == status]
    if project_id is not None:
        found = [f for f in found if f.project_id == project_id]
    if board_id is not None:
        found = [f for f in found if f.board_id == board_id]
    return found


async def inbox(user) -> list[FindingSummary]:
    """Findings sent to the user's own projects and boards (whoever else they may be)."""
    today = clock.now().date()
    return [summary_of(r, today) for r in await finding_rows(Finding.state == FindingState.sent) if is_recipient(user, r)]


async def list_actions(finding_ids: list[int]) -> list[ActionView]:
    rows = await FindingAction.select().where(FindingAction.finding.is_in(finding_ids or [-1])).order_by(FindingAction.id)
    return [ActionView(r["id"], r["finding"], r["description"], r["owner"], r["due_on"], r["progress"], r["updated_at"]) for r in rows]


async def get_finding(finding_id: int) -> dict | None:
    rows = await finding_rows(Finding.id == finding_id)
    return rows[0] if rows else None


async def finding_view(user, finding_id: int) -> FindingView | None:
    """The finding with its evidence (each resolved to its sources) and actions, or None if the user may not see it."""
    row = await get_finding(finding_id)
    if row is None or not may_see(user, row):
        return None
    evidence = [await resolve_evidence(e) for e in await evidence_rows(finding_id)]
    return FindingView(summary_of(row, clock.now().date()), row, evidence, await list_actions([finding_id]))


async def evidence_rows(finding_id: int) -> list[dict]:
    return await FindingEvidence.select().output(load_json=True).where(FindingEvidence.finding == finding_id).order_by(
        FindingEvidence.position, FindingEvidence.id)


# --- evidence and its sources ---------------------------------------------------------------------


async def resolve_evidence(row: dict) -> EvidenceView:
    """The evidence item with links to its source records, and whether every one of them exists:
    the run and its theme, each answer a member of that theme; the outcome, each wave's survey and
    the question in it."""
    from app.governance.tables import Outcome
    from app.insights.tables import Theme, ThemeMember, ThemeRun
    from surveys.questionnaires.tables import Question, Response, Survey

    view = EvidenceView(id=row["id"], kind=row["kind"], quote=row["quote"], figures=row["figures"] or {}, run_id=row["run_id"],
                        theme_id=row["theme_id"], item_ids=list(row["item_ids"] or []), outcome_number=row["outcome_number"],
                        question_key=row["question_key"], survey_ids=list(row["survey_ids"] or []))
    if view.kind in (EvidenceKind.theme_counts, EvidenceKind.quote):
        run = await ThemeRun.select(ThemeRun.id, ThemeRun.survey).where(ThemeRun.id == (view.run_id or -1)).first()
        theme = await Theme.select(Theme.id, Theme.run, Theme.label).where(Theme.id == (view.theme_id or -1)).first()
        if run is None or theme is None or theme["run"] != run["id"]:
            return view
        view.sources.append({"label": f"Theme “{theme['label']}” (theme run {run['id']})",
                             "href": f"/staff/insights/runs/{run['id']}#theme-{theme['id']}"})
        in_theme = {theme["id"], *[t["id"] for t in await Theme.select(Theme.id).where(Theme.merged_into == theme["id"])]}
        members = {m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(
            ThemeMember.run == run["id"], ThemeMember.theme.is_in(list(in_theme)))}
        responses = {r["id"] for r in await Response.select(Response.id).where(Response.id.is_in(view.item_ids or [-1]))}
        if not view.item_ids or not set(view.item_ids) <= members or not set(view.item_ids) <= responses:
            return view
        if run["survey"]:
            view.sources.append({"label": "The survey's results", "href": f"/staff/surveys/{run['survey']}/results"})
        view.resolves = True
    elif view.kind == EvidenceKind.indicator:
        outcome = await Outcome.select(Outcome.number).where(Outcome.number == (view.outcome_number or -1)).first()
        if outcome is None or len(view.survey_ids) < 2:
            return view
        view.sources.append({"label": f"Outcome {outcome['number']}'s indicators", "href": f"/outcomes/{outcome['number']}"})
        surveys = {s["id"]: s for s in await Survey.select(Survey.id, Survey.title, Survey.wave).where(Survey.id.is_in(view.survey_ids))}
        for survey_id in view.survey_ids:
            if survey_id not in surveys or not await Question.exists().where(
                    Question.survey == survey_id, Question.key == view.question_key):
                return view
            view.sources.append({"label": f"Wave {surveys[survey_id]['wave']}: {surveys[survey_id]['title']}",
                                 "href": f"/staff/surveys/{survey_id}/results"})
        view.resolves = True
    return view


async def _next_position(finding_id: int) -> int:
    rows = await FindingEvidence.select(FindingEvidence.position).where(FindingEvidence.finding == finding_id)
    return max((r["position"] for r in rows), default=-1) + 1


async def _draft(finding_id: int) -> dict:
    row = await get_finding(finding_id)
    if row is None:
        raise LookupError("There is no such finding.")
    if row["state"] != FindingState.draft:
        raise FindingRefused("This finding has been sent: its evidence can no longer change.")
    return row


@dataclass
class ThemeEvidence:
    """What the theme shows to anyone, and which answers are behind it."""

    run: dict
    theme: object  # summary.ThemeView
    total: object  # results.Count
    item_ids: list[int]
    quotes: list[tuple[str, int]]
    """(redacted quote, the answer it quotes), only for quotes shown on the page."""


async def theme_evidence(theme_id: int, *, threshold: int) -> ThemeEvidence:
    """The theme as the insights page shows it to someone who may not see small groups."""
    from analysis.redact import redact
    from app.insights import services as insights
    from app.insights.tables import Theme, ThemeMember

    row = await Theme.select(Theme.id, Theme.run, Theme.merged_into).where(Theme.id == theme_id).first()
    if row is None:
        raise LookupError("There is no such theme.")
    run = await insights.get_run(row["run"])
    shown_id = row["merged_into"] or row["id"]
    items = await insights.source_of(run).items()  # answers held for the safeguarding lead are never here
    view = await insights.run_view(run, viewer=PUBLISHED_VIEWER, threshold=threshold)
    theme = next((t for t in view.themes if t.id == shown_id), None) if view else None
    if theme is None:
        raise FindingRefused("That theme has no answers that can be shown (or is marked not useful).")
    in_theme = {shown_id, *(m["id"] for m in theme.merged)}
    by_id = {i.id: i for i in items}
    item_ids = sorted({m["item_id"] for m in await ThemeMember.select(ThemeMember.item_id).where(
        ThemeMember.run == run["id"], ThemeMember.theme.is_in(list(in_theme))) if m["item_id"] in by_id})
    quotes = []
    for quote in theme.quotes:
        # The quote's own answer: the member whose redacted text is the quote (as the model made it).
        words = [w for w in quote["text"].lower().split() if not w.startswith("[")][:4]
        for item_id in item_ids:
            text = by_id[item_id].text
            if all(w in text.lower() for w in words) and redact(text).strip()[:300] == quote["text"]:
                quotes.append((quote["text"], item_id))
                break
    return ThemeEvidence(run, theme, view.total, item_ids, quotes)


def _theme_figures(found: ThemeEvidence) -> dict:
    size, total = found.theme.count, found.total
    share = None
    if size.value is not None and total.value:
        share = f"{round(100 * size.value / total.value)}%"
    return {
        "label": found.theme.label, "answers": str(size), "total": str(total), "share": share,
        "sentiment": {k: str(v) for k, v in found.theme.sentiment.items()} if found.theme.sentiment else None,
    }


async def add_theme(finding_id: int, theme_id: int, *, threshold: int, actor: Actor, ip_address: str = "", quotes: int = MAX_QUOTES_FROM_THEME) -> None:
    """Add a theme's counts (size, share, sentiment split, as suppressed) and up to `quotes` of its shown quotes."""
    await _draft(finding_id)
    found = await theme_evidence(theme_id, threshold=threshold)
    position = await _next_position(finding_id)
    rows = [FindingEvidence(finding=finding_id, kind=EvidenceKind.theme_counts, position=position, run_id=found.run["id"],
                            theme_id=found.theme.id, item_ids=found.item_ids, figures=_theme_figures(found))]
    for n, (quote, item_id) in enumerate(found.quotes[:quotes]):
        rows.append(FindingEvidence(finding=finding_id, kind=EvidenceKind.quote, position=position + 1 + n, run_id=found.run["id"],
                                    theme_id=found.theme.id, item_ids=[item_id], quote=quote, figures={"label": found.theme.label}))
    async with write_transaction():
        await FindingEvidence.insert(*rows)
        await record(AuditAction.finding_changed, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"change": "theme_added", "theme": found.theme.id}, ip_address=ip_address)


async def add_quote(finding_id: int, theme_id: int, index: int, *, threshold: int, actor: Actor, ip_address: str = "") -> None:
    """Add one hand-picked quote: one of the quotes the theme shows (by its place in that list)."""
    await _draft(finding_id)
    found = await theme_evidence(theme_id, threshold=threshold)
    if not 0 <= index < len(found.quotes):
        raise FindingRefused("Choose one of the quotes the theme shows.")
    quote, item_id = found.quotes[index]
    async with write_transaction():
        if await FindingEvidence.exists().where(FindingEvidence.finding == finding_id, FindingEvidence.kind == EvidenceKind.quote,
                                                 FindingEvidence.quote == quote):
            raise FindingRefused("That quote is in the finding already.")
        await FindingEvidence.insert(FindingEvidence(finding=finding_id, kind=EvidenceKind.quote, position=await _next_position(finding_id),
                                                     run_id=found.run["id"], theme_id=found.theme.id, item_ids=[item_id], quote=quote,
                                                     figures={"label": found.theme.label}))
        await record(AuditAction.finding_changed, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"change": "quote_added", "theme": found.theme.id}, ip_address=ip_address)


async def add_indicator(finding_id: int, outcome_number: int, series: str, question_key: str, *, threshold: int, may_see_survey,
                        actor: Actor, ip_address: str = "") -> None:
    """Add an indicator's figures (baseline and latest wave, the change, sample sizes) as its page shows them."""
    from surveys.questionnaires import indicators

    await _draft(finding_id)
    outcome = await indicators.get_outcome(outcome_number)
    if outcome is None:
        raise FindingRefused("Choose an outcome indicator from the list.")
    page = indicators.outcome_page(outcome, await indicators.load_series(threshold=threshold, may_see=may_see_survey))
    indicator = next((i for i in page.indicators if i.series == series and i.question.key == question_key), None)
    if indicator is None:
        raise FindingRefused("Choose an outcome indicator from the list.")
    figures = {
        "question": indicator.question.text, "series": series, "measure": indicator.measure, "summary": indicator.summary,
        "waves": [{"wave": w.wave.number, "title": w.wave.title, "n": str(indicator.n(w)),
                   "share": str(w.share) if w.share is not None else None} for w in (indicator.baseline, indicator.latest)],
        "not_enough": indicator.not_enough,
    }
    async with write_transaction():
        await FindingEvidence.insert(FindingEvidence(
            finding=finding_id, kind=EvidenceKind.indicator, position=await _next_position(finding_id), outcome_number=outcome_number,
            question_key=question_key, survey_ids=[indicator.baseline.wave.survey_id, indicator.latest.wave.survey_id], figures=figures))
        await record(AuditAction.finding_changed, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"change": "indicator_added", "outcome": outcome_number}, ip_address=ip_address)


async def remove_evidence(finding_id: int, evidence_id: int, *, actor: Actor, ip_address: str = "") -> None:
    await _draft(finding_id)
    async with write_transaction():
        gone = await FindingEvidence.delete().where(FindingEvidence.id == evidence_id, FindingEvidence.finding == finding_id).returning(
            FindingEvidence.id)
        if not gone:
            raise FindingRefused("That evidence is not part of this finding.")
        await record(AuditAction.finding_changed, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"change": "evidence_removed"}, ip_address=ip_address)


# --- making and editing a draft -------------------------------------------------------------------


def _texts(title: str, summary: str, recommendation: str) -> tuple[str, str, str]:
    title, summary, recommendation = " ".join(title.split()), summary.strip(), recommendation.strip()
    if not title:
        raise FindingRefused("Give the finding a title.")
    if len(title) > MAX_TITLE:
        raise FindingRefused(f"Keep the title to {MAX_TITLE} characters or fewer (it has {len(title)}).")
    if not summary:
        raise FindingRefused("Write a summary: what young people said, in a few sentences.")
    for name, text in (("summary", summary), ("recommendation", recommendation)):
        if len(text) > MAX_TEXT:
            raise FindingRefused(f"Keep the {name} to {MAX_TEXT} characters or fewer (it has {len(text)}).")
    return title, summary, recommendation


async def create_finding(title: str, summary: str, recommendation: str, *, actor: Actor, ip_address: str = "") -> int:
    """A new draft (the recommendation may be written later, before sending)."""
    title, summary, recommendation = _texts(title, summary, recommendation)
    async with write_transaction():
        added = await Finding.insert(Finding(title=title, summary=summary, recommendation=recommendation, state=FindingState.draft,
                                             created_by=actor.id, created_at=clock.now()))
        finding_id = added[0]["id"]
        await record(AuditAction.finding_created, actor=actor, target_type="finding", target_id=finding_id, ip_address=ip_address)
    return finding_id


async def create_from_theme(theme_id: int, *, threshold: int, actor: Actor, ip_address: str = "") -> int:
    """A draft named after the theme, with its counts and quotes as evidence ("make a finding from this theme")."""
    found = await theme_evidence(theme_id, threshold=threshold)
    figures = _theme_figures(found)
    summary = f"{figures['answers']} of {figures['total']} answers were about {found.theme.label}."
    finding_id = await create_finding(found.theme.label, summary, "", actor=actor, ip_address=ip_address)
    await add_theme(finding_id, theme_id, threshold=threshold, actor=actor, ip_address=ip_address)
    return finding_id


async def edit_draft(finding_id: int, title: str, summary: str, recommendation: str, *, actor: Actor, ip_address: str = "") -> None:
    await _draft(finding_id)
    title, summary, recommendation = _texts(title, summary, recommendation)
    async with write_transaction():
        await Finding.update({Finding.title: title, Finding.summary: summary, Finding.recommendation: recommendation}).where(
            Finding.id == finding_id, Finding.state == FindingState.draft)
        await record(AuditAction.finding_changed, actor=actor, target_type="finding", target_id=finding_id,
                     detail={"change": "edited"}, ip_address=ip_address)


# --- sending --------------------------------------------------------------------------------------


async def _ready_to_send(finding_id: int) -> dict:
    row = await get_finding(finding_id)
    if row is None:
        raise LookupError("There is no such finding.")
    if row["state"] != FindingState.draft:
        raise FindingRefused("This finding has been sent already.")
    if not row["recommendation"].strip():
        raise FindingRefused("Write the recommendation before sending.")
    if not await FindingEvidence.exists().where(FindingEvidence.finding == finding_id):
        raise FindingRefused("Add at least one piece of evidence before sending.")
    return row


async def _mark_sent(finding_id: int, values: dict, *, actor: Actor, ip_address: str, detail: dict) -> None:
    async with write_transaction():
        # Only a draft is sent: two sends at once cannot both go.
        sent = await Finding.update({Finding.state: FindingState.sent, Finding.sent_by: actor.id, Finding.sent_at: clock.now(), **values}).where(
            Finding.id == finding_id, Finding.state == FindingState.draft).returning(Finding.id)
        if not sent:
            raise FindingRefused("This finding has been sent already.")
        await record(AuditAction.finding_sent, actor=actor, target_type="finding", target_id=finding_id, detail=detail, ip_address=ip_address)
    from app import jobs

    # After the commit (see app.jobs.enqueue); the job mails each recipient once.
    await jobs.enqueue(jobs.finding_sent, finding_id, key=f"findings.notify:{finding_id}")


async def send_to_project(finding_id: int, project_id: int, *, actor: Actor, ip_address: str = "") -> None:
    """Send to the project's lead and deputy; refused while the project has no lead. Due in ANSWER_DAYS."""
    from app.governance.services import project_teams
    from app.governance.tables import Project

    await _ready_to_send(finding_id)
    project = await Project.select(Project.id, Project.reference).where(Project.id == project_id).first()
    if project is None:
        raise FindingRefused("Choose a project from the list.")
    if "lead" not in (await project_teams([project_id])).get(project_id, {}):
        raise FindingRefused(f"Project {project['reference']} has no lead yet: name a lead on the project's page first, then send.")
    due_on = clock.now().date() + timedelta(days=ANSWER_DAYS)
    await _mark_sent(finding_id, {Finding.project: project_id, Finding.due_on: due_on}, actor=actor, ip_address=ip_address,
                     detail={"project": project_id, "due_on": due_on.isoformat()})


async def send_to_board(finding_id: int, board_id: int, *, actor: Actor, ip_address: str = "") -> None:
    """Send to the board's next meeting, whose date is when the answer is due; refused without one."""
    from app.governance.services import next_meeting
    from app.governance.tables import Board

    await _ready_to_send(finding_id)
    board = await Board.select(Board.id, Board.name).where(Board.id == board_id).first()
    if board is None:
        raise FindingRefused("Choose a board from the list.")
    meeting = await next_meeting(board_id)
    if meeting is None:
        raise FindingRefused(f"The {board['name']} has no meeting date ahead: add its next meeting first, then send.")
    await _mark_sent(finding_id, {Finding.board: board_id, Finding.meeting: meeting["id"], Finding.due_on: meeting["meets_on"]},
                     actor=actor, ip_address=ip_address, detail={"board": board_id, "due_on": meeting["meets_on"].isoformat()})


async def recipients(row: dict) -> list[dict]:
    """Who is told: the project's lead and deputy, or the board's members (active accounts)."""
    from app.accounts.roles import Role
    from app.accounts.tables import StaffRole

    query = StaffRole.select(StaffRole.user.id.as_alias("id"), StaffRole.user.email.as_alias("email"),
                             StaffRole.user.display_name.as_alias("display_name"))
    if row["project"] is not None:
        query = query.where(StaffRole.project == row["project"], StaffRole.position.is_not_null(), StaffRole.user.active.eq(True))
    elif row["board"] is not None:
        query = query.where(StaffRole.board == row["board"], StaffRole.role == Role.board_member.value, StaffRole.user.active.eq(True))
    else:
        return []
    return list({r["id"]: r for r in await query}.values())


async def notify_recipients(settings, finding_id: int) -> int:
    """The job: email each recipient not yet told (a retry mails no one twice); raises while any could
    not be sent, so the engine tries again. Returns how many were sent now."""
    from app.mail import Mail, send
    from app.web.links import public_link

    row = await get_finding(finding_id)
    if row is None or row["state"] != FindingState.sent:
        return 0
    told = {n["user"] for n in await FindingNotice.select(FindingNotice.user).where(FindingNotice.finding == finding_id)}
    link = public_link(settings, f"/findings/{finding_id}")
    sent, failures = 0, []
    for person in await recipients(row):
        if person["id"] in told:
            continue
        body = (f"Hello {person['display_name']},\n\nA finding from what young people told us has been sent to "
                f"{recipient_label(row)}:\n\n  {row['title']}\n\nPlease answer by {row['due_on']:%-d %B %Y}: accept it with actions, "
                f"or say why it is not taken forward.\n\nRead it and answer: {link}\n\nChorus")
        try:
            await send(settings, Mail(person["email"], f"A finding for you to answer: {row['title']}"[:200], body))
        except Exception as error:  # noqa: BLE001 - one recipient's failure must not stop the others
            failures.append(error)
            continue
        await FindingNotice.insert(FindingNotice(finding=finding_id, user=person["id"], sent_at=clock.now()))
        sent += 1
    if failures:
        raise failures[0]
    return sent


# --- answering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str
    due_on: date | None
    progress: int | None = 0


def _required(value: str, *, missing: str, what: str, limit: int, one_line: bool = False) -> str:
    """The text trimmed (one line: inner spaces squeezed), or a refusal when it is blank or too long."""
    value = " ".join(value.split()) if one_line else value.strip()
    if not value:
        raise FindingRefused(missing)
    if len(value) > limit:
        raise FindingRefused(f"Keep {what} to {limit} characters or fewer.")
    return value


def _owner(value: str, missing: str) -> str:
    return _required(value, missing=missing, what="the owner's name", limit=MAX_OWNER, one_line=True)


def _checked_action(action: ActionInput) -> ActionInput:
    description = _required(action.description, missing="Describe the action.", what="the action's description", limit=MAX_TEXT)
    owner = _owner(action.owner, "Name the action's owner: a named person.")
    if action.due_on is None:
        raise FindingRefused("Give the action a due date.")
    if action.progress is None or not 0 <= action.progress <= 100:
        raise FindingRefused("Progress is a whole number from 0 to 100 (per cent).")
    return ActionInput(description, owner, action.due_on, action.progress)


async def _answerable(user, finding_id: int) -> dict:
    row = await get_finding(finding_id)
    if row is None or not may_see(user, row):
        raise LookupError("There is no such finding.")
    if not may_answer(user, row):
        raise PermissionError("Only the project's lead and deputy, or the board's members, can answer this finding.")
    return row


async def _record_answer(finding_id: int, values: dict, *, actor: Actor, ip_address: str, detail: dict) -> None:
    answered = await Finding.update({**values, Finding.answered_by: actor.id, Finding.answered_at: clock.now()}).where(
        Finding.id == finding_id, Finding.answer.is_null()).returning(Finding.id)
    if not answered:
        raise AlreadyAnswered("This finding has been answered already: its answer cannot be given twice.")
    await record(AuditAction.finding_answered, actor=actor, target_type="finding", target_id=finding_id, detail=detail, ip_address=ip_address)


async def accept(user, finding_id: int, actions: list[ActionInput], *, actor: Actor, ip_address: str = "") -> None:
    """Accepted, with at least one action (description, a named owner, due date, progress %)."""
    await _answerable(user, finding_id)
    if not actions:
        raise FindingRefused("Accepting needs at least one action.")
    checked = [_checked_action(a) for a in actions]
    now = clock.now()
    async with write_transaction():
        await _record_answer(finding_id, {Finding.answer: Answer.accepted}, actor=actor, ip_address=ip_address,
                             detail={"decision": Answer.accepted.value, "actions": len(checked)})
        await FindingAction.insert(*(FindingAction(finding=finding_id, description=a.description, owner=a.owner, due_on=a.due_on,
                                                   progress=a.progress, created_at=now, updated_at=now) for a in checked))


async def not_taken_forward(user, finding_id: int, reason: str, owner: str, *, actor: Actor, ip_address: str = "") -> None:
    """Not taken forward: a reason and an owner (a named person) are both required."""
    await _answerable(user, finding_id)
    reason = _required(reason, missing="Say why it is not taken forward: young people will be told the reason.", what="the reason",
                       limit=MAX_TEXT)
    owner = _owner(owner, "Name who owns this decision: a named person.")
    async with write_transaction():
        await _record_answer(finding_id, {Finding.answer: Answer.not_taken_forward, Finding.answer_reason: reason,
                                          Finding.answer_owner: owner}, actor=actor, ip_address=ip_address,
                             detail={"decision": Answer.not_taken_forward.value})


async def add_action(user, finding_id: int, action: ActionInput, *, actor: Actor, ip_address: str = "") -> None:
    """Another action for an accepted finding."""
    row = await _answerable(user, finding_id)
    if row["answer"] != Answer.accepted:
        raise FindingRefused("Actions are added to an accepted finding: accept it first.")
    checked, now = _checked_action(action), clock.now()
    async with write_transaction():
        added = await FindingAction.insert(FindingAction(finding=finding_id, description=checked.description, owner=checked.owner,
                                                         due_on=checked.due_on, progress=checked.progress, created_at=now, updated_at=now))
        await record(AuditAction.finding_action_changed, actor=actor, target_type="finding_action", target_id=added[0]["id"],
                     detail={"finding": finding_id, "change": "added"}, ip_address=ip_address)


async def update_progress(user, finding_id: int, action_id: int, progress: int | None, *, actor: Actor, ip_address: str = "") -> None:
    await _answerable(user, finding_id)
    if progress is None or not 0 <= progress <= 100:
        raise FindingRefused("Progress is a whole number from 0 to 100 (per cent).")
    async with write_transaction():
        old = await FindingAction.select(FindingAction.progress).where(FindingAction.id == action_id, FindingAction.finding == finding_id).first()
        if old is None:
            raise FindingRefused("That action is not one of this finding's.")
        await FindingAction.update({FindingAction.progress: progress, FindingAction.updated_at: clock.now()}).where(FindingAction.id == action_id)
        await record(AuditAction.finding_action_changed, actor=actor, target_type="finding_action", target_id=action_id,
                     detail={"finding": finding_id, "change": "progress", "from": old["progress"], "to": progress}, ip_address=ip_address)


# --- what the forms offer -------------------------------------------------------------------------


async def theme_choices(user, *, threshold: int) -> list[dict]:
    """Themes of each selection's latest finished run the user may see, with the quotes they show."""
    from app.insights import services as insights
    from app.insights.tables import RunState, ThemeRun
    from surveys.questionnaires import finding as survey_finding
    from surveys.questionnaires.staff_controllers import may_see_results

    runs = await ThemeRun.select().output(load_json=True).where(ThemeRun.state == RunState.done, ThemeRun.outcome == "themed").order_by(
        ThemeRun.id, ascending=False)
    latest: dict[str, dict] = {}
    for run in runs:
        latest.setdefault(run["source_key"], run)
    choices = []
    for run in latest.values():
        if "survey" not in run["parameters"]:
            continue  # a user test's notes or a board's cards: not yet offered as evidence
        survey = await survey_finding.get_survey(run["parameters"]["survey"])
        if survey is None or not await may_see_results(user, survey):
            continue
        view = await insights.run_view(run, viewer=PUBLISHED_VIEWER, threshold=threshold)
        for theme in view.themes if view else []:
            choices.append({"id": theme.id, "label": theme.label, "survey": survey["title"], "run": run["id"], "count": str(theme.count),
                            "quotes": [q["text"] for q in theme.quotes]})
    return choices


async def indicator_choices(*, threshold: int, may_see_survey) -> list[dict]:
    from surveys.questionnaires import indicators

    loaded = await indicators.load_series(threshold=threshold, may_see=may_see_survey)
    choices = []
    for outcome in await indicators.list_outcomes():
        for indicator in indicators.outcome_page(outcome, loaded).indicators:
            choices.append({"value": f"{outcome['number']}|{indicator.series}|{indicator.question.key}",
                            "label": f"Outcome {outcome['number']}: {indicator.question.text} ({indicator.series})"})
    return choices


async def send_choices() -> dict:
    """Projects (with whether each has a lead) and boards (with their next meeting) to send to."""
    from app.governance.services import boards_with_next_meeting, project_teams
    from app.governance.tables import Project

    projects = await Project.select(Project.id, Project.reference, Project.focus).order_by(Project.position)
    teams = await project_teams([p["id"] for p in projects])
    for project in projects:
        project["has_lead"] = "lead" in teams.get(project["id"], {})
    return {"projects": projects, "boards": await boards_with_next_meeting()}


async def board_findings(board_id: int) -> list[FindingSummary]:
    """Findings sent to a board (its page lists them for its members)."""
    today = clock.now().date()
    return [summary_of(r, today) for r in await finding_rows((Finding.board == board_id) & (Finding.state == FindingState.sent))]


async def sweep_unnotified(*, window: timedelta = timedelta(days=ANSWER_DAYS)) -> list[int]:
    """Queue the email job again for findings sent within `window` that no recipient was ever told
    about (a crash between the commit and the enqueue, or retries that ran out); returns their ids.
    The job itself skips whoever was told, so a finding is never mailed twice to one person."""
    from app import jobs

    since = clock.now() - window
    sent = await Finding.select(Finding.id).where(Finding.state == FindingState.sent, Finding.sent_at >= since)
    told = {n["finding"] for n in await FindingNotice.select(FindingNotice.finding).where(
        FindingNotice.finding.is_in([s["id"] for s in sent] or [-1]))}
    due = []
    for row in sent:
        if row["id"] in told or not await recipients(await get_finding(row["id"])):
            continue
        await jobs.enqueue(jobs.finding_sent, row["id"], key=f"findings.notify:{row['id']}")
        due.append(row["id"])
    return due
