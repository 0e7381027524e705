"""Governance queries and the idempotent loading of the report's structure."""

from __future__ import annotations

from dataclasses import dataclass

from app.governance import seed
from app.governance.tables import Board, Outcome, OutcomeAudience, Project, Workstream


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
