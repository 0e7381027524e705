"""The safeguarding lead's queue: flagged words reach the lead and nobody else, every look is on the
record, and triage moves one step at a time with a note, refusing anything out of order or stale."""

import asyncio
import csv
import io
import json
from datetime import UTC, datetime

import pytest

from app.accounts.roles import Role
from app.audit.tables import AuditEvent
from app.safeguarding import services as safeguarding
from app.safeguarding.tables import Disclosure, TriageStep
from surveys.questionnaires import definitions, submitting
from surveys.questionnaires.definition import Given
from surveys.questionnaires.tables import Answer, ResponseMode
from tests.staff import make_user, post_form, signed_in_cookie
from tests.surveys import make_survey

DISCLOSURE = "my stepdad hits me when he is drunk and I am scared to go home"
ORDINARY = "More youth clubs please, and buses that come on time"


@pytest.fixture
async def held(db):
    """A survey with ten ordinary answers and one disclosure; returns (survey id, disclosure id)."""
    survey_id = await make_survey(code="feel")
    definition = await definitions.load_definition(survey_id)
    for n in range(11):
        say = DISCLOSURE if n == 5 else f"{ORDINARY} ({n})"
        await submitting.store_response(definition, {"knows": Given("yes"), "area": Given("north"), "say": Given(say)},
                                      submission_key=f"k{n}", receipt=f"r{n}", language="en", mode=ResponseMode.online,
                                      started_at=datetime.now(UTC))
    disclosure = await Disclosure.select().first()
    return survey_id, disclosure["id"]


async def signed_in(client, role: Role, email: str | None = None) -> int:
    user_id = await make_user(role, email=email or f"{role.value}@example.org")
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(user_id))
    return user_id


async def test_a_flagged_answer_is_held_with_where_when_question_level_categories_and_reasons(held):
    survey_id, disclosure_id = held
    row = await Disclosure.select().where(Disclosure.id == disclosure_id).first()
    answer = await Answer.select(Answer.id, Answer.screening_level).where(Answer.id == row["source_id"]).first()
    assert row["text"] == DISCLOSURE and row["survey"] == survey_id and row["source_kind"] == "survey_answer"
    assert row["level"] in ("urgent", "concern") and answer["screening_level"] == row["level"]
    assert row["categories"] and row["reasons"] and row["question"] and "online" in row["place"]
    assert row["state"] == "new" and await Disclosure.count() == 1


@pytest.mark.parametrize("role", [Role.participation_lead, Role.analyst, Role.facilitator, Role.project_lead])
async def test_no_other_role_sees_the_words_anywhere(client, held, role):
    survey_id, _ = held
    await signed_in(client, role)
    places = [f"/staff/surveys/{survey_id}", f"/staff/surveys/{survey_id}/results.json", f"/staff/surveys/{survey_id}/results.csv"]
    places += [f"/staff/surveys/{survey_id}/export/{fmt}" for fmt in ("csv", "json", "xlsx")]
    for url in places:
        response = await client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert b"stepdad" not in response.content, url
        assert b"held for the safeguarding lead" not in response.content, url  # not even a placeholder to count
    assert (await client.get("/safeguarding/")).status_code == 403
    assert (await client.get("/safeguarding/disclosures/1")).status_code == 403


async def test_held_words_are_not_counted_either(client, held):
    survey_id, _ = held
    await signed_in(client, Role.analyst)
    api = (await client.get(f"/staff/surveys/{survey_id}/results.json")).json()
    say = next(q for q in api["questions"] if q["key"] == "say")
    assert say["answered"] == 10 and len(say["free_text"]) == 10  # 11 wrote; the one held is as if unanswered


async def test_the_lead_sees_the_queue_and_the_page_and_every_look_is_audited(client, held):
    _, disclosure_id = held
    lead = await signed_in(client, Role.safeguarding_lead)
    queue = await client.get("/safeguarding/")
    assert queue.status_code == 200 and "stepdad" in queue.text and "Kinds of harm" in queue.text
    page = await client.get(f"/safeguarding/disclosures/{disclosure_id}")
    assert page.status_code == 200 and "stepdad" in page.text and "Why it was flagged" in page.text
    views = await AuditEvent.select().where(AuditEvent.action == "safeguarding_viewed").order_by(AuditEvent.id).output(load_json=True)
    assert [(v["actor_id"], v["target_id"], v["detail"]["on"]) for v in views] == [
        (lead, str(disclosure_id), "queue"), (lead, str(disclosure_id), "page")]
    assert (await client.get("/safeguarding/disclosures/999999")).status_code == 404


async def triage(client, disclosure_id, to_state, note="Spoke to the school DSL; referral made.", version=None):
    if version is None:
        version = (await Disclosure.select(Disclosure.version).where(Disclosure.id == disclosure_id).first())["version"]
    return await post_form(client, f"/safeguarding/disclosures/{disclosure_id}/triage",
                           {"to_state": to_state, "note": note, "version": str(version)})


async def test_triage_goes_new_acknowledged_action_taken_closed_with_a_note_who_and_when(client, held):
    _, disclosure_id = held
    await signed_in(client, Role.safeguarding_lead, "dsl@example.org")
    for state in ("acknowledged", "action_taken", "closed"):
        response = await triage(client, disclosure_id, state, note=f"note for {state}")
        assert response.status_code == 303, response.text
    steps = await TriageStep.select().order_by(TriageStep.id)
    assert [(s["from_state"], s["to_state"], s["note"], s["by_email"]) for s in steps] == [
        ("new", "acknowledged", "note for acknowledged", "dsl@example.org"),
        ("acknowledged", "action_taken", "note for action_taken", "dsl@example.org"),
        ("action_taken", "closed", "note for closed", "dsl@example.org"),
    ]
    page = await client.get(f"/safeguarding/disclosures/{disclosure_id}")
    assert "there are no more steps" in page.text and "note for action_taken" in page.text
    assert "stepdad" not in (await client.get("/safeguarding/")).text  # closed: out of the open queue
    assert "stepdad" in (await client.get("/safeguarding/", params={"view": "closed"})).text
    assert await AuditEvent.count().where(AuditEvent.action == "safeguarding_triaged") == 3


