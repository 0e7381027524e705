"""A study's results: per task completion (adjusted-Wald 95 % interval), time on task (geometric
mean of successful attempts, 95 % interval), mean ease (SEQ); SUS per participant and its mean with
a 95 % interval and a grade on the Sauro-Lewis curved scale (adult norms); cohort breakdowns through
the one small-number suppression (`surveys.participation.suppression`); issues ranked by severity × frequency;
quotes redacted. Withdrawn participants have no data left, and are counted only as "withdrawn"."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis import usability
from analysis.redact import redact
from surveys.participation.suppression import protect_table
from surveys.user_tests.participants import AGE_BANDS, COHORT_LABELS, ParticipantView, participants
from surveys.user_tests.studies import StudyView, TaskView
from surveys.user_tests.tables import IssueSighting, Observation, StudyIssue, SusResponse, TaskOutcome, TaskResult

OUTCOME_LABELS = {TaskOutcome.success.value: "Success", TaskOutcome.with_help.value: "With help",
                  TaskOutcome.failed.value: "Failed", TaskOutcome.abandoned.value: "Abandoned"}
BREAKDOWNS = {"group": "Young person, parent or carer, practitioner", "age": "Age band"}


@dataclass(frozen=True)
class CohortRow:
    label: str
    succeeded: int | None
    attempts: int | None
    """None when kept back for small numbers."""
    small: bool = False
    """Shown to someone who may see small groups, and under the threshold."""


@dataclass
class TaskResults:
    task: TaskView
    outcomes: dict[str, int]
    completion: usability.Interval | None
    time: usability.Interval | None
    seq: usability.Interval | None
    cohorts: list[CohortRow] = field(default_factory=list)
    cohorts_kept_back: bool = False


@dataclass(frozen=True)
class SusRow:
    code: str
    cohort: str
    score: float | None
    grade: str
    answered: int


@dataclass(frozen=True)
class IssueRow:
    title: str
    severity: int
    frequency: int
    priority: int
    task: str
    quotes: list[str]


@dataclass
class StudyResults:
    participants: int
    consented: int
    withdrawn: int
    tasks: list[TaskResults]
    older_versions: list[TaskResults]
    sus: list[SusRow]
    sus_mean: usability.Interval | None
    sus_grade: str
    issues: list[IssueRow]
    quotes: list[dict]
    breakdown: str
    threshold: int


def _cohort_of(person: ParticipantView, breakdown: str) -> str:
    return person.age_band if breakdown == "age" else COHORT_LABELS.get(person.cohort_group, person.cohort_group)


def _cohort_order(breakdown: str) -> list[str]:
    return list(AGE_BANDS) if breakdown == "age" else list(COHORT_LABELS.values())


def _task_results(task: TaskView, rows: list[dict], people: dict[int, ParticipantView], *, breakdown: str,
                  threshold: int, reveal_small_groups: bool) -> TaskResults:
    attempts = [r for r in rows if r["outcome"] and r["participant"] in people]
    outcomes = {key: sum(1 for r in attempts if r["outcome"] == key) for key in OUTCOME_LABELS}
    completion = usability.adjusted_wald(outcomes["success"], len(attempts)) if attempts else None
    times = [r["seconds"] for r in attempts if r["outcome"] == TaskOutcome.success.value and r["seconds"]]
    ratings = [r["seq"] for r in rows if r["seq"] is not None and r["participant"] in people]
    result = TaskResults(task, outcomes, completion, usability.geometric_mean_interval(times) if times else None,
                         usability.seq_mean(ratings) if ratings else None)
    if attempts:
        labels = [label for label in _cohort_order(breakdown)
                  if any(_cohort_of(people[r["participant"]], breakdown) == label for r in attempts)]
        # Rows: cohorts; columns: succeeded, did not. Margins: attempts per cohort, per column, in all.
        cells = []
        for label in labels:
            theirs = [r for r in attempts if _cohort_of(people[r["participant"]], breakdown) == label]
            succeeded = sum(1 for r in theirs if r["outcome"] == TaskOutcome.success.value)
            cells.append([succeeded, len(theirs) - succeeded])
        # The task's own figures above are shown whatever the cohorts hide, so its totals are locked.
        hidden = protect_table(cells, threshold=threshold, lock_grand_total=True)
        for i, label in enumerate(labels):
            kept_back = hidden.row_totals[i] or any(hidden.cells[i])
            small = sum(cells[i]) < threshold
            if kept_back and not reveal_small_groups:
                result.cohorts.append(CohortRow(label, None, None))
                result.cohorts_kept_back = True
            else:
                result.cohorts.append(CohortRow(label, cells[i][0], sum(cells[i]), small=small and reveal_small_groups))
    return result


async def summarise(study: StudyView, *, threshold: int, reveal_small_groups: bool = False, breakdown: str = "group") -> StudyResults:
    """Everything the results page, the report and its PDF show, built once."""
    breakdown = breakdown if breakdown in BREAKDOWNS else "group"
    everyone = await participants(study.id)
    people = {p.id: p for p in everyone if p.withdrawn_at is None}
    task_ids = [t.id for t in study.tasks] or [-1]
    rows = await TaskResult.select().where(TaskResult.task.is_in(task_ids))
    by_task: dict[int, list[dict]] = {}
    for row in rows:
        by_task.setdefault(row["task"], []).append(row)

    def results_of(task: TaskView) -> TaskResults:
        return _task_results(task, by_task.get(task.id, []), people, breakdown=breakdown, threshold=threshold,
                             reveal_small_groups=reveal_small_groups)

    sus_rows = await SusResponse.select().output(load_json=True).where(SusResponse.participant.is_in(list(people) or [-1]))
    sus = sorted((SusRow(people[r["participant"]].code, people[r["participant"]].cohort_label, r["score"],
                         usability.sus_grade(r["score"]) if r["score"] is not None else "",
                         sum(1 for a in r["answers"] if a is not None)) for r in sus_rows), key=lambda s: s.code)
    scored = [s.score for s in sus if s.score is not None]
    sus_mean = usability.sus_mean(scored) if scored else None

    titles = {t.id: (f"{t.position}. {t.title}" + (f" (version {t.version})" if t.version > 1 else "")) for t in study.tasks}
    notes = await Observation.select().where(Observation.participant.is_in(list(people) or [-1]) & (
        (Observation.held == False) | (Observation.released == True))).order_by(Observation.observed_at)  # noqa: E712
    quotes = [{"text": redact(n["text"]), "task": titles.get(n["task"], ""), "task_id": n["task"],
               "code": people[n["participant"]].code} for n in notes if n["kind"] == "quote"]
    issues = []
    for issue in await StudyIssue.select().where(StudyIssue.study == study.id):
        seen_by = {s["participant"] for s in await IssueSighting.select(IssueSighting.participant).where(
            IssueSighting.issue == issue["id"]) if s["participant"] in people}
        if not seen_by:
            continue  # everyone who met it withdrew
        issues.append(IssueRow(issue["title"], issue["severity"], len(seen_by),
                               usability.issue_priority(issue["severity"], len(seen_by)), titles.get(issue["task"], ""),
                               [q["text"] for q in quotes if q["task_id"] == issue["task"]][:2]))
    issues.sort(key=lambda i: (-i.priority, -i.severity, i.title.casefold()))
    return StudyResults(
        participants=len(people), consented=sum(1 for p in people.values() if p.consent_at),
        withdrawn=sum(1 for p in everyone if p.withdrawn_at), tasks=[results_of(t) for t in study.current_tasks],
        older_versions=[results_of(t) for t in study.tasks if not t.current and by_task.get(t.id)],
        sus=sus, sus_mean=sus_mean, sus_grade=usability.sus_grade(sus_mean.estimate) if sus_mean else "",
        issues=issues, quotes=quotes, breakdown=breakdown, threshold=threshold,
    )
