"""Run mode: what a facilitator records per participant and task — outcome, time on task, ease
(SEQ), timestamped observations and quotes, issues with their severity — and the SUS a participant
fills in. Nothing is recorded before consent or after withdrawal. Notes come in through the one
free-text door: what screening flags is held for the safeguarding lead and left out of results."""

from __future__ import annotations

from dataclasses import dataclass

from analysis import usability
from app import clock, free_text
from app.database import write_transaction
from surveys.participation.text import N_, Message
from surveys.user_tests.errors import StudyError
from surveys.user_tests.participants import require_consent
from surveys.user_tests.tables import (
    IssueSighting,
    Observation,
    Study,
    StudyIssue,
    StudyTask,
    SusResponse,
    TaskOutcome,
    TaskResult,
)

MAX_NOTE = 2000
MAX_ISSUE = 200
NOTE_KINDS = ("observation", "quote")
# The one refusal the participant's SUS page can show (a form our page could not have sent), in their language.
SUS_ANSWER_OUT_OF_RANGE = N_("Statement %(position)s: the answer must be from 1 to 5, not %(value)s.")


@dataclass(frozen=True)
class TaskEntry:
    """What the run form sends for one task; blank fields are "not yet" (saved as you go)."""

    outcome: str = ""
    seconds: str = ""
    seq: str = ""
    note: str = ""
    note_kind: str = "observation"
    issue: str = ""
    severity: str = ""


@dataclass(frozen=True)
class Recorded:
    note_held: bool = False
    """Screening flagged the note: it went to the safeguarding lead, not into the study."""


