"""Issue 12, item 9: the read-only data API under /api/v1 with per-integration tokens. Tokens are made
by admins (the secret shown once, only its hash stored), scoped, revocable, expiring and audited; the
staff cookie opens nothing here; every figure goes through the same suppression as the pages, and
quotes are redacted. Real database, both engines."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta

import pytest

from app import clock
from app.accounts.roles import Role
from app.audit.services import Actor, AuditAction
from app.audit.tables import AuditEvent
from app.integrations import auth, services
from app.integrations.tables import IntegrationToken
from surveys.questionnaires import building as survey_building
from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires.results import Viewer
from surveys.questionnaires.tables import Response
from tests.integration.surveys.test_suppression_attack import small_group_survey, structure
from tests.staff import make_user, post_form, signed_in_cookie
from tests.suppression_attacker import hidden_recovered, survey_lines

THRESHOLD = 5
ADMIN = Actor(None, "admin@example.org")
ALL_SCOPES = ["results:read", "themes:read", "indicators:read"]


async def token(*scopes: str, expires_on: str = "") -> str:
    return (await services.create_token(name="Data warehouse", scopes=list(scopes or ALL_SCOPES), expires_on=expires_on, actor=ADMIN))[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def admin_client(client):
    client.cookies.update(await signed_in_cookie(await make_user(Role.admin)))
    return client


# --- tokens: made once, kept as a hash, revoked, expired ---------------------------------------------


async def test_an_admin_makes_a_token_whose_secret_is_shown_once_and_stored_only_as_a_hash(client, db):
    await admin_client(client)
    survey_id = await small_group_survey()
    made = await post_form(client, "/admin/integrations", {"name": "Council warehouse", "scopes": ["results:read", "themes:read"]})
    assert made.status_code == 201
    secret = re.search(r'<code class="secret">([^<]+)</code>', made.text).group(1)
    assert secret.startswith("chorus_") and len(secret) > 40
    row = await IntegrationToken.select().output(load_json=True).first()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(row) and row["scopes"] == ["results:read", "themes:read"] and row["last_used_at"] is None
    # Never again: not on the list, not in the audit log.
    listing = await client.get("/admin/integrations")
    assert listing.status_code == 200 and "Council warehouse" in listing.text and secret not in listing.text
    created = await AuditEvent.select().output(load_json=True).where(AuditEvent.action == AuditAction.integration_token_created.value)
    assert len(created) == 1 and created[0]["actor_email"] == "admin@example.org" and secret not in str(created)
    assert created[0]["detail"]["scopes"] == ["results:read", "themes:read"]
    # The secret works, with a last-used time the admin can see.
    client.cookies.clear()
    answer = await client.get(f"/api/v1/surveys/{survey_id}/results", headers=bearer(secret))
    assert answer.status_code == 200, answer.text
    assert (await IntegrationToken.select(IntegrationToken.last_used_at).first())["last_used_at"] is not None


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "", "scopes": "results:read"}, "Name the integration"),
    ({"name": "Warehouse"}, "Choose at least one thing the token may read."),
    ({"name": "Warehouse", "scopes": "everything"}, "'everything' cannot be granted"),
    ({"name": "Warehouse", "scopes": "results:read", "expires_on": "2026-11-26"}, "Choose an expiry date after today"),
    ({"name": "Warehouse", "scopes": "results:read", "expires_on": "next week"}, "Write the expiry date as YYYY-MM-DD"),
    ({"name": "n" * 101, "scopes": "results:read"}, "Keep the name to 100 characters."),
])
async def test_a_bad_token_request_is_explained_on_the_form_and_nothing_is_stored(client, db, frozen_clock, fields, message):
    await admin_client(client)
    response = await post_form(client, "/admin/integrations", fields)
    assert response.status_code == 400 and message in html.unescape(response.text) and 'class="site-header"' in response.text
    assert await IntegrationToken.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == AuditAction.integration_token_created.value) == 0


async def test_a_revoked_token_gets_401_exactly_like_one_that_never_existed(client, db):
    await admin_client(client)
    survey_id = await small_group_survey()
    secret = await token("results:read")
    url = f"/api/v1/surveys/{survey_id}/results"
    assert (await client.get(url, headers=bearer(secret))).status_code == 200
    token_id = (await IntegrationToken.select(IntegrationToken.id).first())["id"]
    revoked = await post_form(client, f"/admin/integrations/{token_id}/revoke")
    assert revoked.status_code in (302, 303) and "revoked=1" in revoked.headers["location"]
    again = await post_form(client, f"/admin/integrations/{token_id}/revoke")
    assert "already=1" in again.headers["location"]
    assert await AuditEvent.count().where(AuditEvent.action == AuditAction.integration_token_revoked.value) == 1
    admin_cookies = dict(client.cookies)
    client.cookies.clear()
    after = await client.get(url, headers=bearer(secret))
    never = await client.get(url, headers=bearer("chorus_" + "x" * 43))
    assert after.status_code == never.status_code == 401
    assert after.json() == never.json() == {"status_code": 401, "detail": auth.BAD_TOKEN}
    assert after.headers["www-authenticate"].startswith("Bearer")
    client.cookies.update(admin_cookies)
    listing = await client.get("/admin/integrations")
    assert "Revoked" in listing.text


async def test_an_expired_token_is_refused_from_the_day_after_its_expiry(client, db, frozen_clock):
    survey_id = await small_group_survey()
    secret = await token("results:read", expires_on=(clock.now() + timedelta(days=1)).date().isoformat())
    url = f"/api/v1/surveys/{survey_id}/results"
    frozen_clock.advance(days=1, hours=14)  # 23:00 on its expiry day (the clock starts at 09:00 UTC)
    assert (await client.get(url, headers=bearer(secret))).status_code == 200
    frozen_clock.advance(hours=1)
    expired = await client.get(url, headers=bearer(secret))
    assert expired.status_code == 401 and expired.json()["detail"] == auth.BAD_TOKEN


async def test_no_token_or_another_scheme_is_a_401_that_says_how_to_send_one(client, db):
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        response = await client.get("/api/v1/surveys", headers=headers)
        assert response.status_code == 401 and response.json()["detail"] == auth.NO_TOKEN
        assert response.headers["www-authenticate"] == 'Bearer realm="chorus-api"'


async def test_a_token_without_the_scope_gets_403_naming_the_scope_it_needs(client, db):
    survey_id = await small_group_survey()
    themes_only = await token("themes:read")
    for url, needed in ((f"/api/v1/surveys/{survey_id}/results", "results:read"), ("/api/v1/surveys", "results:read"),
                        ("/api/v1/outcomes", "indicators:read"), ("/api/v1/outcomes/1", "indicators:read")):
        response = await client.get(url, headers=bearer(themes_only))
        assert response.status_code == 403 and f"'{needed}' scope" in response.json()["detail"], url
    results_only = await token("results:read")
    refused = await client.get(f"/api/v1/surveys/{survey_id}/themes", headers=bearer(results_only))
    assert refused.status_code == 403 and "'themes:read' scope" in refused.json()["detail"]


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
async def test_a_staff_session_cookie_does_not_open_the_api(client, db, accept):
    """Even a participation lead, who may see small groups on the pages, gets nothing here with the cookie."""
    survey_id = await small_group_survey()
    client.cookies.update(await signed_in_cookie(await make_user(Role.participation_lead)))
    response = await client.get(f"/api/v1/surveys/{survey_id}/results", headers={"Accept": accept})
    assert response.status_code == 401 and response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"] == auth.NO_TOKEN


async def test_each_token_s_first_call_of_a_day_is_audited_and_last_used_moves(client, db, frozen_clock):
    survey_id = await small_group_survey()
    secret = await token("results:read")
    for _ in range(3):
        assert (await client.get(f"/api/v1/surveys/{survey_id}/results", headers=bearer(secret))).status_code == 200
    frozen_clock.advance(days=1)
    assert (await client.get("/api/v1/surveys", headers=bearer(secret))).status_code == 200
    used = await AuditEvent.select().output(load_json=True).where(AuditEvent.action == AuditAction.api_used.value).order_by(AuditEvent.id)
    assert [u["detail"]["path"] for u in used] == [f"/api/v1/surveys/{survey_id}/results", "/api/v1/surveys"]
    assert used[0]["detail"]["name"] == "Data warehouse" and secret not in str(used)
    assert (await IntegrationToken.select(IntegrationToken.last_used_at).first())["last_used_at"] == clock.now()


# --- suppression: the same figures as the pages, small groups never shown ---------------------------


async def test_api_results_are_results_json_for_a_role_without_small_groups_and_give_nothing_away(client, db):
    survey_id = await small_group_survey()
    definition = await survey_definitions.load_definition(survey_id)
    secret = await token("results:read")
    params = {"by": "grp", "of": "yn"}
    document = (await client.get(f"/api/v1/surveys/{survey_id}/results", params=params, headers=bearer(secret))).json()
    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    page_json = (await client.get(f"/staff/surveys/{survey_id}/results.json", params=params)).json()
    assert {k: v for k, v in document.items() if k not in ("survey_id", "cohort")} == page_json
    assert document["questions"][0]["counts"]["c"] == "<5" and document["questions"][0]["answered"] == "hidden"
    figures, lines = survey_lines(document, structure(definition))
    assert hidden_recovered(figures, lines, threshold=THRESHOLD) == {}


async def test_the_demo_survey_over_the_api_gives_nothing_away_by_subtraction(client, db):
    from surveys.questionnaires.demo import load_demo_survey

    survey_id, _ = await load_demo_survey()
    definition = await survey_definitions.load_definition(survey_id)
    secret = await token("results:read")
    document = (await client.get(f"/api/v1/surveys/{survey_id}/results", params={"by": "area", "of": "safe_area"},
                                 headers=bearer(secret))).json()
    assert document["responses"] == 320 and "'<5'" in str(document)
    figures, lines = survey_lines(document, structure(definition))
    assert hidden_recovered(figures, lines, threshold=THRESHOLD) == {}


async def test_the_survey_list_never_shows_a_count_under_the_threshold_and_pages(client, db):
    survey_id = await small_group_survey()
    keep = [r["id"] for r in await Response.select(Response.id).order_by(Response.id).limit(3)]
    await Response.delete().where(Response.id.not_in(keep))
    draft = await survey_building.create_survey({"title": "Draft", "purpose": "", "audience": "young_people", "languages": ["en"],
                                                 "consent_text": "x", "local_contact": "y"}, created_by=None)
    secret = await token("results:read")
    listing = (await client.get("/api/v1/surveys", headers=bearer(secret))).json()
    assert [s["id"] for s in listing["items"]] == [survey_id] and listing["items"][0]["responses"] == "<5"
    assert listing["total"] == 1 and listing["limit"] == 50 and listing["offset"] == 0
    assert (await client.get(f"/api/v1/surveys/{draft}/results", headers=bearer(secret))).status_code == 404
    assert (await client.get("/api/v1/surveys", params={"offset": 1}, headers=bearer(secret))).json()["items"] == []
    too_many = await client.get("/api/v1/surveys", params={"limit": 101}, headers=bearer(secret))
    assert too_many.status_code == 400 and too_many.headers["content-type"].startswith("application/json")


async def test_a_cohort_under_the_threshold_is_a_200_with_nothing_shown_and_a_big_one_is_its_cross_tab(client, db):
    survey_id = await small_group_survey()
    secret = await token("results:read")
    url = f"/api/v1/surveys/{survey_id}/results"
    small = (await client.get(url, params={"cohort": "grp=c"}, headers=bearer(secret))).json()
    assert small["cohort"]["too_few"] is True and small["cohort"]["size"] == "<5"
    assert small["cohort"]["questions"] == [{"key": "yn", "counts": None}] and "Fewer than 5" in small["cohort"]["message"]
    big = (await client.get(url, params={"cohort": "grp=a"}, headers=bearer(secret))).json()
    crosstab = (await client.get(url, params={"by": "grp", "of": "yn"}, headers=bearer(secret))).json()["crosstab"]
    assert big["cohort"]["too_few"] is False and big["cohort"]["size"] == crosstab["groups"]["a"]["size"] == 6
    assert big["cohort"]["questions"] == [{"key": "yn", "counts": crosstab["groups"]["a"]["counts"]}]
    assert big["questions"] == small["questions"]  # the whole survey's figures do not move with the cohort asked
    for bad in ("grp=z", "yn", "nope=a"):
        refused = await client.get(url, params={"cohort": bad}, headers=bearer(secret))
        assert refused.status_code == 400 and "cohort must be <question>=<answer>" in refused.json()["detail"] and "grp=<a|b|c>" in refused.json()["detail"]


async def test_a_demo_cohort_shows_the_results_page_s_cross_tab_cells_which_give_nothing_away(client, db):
    """Each of a cohort's counts is the cell a facilitator sees on the results page's cross-tab "by" the
    cohort's question (tests/integration/surveys/test_suppression_attack.py attacks those tables), and
    one more such table, with the whole survey's figures, survives the attacker here."""
    from surveys.questionnaires.demo import load_demo_survey

    survey_id, _ = await load_demo_survey()
    definition = await survey_definitions.load_definition(survey_id)
    secret = await token("results:read")
    document = (await client.get(f"/api/v1/surveys/{survey_id}/results", params={"cohort": "area=north"}, headers=bearer(secret))).json()
    cohort = document["cohort"]
    assert cohort["too_few"] is False and isinstance(cohort["size"], int)
    client.cookies.update(await signed_in_cookie(await make_user(Role.facilitator)))
    assert {q["key"] for q in cohort["questions"]} == {"age_band", "safe_area", "safe_online", "least_safe", "knows_who", "who_to", "trust"}
    for question in (q for q in cohort["questions"] if q["key"] in ("safe_area", "least_safe", "trust")):
        page_json = (await client.get(f"/staff/surveys/{survey_id}/results.json", params={"by": "area", "of": question["key"]})).json()
        assert question["counts"] == page_json["crosstab"]["groups"]["north"]["counts"], question["key"]
        assert page_json["crosstab"]["groups"]["north"]["size"] == cohort["size"]
    # The attacker over the whole survey's figures with the cohort's cells as their cross-tab (the last one read).
    figures, lines = survey_lines(page_json, structure(definition))
    assert hidden_recovered(figures, lines, threshold=THRESHOLD) == {}
    assert "'<5'" in str(cohort["questions"])


