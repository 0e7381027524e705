"""Studies and their tasks: creating and editing, reading age of each scenario, and task versions
(a task edited once it has results becomes a new version, so the results stay with the words
participants actually heard)."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis import readability
from app import clock
from app.database import write_transaction
from app.governance.tables import Project
from surveys.user_tests.errors import StudyError
from surveys.user_tests.tables import Study, StudyTask, SubjectKind, SusWording, TaskResult

MAX_TITLE = 200
MAX_TEXT = 5000
SCENARIO_READING_AGE = 11.0
"""Scenarios above this reading age get a warning: studies include children from about 7."""


@dataclass(frozen=True)
class StudyFields:
    title: str
    subject_kind: str = SubjectKind.page.value
    subject: str = ""
    project_id: int | None = None
    goals: str = ""
    consent_text: str = ""
    under_13: bool = False
    sus_wording: str = SusWording.children.value


@dataclass(frozen=True)
class TaskFields:
    title: str
    scenario: str
    success_criteria: str = ""


@dataclass
class TaskView:
    id: int
    position: int
    title: str
    scenario: str
    success_criteria: str
    reading_age: float
    version: int
    first_version: int
    current: bool
    has_results: bool = False

    @property
    def hard_to_read(self) -> bool:
        return self.reading_age > SCENARIO_READING_AGE


@dataclass
class StudyView:
    id: int
    title: str
    subject_kind: str
    subject: str
    project_id: int | None
    project_reference: str
    goals: str
    consent_text: str
    under_13: bool
    sus_wording: str
    tasks: list[TaskView] = field(default_factory=list)
    """Every version, current first by position."""

    @property
    def current_tasks(self) -> list[TaskView]:
        return [t for t in self.tasks if t.current]

    def task(self, task_id: int) -> TaskView | None:
        return next((t for t in self.tasks if t.id == task_id), None)


async def check_fields(fields: StudyFields) -> dict[str, str]:
    """What is wrong with the study's fields, by field name (empty when nothing is)."""
    errors = {}
    if not fields.title.strip():
        errors["title"] = "Give the study a title."
    elif len(fields.title) > MAX_TITLE:
        errors["title"] = f"Keep the title under {MAX_TITLE} characters."
    if fields.subject_kind not in {k.value for k in SubjectKind}:
        errors["subject_kind"] = "Choose what is tested: a service, a page, a leaflet or a process."
    if fields.sus_wording not in {w.value for w in SusWording}:
        errors["sus_wording"] = "Choose the SUS wording: standard or for children."
    if not fields.consent_text.strip():
        errors["consent_text"] = "Write what participants are told before they agree to take part."
    for name in ("subject", "goals", "consent_text"):
        if len(getattr(fields, name)) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT} characters."
    if fields.project_id is not None and not await Project.exists().where(Project.id == fields.project_id):
        errors["project_id"] = "Choose a project from the list."
    return errors


def _values(fields: StudyFields) -> dict:
    return {Study.title: fields.title.strip(), Study.subject_kind: fields.subject_kind, Study.subject: fields.subject.strip(),
            Study.project: fields.project_id, Study.goals: fields.goals.strip(), Study.consent_text: fields.consent_text.strip(),
            Study.under_13: fields.under_13, Study.sus_wording: fields.sus_wording}


async def create_study(fields: StudyFields, *, created_by: int | None) -> int:
    if errors := await check_fields(fields):
        raise StudyError(next(iter(errors.values())))
    study = Study({**_values(fields), Study.created_by: created_by, Study.created_at: clock.now()})
    await study.save()
    return study.id


async def update_study(study_id: int, fields: StudyFields) -> None:
    if errors := await check_fields(fields):
        raise StudyError(next(iter(errors.values())))
    await Study.update(_values(fields)).where(Study.id == study_id)


