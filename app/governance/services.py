"""Governance queries and the idempotent loading of the report's structure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import clock
from app.accounts.roles import Role
from app.database import write_transaction
from app.governance import seed
from app.governance.tables import RAG, Board, BoardMeeting, Milestone, Outcome, OutcomeAudience, Project, Workstream


@dataclass(frozen=True)
class LoadSummary:
    boards: int
    workstreams: int
    projects: int
    outcomes: int


async def load_structure() -> LoadSummary:
    """Upsert every board, workstream, project and outcome of the report; safe to run again."""
    async with Board._meta.db.transaction():
        for position, board in enumerate(seed.BOARDS):
            await _upsert(
                Board,
                Board.slug,
                {
                    Board.slug: board.slug,
                    Board.name: board.name,
                    Board.kind: board.kind.value,
                    Board.remit: board.remit,
                    Board.chair: board.chair,
                    Board.position: position,
                },
            )
        board_ids = {row["slug"]: row["id"] for row in await Board.select(Board.slug, Board.id)}
        for board in seed.BOARDS:
            reports_to = board_ids.get(board.reports_to) if board.reports_to else None
            await Board.update({Board.reports_to: reports_to}).where(Board.slug == board.slug)

        for workstream in seed.WORKSTREAMS:
            await _upsert(
                Workstream,
                Workstream.number,
                {
                    Workstream.number: workstream.number,
                    Workstream.name: workstream.name,
                    Workstream.purpose: workstream.purpose,
                },
            )
        workstream_ids = {row["number"]: row["id"] for row in await Workstream.select(Workstream.number, Workstream.id)}
        implementation_board = board_ids["youth-safety-implementation-board"]
        for position, project in enumerate(seed.PROJECTS):
            # Lead and deputy are left out of the update so loading never overwrites what people set.
            await _upsert(
                Project,
                Project.reference,
                {
                    Project.reference: project.reference,
                    Project.workstream: workstream_ids[project.workstream],
                    Project.number: project.number,
                    Project.focus: project.focus,
                    Project.detail: project.detail,
                    Project.reports_to: implementation_board,
                    Project.position: position,
                },
            )

        for number, audience, statement in seed.OUTCOMES:
            await _upsert(
                Outcome,
                Outcome.number,
                {Outcome.number: number, Outcome.audience: audience.value, Outcome.statement: statement},
            )
    return LoadSummary(
        boards=await Board.count(),
        workstreams=await Workstream.count(),
        projects=await Project.count(),
        outcomes=await Outcome.count(),
    )


async def _upsert(table, key_column, values: dict) -> None:
    row = table(_data=values)
    await table.insert(row).on_conflict(
        target=key_column,
        action="DO UPDATE",
        values=[column for column in values if column is not key_column],
    )


@dataclass(frozen=True)
class WorkstreamView:
    number: int
    name: str
    purpose: str
    projects: list[dict]


async def list_boards() -> list[dict]:
    """Boards in display order, each with the name of the board it reports to."""
    return await Board.select(
        Board.all_columns(), Board.reports_to.name.as_alias("reports_to_name")
    ).order_by(Board.position)


async def list_workstreams() -> list[WorkstreamView]:
    """Workstreams with their projects, in the report's order."""
    projects = await Project.select(Project.all_columns()).order_by(Project.position)
    # The public page names each position's agency, not the person (their name is on staff pages).
    teams = await project_teams([p["id"] for p in projects])
    for project in projects:
        for position in ("lead", "deputy"):
            member = teams.get(project["id"], {}).get(position)
            project[f"{position}_agency"] = member.agency if member else None
    return [
        WorkstreamView(
            number=row["number"],
            name=row["name"],
            purpose=row["purpose"],
            projects=[p for p in projects if p["workstream"] == row["id"]],
        )
        for row in await Workstream.select().order_by(Workstream.number)
    ]


async def list_outcomes_by_audience() -> dict[OutcomeAudience, list[dict]]:
    """Theory-of-change outcomes grouped as the report groups them."""
    outcomes = await Outcome.select().order_by(Outcome.number)
    return {
        audience: [o for o in outcomes if o["audience"] == audience.value] for audience in OutcomeAudience
    }


# --- governance live: project teams, RAG status, milestones, board meetings (issue 12, item 1) -------

IMPLEMENTATION_BOARD = "youth-safety-implementation-board"
"""The board every project reports to (seed §5): its members see every project."""
SEES_EVERY_PROJECT = frozenset({Role.admin, Role.participation_lead, Role.facilitator, Role.analyst})
MAX_RAG_NOTE = 1000


class GovernanceError(ValueError):
    """A change refused, with the sentence to show on the form."""


@dataclass(frozen=True)
class TeamMember:
    user_id: int
    display_name: str
    agency: str