# --- themes and indicators -----------------------------------------------------------------------------


async def test_themes_carry_redacted_quotes_never_flagged_answers_and_suppressed_sizes(client, db):
    from app.insights import services as insights
    from app.insights.sources import SurveyQuestionSource
    from tests.integration.test_insights import ANSWERS, HELD, answer_survey
    from tests.surveys import make_survey

    survey_id = await make_survey(code="themes")
    named = "Jamal Okafor said the street lights near 14 Hoe Street are broken, call me on 07700 900123"
    await answer_survey(survey_id, [*ANSWERS, named, HELD])
    run_id = await insights.start_run(SurveyQuestionSource(survey_id, "say"), requested_by=None)
    await insights.execute_run(run_id)
    secret = await token("themes:read")
    document = (await client.get(f"/api/v1/surveys/{survey_id}/themes", params={"by": "area"}, headers=bearer(secret))).json()
    assert document["run"]["state"] == "done" and document["question"] == "say" and document["themes"]
    quotes = " ".join(q for t in document["themes"] for q in t["quotes"])
    assert quotes and "street" in quotes
    for personal in ("Jamal", "Okafor", "07700", "Hoe Street", "kill", "stepdad"):
        assert personal not in str(document), personal
    # Sizes are suppressed as on the insights page (viewer without small groups): same service, same figures.
    view = await insights.run_view(await insights.get_run(run_id), viewer=Viewer(),
                                   threshold=THRESHOLD, by_key="area")
    assert [t["size"] for t in document["themes"]] == [t.count.to_json() for t in view.themes]
    assert [t["by_cohort"] for t in document["themes"]] == [dict(zip(view.cohorts, (c.to_json() for c in t.by_cohort), strict=True))
                                                             for t in view.themes]
    for theme in document["themes"]:
        assert not isinstance(theme["size"], int) or theme["size"] >= THRESHOLD
        assert all(not isinstance(n, int) or n >= THRESHOLD for n in (theme["by_cohort"] or {}).values())
        if not isinstance(theme["size"], int):
            assert theme["quotes"] == [] and theme["sentiment"] is None
    refused = await client.get(f"/api/v1/surveys/{survey_id}/themes", params={"question": "knows"}, headers=bearer(secret))
    assert refused.status_code == 400 and "free-text question of this survey: say" in refused.json()["detail"]


