"""Governance live in the demo: project 3.3a has its demo lead, an amber status, milestones, and the
implementation board has meeting dates every 6 weeks. Idempotent; never overwrites what people set."""

from __future__ import annotations

from datetime import date, timedelta

from app import clock
from app.accounts.demo import demo_email
from app.accounts.roles import Role
from app.accounts.tables import ProjectPosition, StaffRole, StaffUser
from app.governance.services import IMPLEMENTATION_BOARD
from app.governance.tables import RAG, Board, BoardMeeting, Milestone, Project

DEMO_PROJECT = "3.3a"


async def load_demo_governance() -> None:
    project = await Project.select(Project.id, Project.rag).where(Project.reference == DEMO_PROJECT).first()
    lead = await StaffUser.select(StaffUser.id).where(StaffUser.email == demo_email(Role.project_lead)).first()
    today = clock.now().date()
    if project and lead and not await StaffRole.exists().where(StaffRole.project == project["id"], StaffRole.position.is_not_null()):
        await StaffRole.update({StaffRole.position: ProjectPosition.lead.value}).where(
            StaffRole.user == lead["id"], StaffRole.project == project["id"], StaffRole.role == Role.project_lead.value)
    if project and project["rag"] is None:
        await Project.update({
            Project.rag: RAG.amber.value, Project.rag_updated_at: clock.now(),
            Project.rag_note: "Two agencies have agreed the shared language; schools have not yet signed up, so the launch may slip a month.",
        }).where(Project.id == project["id"])
    if project and not await Milestone.exists().where(Milestone.project == project["id"]):
        await Milestone.insert(
            Milestone(project=project["id"], title="Glossary drafted with the youth assembly", due_on=today - timedelta(days=20),
                      done_on=today - timedelta(days=24)),
            Milestone(project=project["id"], title="Every partner signs the shared language", due_on=today + timedelta(days=30)),
            Milestone(project=project["id"], title="Training for frontline staff", due_on=today + timedelta(days=90)),
        )
    board = await Board.select(Board.id).where(Board.slug == IMPLEMENTATION_BOARD).first()
    if board and not await BoardMeeting.exists().where(BoardMeeting.board == board["id"]):
        first = _next_weekday(today, weekday=1)  # Tuesdays, every 6 weeks, as the projects report
        await BoardMeeting.insert(*(
            BoardMeeting(board=board["id"], meets_on=first + timedelta(weeks=6 * n), note="Highlight reports from every project" if n == 0 else "")
            for n in range(4)
        ))


def _next_weekday(start: date, *, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)