@dataclass(frozen=True)
class ProjectView:
    id: int
    reference: str
    focus: str
    detail: str
    workstream: str
    rag: str | None
    rag_note: str
    rag_updated_at: object
    lead: TeamMember | None
    deputy: TeamMember | None
    milestones: list[dict]
    reports_to: str

    @property
    def same_agency(self) -> bool:
        """The seed asks for cross-agency pairs: a lead and deputy from one agency are flagged."""
        return bool(self.lead and self.deputy and self.lead.agency == self.deputy.agency)

    @property
    def next_milestone(self) -> dict | None:
        return next((m for m in self.milestones if m["done_on"] is None), None)


def visible_project_ids(user, all_ids: list[int], implementation_board_id: int | None) -> list[int]:
    """Which projects a signed-in user may see: partnership-wide roles and the implementation board's
    members every one; a project lead their own; other boards only what is sent to them (findings)."""
    if set(user.roles) & SEES_EVERY_PROJECT or (implementation_board_id in user.board_ids):
        return all_ids
    return [i for i in all_ids if i in user.project_ids]


async def project_teams(project_ids: list[int]) -> dict[int, dict[str, TeamMember]]:
    """Each project's named lead and deputy (active accounts only), by position: {project id: {"lead": …}}."""
    from app.accounts.tables import StaffRole

    rows = await StaffRole.select(
        StaffRole.project, StaffRole.position, StaffRole.user.id.as_alias("user_id"),
        StaffRole.user.display_name.as_alias("display_name"), StaffRole.user.agency.as_alias("agency"),
    ).where(StaffRole.project.is_in(project_ids or [-1]), StaffRole.position.is_not_null(), StaffRole.user.active.eq(True))
    teams: dict[int, dict[str, TeamMember]] = {}
    for row in rows:
        teams.setdefault(row["project"], {})[row["position"]] = TeamMember(row["user_id"], row["display_name"], row["agency"])
    return teams


async def projects_for(user, *, reference: str | None = None) -> list[ProjectView]:
    """The projects the user may see (only the one named by `reference`, if given), with teams and milestones."""
    implementation = await Board.select(Board.id).where(Board.slug == IMPLEMENTATION_BOARD).first()
    query = Project.select(
        Project.all_columns(), Project.workstream.name.as_alias("workstream_name"), Project.reports_to.name.as_alias("board_name"),
    ).order_by(Project.position)
    if reference is not None:
        query = query.where(Project.reference == reference)
    rows = await query
    visible = set(visible_project_ids(user, [r["id"] for r in rows], implementation["id"] if implementation else None))
    rows = [r for r in rows if r["id"] in visible]
    teams = await project_teams([r["id"] for r in rows])
    milestones = await Milestone.select().where(Milestone.project.is_in([r["id"] for r in rows] or [-1])).order_by(Milestone.due_on)
    return [
        ProjectView(
            id=r["id"], reference=r["reference"], focus=r["focus"], detail=r["detail"], workstream=r["workstream_name"],
            rag=r["rag"], rag_note=r["rag_note"], rag_updated_at=r["rag_updated_at"],
            lead=teams.get(r["id"], {}).get("lead"), deputy=teams.get(r["id"], {}).get("deputy"),
            milestones=[m for m in milestones if m["project"] == r["id"]], reports_to=r["board_name"] or "",
        )
        for r in rows
    ]


async def project_for(user, reference: str) -> ProjectView | None:
    found = await projects_for(user, reference=reference)
    return found[0] if found else None


def may_update_status(user, project: ProjectView) -> bool:
    from app.accounts.roles import Permission, Role

    if not user.can(Permission.update_project_status):
        return False
    return Role.participation_lead in user.roles or project.id in user.project_ids


async def assign_team(project: ProjectView, lead_id: int | None, deputy_id: int | None, *, actor, ip_address: str = "") -> list[str]:
    """Name the project's lead and deputy (staff accounts; either may be left empty). Each gets the
    project-lead role for this project. Returns warnings to show (a same-agency pair)."""
    from app.accounts.roles import Role
    from app.accounts.tables import ProjectPosition, StaffRole, StaffUser
    from app.audit.services import AuditAction, record

    if lead_id is not None and lead_id == deputy_id:
        raise GovernanceError("The lead and the deputy must be two different people.")
    wanted = {ProjectPosition.lead: lead_id, ProjectPosition.deputy: deputy_id}
    chosen = [i for i in wanted.values() if i is not None]
    people = {row["id"]: row for row in await StaffUser.select(StaffUser.id, StaffUser.agency, StaffUser.active).where(
        StaffUser.id.is_in(chosen or [-1]))}
    if any(i not in people or not people[i]["active"] for i in chosen):
        raise GovernanceError("Choose active staff accounts for the lead and the deputy.")
    async with write_transaction():
        # Whoever held a position here keeps being on the project's team, but no longer in that position.
        await StaffRole.update({StaffRole.position: None}).where(StaffRole.project == project.id, StaffRole.position.is_not_null())
        for position, user_id in wanted.items():
            if user_id is None:
                continue
            held = await StaffRole.select(StaffRole.id).where(
                StaffRole.user == user_id, StaffRole.role == Role.project_lead.value, StaffRole.project == project.id).first()
            if held:
                await StaffRole.update({StaffRole.position: position.value}).where(StaffRole.id == held["id"])
            else:
                await StaffRole.insert(StaffRole(user=user_id, role=Role.project_lead.value, project=project.id, position=position.value))
        await record(AuditAction.project_team_changed, actor=actor, target_type="project", target_id=project.id,
                     detail={"lead": lead_id, "deputy": deputy_id}, ip_address=ip_address)
    if lead_id is not None and deputy_id is not None and people[lead_id]["agency"] == people[deputy_id]["agency"]:
        return [f"The lead and the deputy are both from {people[lead_id]['agency']}: the partnership asks for a pair from two agencies."]
    return []