def check_task(fields: TaskFields) -> dict[str, str]:
    errors = {}
    if not fields.title.strip():
        errors["title"] = "Give the task a short name."
    elif len(fields.title) > MAX_TITLE:
        errors["title"] = f"Keep the task's name under {MAX_TITLE} characters."
    if not fields.scenario.strip():
        errors["scenario"] = "Write the scenario you will read to the participant."
    for name in ("scenario", "success_criteria"):
        if len(getattr(fields, name)) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT} characters."
    return errors


async def add_task(study_id: int, fields: TaskFields) -> int:
    if errors := check_task(fields):
        raise StudyError(next(iter(errors.values())))
    async with write_transaction():
        last = await StudyTask.select(StudyTask.position).where(StudyTask.study == study_id).order_by(
            StudyTask.position, ascending=False).first()
        task = StudyTask({StudyTask.study: study_id, StudyTask.position: (last["position"] + 1) if last else 1,
                          StudyTask.title: fields.title.strip(), StudyTask.scenario: fields.scenario.strip(),
                          StudyTask.success_criteria: fields.success_criteria.strip(),
                          StudyTask.reading_age: readability.assess(fields.scenario).reading_age})
        await task.save()
    return task.id


async def edit_task(study_id: int, task_id: int, fields: TaskFields) -> int:
    """Change a task's words. Without results it is changed in place; with results a new version
    replaces it (same position), and the old version keeps its results. Returns the current id."""
    if errors := check_task(fields):
        raise StudyError(next(iter(errors.values())))
    async with write_transaction():
        task = await StudyTask.select().where((StudyTask.id == task_id) & (StudyTask.study == study_id)).first()
        if task is None or not task["current"]:
            raise StudyError("That task has been replaced by a newer version: edit the current one.")
        values = {StudyTask.title: fields.title.strip(), StudyTask.scenario: fields.scenario.strip(),
                  StudyTask.success_criteria: fields.success_criteria.strip(),
                  StudyTask.reading_age: readability.assess(fields.scenario).reading_age}
        if not await TaskResult.exists().where(TaskResult.task == task_id):
            await StudyTask.update(values).where(StudyTask.id == task_id)
            return task_id
        await StudyTask.update({StudyTask.current: False}).where(StudyTask.id == task_id)
        new = StudyTask({**values, StudyTask.study: study_id, StudyTask.position: task["position"],
                         StudyTask.version: task["version"] + 1, StudyTask.first_version: task["first_version"] or task_id})
        await new.save()
        return new.id


async def load_study(study_id: int) -> StudyView | None:
    row = await Study.select(Study.all_columns(), Study.project.reference.as_alias("project_reference")).where(
        Study.id == study_id).first()
    if row is None:
        return None
    tasks = await StudyTask.select().where(StudyTask.study == study_id).order_by(StudyTask.position).order_by(
        StudyTask.version, ascending=False)
    with_results = {r["task"] for r in await TaskResult.select(TaskResult.task).where(
        TaskResult.task.is_in([t["id"] for t in tasks] or [-1]))}
    return StudyView(
        id=row["id"], title=row["title"], subject_kind=row["subject_kind"], subject=row["subject"], project_id=row["project"],
        project_reference=row["project_reference"] or "", goals=row["goals"], consent_text=row["consent_text"],
        under_13=row["under_13"], sus_wording=row["sus_wording"],
        tasks=[TaskView(t["id"], t["position"], t["title"], t["scenario"], t["success_criteria"], t["reading_age"], t["version"],
                        t["first_version"] or t["id"], t["current"], t["id"] in with_results)
               for t in sorted(tasks, key=lambda t: (not t["current"], t["position"], -t["version"]))],
    )


async def list_studies(project_ids: list[int] | None = None) -> list[dict]:
    """Every study (or those of the given projects), newest first."""
    query = Study.select(Study.id, Study.title, Study.subject_kind, Study.created_at,
                         Study.project.reference.as_alias("project_reference")).order_by(Study.created_at, ascending=False)
    if project_ids is not None:
        query = query.where(Study.project.is_in(project_ids or [-1]))
    return await query
