"""The demo study `make run` loads: eight participants with realistic results, loaded once."""

import pytest

from app.governance.services import load_structure
from surveys.user_tests import results, studies
from surveys.user_tests.demo import DEMO_TITLE, load_demo_study

pytestmark = pytest.mark.usefixtures("db")


async def test_the_demo_study_has_eight_participants_and_realistic_results_and_loads_once():
    await load_structure()
    study_id, added = await load_demo_study()
    assert added == 8
    assert await load_demo_study() == (study_id, 0)
    study = await studies.load_study(study_id)
    assert study.title == DEMO_TITLE and len(study.current_tasks) == 3 and study.project_reference == "3.3a"
    summary = await results.summarise(study, threshold=5, reveal_small_groups=True)
    assert summary.participants == 8 and summary.withdrawn == 0
    find_help, youth_club, next_steps = summary.tasks
    assert find_help.outcomes == {"success": 6, "with_help": 1, "failed": 1, "abandoned": 0} and find_help.completion.n == 8
    assert youth_club.completion.estimate == 1.0 and next_steps.completion.estimate == 0.375
    assert next_steps.time.n == 3 and next_steps.seq.n == 8
    # One SUS left a statement blank: kept, not scored, not in the mean.
    assert [row.code for row in summary.sus if row.score is None] == ["P05"] and summary.sus_mean.n == 7
    assert 60 < summary.sus_mean.estimate < 85 and summary.sus_grade
    assert summary.issues[0].title == "'Single point of access' not understood" and summary.issues[0].frequency == 4
    assert len(summary.quotes) >= 5