@pytest.mark.parametrize(("to_state", "note", "message"), [
    ("acknowledged", "   ", "Write a note"),
    ("closed", "closing", "cannot become closed"),            # out of order: new cannot be closed
    ("action_taken", "done", "cannot become action taken"),
    ("sideways", "what", "Choose what happens next"),
    ("", "what", "Choose what happens next"),
    ("acknowledged", "x" * 5001, "too long"),
])
async def test_bad_triage_is_refused_on_the_form_and_changes_nothing(client, held, to_state, note, message):
    _, disclosure_id = held
    await signed_in(client, Role.safeguarding_lead)
    response = await triage(client, disclosure_id, to_state, note=note)
    assert response.status_code == 422 and message in response.text
    assert (await Disclosure.select(Disclosure.state, Disclosure.version).first()) == {"state": "new", "version": 0}
    assert await TriageStep.count() == 0


async def test_a_note_over_the_form_limit_is_a_clear_400_and_nothing_changes(client, held):
    _, disclosure_id = held
    await signed_in(client, Role.safeguarding_lead)
    response = await triage(client, disclosure_id, "acknowledged", note="x" * 20_000)
    assert response.status_code == 400 and await TriageStep.count() == 0


async def test_two_leads_acting_at_once_only_one_wins_and_the_other_is_told(client, held):
    _, disclosure_id = held
    await signed_in(client, Role.safeguarding_lead, "first@example.org")
    first = await triage(client, disclosure_id, "acknowledged", note="mine", version=0)
    await signed_in(client, Role.safeguarding_lead, "second@example.org")
    second = await triage(client, disclosure_id, "false_alarm", note="theirs", version=0)  # loaded before the first acted
    assert first.status_code == 303 and second.status_code == 409
    assert "Someone else updated this disclosure" in second.text and "mine" in second.text
    assert [s["note"] for s in await TriageStep.select()] == ["mine"]
    assert (await Answer.select(Answer.released).where(Answer.id == (await Disclosure.select().first())["source_id"]).first())["released"] is False


async def test_simultaneous_steps_at_the_service_leave_exactly_one(held):
    _, disclosure_id = held
    leads = [await make_user(Role.safeguarding_lead, email=f"lead{n}@example.org") for n in range(2)]
    from app.accounts.auth import CurrentUser

    viewers = [CurrentUser(i, f"lead{n}@example.org", "Lead", frozenset({Role.safeguarding_lead}), True, True, "x")
               for n, i in enumerate(leads)]
    outcomes = await asyncio.gather(*(safeguarding.triage(disclosure_id, "acknowledged", "on it", seen_version=0, viewer=v)
                                      for v in viewers), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "TriageConflict"]
    assert await TriageStep.count() == 1
    assert (await Disclosure.select(Disclosure.version).first())["version"] == 1


async def test_a_false_alarm_goes_back_into_normal_analysis(client, held):
    survey_id, disclosure_id = held
    await signed_in(client, Role.safeguarding_lead)
    assert (await triage(client, disclosure_id, "false_alarm", note="A song lyric, not about them.")).status_code == 303
    await signed_in(client, Role.analyst)
    document = json.loads((await client.get(f"/staff/surveys/{survey_id}/export/json")).content)
    assert DISCLOSURE in [r.get("say") for r in document["responses"]]
    rows = list(csv.reader(io.StringIO((await client.get(f"/staff/surveys/{survey_id}/export/csv")).content.decode("utf-8-sig"))))
    assert any(DISCLOSURE in cell for row in rows for cell in row)


async def test_the_lead_reveals_contact_details_on_the_page_only_with_a_reason(client, db):
    from surveys.questionnaires.tables import ContactRequest
    from tests.surveys import send, start

    await make_survey(code="feel", ask_contact=True)
    first = await start(client, "feel")
    await send(client, first, 1, knows="no")
    done = await send(client, first, 2, action="submit", say=DISCLOSURE, contact_wanted="yes", contact_details="text me on 07700 900456")
    assert done.status_code == 200 and await ContactRequest.count() == 1
    disclosure_id = (await Disclosure.select(Disclosure.id).first())["id"]
    await signed_in(client, Role.safeguarding_lead)
    page = await client.get(f"/safeguarding/disclosures/{disclosure_id}")
    assert "Show contact details" in page.text and "07700" not in page.text
    refused = await post_form(client, f"/safeguarding/disclosures/{disclosure_id}/contact", {"reason": "  "})
    assert refused.status_code == 422 and "Say why" in refused.text and "07700" not in refused.text
    shown = await post_form(client, f"/safeguarding/disclosures/{disclosure_id}/contact", {"reason": "Calling today: risk at home"})
    assert shown.status_code == 200 and "07700 900456" in shown.text
    again = await client.get(f"/safeguarding/disclosures/{disclosure_id}")
    assert "07700" not in again.text and "Contact details revealed. Reason: Calling today" in again.text
    assert await AuditEvent.count().where(AuditEvent.action == "contact_revealed") == 1
