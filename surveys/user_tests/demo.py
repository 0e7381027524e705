"""The demo study `make run` loads: "Can young people find help on the youth safety offer page?",
eight participants (six young people, a parent and a youth worker) through three tasks, with
outcomes, times, ease ratings, notes, issues and SUS answers like those of a real session.
Everything goes through the services, as a facilitator's tablet would send it. Idempotent."""

from __future__ import annotations

from app.governance.demo import DEMO_PROJECT
from app.governance.tables import Project
from surveys.user_tests import participants, running, studies
from surveys.user_tests.tables import Study

DEMO_TITLE = "Can young people find help on the youth safety offer page?"

TASKS = (
    ("Find someone to talk to", "Something on the way home from school worried you. Find out who you could talk to today.",
     "Reaches the 'Talk to someone' section and names one way to get in touch."),
    ("Find a youth club", "You want something to do on Friday evenings. Find a youth club near where you live.",
     "Opens the youth club list and picks one open on Fridays."),
    ("What happens next", "A friend asks what happens after they ask for help. Find the part of the page that tells them.",
     "Finds the 'What happens next' steps."),
)

# code order: (age band, taking part as), consent, then per task (outcome, seconds, SEQ, note, note kind, issue, severity), SUS.
PEOPLE = (
    ("11-12", "young_person", [("success", 48, 6, "Went straight to the orange Get help button.", "observation", "", ""),
                               ("success", 62, 6, "", "", "", ""),
                               ("with_help", 151, 3, "What does single point of access mean?", "quote", "'Single point of access' not understood", "3")],
     [4, 2, 4, 2, 4, 2, 4, 2, 4, 2]),
    ("11-12", "young_person", [("success", 55, 5, "I thought the help button was an advert at first.", "quote", "Help button looks like an advert", "3"),
                               ("success", 71, 6, "", "", "", ""),
                               ("failed", 180, 2, "Scrolled past the steps twice.", "observation", "'Single point of access' not understood", "3")],
     [4, 2, 3, 3, 4, 2, 4, 2, 3, 2]),
    ("13-15", "young_person", [("success", 39, 7, "", "", "", ""),
                               ("success", 58, 6, "The map did not move on my phone.", "quote", "Youth club map does not work on a phone", "2"),
                               ("success", 95, 5, "", "", "", "")],
     [5, 1, 5, 2, 4, 1, 5, 1, 4, 2]),
    ("13-15", "young_person", [("success", 65, 5, "Read the whole page before choosing.", "observation", "", ""),
                               ("success", 80, 5, "", "", "Youth club map does not work on a phone", "2"),
                               ("with_help", 140, 3, "I would just ask my mate instead.", "quote", "'Single point of access' not understood", "3")],
     [3, 2, 4, 2, 4, 2, 4, 3, 3, 2]),
    ("13-15", "young_person", [("with_help", 120, 3, "Looked for a chat button, could not find one.", "observation", "Help button looks like an advert", "3"),
                               ("success", 66, 6, "", "", "", ""),
                               ("abandoned", 175, 1, "This is too much reading.", "quote", "Too much text before the steps", "2")],
     [3, 3, 3, None, 3, 2, 4, 3, 3, 3]),
    ("16-18", "young_person", [("success", 35, 7, "Liked that it says you will not get in trouble.", "observation", "", ""),
                               ("success", 45, 7, "", "", "", ""),
                               ("success", 88, 6, "The steps are clear once you find them.", "quote", "", "")],
     [5, 1, 5, 1, 5, 2, 5, 1, 5, 1]),
    ("26+", "parent_carer", [("success", 58, 6, "", "", "", ""),
                             ("success", 60, 6, "", "", "", ""),
                             ("success", 102, 4, "As a parent I wanted a phone number first.", "quote", "", "")],
     [4, 2, 4, 1, 4, 2, 4, 2, 4, 1]),
    ("26+", "practitioner", [("failed", 160, 2, "Expected the referral form under Professionals.", "observation", "Help button looks like an advert", "3"),
                             ("success", 52, 6, "", "", "", ""),
                             ("with_help", 130, 4, "", "", "'Single point of access' not understood", "3")],
     [3, 2, 4, 2, 3, 3, 4, 2, 3, 2]),
)


async def load_demo_study() -> tuple[int, int]:
    """The demo study's id and how many participants were added (0 when it is there already)."""
    existing = await Study.select(Study.id).where(Study.title == DEMO_TITLE).first()
    if existing:
        return existing["id"], 0
    project = await Project.select(Project.id).where(Project.reference == DEMO_PROJECT).first()
    study_id = await studies.create_study(studies.StudyFields(
        title=DEMO_TITLE, subject_kind="page", subject="The youth safety offer page (draft, tested on a tablet)",
        project_id=project["id"] if project else None,
        goals="Young people can find someone to talk to, a youth club, and what happens after asking for help, without an adult's help.",
        consent_text=("We are testing the page, not you: there are no wrong answers. We write down what you do and say, never "
                      "your name. You can stop at any time, and ask us to delete what we wrote."),
        sus_wording="children"), created_by=None)
    task_ids = [await studies.add_task(study_id, studies.TaskFields(*task)) for task in TASKS]
    for age_band, group, tasks, sus in PEOPLE:
        who = await participants.add_participant(study_id, age_band=age_band, cohort_group=group)
        await participants.record_consent(study_id, who.id, agreed=True, parent_carer=age_band in participants.UNDER_13_BANDS)
        for task_id, (outcome, seconds, seq, note, kind, issue, severity) in zip(task_ids, tasks, strict=True):
            await running.record_task(study_id, who.id, task_id, running.TaskEntry(
                outcome, str(seconds), str(seq), note, kind or "observation", issue, severity))
        await running.save_sus(study_id, who.id, sus)
    return study_id, len(PEOPLE)