def _whole_number(value: str, what: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise StudyError(f"{what} must be a whole number, not {value[:20]!r}.") from None


def check_entry(entry: TaskEntry) -> tuple[str | None, int | None, int | None, int | None]:
    """The entry's outcome, seconds, SEQ and severity, or StudyError saying what is wrong."""
    outcome = entry.outcome.strip() or None
    if outcome is not None and outcome not in {o.value for o in TaskOutcome}:
        raise StudyError("Choose the outcome: success, with help, failed or abandoned.")
    seconds = _whole_number(entry.seconds, "The time on task")
    seq = _whole_number(entry.seq, "The ease rating")
    severity = _whole_number(entry.severity, "The severity")
    try:
        if seconds is not None:
            usability.check_task_time(seconds)
        if seq is not None:
            usability.check_seq(seq)
        if severity is not None:
            usability.issue_priority(severity, 1)
    except usability.UsabilityInputError as refused:
        raise StudyError(str(refused)) from None
    if entry.note_kind not in NOTE_KINDS:
        raise StudyError("A note is an observation or a quote.")
    if len(entry.note) > MAX_NOTE:
        raise StudyError(f"Keep a note under {MAX_NOTE} characters: add another for more.")
    if len(entry.issue) > MAX_ISSUE:
        raise StudyError(f"Keep an issue's name under {MAX_ISSUE} characters.")
    if entry.issue.strip() and severity is None:
        raise StudyError("Give the issue a severity from 0 (not a problem) to 4 (catastrophe).")
    return outcome, seconds, seq, severity


async def _current_task(study_id: int, task_id: int) -> dict:
    task = await StudyTask.select().where((StudyTask.id == task_id) & (StudyTask.study == study_id)).first()
    if task is None:
        raise StudyError("There is no such task in this study.")
    if not task["current"]:
        raise StudyError("That task has a newer version: record results against the current one.")
    return task


async def record_task(study_id: int, participant_id: int, task_id: int, entry: TaskEntry) -> Recorded:
    """Save what was typed for one participant and task (any part of it), and the note and issue if given."""
    who = await require_consent(study_id, participant_id)
    task = await _current_task(study_id, task_id)
    outcome, seconds, seq, severity = check_entry(entry)
    note = entry.note.strip()
    assessment = (await free_text.assess_all([note]))[0] if note else None
    held: list[int] = []
    now = clock.now()
    async with write_transaction():
        existing = await TaskResult.select(TaskResult.id).where(
            (TaskResult.participant == participant_id) & (TaskResult.task == task_id)).first()
        values = {TaskResult.outcome: outcome, TaskResult.seconds: seconds, TaskResult.seq: seq, TaskResult.saved_at: now}
        if existing:
            await TaskResult.update(values).where(TaskResult.id == existing["id"])
        else:
            await TaskResult({**values, TaskResult.participant: participant_id, TaskResult.task: task_id}).save()
        if note:
            observation = Observation({Observation.participant: participant_id, Observation.task: task_id,
                                       Observation.kind: entry.note_kind, Observation.text: note, Observation.observed_at: now,
                                       Observation.held: assessment.flagged, Observation.sentiment: assessment.sentiment})
            await observation.save()
            if assessment.flagged:
                study = await Study.select(Study.title).where(Study.id == study_id).first()
                held = await free_text.hold([free_text.FlaggedText(
                    source_kind="study_observation", source_id=observation.id, text=note, assessment=assessment,
                    place=f"User test: {study['title']} ({who.code}, task {task['position']})", question=task["title"])])
        if entry.issue.strip():
            await _sight_issue(study_id, task_id, participant_id, entry.issue.strip(), severity, now)
    await free_text.held_committed(held)
    return Recorded(note_held=bool(held))


async def _sight_issue(study_id: int, task_id: int, participant_id: int, title: str, severity: int, now) -> None:
    """The same issue named again (any case) is one more sighting; its severity is the highest given."""
    issues = await StudyIssue.select(StudyIssue.id, StudyIssue.title, StudyIssue.severity).where(StudyIssue.study == study_id)
    issue = next((i for i in issues if i["title"].casefold() == title.casefold()), None)
    if issue is None:
        row = StudyIssue({StudyIssue.study: study_id, StudyIssue.task: task_id, StudyIssue.title: title, StudyIssue.severity: severity})
        await row.save()
        issue_id = row.id
    else:
        issue_id = issue["id"]
        if severity > issue["severity"]:
            await StudyIssue.update({StudyIssue.severity: severity}).where(StudyIssue.id == issue_id)
    if not await IssueSighting.exists().where((IssueSighting.issue == issue_id) & (IssueSighting.participant == participant_id)):
        await IssueSighting({IssueSighting.issue: issue_id, IssueSighting.participant: participant_id, IssueSighting.seen_at: now}).save()


async def task_entries(participant_id: int) -> dict[int, dict]:
    """What is saved for a participant, by task id: the result and its (not held) notes."""
    results = {r["task"]: r for r in await TaskResult.select().where(TaskResult.participant == participant_id)}
    notes = await Observation.select().where((Observation.participant == participant_id) & (
        (Observation.held == False) | (Observation.released == True))).order_by(Observation.observed_at)  # noqa: E712
    entries: dict[int, dict] = {}
    for task_id, result in results.items():
        entries.setdefault(task_id, {"notes": []})["result"] = result
    for note in notes:
        entries.setdefault(note["task"], {"notes": []})["notes"].append(note)
    return entries


def read_sus(values: list[str]) -> list[int | None]:
    """Ten answers from a form (blank = unanswered). Anything but 1-5 is refused, saying which."""
    if len(values) != usability.SUS_ITEM_COUNT:
        raise StudyError(f"The SUS has {usability.SUS_ITEM_COUNT} statements; the form sent {len(values)}.")
    answers: list[int | None] = []
    for position, value in enumerate(values, start=1):
        value = value.strip()
        if not value:
            answers.append(None)
        elif value in {"1", "2", "3", "4", "5"}:
            answers.append(int(value))
        else:
            raise StudyError(Message(SUS_ANSWER_OUT_OF_RANGE, position=position, value=repr(value[:10])))
    return answers


async def save_sus(study_id: int, participant_id: int, answers: list[int | None]) -> float | None:
    """Store a participant's SUS. A complete one is scored; an incomplete one is kept unscored
    (shown as "not scored: incomplete") and never enters the mean. Returns the score or None."""
    await require_consent(study_id, participant_id)
    try:
        score = usability.sus_score(answers)
    except usability.IncompleteSUS:
        score = None
    except usability.UsabilityInputError as refused:
        raise StudyError(str(refused)) from None
    wording = (await Study.select(Study.sus_wording).where(Study.id == study_id).first())["sus_wording"]
    values = {SusResponse.answers: answers, SusResponse.score: score, SusResponse.wording: wording, SusResponse.saved_at: clock.now()}
    async with write_transaction():
        if await SusResponse.exists().where(SusResponse.participant == participant_id):
            await SusResponse.update(values).where(SusResponse.participant == participant_id)
        else:
            await SusResponse({**values, SusResponse.participant: participant_id}).save()
    return score