async def test_themes_before_any_run_are_an_empty_list_with_no_run(client, db):
    from tests.surveys import make_survey

    survey_id = await make_survey(code="nothemes")
    document = (await client.get(f"/api/v1/surveys/{survey_id}/themes", headers=bearer(await token("themes:read")))).json()
    assert document["run"] is None and document["themes"] == [] and document["total"] is None


async def test_indicators_are_the_outcome_page_s_comparisons(client, db):
    from surveys.questionnaires import statistics
    from tests.integration.surveys.test_indicators import BASELINE, FOLLOW_UP, make_wave

    await make_wave("Feeling safe", 1, BASELINE)
    await make_wave("Feeling safe", 2, FOLLOW_UP, title="Feeling safe again")
    secret = await token("indicators:read")
    outcome = (await client.get("/api/v1/outcomes/1", headers=bearer(secret))).json()
    assert outcome["number"] == 1 and [i["question"] for i in outcome["indicators"]] == ["knows", "safe", "trust"]
    knows = outcome["indicators"][0]
    expected = statistics.compare_shares(24, 60, 42, 70)
    assert knows["baseline"]["share"] == 24 and knows["baseline"]["answered"] == 60 and knows["latest"]["answered"] == 70
    assert knows["share_change"]["low"] == pytest.approx(expected.low) and knows["share_change"]["p_value"] == pytest.approx(expected.p_value)
    assert knows["summary"].startswith("More young people said yes")
    every = (await client.get("/api/v1/outcomes", headers=bearer(secret))).json()
    assert len(every["items"]) == 12 and every["items"][0] == outcome
    missing = await client.get("/api/v1/outcomes/13", headers=bearer(secret))
    assert missing.status_code == 404 and "outcomes 1 to 12" in missing.json()["detail"]


