"""Helpers for user-testing tests: a study with tasks, participants with consent, results."""

from __future__ import annotations

from app.governance.services import load_structure
from app.governance.tables import Project
from surveys.user_tests import participants, running, studies


async def make_study(*, tasks: int = 2, under_13: bool = False, title: str = "Can young people find help?") -> studies.StudyView:
    await load_structure()
    project = await Project.select(Project.id).where(Project.reference == "3.3a").first()
    study_id = await studies.create_study(studies.StudyFields(
        title=title, subject="The youth safety offer page", project_id=project["id"], goals="Find help quickly.",
        consent_text="We are testing the page, not you. You can stop at any time.", under_13=under_13), created_by=None)
    for n in range(1, tasks + 1):
        await studies.add_task(study_id, studies.TaskFields(f"Task {n}", f"Find where you can talk to someone. ({n})", "Reaches the page"))
    return await studies.load_study(study_id)


async def consented(study_id: int, *, age_band: str = "13-15", group: str = "young_person") -> participants.ParticipantView:
    who = await participants.add_participant(study_id, age_band=age_band, cohort_group=group)
    await participants.record_consent(study_id, who.id, agreed=True, parent_carer=age_band in participants.UNDER_13_BANDS)
    return who


async def outcome(study_id: int, participant_id: int, task_id: int, result: str, seconds: int | None = None, seq: int | None = None,
                  **extra) -> running.Recorded:
    return await running.record_task(study_id, participant_id, task_id, running.TaskEntry(
        outcome=result, seconds=str(seconds or ""), seq=str(seq or ""), **extra))
