"""User-testing services on a real database: consent first, withdrawal deletes and is logged,
versioned tasks, flagged notes held through the one door, SUS scoring, results with the small-sample
statistics and small-number suppression. Each bad input gets a message and stores nothing."""

import pytest

from app.audit.tables import AuditEvent
from app.insights import services as insights
from app.safeguarding.tables import Disclosure
from surveys.user_tests import participants, results, running, studies
from surveys.user_tests.errors import StudyError
from surveys.user_tests.sources import StudyObservationSource
from surveys.user_tests.tables import IssueSighting, Observation, Study, StudyTask, SusResponse, TaskResult
from tests.user_tests import consented, make_study, outcome

pytestmark = pytest.mark.usefixtures("db")

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "  "}, "Give the study a title."),
    ({"title": "x" * 201}, "Keep the title under 200 characters."),
    ({"title": "Leaflet", "subject_kind": "poster"}, "Choose what is tested"),
    ({"title": "Leaflet", "consent_text": ""}, "Write what participants are told"),
    ({"title": "Leaflet", "project_id": 999999}, "Choose a project from the list."),
    ({"title": "Leaflet", "sus_wording": "grown-up"}, "Choose the SUS wording"),
])
async def test_a_study_with_bad_fields_is_refused_and_not_stored(fields, message):
    with pytest.raises(StudyError, match=message):
        await studies.create_study(studies.StudyFields(**{"consent_text": "You can stop at any time.", **fields}), created_by=None)
    assert await Study.count() == 0


async def test_tasks_get_a_reading_age_and_are_versioned_once_they_have_results():
    study = await make_study()
    first = study.current_tasks[0]
    assert first.reading_age > 0 and not first.hard_to_read
    # No results yet: edited in place.
    assert await studies.edit_task(study.id, first.id, studies.TaskFields("Find help", "Find where you can get help.")) == first.id
    who = await consented(study.id)
    await outcome(study.id, who.id, first.id, "success", 40, 6)
    newer = await studies.edit_task(study.id, first.id, studies.TaskFields("Find help", "Find a place to talk to someone today."))
    assert newer != first.id
    study = await studies.load_study(study.id)
    assert [t.id for t in study.current_tasks] == [newer, study.current_tasks[1].id]
    old = study.task(first.id)
    assert not old.current and old.has_results and study.task(newer).version == 2
    with pytest.raises(StudyError, match="newer version"):
        await outcome(study.id, who.id, first.id, "failed")
    summary = await results.summarise(study, threshold=5)
    assert [r.task.id for r in summary.older_versions] == [first.id] and summary.older_versions[0].outcomes["success"] == 1
    with pytest.raises(StudyError, match="scenario"):
        await studies.add_task(study.id, studies.TaskFields("Empty", "  "))
    assert await StudyTask.count() == 3


async def test_no_notes_before_consent_and_under_13s_need_a_parent_or_carer():
    study = await make_study(under_13=True)
    task = study.current_tasks[0]
    child = await participants.add_participant(study.id, age_band="7-10", cohort_group="young_person")
    assert child.code == "P01"
    with pytest.raises(StudyError, match="Record P01's consent before taking any notes."):
        await outcome(study.id, child.id, task.id, "success", 30, 7, note="Found it straight away")
    with pytest.raises(StudyError, match="Record P01's consent"):
        await running.save_sus(study.id, child.id, [3] * 10)
    with pytest.raises(StudyError, match="a parent or carer has given consent too"):
        await participants.record_consent(study.id, child.id, agreed=True, parent_carer=False)
    with pytest.raises(StudyError, match="agreed to take part"):
        await participants.record_consent(study.id, child.id, agreed=False, parent_carer=True)
    assert await TaskResult.count() == 0 and await Observation.count() == 0 and await SusResponse.count() == 0
    await participants.record_consent(study.id, child.id, agreed=True, parent_carer=True)
    assert (await participants.participant(study.id, child.id)).consent_by == "parent_carer"
    await outcome(study.id, child.id, task.id, "success", 30, 7, note="Found it straight away")
    assert await TaskResult.count() == 1 and await Observation.count() == 1


