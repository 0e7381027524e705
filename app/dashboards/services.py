"""Dashboards per role on the staff home (issue 12 item 8): what each person needs to act on first.

- The participation lead: activity across the borough (responses per week, every survey) and who we
  hear from — each survey audience's responses by the age band participants gave — against the
  audience the surveys were meant for. Both are raw counts across surveys, so they are shown only to
  people who may see small groups (`view_small_groups`), each count under the threshold marked; for
  anyone else the panels are not drawn at all, because a borough-wide weekly sum next to one survey's
  own timeline would let a hidden week be worked out.
- A project lead or deputy: each of their projects' current highlight report (due, overdue), status
  and next milestone.
- A board member: their board's next meeting and its projects' highlight reports (overdue, submitted).
- Findings: the participation lead sees every finding by status with the overdue ones named; a
  project lead or board member their inbox — findings waiting for their answer — and the open actions
  they agreed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.governance.tables import Board, BoardMeeting, Milestone, Project
from app.reports import services as reports
from app.reports.drafting import LONDON
from surveys.participation.consent import AGE_BANDS
from surveys.questionnaires.results import Count, Row
from surveys.questionnaires.tables import Audience, Response, Survey

ACTIVITY_WEEKS = 12
AUDIENCE_BANDS = {
    Audience.children: {"under_13"},
    Audience.young_people: {"13_15", "16_17"},
    Audience.young_adults: {"18_plus"},
}
"""The age bands each audience is meant to reach (the others ask no age)."""
NO_AGE = "not asked"


def _count(n: int, threshold: int) -> Count:
    # Only drawn for people who may see small groups: every count shown, small ones marked.
    return Count(n, None, threshold, small=n < threshold)


@dataclass
class AudienceReach:
    audience: str
    label: str
    surveys: int
    responses: Count
    bands: list[Row]
    outside: Count | None
    """Responses from age bands the audience was not meant for (None when the audience asks no age)."""


@dataclass
class ParticipationPanel:
    weeks: list[Row]
    reach: list[AudienceReach]
    threshold: int


async def participation_panel(*, threshold: int, today: date | None = None) -> ParticipationPanel:
    today = today or reports.today()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=ACTIVITY_WEEKS - 1)
    since = datetime.combine(first, time.min, tzinfo=LONDON)
    recent = await Response.select(Response.submitted_at).where(Response.submitted_at >= since)
    per_week = Counter((row["submitted_at"].astimezone(LONDON).date() - first).days // 7 for row in recent)
    weeks = [Row(str(n), (first + timedelta(weeks=n)).strftime("%d %b"), _count(per_week.get(n, 0), threshold)) for n in range(ACTIVITY_WEEKS)]

    from surveys.questionnaires.definition import AUDIENCE_LABELS

    surveys = {s["id"]: s["audience"] for s in await Survey.select(Survey.id, Survey.audience)}
    by_audience: dict[str, Counter] = {}
    for row in await Response.select(Response.survey, Response.age_band):
        by_audience.setdefault(surveys.get(row["survey"], ""), Counter())[row["age_band"] or NO_AGE] += 1
    reach = []
    for audience in Audience:
        counts = by_audience.get(audience.value, Counter())
        meant = AUDIENCE_BANDS.get(audience)
        bands = [Row(band.value, str(label), _count(counts.get(band.value, 0), threshold)) for band, label in AGE_BANDS] if meant else []
        if counts.get(NO_AGE) and meant:
            bands.append(Row(NO_AGE, "Age not given", _count(counts[NO_AGE], threshold)))
        outside = _count(sum(n for band, n in counts.items() if band not in meant and band != NO_AGE), threshold) if meant else None
        reach.append(AudienceReach(audience.value, AUDIENCE_LABELS[audience], sum(1 for a in surveys.values() if a == audience.value),
                                   _count(sum(counts.values()), threshold), bands, outside))
    return ParticipationPanel(weeks, reach, threshold)


@dataclass
class ProjectDue:
    reference: str
    focus: str
    rag: str | None
    report: reports.ReportView | None
    next_milestone: dict | None


async def project_panel(user) -> list[ProjectDue]:
    """The projects this person leads or deputises (their project-lead grants), each with what is due."""
    ids = sorted(user.project_ids)
    if not ids:
        return []
    projects = await Project.select(Project.id, Project.reference, Project.focus, Project.rag).where(Project.id.is_in(ids)).order_by(Project.position)
    milestones = await Milestone.select().where(Milestone.project.is_in(ids), Milestone.done_on.is_null()).order_by(Milestone.due_on)
    out = []
    for project in projects:
        open_reports = [r for r in await reports.reports_for_project(project["id"]) if not r.submitted]
        report = min(open_reports, key=lambda r: r.due_on) if open_reports else None
        out.append(ProjectDue(project["reference"], project["focus"], project["rag"], report,
                              next((m for m in milestones if m["project"] == project["id"]), None)))
    return out


@dataclass
class BoardDue:
    slug: str
    name: str
    next_meeting: date | None
    overdue: list[reports.ReportView] = field(default_factory=list)
    submitted: list[reports.ReportView] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorLine:
    outcome: int
    question: str
    summary: str


async def indicator_lines(user, *, threshold: int) -> list[IndicatorLine]:
    """Every indicator (baseline against latest wave) on the surveys this person may see results of, in
    its plain-language summary (`surveys.questionnaires.indicators`, suppression and "not enough answers" included)."""
    from functools import partial

    from surveys.questionnaires import indicators
    from surveys.questionnaires.staff_controllers import may_see_results

    loaded = await indicators.load_series(threshold=threshold, may_see=partial(may_see_results, user))
    if not loaded:
        return []
    return [IndicatorLine(outcome["number"], indicator.question.text, indicator.summary)
            for outcome in await indicators.list_outcomes() for indicator in indicators.outcome_page(outcome, loaded).indicators]


async def board_panel(user) -> list[BoardDue]:
    ids = sorted(user.board_ids)
    if not ids:
        return []
    today = reports.today()
    out = []
    for board in await Board.select(Board.id, Board.slug, Board.name).where(Board.id.is_in(ids)).order_by(Board.position):
        meeting = await BoardMeeting.select(BoardMeeting.meets_on).where(
            (BoardMeeting.board == board["id"]) & (BoardMeeting.meets_on >= today)).order_by(BoardMeeting.meets_on).first()
        board_reports = await reports.reports_for_board(board["id"])
        since = today - timedelta(weeks=6)
        out.append(BoardDue(board["slug"], board["name"], meeting["meets_on"] if meeting else None,
                            overdue=[r for r in board_reports if r.overdue],
                            submitted=[r for r in board_reports if r.submitted and r.submitted_at.astimezone(LONDON).date() >= since]))
    return out


@dataclass
class FindingsPanel:
    by_status: list[tuple[str, int]]
    """(label, how many) for the participation lead; empty for others."""
    overdue: list
    waiting: list
    """Findings sent to this person's projects or boards, not answered yet."""
    open_actions: list
    """Actions agreed in answer to those findings, not yet 100 % done."""


async def findings_panel(user) -> FindingsPanel | None:
    from app.accounts.roles import Permission
    from app.findings import services as findings

    every = await findings.list_findings(user) if user.can(Permission.route_findings) else []
    inbox = await findings.inbox(user) if user.can(Permission.respond_to_findings) else []
    if not every and not inbox:
        return None
    counts = Counter(f.status for f in every)
    by_status = [(findings.STATUS_LABELS[status], counts[status]) for status in findings.STATUSES if counts[status]]
    answered = [f.id for f in inbox if f.status == "accepted"]
    actions = [a for a in await findings.list_actions(answered) if a.progress < 100]
    return FindingsPanel(by_status, [f for f in every if f.overdue], [f for f in inbox if f.status in ("sent", "overdue")], actions)
