"""The partnership's structure as loaded by `chorus demo load` matches the summit report."""

import re
from pathlib import Path

import pytest

from app.governance.services import list_boards, list_outcomes_by_audience, list_workstreams, load_structure
from app.governance.tables import Board, Outcome, OutcomeAudience, Project, Workstream

REPORT = (Path(__file__).parent.parent / "data" / "youth-safety-summit-report.txt").read_text(encoding="utf-8")

EXPECTED_BOARDS = {
    "Youth Safety Board",
    "Youth Safety Implementation Board",
    "Health and Well-being Board",
    "Community Safety Partnership",
    "Joint Executive of the NSCP and SAB",
    "CYPS Programme Board",
}


def report_projects() -> set[tuple[int, str, str]]:
    """(workstream, number, focus) for every row of the report's §6.1-§6.3 tables."""
    projects, workstream = set(), None
    for line in REPORT.splitlines():
        heading = re.match(r"6\.([123])\. Workstream", line)
        if heading:
            workstream = int(heading.group(1))
        row = re.match(r"^(\d[a-z]?)\t([^\t]+)\t", line)
        if row and workstream:
            projects.add((workstream, row.group(1), row.group(2).strip()))
    return projects


async def test_every_board_workstream_project_and_outcome_is_loaded(db):
    summary = await load_structure()
    assert (summary.boards, summary.workstreams, summary.projects, summary.outcomes) == (6, 3, 18, 12)
    assert {b["name"] for b in await Board.select(Board.name)} == EXPECTED_BOARDS
    assert [w["name"] for w in await Workstream.select(Workstream.name).order_by(Workstream.number)] == [
        "Test and Learn",
        "Business as Usual Improvement",
        "Systems Change",
    ]
    loaded = await Project.select(Project.workstream.number, Project.number, Project.focus)
    assert {(p["workstream.number"], p["number"], p["focus"]) for p in loaded} == report_projects()


async def test_project_details_are_the_reports_words_without_its_markup(db):
    await load_structure()
    for project in await Project.select(Project.detail):
        assert "<" not in project["detail"]
        first_words = " ".join(project["detail"].replace("\n- ", " - ").split()[:6])
        assert first_words in " ".join(REPORT.split()) or first_words.startswith("This will include")


async def test_outcomes_are_numbered_1_to_12_and_grouped_by_audience(db):
    await load_structure()
    grouped = await list_outcomes_by_audience()
    assert [o["number"] for o in grouped[OutcomeAudience.children_young_people_families]] == [1, 2, 3, 4]
    assert [o["number"] for o in grouped[OutcomeAudience.workforce]] == [5, 6, 7]
    assert [o["number"] for o in grouped[OutcomeAudience.partnership]] == [8, 9, 10, 11, 12]
    statements = {o["number"]: o["statement"] for o in await Outcome.select()}
    assert statements[1] == "Know where and who to go to for help"
    assert statements[12] == "Improved culture of learning, sharing and reflection"


async def test_loading_twice_changes_nothing(db):
    await load_structure()
    before = [await table.select().order_by(table.id) for table in (Board, Workstream, Project, Outcome)]
    await load_structure()
    after = [await table.select().order_by(table.id) for table in (Board, Workstream, Project, Outcome)]
    assert after == before


async def test_loading_again_keeps_the_leads_people_have_set(db):
    await load_structure()
    await Project.update({Project.lead: "A. Lead", Project.deputy: "D. Puty"}).where(Project.reference == "3.3a")
    await load_structure()
    project = await Project.select(Project.lead, Project.deputy).where(Project.reference == "3.3a").first()
    assert project == {"lead": "A. Lead", "deputy": "D. Puty"}


async def test_every_project_reports_to_the_implementation_board_every_six_weeks(db):
    await load_structure()
    boards = {b["slug"]: b for b in await list_boards()}
    assert boards["youth-safety-implementation-board"]["reports_to_name"] == "Youth Safety Board"
    projects = await Project.select(Project.reports_to.slug, Project.reporting_interval_weeks)
    assert {(p["reports_to.slug"], p["reporting_interval_weeks"]) for p in projects} == {
        ("youth-safety-implementation-board", 6)
    }


async def test_partnership_page_lists_the_structure(client):
    await load_structure()
    page = (await client.get("/partnership")).text
    for name in EXPECTED_BOARDS:
        assert name.replace("&", "&amp;") in page
    for workstream in await list_workstreams():
        assert workstream.name in page
        assert len(workstream.projects) in (5, 7, 6)


@pytest.mark.parametrize("reference", ["1.1", "2.1a", "2.2b", "3.3b", "3.5"])
async def test_project_references_follow_the_report_numbering(db, reference):
    await load_structure()
    assert await Project.exists().where(Project.reference == reference)