@pytest.mark.parametrize(("entry", "message"), [
    ({"seconds": "-5"}, "more than 0 seconds"),
    ({"seconds": "0"}, "more than 0 seconds"),
    ({"seconds": "99999"}, "over four hours"),
    ({"seconds": "ten"}, "must be a whole number"),
    ({"seq": "9"}, "from 1 to 7"),
    ({"outcome": "sort of"}, "Choose the outcome"),
    ({"issue": "Menu hidden"}, "Give the issue a severity"),
    ({"issue": "Menu hidden", "severity": "7"}, "Severity is from 0"),
    ({"note": "x" * 2001}, "Keep a note under 2000 characters"),
])
async def test_bad_run_entries_are_refused_and_nothing_is_stored(entry, message):
    study = await make_study()
    who = await consented(study.id)
    with pytest.raises(StudyError, match=message):
        await running.record_task(study.id, who.id, study.current_tasks[0].id, running.TaskEntry(**{"note": "Looked at the menu", **entry}))
    assert await TaskResult.count() == 0 and await Observation.count() == 0 and await IssueSighting.count() == 0


async def test_a_flagged_note_goes_to_the_safeguarding_lead_and_never_into_results_or_themes():
    study = await make_study()
    who = await consented(study.id)
    task = study.current_tasks[0]
    recorded = await outcome(study.id, who.id, task.id, "success", 50, 6, note=DISCLOSURE, note_kind="quote")
    assert recorded.note_held
    disclosure = await Disclosure.select().where(Disclosure.source_kind == "study_observation").first()
    assert disclosure["text"] == DISCLOSURE and "User test" in disclosure["place"] and disclosure["survey"] is None
    await outcome(study.id, who.id, task.id, "success", 50, 6, note="I would tap the big orange button", note_kind="quote")
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    assert [q["text"] for q in summary.quotes] == ["I would tap the big orange button"]
    items = await StudyObservationSource(study.id).items()
    assert [i.text for i in items] == ["I would tap the big orange button"]


async def test_withdrawal_deletes_the_participants_notes_and_results_and_is_logged():
    study = await make_study()
    task = study.current_tasks[0]
    staying, leaving = await consented(study.id), await consented(study.id)
    for who in (staying, leaving):
        await outcome(study.id, who.id, task.id, "failed", 90, 2, note=f"{who.code} could not find the menu", issue="Menu hidden", severity="3")
        await running.save_sus(study.id, who.id, [2, 4, 2, 4, 3, 3, 2, 4, 2, 4])
    deleted = await participants.withdraw(study.id, leaving.id, actor=participants.Actor(None, "facilitator@example.org"))
    assert deleted == {"results": 1, "notes": 1, "issues": 1, "sus": 1}
    for table in (TaskResult, Observation, IssueSighting, SusResponse):
        assert await table.count().where(table.participant == leaving.id) == 0, table
        assert await table.count().where(table.participant == staying.id) == 1, table
    log = await AuditEvent.select().output(load_json=True).where(AuditEvent.action == "study_participant_withdrawn").first()
    assert log["target_id"] == str(leaving.id) and log["detail"]["notes"] == 1
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    assert summary.participants == 1 and summary.withdrawn == 1 and [s.code for s in summary.sus] == ["P01"]
    assert summary.issues[0].frequency == 1 and summary.tasks[0].completion.n == 1
    assert all("P02" not in i.text for i in await StudyObservationSource(study.id).items())
    with pytest.raises(StudyError, match="P02 has withdrawn"):
        await outcome(study.id, leaving.id, task.id, "success")
    with pytest.raises(StudyError, match="already withdrawn"):
        await participants.withdraw(study.id, leaving.id, actor=participants.Actor(None, "facilitator@example.org"))


async def test_sus_out_of_range_is_refused_and_an_incomplete_one_is_kept_unscored():
    study = await make_study()
    who, other = await consented(study.id), await consented(study.id)
    with pytest.raises(StudyError, match="Statement 3: the answer must be from 1 to 5, not '6'"):
        running.read_sus(["4", "1", "6", "2", "5", "1", "4", "2", "3", "1"])
    with pytest.raises(StudyError, match="The SUS has 10 statements; the form sent 9"):
        running.read_sus(["3"] * 9)
    assert await running.save_sus(study.id, who.id, running.read_sus(["4", "1", "5", "2", "5", "1", "4", "2", "3", "1"])) == 85.0
    assert await running.save_sus(study.id, other.id, running.read_sus(["3", "3", "", "3", "3", "3", "3", "3", "3", "3"])) is None
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    assert [(s.code, s.score, s.grade, s.answered) for s in summary.sus] == [("P01", 85.0, "A+", 10), ("P02", None, "", 9)]
    assert summary.sus_mean.estimate == 85.0 and summary.sus_mean.n == 1 and summary.sus_grade == "A+"