# --- the schema -------------------------------------------------------------------------------------------


async def test_the_openapi_schema_lists_every_endpoint_with_the_bearer_scheme(client, db):
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["IntegrationToken"] == {**schema["components"]["securitySchemes"]["IntegrationToken"],
                                                                            "type": "http", "scheme": "bearer"}
    paths = {p: body for p, body in schema["paths"].items() if p.startswith("/api/v1")}
    assert set(paths) == {"/api/v1/surveys", "/api/v1/surveys/{survey_id}/results", "/api/v1/surveys/{survey_id}/themes",
                          "/api/v1/outcomes", "/api/v1/outcomes/{number}", "/api/v1/findings", "/api/v1/findings/{finding_id}",
                          "/api/v1/actions"}
    for body in paths.values():
        assert body["get"]["security"] == [{"IntegrationToken": []}]
        assert body["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/")
    assert "Figure" in str(schema["components"]["schemas"]["SurveyResults"]) or "<5" in str(schema["components"]["schemas"])


def test_every_api_route_names_the_scope_it_needs():
    from litestar.routes import HTTPRoute

    from app.asgi import create_app

    for route in create_app().routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                assert handler.http_methods <= {"GET", "HEAD", "OPTIONS"}, route.path
                if handler.http_methods - {"HEAD", "OPTIONS"}:
                    assert any(isinstance(g, auth.ScopeGuard) for g in handler.resolve_guards()), route.path

