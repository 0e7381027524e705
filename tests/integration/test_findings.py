"""Findings (issue 12, item 2): made from a theme or by hand, with evidence that always resolves to its
source records and never shows a small number or a held answer; sent to a project's lead and deputy
(real SMTP) or a board's next meeting; answered once, by the recipients only, accepted with actions
or not taken forward with a reason and an owner; every finding's status, overdue flagged. Both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from analysis.redact import redact
from app.accounts import services as accounts
from app.accounts.roles import Role
from app.accounts.tables import Agency, ProjectPosition, StaffRole
from app.audit.tables import AuditEvent
from app.findings import services
from app.findings.tables import Finding, FindingAction, FindingEvidence, FindingNotice
from app.governance.services import load_structure
from app.governance.tables import Board, BoardMeeting, Project
from app.insights.services import MODEL_PARAMETERS
from app.insights.sources import SurveyQuestionSource
from app.insights.tables import Theme, ThemeMember, ThemeRun
from tests.integration.test_insights import HELD, TOPICS, answer_survey
from tests.jobs import eventually, job_rows, running_worker, smtp_settings
from tests.staff import PASSWORD, post_form, signed_in_cookie
from tests.surveys import make_survey

THRESHOLD = 5


async def person(email: str, *grants: accounts.RoleGrant, agency: Agency = Agency.other) -> int:
    return await accounts.create_user_with_password(email=email, display_name=email.split("@")[0].title(), agency=agency,
                                                     password=PASSWORD, grants=list(grants))


async def project_id(reference: str) -> int:
    return (await Project.select(Project.id).where(Project.reference == reference).first())["id"]


async def set_position(user_id: int, reference: str, position: ProjectPosition) -> None:
    await StaffRole.update({StaffRole.position: position.value}).where(StaffRole.user == user_id, StaffRole.project == await project_id(reference))


async def themed_run(survey_id: int, groups: dict[str, list[int]], texts: dict[int, str]) -> dict[str, int]:
    """A finished theme run over the survey's "say" answers, its themes and members as the job stores
    them (quotes redacted as the model makes them); returns theme ids by label."""
    source = SurveyQuestionSource(survey_id, "say")
    now = datetime.now(UTC)
    run = ThemeRun(source_key=source.key, source_kind=source.kind, survey=survey_id, parameters={**source.parameters(), **MODEL_PARAMETERS},
                   state="done", outcome="themed", progress=100, queued_at=now, finished_at=now,
                   answer_count=sum(len(v) for v in groups.values()))
    await run.save()
    ids = {}
    for position, (label, members) in enumerate(groups.items()):
        theme = Theme(run=run.id, model_id=f"t{position}", found_label=label, label=label, keywords=[label],
                      quotes=[redact(texts[m]).strip()[:300] for m in members[:4]], position=position)
        await theme.save()
        ids[label] = theme.id
        await ThemeMember.insert(*(ThemeMember(run=run.id, theme=theme.id, item_id=m, x=0.5, y=0.5) for m in members))
    ids["_run"] = run.id
    return ids


@pytest.fixture
async def world(db):
    await load_structure()
    survey_id = await make_survey(code="finds", project=await project_id("3.3a"))
    texts = {}
    groups = {}
    for topic, answers in TOPICS.items():
        ids = await answer_survey(survey_id, answers, prefix=topic)
        texts |= dict(zip(ids, answers, strict=True))
        groups[topic] = ids
    # The lights theme also names an answer held for the safeguarding lead (as a run made before it was held would).
    held = await answer_survey(survey_id, [HELD], prefix="held")
    texts[held[0]] = HELD
    groups["lights"] = [held[0], *groups["lights"]]
    themes = await themed_run(survey_id, groups, texts)
    board = (await Board.select(Board.id).where(Board.slug == "youth-safety-implementation-board").first())["id"]
    people = {
        "participation": await person("pl@example.org", accounts.RoleGrant(Role.participation_lead)),
        "lead": await person("lead@example.org", accounts.RoleGrant(Role.project_lead, project_id=await project_id("3.3a"))),
        "deputy": await person("deputy@example.org", accounts.RoleGrant(Role.project_lead, project_id=await project_id("3.3a"))),
        "other_lead": await person("other@example.org", accounts.RoleGrant(Role.project_lead, project_id=await project_id("2.3"))),
        "member": await person("member@example.org", accounts.RoleGrant(Role.board_member, board_id=board)),
        "analyst": await person("analyst@example.org", accounts.RoleGrant(Role.analyst)),
    }
    await set_position(people["lead"], "3.3a", ProjectPosition.lead)
    await set_position(people["deputy"], "3.3a", ProjectPosition.deputy)
    await set_position(people["other_lead"], "2.3", ProjectPosition.lead)
    return {"survey": survey_id, "themes": themes, "people": people, "texts": texts, "held": held[0], "board": board}


async def as_user(client, user_id: int):
    client.cookies.clear()
    client.cookies.update(await signed_in_cookie(user_id))
    await client.get("/login")  # the CSRF cookie, as a browser has it
    return client


async def draft_from_theme(client, world, topic: str = "lights") -> int:
    await as_user(client, world["people"]["participation"])
    response = await post_form(client, f"/findings/from-theme/{world['themes'][topic]}")
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].split("/findings/")[1].split("?")[0])


async def ready(client, finding_id: int) -> None:
    response = await post_form(client, f"/findings/{finding_id}/edit", {
        "title": "Street lights", "summary": "Young people asked for more street lights.", "recommendation": "Fix the lights by the park."})
    assert response.status_code == 303


async def send_to_project(client, world, reference: str = "3.3a") -> int:
    finding_id = await draft_from_theme(client, world)
    await ready(client, finding_id)
    response = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"project:{await project_id(reference)}"})
    assert response.status_code == 303, response.text[:1000]
    return finding_id


async def test_a_finding_from_a_theme_carries_its_counts_and_quotes_each_resolving_to_its_sources(client, world):
    finding_id = await draft_from_theme(client, world)
    evidence = await FindingEvidence.select().output(load_json=True).where(FindingEvidence.finding == finding_id).order_by(FindingEvidence.position)
    counts, quotes = evidence[0], evidence[1:]
    assert counts["kind"] == "theme_counts" and counts["theme_id"] == world["themes"]["lights"] and counts["run_id"] == world["themes"]["_run"]
    # Six answers shown (the held one is not among the answers that can be counted), out of 18, and no sentiment split of a
    # theme whose parts are under 5.
    assert counts["figures"]["answers"] == "6" and counts["figures"]["total"] == "18" and counts["figures"]["share"] == "33%"
    assert counts["figures"]["sentiment"] is None
    assert world["held"] not in counts["item_ids"] and len(counts["item_ids"]) == 6
    assert [q["kind"] for q in quotes] == ["quote"] * 3
    for quote in quotes:
        (item,) = quote["item_ids"]
        assert quote["quote"] == redact(world["texts"][item]).strip()[:300] and item != world["held"]
    assert all(HELD[:20] not in q["quote"] for q in quotes)
    page = (await client.get(f"/findings/{finding_id}")).text
    assert f'href="/staff/insights/runs/{world["themes"]["_run"]}#theme-{world["themes"]["lights"]}"' in page
    assert f'href="/staff/surveys/{world["survey"]}/results"' in page and "no longer all there" not in page
    assert await AuditEvent.count().where(AuditEvent.action == "finding_created") == 1


async def test_a_small_theme_gives_no_small_number_and_no_quotes(client, world):
    texts = ["a bench near the bus stop", "benches at the bus stop please"]
    small = await answer_survey(world["survey"], texts, prefix="small")
    world["themes"]["small"] = (await themed_run(world["survey"], {"small": small}, dict(zip(small, texts, strict=True))))["small"]
    finding_id = await draft_from_theme(client, world, "small")
    evidence = await FindingEvidence.select().output(load_json=True).where(FindingEvidence.finding == finding_id)
    assert [e["kind"] for e in evidence] == ["theme_counts"]
    assert evidence[0]["figures"]["answers"] == "fewer than 5" and evidence[0]["figures"]["share"] is None
    assert "2 of" not in (await client.get(f"/findings/{finding_id}")).text


async def test_every_evidence_item_of_every_finding_resolves_to_its_source_records(client, world):
    from tests.integration.surveys.test_indicators import make_wave, people

    baseline = await make_wave("Findings waves", 1, people(knows={"yes": 4, "no": 4}, safe={2: 4, 4: 4}, trust={5: 8}))
    follow_up = await make_wave("Findings waves", 2, people(knows={"yes": 6, "no": 2}, safe={2: 2, 4: 6}, trust={7: 8}))
    first = await draft_from_theme(client, world, "lights")
    second = await draft_from_theme(client, world, "police")
    hand = await post_form(client, "/findings/", {"title": "Clubs", "summary": "Young people want clubs.", "recommendation": "Open clubs."})
    third = int(hand.headers["location"].split("/findings/")[1].split("?")[0])
    assert (await post_form(client, f"/findings/{third}/evidence/quote", {"choice": f"{world['themes']['clubs']}:1"})).status_code == 303
    assert (await post_form(client, f"/findings/{third}/evidence/indicator", {"choice": "1|Findings waves|knows"})).status_code == 303
    assert (await post_form(client, f"/findings/{second}/evidence/theme", {"choice": str(world["themes"]["clubs"])})).status_code == 303
    indicator = await FindingEvidence.select().output(load_json=True).where(FindingEvidence.kind == "indicator").first()
    assert indicator["survey_ids"] == [baseline, follow_up] and indicator["question_key"] == "knows" and indicator["outcome_number"] == 1
    rows = await FindingEvidence.select().output(load_json=True)
    assert {r["finding"] for r in rows} == {first, second, third} and {r["kind"] for r in rows} == {"theme_counts", "quote", "indicator"}
    for row in rows:
        resolved = await services.resolve_evidence(row)
        assert resolved.resolves and resolved.sources, row
    page = (await client.get(f"/findings/{third}")).text
    assert 'href="/outcomes/1"' in page and f'href="/staff/surveys/{baseline}/results"' in page and f'href="/staff/surveys/{follow_up}/results"' in page
    # A source that goes away is said, not hidden.
    await ThemeRun.delete().where(ThemeRun.id == world["themes"]["_run"])
    assert not (await services.resolve_evidence(rows[0])).resolves


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "", "summary": "x"}, "Give the finding a title."),
    ({"title": "Lights", "summary": "  "}, "Write a summary"),
    ({"title": "L" * 201, "summary": "x"}, "Keep the title to 200 characters or fewer"),
])
async def test_a_bad_new_finding_is_refused_on_its_form_and_nothing_is_stored(client, world, fields, message):
    await as_user(client, world["people"]["participation"])
    response = await post_form(client, "/findings/", fields)
    assert response.status_code == 422 and message in unescape(response.text)
    assert await Finding.count() == 0


async def test_bad_evidence_choices_are_refused_on_the_page(client, world):
    await as_user(client, world["people"]["participation"])
    hand = await post_form(client, "/findings/", {"title": "Clubs", "summary": "Clubs."})
    finding_id = int(hand.headers["location"].split("/findings/")[1].split("?")[0])
    for path, choice, message in [("theme", "abc", "Choose a theme from the list."), ("theme", "999999", "Choose a theme from the list."),
                                  ("quote", f"{world['themes']['clubs']}:99", "Choose one of the quotes the theme shows."),
                                  ("indicator", "1|No such series|knows", "Choose an outcome indicator from the list.")]:
        response = await post_form(client, f"/findings/{finding_id}/evidence/{path}", {"choice": choice})
        assert response.status_code == 422 and message in unescape(response.text), (path, choice)
    assert await FindingEvidence.count() == 0
    assert (await post_form(client, "/findings/999999/evidence/theme", {"choice": "1"})).status_code == 404


async def test_sending_to_a_project_with_no_lead_is_refused_and_nothing_is_sent(client, world):
    finding_id = await draft_from_theme(client, world)
    await ready(client, finding_id)
    response = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"project:{await project_id('1.1')}"})
    assert response.status_code == 422 and "Project 1.1 has no lead yet: name a lead on the project's page first" in unescape(response.text)
    row = await Finding.select().where(Finding.id == finding_id).first()
    assert row["state"] == "draft" and row["project"] is None and row["due_on"] is None
    assert await job_rows("findings.notify") == [] and await AuditEvent.count().where(AuditEvent.action == "finding_sent") == 0


async def test_sending_needs_a_recommendation_and_evidence(client, world):
    await as_user(client, world["people"]["participation"])
    hand = await post_form(client, "/findings/", {"title": "Clubs", "summary": "Clubs."})
    finding_id = int(hand.headers["location"].split("/findings/")[1].split("?")[0])
    project = await project_id("3.3a")
    response = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"project:{project}"})
    assert response.status_code == 422 and "Write the recommendation before sending." in unescape(response.text)
    await post_form(client, f"/findings/{finding_id}/edit", {"title": "Clubs", "summary": "Clubs.", "recommendation": "Open them."})
    response = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"project:{project}"})
    assert response.status_code == 422 and "Add at least one piece of evidence before sending." in unescape(response.text)
    assert (await post_form(client, f"/findings/{finding_id}/send", {"choice": "nowhere"})).status_code == 422
    assert (await Finding.select(Finding.state).first())["state"] == "draft"


async def test_sending_to_a_board_with_no_meeting_ahead_is_refused(client, world, frozen_clock):
    finding_id = await draft_from_theme(client, world)
    await ready(client, finding_id)
    await BoardMeeting.insert(BoardMeeting(board=world["board"], meets_on=frozen_clock.now().date() - timedelta(days=1)))
    response = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"board:{world['board']}"})
    assert response.status_code == 422 and "has no meeting date ahead: add its next meeting first" in unescape(response.text)
    assert (await Finding.select(Finding.state).first())["state"] == "draft"


async def test_a_finding_sent_to_a_project_mails_its_lead_and_deputy_once_and_is_due_in_28_days(client, world, smtp_server, frozen_clock):
    finding_id = await send_to_project(client, world)
    row = await Finding.select().where(Finding.id == finding_id).first()
    assert row["state"] == "sent" and row["due_on"] == frozen_clock.now().date() + timedelta(days=28)
    assert await AuditEvent.count().where(AuditEvent.action == "finding_sent") == 1
    async with running_worker(smtp_settings(smtp_server)):
        await eventually(lambda: _notices(2), what="both notices")
    for address in ("lead@example.org", "deputy@example.org"):
        (body,) = smtp_server.bodies_to(address)
        assert "Street lights" in body and f"/findings/{finding_id}" in body and "Please answer by" in body
    assert smtp_server.bodies_to("other@example.org") == [] and smtp_server.bodies_to("member@example.org") == []
    # Run again (a retry): no one is mailed twice.
    assert await services.notify_recipients(smtp_settings(smtp_server), finding_id) == 0
    assert len(smtp_server.messages) == 2
    # Sent once only.
    again = await post_form(client, f"/findings/{finding_id}/send", {"choice": f"project:{await project_id('3.3a')}"})
    assert again.status_code == 404 or "sent already" in unescape(again.text)


async def _notices(count: int) -> bool:
    return await FindingNotice.count() >= count


async def test_the_inbox_is_scoped_to_the_recipients_and_only_they_answer(client, world):
    finding_id = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    assert "Street lights" in (await client.get("/inbox/")).text
    assert (await client.get(f"/findings/{finding_id}")).status_code == 200
    await as_user(client, world["people"]["other_lead"])
    assert "Street lights" not in (await client.get("/inbox/")).text
    assert (await client.get(f"/findings/{finding_id}")).status_code == 404
    accept = {"description": "Fix the lights", "owner": "Sam Patel", "due_on": "2027-03-01", "progress": "0"}
    assert (await post_form(client, f"/findings/{finding_id}/accept", accept)).status_code == 404
    await as_user(client, world["people"]["member"])  # the implementation board's member: not sent to the board
    assert (await client.get(f"/findings/{finding_id}")).status_code == 404
    await as_user(client, world["people"]["analyst"])  # no inbox, no answering
    assert (await client.get("/inbox/")).status_code == 403
    assert (await post_form(client, f"/findings/{finding_id}/accept", accept)).status_code == 403
    await as_user(client, world["people"]["participation"])  # sees it, but it is not theirs to answer
    assert (await post_form(client, f"/findings/{finding_id}/accept", accept)).status_code == 403
    assert (await Finding.select(Finding.answer).first())["answer"] is None and await FindingAction.count() == 0


async def test_accepted_with_an_action_whose_progress_is_updated_later(client, world):
    finding_id = await send_to_project(client, world)
    await as_user(client, world["people"]["deputy"])
    for fields, message in [({"description": "", "owner": "Sam", "due_on": "2027-03-01"}, "Describe the action."),
                            ({"description": "Fix", "owner": " ", "due_on": "2027-03-01"}, "Name the action's owner"),
                            ({"description": "Fix", "owner": "Sam", "due_on": ""}, "Give the action a due date."),
                            ({"description": "Fix", "owner": "Sam", "due_on": "1/3/27"}, "Give the date as a date"),
                            ({"description": "Fix", "owner": "Sam", "due_on": "2027-03-01", "progress": "101"}, "from 0 to 100")]:
        response = await post_form(client, f"/findings/{finding_id}/accept", fields)
        assert response.status_code == 422 and message in unescape(response.text), fields
    assert (await Finding.select(Finding.answer).first())["answer"] is None and await FindingAction.count() == 0
    response = await post_form(client, f"/findings/{finding_id}/accept",
                               {"description": "Fix the lights by the park", "owner": "Sam Patel", "due_on": "2027-03-01", "progress": "10"})
    assert response.status_code == 303
    action = await FindingAction.select().first()
    assert action["owner"] == "Sam Patel" and action["progress"] == 10
    assert (await post_form(client, f"/findings/{finding_id}/actions/{action['id']}/progress", {"progress": "150"})).status_code == 422
    assert (await post_form(client, f"/findings/{finding_id}/actions/{action['id']}/progress", {"progress": "60"})).status_code == 303
    assert (await post_form(client, f"/findings/{finding_id}/actions", {"description": "Walkabout with young people", "owner": "Jo Lee",
                                                                        "due_on": "2027-04-01"})).status_code == 303
    actions = await services.list_actions([finding_id])
    assert [(a.progress, a.owner) for a in actions] == [(60, "Sam Patel"), (0, "Jo Lee")]
    page = (await client.get(f"/findings/{finding_id}")).text
    assert "Accepted" in page and "60%" in page and "Walkabout with young people" in page
    assert await AuditEvent.count().where(AuditEvent.action == "finding_answered") == 1
    assert await AuditEvent.count().where(AuditEvent.action == "finding_action_changed") == 2
    # Answered twice: refused, and the first answer stands.
    twice = await post_form(client, f"/findings/{finding_id}/not-taken-forward", {"reason": "Changed our minds", "owner": "Sam Patel"})
    assert twice.status_code == 409 and "answered already" in unescape(twice.text)
    assert (await Finding.select(Finding.answer).first())["answer"] == "accepted"


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": "", "owner": "Sam Patel"}, "Say why it is not taken forward"),
    ({"reason": "No budget this year.", "owner": ""}, "Name who owns this decision"),
    ({}, "Say why it is not taken forward"),
])
async def test_not_taken_forward_needs_a_reason_and_an_owner(client, world, fields, message):
    finding_id = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    response = await post_form(client, f"/findings/{finding_id}/not-taken-forward", fields)
    assert response.status_code == 422 and message in unescape(response.text)
    assert (await Finding.select(Finding.answer).first())["answer"] is None
    assert await AuditEvent.count().where(AuditEvent.action == "finding_answered") == 0


async def test_not_taken_forward_once_with_its_reason_and_owner(client, world):
    finding_id = await send_to_project(client, world)
    await as_user(client, world["people"]["lead"])
    fields = {"reason": "The council is replacing every light next year.", "owner": "Sam Patel"}
    assert (await post_form(client, f"/findings/{finding_id}/not-taken-forward", fields)).status_code == 303
    twice = await post_form(client, f"/findings/{finding_id}/not-taken-forward", fields)
    assert twice.status_code == 409 and "answered already" in unescape(twice.text)
    row = await Finding.select().where(Finding.id == finding_id).first()
    assert (row["answer"], row["answer_reason"], row["answer_owner"]) == ("not_taken_forward", fields["reason"], "Sam Patel")
    assert (await post_form(client, f"/findings/{finding_id}/actions", {"description": "x", "owner": "y", "due_on": "2027-01-01"})).status_code == 422
    await as_user(client, world["people"]["participation"])
    assert "Not taken forward" in (await client.get("/findings/?status=not_taken_forward")).text


async def test_the_participation_lead_sees_every_status_and_overdue_answers_are_flagged(client, world, frozen_clock):
    answered = await send_to_project(client, world)
    waiting = await send_to_project(client, world)
    draft = await draft_from_theme(client, world, "police")
    await as_user(client, world["people"]["lead"])
    await post_form(client, f"/findings/{answered}/accept", {"description": "Fix", "owner": "Sam Patel", "due_on": "2027-03-01"})
    statuses = {f.id: f.status for f in await services.list_findings(_user(world["people"]["participation"]))}
    assert statuses == {answered: "accepted", waiting: "sent", draft: "draft"}
    frozen_clock.advance(days=29)
    statuses = {f.id: f.status for f in await services.list_findings(_user(world["people"]["participation"]))}
    assert statuses == {answered: "accepted", waiting: "overdue", draft: "draft"}
    await as_user(client, world["people"]["participation"])
    page = (await client.get("/findings/?status=overdue")).text
    assert f"/findings/{waiting}" in page and f"/findings/{answered}\"" not in page and "⚠ Overdue" in page
    assert f"/findings/{draft}\"" in (await client.get("/findings/?status=draft")).text
    by_project = (await client.get(f"/findings/?project={await project_id('2.3')}")).text
    assert "No findings match these filters" in by_project
    await as_user(client, world["people"]["lead"])
    assert (await client.get("/findings/")).status_code == 403  # the list of every finding is the participation lead's


def _user(user_id: int):
    from app.accounts.auth import CurrentUser

    return CurrentUser(id=user_id, email="", display_name="", roles=frozenset({Role.participation_lead}), mfa_enabled=False,
                       mfa_passed=True, session_token="")


async def test_a_finding_sent_to_a_board_goes_to_its_next_meeting_and_its_members(client, world, smtp_server, frozen_clock):
    today = frozen_clock.now().date()
    await BoardMeeting.insert(BoardMeeting(board=world["board"], meets_on=today + timedelta(days=40)),
                              BoardMeeting(board=world["board"], meets_on=today + timedelta(days=12)))
    finding_id = await draft_from_theme(client, world)
    await ready(client, finding_id)
    assert (await post_form(client, f"/findings/{finding_id}/send", {"choice": f"board:{world['board']}"})).status_code == 303
    row = await Finding.select().where(Finding.id == finding_id).first()
    assert row["board"] == world["board"] and row["due_on"] == today + timedelta(days=12) and row["meeting"] is not None
    assert await services.notify_recipients(smtp_settings(smtp_server), finding_id) == 1
    assert len(smtp_server.bodies_to("member@example.org")) == 1 and smtp_server.bodies_to("lead@example.org") == []
    await as_user(client, world["people"]["member"])
    assert "Street lights" in (await client.get("/inbox/")).text
    assert f"/findings/{finding_id}" in (await client.get("/boards/youth-safety-implementation-board")).text
    response = await post_form(client, f"/findings/{finding_id}/accept", {"description": "Board asks the council", "owner": "Chair",
                                                                          "due_on": "2027-02-01"})
    assert response.status_code == 303
    await as_user(client, world["people"]["lead"])
    assert "Street lights" not in (await client.get("/inbox/")).text
    assert f"/findings/{finding_id}" not in (await client.get("/boards/youth-safety-implementation-board")).text


async def test_the_demo_has_two_findings_from_its_themes_sent_and_answered_and_loading_again_adds_none(db):
    from app.accounts.demo import load_demo_users
    from app.findings.demo import load_demo_findings
    from app.governance.demo import load_demo_governance
    from surveys.questionnaires.demo import load_demo_survey

    await load_structure()
    await load_demo_users()
    await load_demo_survey(responses=120)
    await load_demo_governance()
    assert await load_demo_findings(threshold=THRESHOLD) == 2
    assert await load_demo_findings(threshold=THRESHOLD) == 0
    rows = await Finding.select().order_by(Finding.id)
    assert [(r["state"], r["answer"]) for r in rows] == [("sent", "accepted"), ("sent", "not_taken_forward")]
    assert rows[1]["answer_reason"] and rows[1]["answer_owner"]
    assert await FindingAction.count() == 1 and (await FindingAction.select().first())["owner"]
    for row in await FindingEvidence.select().output(load_json=True):
        assert (await services.resolve_evidence(row)).resolves, row
    assert {r["kind"] for r in await FindingEvidence.select(FindingEvidence.kind)} == {"theme_counts", "quote"}


async def test_a_finding_whose_email_job_was_lost_is_queued_again_by_the_sweep_and_mailed_once(client, world, smtp_server):
    from app.database import current_engine
    from tests.conftest import JOB_QUEUE_TABLES

    finding_id = await send_to_project(client, world)
    for table in JOB_QUEUE_TABLES:  # the process died between the commit and the enqueue
        await current_engine().run_ddl(f"DELETE FROM {table}")
    assert await services.sweep_unnotified() == [finding_id]
    assert len(await job_rows("findings.notify")) == 1
    assert await services.notify_recipients(smtp_settings(smtp_server), finding_id) == 2
    assert await services.sweep_unnotified() == []  # told: nothing more to queue
    assert len(smtp_server.messages) == 2