async def set_status(project: ProjectView, rag: str, note: str, *, actor, ip_address: str = "") -> None:
    from app.audit.services import AuditAction, record

    note = note.strip()
    if rag not in RAG._value2member_map_:
        raise GovernanceError("Choose red, amber or green.")
    if rag in (RAG.red.value, RAG.amber.value) and not note:
        raise GovernanceError("Say why the project is red or amber: the board needs the reason.")
    if len(note) > MAX_RAG_NOTE:
        raise GovernanceError(f"Keep the reason under {MAX_RAG_NOTE} characters.")
    async with write_transaction():
        await Project.update({Project.rag: rag, Project.rag_note: note, Project.rag_updated_at: clock.now()}).where(Project.id == project.id)
        await record(AuditAction.project_status_changed, actor=actor, target_type="project", target_id=project.id,
                     detail={"from": project.rag or "none", "to": rag}, ip_address=ip_address)


async def add_milestone(project: ProjectView, title: str, due_on: date | None, *, actor, ip_address: str = "") -> None:
    from app.audit.services import AuditAction, record

    title = title.strip()
    if not title or len(title) > 200:
        raise GovernanceError("Give the milestone a title (at most 200 characters).")
    if due_on is None:
        raise GovernanceError("Give the milestone a due date.")
    async with write_transaction():
        added = await Milestone.insert(Milestone(project=project.id, title=title, due_on=due_on))
        await record(AuditAction.milestone_changed, actor=actor, target_type="milestone", target_id=added[0]["id"],
                     detail={"project": project.id, "change": "added"}, ip_address=ip_address)


async def complete_milestone(project: ProjectView, milestone_id: int, *, actor, ip_address: str = "") -> None:
    from app.audit.services import AuditAction, record

    async with write_transaction():
        done = await Milestone.update({Milestone.done_on: clock.now().date()}).where(
            Milestone.id == milestone_id, Milestone.project == project.id, Milestone.done_on.is_null()).returning(Milestone.id)
        if not done:
            raise GovernanceError("That milestone is not an open milestone of this project.")
        await record(AuditAction.milestone_changed, actor=actor, target_type="milestone", target_id=milestone_id,
                     detail={"project": project.id, "change": "done"}, ip_address=ip_address)


async def board_with_meetings(slug: str) -> tuple[dict, list[dict]] | None:
    board = await Board.select().where(Board.slug == slug).first()
    if board is None:
        return None
    meetings = await BoardMeeting.select().where(BoardMeeting.board == board["id"]).order_by(BoardMeeting.meets_on)
    return board, meetings


async def boards_with_next_meeting() -> list[dict]:
    boards = await Board.select(Board.id, Board.slug, Board.name).order_by(Board.position)
    upcoming = await BoardMeeting.select().where(BoardMeeting.meets_on >= clock.now().date()).order_by(BoardMeeting.meets_on)
    for board in boards:
        board["next_meeting"] = next((m for m in upcoming if m["board"] == board["id"]), None)
    return boards


async def next_meeting(board_id: int) -> dict | None:
    """The board's next meeting from today: where a finding or report sent now goes."""
    return await BoardMeeting.select().where(BoardMeeting.board == board_id, BoardMeeting.meets_on >= clock.now().date()).order_by(
        BoardMeeting.meets_on).first()


async def add_meeting(board_id: int, meets_on: date | None, note: str, *, actor, ip_address: str = "") -> None:
    from app.audit.services import AuditAction, record

    if meets_on is None:
        raise GovernanceError("Give the meeting's date.")
    if meets_on < clock.now().date():
        raise GovernanceError("A new meeting date cannot be in the past.")
    if len(note) > 200:
        raise GovernanceError("Keep the note under 200 characters.")
    async with write_transaction():
        if await BoardMeeting.exists().where(BoardMeeting.board == board_id, BoardMeeting.meets_on == meets_on):
            raise GovernanceError("The board already meets on that date.")
        added = await BoardMeeting.insert(BoardMeeting(board=board_id, meets_on=meets_on, note=note.strip()))
        await record(AuditAction.board_meeting_changed, actor=actor, target_type="board", target_id=board_id,
                     detail={"meeting": added[0]["id"], "change": "added"}, ip_address=ip_address)
