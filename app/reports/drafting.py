"""What a highlight report's draft says, gathered from the rest of Chorus for one project and period.

Each section reuses the service that already shows the same thing on a page: milestones and status
from governance, response counts through `surveys.participation.suppression.protect_table`, themes through the
insights summary (as a board member sees them), indicators through `surveys.questionnaires.indicators`. The result
is plain JSON-able data: a submitted report keeps it as it was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app import clock
from app.governance.tables import Milestone, Project
from app.insights.tables import RunState, Theme, ThemeRun
from app.settings import get_settings
from surveys.participation.suppression import PRIMARY, protect, relation
from surveys.questionnaires.results import Count, Viewer
from surveys.questionnaires.tables import Response, Survey, SurveyStatus

LONDON = ZoneInfo("Europe/London")
RISING = 5.0
"""A theme whose share of answers moved by at least this many percentage points is rising or falling."""
BOARD_VIEW = Viewer()
"""A report is read by board members: no small groups, whoever drafts it."""
TOP_THEMES = 5


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def shown(count: Count) -> str:
    """A count as a report prints it."""
    if count.value is not None:
        return str(count.value)
    return f"fewer than {count.threshold}" if count.hidden_because == PRIMARY else "hidden (so a small number cannot be worked out)"


async def facts(project_id: int, period_start: date, due_on: date) -> dict:
    threshold = get_settings().small_group_threshold
    project = await Project.select(Project.rag, Project.rag_note, Project.rag_updated_at).where(Project.id == project_id).first()
    surveys = await Survey.select(Survey.id, Survey.title).where(
        (Survey.project == project_id) & (Survey.status != SurveyStatus.draft)).order_by(Survey.id)
    return {
        "drafted_at": clock.now().isoformat(timespec="minutes"),
        "period": {"start": period_start.isoformat(), "end": due_on.isoformat()},
        "status": {"rag": project["rag"] or "", "note": project["rag_note"],
                   "updated": project["rag_updated_at"].date().isoformat() if project["rag_updated_at"] else ""},
        "milestones": await _milestones(project_id, period_start, due_on),
        "engagement": await _engagement(surveys, period_start, due_on, threshold),
        "themes": await _themes(surveys, due_on, threshold),
        "indicators": await _indicators(project_id, threshold),
        "findings": await _findings(project_id, period_start, due_on),
    }


async def _milestones(project_id: int, start: date, end: date) -> dict:
    rows = await Milestone.select().where(Milestone.project == project_id).order_by(Milestone.due_on)

    def item(row: dict) -> dict:
        return {"title": row["title"], "due_on": row["due_on"].isoformat(),
                "done_on": row["done_on"].isoformat() if row["done_on"] else ""}

    return {
        "done": [item(r) for r in rows if r["done_on"] and start <= r["done_on"] <= end],
        "late": [item(r) for r in rows if r["done_on"] is None and r["due_on"] <= end],
        "next": [item(r) for r in rows if r["done_on"] is None and end < r["due_on"] <= end + timedelta(weeks=6)],
    }


async def _engagement(surveys: list[dict], start: date, end: date, threshold: int) -> dict:
    """Responses per survey received in the period, and their sum. Each survey's total is published on
    the survey list, so the counts before and after the period can be worked out from what a report
    shows: they are protected too, by the one suppression service, with the totals locked."""
    if not surveys:
        return {"surveys": [], "total": ""}
    begins, ends = _start_of(start), _start_of(end + timedelta(days=1))
    # While the period is still running nothing came after it, and a reader knows that: then a
    # survey's total is exactly "before" plus "in the period".
    parts = ("before", "in", "after") if clock.now() >= ends else ("before", "in")
    values: dict = {}
    for i, survey in enumerate(surveys):
        of_survey = Response.survey == survey["id"]
        values |= {("before", i): await Response.count().where(of_survey, Response.submitted_at < begins),
                   ("in", i): await Response.count().where(of_survey, Response.submitted_at >= begins, Response.submitted_at < ends),
                   ("after", i): await Response.count().where(of_survey, Response.submitted_at >= ends)}
        values[("survey", i)] = values[("before", i)] + values[("in", i)] + values[("after", i)]
    values[("in",)] = sum(values[("in", i)] for i in range(len(surveys)))
    relations = [relation(("survey", i), [(part, i) for part in parts]) for i in range(len(surveys))]
    relations.append(relation(("in",), [("in", i) for i in range(len(surveys))]))
    survey_totals = [("survey", i) for i in range(len(surveys))]
    hidden = protect(values, relations, threshold=threshold, published=[*survey_totals, *[("in", i) for i in range(len(surveys))], ("in",)],
                     locked=survey_totals, totals=[("in",)])

    def count(key) -> str:
        return shown(Count(None, None, threshold, hidden[key]) if key in hidden else Count(values[key], None, threshold))

    return {"surveys": [{"title": s["title"], "in_period": count(("in", i))} for i, s in enumerate(surveys)], "total": count(("in",))}


async def _themes(surveys: list[dict], end: date, threshold: int) -> list[dict]:
    """For each themed free-text question: the latest run finished by the period's end, its largest
    themes, which are new, and which rose or fell by RISING points since the run before."""
    from app.insights import services as insights

    out = []
    ends = _start_of(end + timedelta(days=1))
    for survey in surveys:
        runs = await ThemeRun.select().output(load_json=True).where(
            (ThemeRun.survey == survey["id"]) & (ThemeRun.state == RunState.done) & (ThemeRun.outcome == "themed")
            & (ThemeRun.finished_at < ends)).order_by(ThemeRun.finished_at, ascending=False)
        seen: set[str] = set()
        for run in runs:
            if run["source_key"] in seen:
                continue
            seen.add(run["source_key"])
            previous = next((r for r in runs if r["source_key"] == run["source_key"] and r["finished_at"] < run["finished_at"]), None)
            view = await insights.run_view(run, viewer=BOARD_VIEW, threshold=threshold)
            if view is None:
                continue
            changes = await _changes(run["id"], previous["id"], view) if previous else {}
            total = view.total.value
            themes = [
                {"label": t.label, "count": shown(t.count), "new": t.is_new and previous is not None,
                 "share": round(100 * t.count.value / total) if t.count.value is not None and total else None,
                 "change": changes.get(t.id, "")}
                for t in view.themes if t.kind == "theme"
            ]
            out.append({"survey": survey["title"], "question": run["parameters"].get("question", ""), "run_id": run["id"],
                        "answers": shown(view.total), "themes": themes[:TOP_THEMES],
                        "new": [t["label"] for t in themes if t["new"]],
                        "rising": [t["label"] for t in themes if t["change"] == "rising"],
                        "falling": [t["label"] for t in themes if t["change"] == "falling"]})
    return out


async def _changes(run_id: int, previous_id: int, view) -> dict[int, str]:
    """Theme id -> "rising"/"falling" where its share moved by RISING points from its match in the run
    before. Only themes whose counts are shown in both runs are compared, so no hidden count moves a word."""
    from app.insights import services as insights

    previous_run = await ThemeRun.select().output(load_json=True).where(ThemeRun.id == previous_id).first()
    before = await insights.run_view(previous_run, viewer=BOARD_VIEW, threshold=view.threshold)
    if before is None or not before.total.value or not view.total.value:
        return {}
    ids = {r["id"]: r["model_id"] for r in await Theme.select(Theme.id, Theme.model_id).where(Theme.run.is_in([run_id, previous_id]))}
    now_members = await insights.members_by_theme(run_id)
    then_members = await insights.members_by_theme(previous_id)
    matched = insights.match_themes(then_members, now_members, old_ids={i: ids[i] for i in then_members if i in ids},
                                    new_ids={i: ids[i] for i in now_members if i in ids})
    share_then = {t.id: t.count.value / before.total.value for t in before.themes if t.count.value is not None}
    changes = {}
    for theme in view.themes:
        old = matched.get(theme.id)
        if theme.count.value is None or old not in share_then:
            continue
        moved = 100 * (theme.count.value / view.total.value - share_then[old])
        if abs(moved) >= RISING:
            changes[theme.id] = "rising" if moved > 0 else "falling"
    return changes


async def _indicators(project_id: int, threshold: int) -> list[dict]:
    """Each indicator (baseline vs latest wave) on a survey series of this project, in its plain words."""
    from surveys.questionnaires import indicators

    async def of_project(row: dict) -> bool:
        return row["project"] == project_id

    loaded = await indicators.load_series(threshold=threshold, may_see=of_project)
    if not loaded:
        return []
    out = []
    for outcome in await indicators.list_outcomes():
        for indicator in indicators.outcome_page(outcome, loaded).indicators:
            out.append({"outcome": outcome["number"], "statement": outcome["statement"], "question": indicator.question.text,
                        "series": indicator.series, "summary": indicator.summary})
    return out


async def _findings(project_id: int, start: date, end: date) -> list[dict]:
    """Findings sent to the project by the period's end: received in the period or before, the answer
    (or overdue), and each action's progress — what the board asks "and what did you do about it?" of."""
    from app.findings import services as findings
    from app.findings.tables import Finding

    ends = _start_of(end + timedelta(days=1))
    rows = sorted((r for r in await findings.finding_rows(Finding.project == project_id) if r["sent_at"] is not None and r["sent_at"] < ends),
                  key=lambda r: (r["sent_at"], r["id"]))
    actions = await findings.list_actions([r["id"] for r in rows])
    today = clock.now().astimezone(LONDON).date()
    out = []
    for row in rows:
        summary = findings.summary_of(row, today)
        out.append({
            "id": row["id"], "title": row["title"], "status": summary.status, "status_label": summary.status_label,
            "sent_on": row["sent_at"].astimezone(LONDON).date().isoformat(), "new": row["sent_at"] >= _start_of(start),
            "due_on": row["due_on"].isoformat() if row["due_on"] else "", "reason": row["answer_reason"],
            "actions": [{"description": a.description, "owner": a.owner, "due_on": a.due_on.isoformat(), "progress": a.progress}
                        for a in actions if a.finding_id == row["id"]],
        })
    return out
