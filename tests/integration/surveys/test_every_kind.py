"""Every question kind's answers go in and come back out: results page, results.json, results.csv
and the four exports, on whichever engine DATABASE_URL names (SQLite hands a JSON number back as
an INTEGER; PostgreSQL as text). And a question nobody answered yet shows no crash for anyone."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from app.accounts.roles import Role
from app.governance.services import load_structure
from surveys.questionnaires import building, definitions, responses, submitting
from surveys.questionnaires.building import QuestionFields
from surveys.questionnaires.definition import OTHER, Given, Option
from surveys.questionnaires.tables import Audience, QuestionKind, ResponseMode
from tests.staff import make_user, signed_in_cookie

CHOICES = (Option("red", "Red"), Option("blue", "Blue"), Option("green", "Green"))
# One answer of each kind, as the participant path stores it (definition.read_page's types).
EVERY_KIND = {
    "single": (QuestionFields(QuestionKind.single_choice, "Favourite colour?", options=CHOICES), Given("blue"), "Blue"),
    "multi": (QuestionFields(QuestionKind.multiple_choice, "Colours you like?", options=CHOICES, allow_other=True),
              Given(["red", OTHER], other_text="teal"), "Red; Other"),
    "agree": (QuestionFields(QuestionKind.likert, "I feel safe."), Given("4"), "Agree"),
    "stars": (QuestionFields(QuestionKind.rating, "Rate the park"), Given("7"), "7"),
    "knows": (QuestionFields(QuestionKind.yes_no, "Do you know who to ask?"), Given("yes"), "Yes"),
    "short": (QuestionFields(QuestionKind.short_text, "One word?"), Given("brilliant"), "brilliant"),
    "long": (QuestionFields(QuestionKind.long_text, "Tell us more"), Given("the buses are a bit late"), "the buses are a bit late"),
    "order": (QuestionFields(QuestionKind.ranking, "Put these in order", options=CHOICES), Given(["green", "red", "blue"]),
              "Green; Red; Blue"),
    "count": (QuestionFields(QuestionKind.number, "How many times?"), Given(3), "3"),
    "half": (QuestionFields(QuestionKind.number, "How many hours?"), Given(2.5), "2.5"),
    "when": (QuestionFields(QuestionKind.date, "When?"), Given("2026-11-02"), "2026-11-02"),
}
PEOPLE = 6  # above the threshold, so every role's results show every question


async def every_kind_survey(*, answers: int = PEOPLE) -> int:
    await load_structure()
    survey_id = await building.create_survey({
        "title": "Every kind", "purpose": "Round trip.", "audience": Audience.young_people, "languages": ["en"],
        "consent_text": "Anonymous.", "local_contact": "Youth team",
    }, created_by=None)
    section = (await definitions.load_definition(survey_id)).sections[0].id
    for key, (fields, _, _) in EVERY_KIND.items():
        await building.add_question(survey_id, section, QuestionFields(**{**fields.__dict__, "key": key}))
    await building.change_status(survey_id, "publish")
    definition = await definitions.load_definition(survey_id)
    for n in range(answers):
        await submitting.store_response(definition, {key: given for key, (_, given, _) in EVERY_KIND.items()},
                                      submission_key=f"every{n}", receipt=f"every{n}", language="en",
                                      mode=ResponseMode.online, started_at=datetime.now(UTC))
    return survey_id


async def as_role(client, role: Role):
    client.cookies.update(await signed_in_cookie(await make_user(role, email=f"{role.value}@example.org")))


async def test_stored_answers_of_every_kind_load_back_as_they_were_given(db):
    survey_id = await every_kind_survey(answers=1)
    stored = (await responses.load_responses(await definitions.load_definition(survey_id)))[0].answers
    assert {key: answer.given for key, answer in stored.items()} == {key: given for key, (_, given, _) in EVERY_KIND.items()}


@pytest.mark.parametrize("role", [Role.participation_lead, Role.analyst, Role.facilitator])
async def test_every_kind_reaches_the_results_page_json_and_csv(client, db, role):
    survey_id = await every_kind_survey()
    await as_role(client, role)
    page = await client.get(f"/staff/surveys/{survey_id}")
    assert page.status_code == 200, page.text
    assert "Average 3.0 · median 3.0" in page.text and "Average 2.5 · median 2.5" in page.text
    api = await client.get(f"/staff/surveys/{survey_id}/results.json")
    assert api.status_code == 200
    questions = {q["key"]: q for q in api.json()["questions"]}
    assert questions["count"]["stats"] == {"mean": 3.0, "median": 3.0}
    results_csv = await client.get(f"/staff/surveys/{survey_id}/results.csv")
    assert results_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(results_csv.content.decode("utf-8-sig"))))
    if role is Role.facilitator:
        # Everyone gave the same answers: "7: 6 of 6" would tell that nobody gave another (0), so it is hidden.
        assert questions["stars"]["counts"]["7"] == "hidden" and ["knows", "", "Yes", "hidden", ""] in rows
        return
    assert questions["stars"]["counts"]["7"] == PEOPLE and questions["when"]["counts"] == {"2026-11": PEOPLE}
    assert questions["order"]["counts"]["green"] == PEOPLE
    assert ["knows", "", "Yes", str(PEOPLE), "100.0"] in rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "sav"])
async def test_every_kind_reaches_each_export(client, db, fmt):
    survey_id = await every_kind_survey()
    await as_role(client, Role.participation_lead)
    response = await client.get(f"/staff/surveys/{survey_id}/export/{fmt}")
    assert response.status_code == 200, response.text
    if fmt == "json":
        first = json.loads(response.content)["responses"][0]
        assert {key: first[key] for key in EVERY_KIND} == {key: shown for key, (_, _, shown) in EVERY_KIND.items()}
        assert first["multi_other"] == "teal"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1]["count"] == "3" and rows[1]["half"] == "2.5" and rows[1]["stars"] == "7"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        assert sheet.cell(2, header.index("How many times?") + 1).value == "3"
    if fmt == "sav":
        import tempfile
        from pathlib import Path

        import pyreadstat

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "x.sav"
            path.write_bytes(response.content)
            frame, _ = pyreadstat.read_sav(str(path))
        assert list(frame["count"]) == [3.0] * PEOPLE and list(frame["half"]) == [2.5] * PEOPLE


@pytest.mark.parametrize("role", [Role.participation_lead, Role.analyst, Role.facilitator, Role.project_lead])
async def test_a_new_survey_with_unanswered_rating_and_number_questions_shows_results_to_every_role(client, db, role):
    survey_id = await every_kind_survey(answers=0)
    if role is Role.project_lead:
        from app.governance.tables import Project
        from surveys.questionnaires.tables import Survey

        await Survey.update({Survey.project: (await Project.select(Project.id).first())["id"]}).where(Survey.id == survey_id)
    await as_role(client, role)
    for address in (f"/staff/surveys/{survey_id}", f"/staff/surveys/{survey_id}/results.json", f"/staff/surveys/{survey_id}/results.csv"):
        response = await client.get(address)
        assert response.status_code == 200, (address, response.text[:300])
    questions = {q["key"]: q for q in (await client.get(f"/staff/surveys/{survey_id}/results.json")).json()["questions"]}
    if role in (Role.participation_lead, Role.analyst):  # they see small groups, so also a question nobody answered
        assert questions["count"]["answered"] == 0 and questions["count"]["stats"] == {}
        assert questions["stars"]["stats"] == {}