async def test_results_reproduce_the_worked_examples_from_stored_sessions():
    study = await make_study(tasks=1)
    task = study.current_tasks[0]
    times = [55, 65, 75, 62, 45, 135]
    people = [await consented(study.id) for _ in range(6)]
    for who, seconds in zip(people[:5], times[:5], strict=True):
        await outcome(study.id, who.id, task.id, "success", seconds, 6)
    await outcome(study.id, people[5].id, task.id, "success", times[5], 3)
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    time = summary.tasks[0].time
    assert (round(time.estimate), round(time.low), round(time.high), time.n) == (68, 46, 101, 6)
    # 4 of 5: one more participant, who failed, would make 5 of 6; so test 4 of 5 on a fresh task.
    await studies.add_task(study.id, studies.TaskFields("Second", "Find the phone number."))
    second = (await studies.load_study(study.id)).current_tasks[1]
    for n, who in enumerate(people[:5]):
        await outcome(study.id, who.id, second.id, "success" if n < 4 else "with_help", 60, 5)
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    completion = summary.tasks[1].completion
    assert completion.low * 100 == pytest.approx(35.96, abs=0.02) and completion.high * 100 == pytest.approx(97.96, abs=0.02)
    assert completion.n == 5
    assert summary.tasks[1].outcomes == {"success": 4, "with_help": 1, "failed": 0, "abandoned": 0}
    assert summary.tasks[0].seq.estimate == pytest.approx(5.5) and summary.tasks[0].seq.n == 6


async def test_cohort_breakdowns_keep_small_groups_back_unless_the_viewer_may_see_them():
    study = await make_study(tasks=1)
    task = study.current_tasks[0]
    for n in range(8):
        who = await consented(study.id, group="young_person" if n < 6 else "parent_carer", age_band="13-15" if n < 6 else "26+")
        await outcome(study.id, who.id, task.id, "success" if n % 3 else "failed", 60)
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    rows = {r.label: r for r in summary.tasks[0].cohorts}
    assert rows["Parent or carer"].attempts is None and summary.tasks[0].cohorts_kept_back
    # Kept back too: the young people's row would give the parents' away by subtraction from the task's total.
    assert rows["Young person"].attempts is None
    revealed = await results.summarise(await studies.load_study(study.id), threshold=5, reveal_small_groups=True)
    rows = {r.label: r for r in revealed.tasks[0].cohorts}
    assert (rows["Young person"].succeeded, rows["Young person"].attempts) == (4, 6) and rows["Parent or carer"].small
    by_age = await results.summarise(await studies.load_study(study.id), threshold=5, breakdown="age", reveal_small_groups=True)
    assert {r.label: (r.succeeded, r.attempts) for r in by_age.tasks[0].cohorts} == {"13-15": (4, 6), "26+": (1, 2)}


async def test_issues_are_ranked_by_severity_times_frequency():
    study = await make_study(tasks=1)
    task = study.current_tasks[0]
    people = [await consented(study.id) for _ in range(3)]
    for who in people:
        await outcome(study.id, who.id, task.id, "success", issue="Button too small", severity="2")
    await outcome(study.id, people[0].id, task.id, "failed", issue="button TOO small", severity="2")  # same issue, same person
    await outcome(study.id, people[1].id, task.id, "failed", issue="Lost on the map page", severity="4")
    await outcome(study.id, people[2].id, task.id, "failed", note="This is confusing", note_kind="quote")
    summary = await results.summarise(await studies.load_study(study.id), threshold=5)
    assert [(i.title, i.severity, i.frequency, i.priority) for i in summary.issues] == [
        ("Button too small", 2, 3, 6), ("Lost on the map page", 4, 1, 4)]
    assert summary.issues[0].quotes == ["This is confusing"]


async def test_send_to_insights_starts_a_theme_run_over_the_studys_observations():
    study = await make_study(tasks=1)
    run_id = await insights.start_run(StudyObservationSource(study.id), requested_by=None)
    run = await insights.get_run(run_id)
    assert run["source_kind"] == "study_observations" and run["survey"] is None
    assert isinstance(insights.source_of(run), StudyObservationSource)
