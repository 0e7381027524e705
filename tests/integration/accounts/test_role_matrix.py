"""Every route of the app is checked against the role matrix: anonymous visitors are sent to sign
in (401), a role without the permission gets 403, a role with it gets through. A new route that is
neither marked public nor guarded fails here."""

import re
from pathlib import Path

import pytest
from litestar.routes import HTTPRoute

from app.accounts.auth import PermissionGuard, SignInStageGuard
from app.accounts.roles import MATRIX, Role, matrix_markdown
from app.asgi import create_app
from app.governance.services import load_structure
from app.integrations.auth import ScopeGuard
from tests.staff import make_user, signed_in_cookie

ROOT = Path(__file__).resolve().parents[3]
JSON = {"Accept": "application/json"}
# Routes Litestar itself adds: the machine-readable OpenAPI document is public by design.
FRAMEWORK_PUBLIC = re.compile(r"^/schema")


def routes():
    """(path, method, handler) for every HTTP route the app serves."""
    app = create_app()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    yield route.path, method, handler


def access_rule(path, handler):
    guards = [guard for layer in handler.ownership_layers for guard in (layer.guards or [])]
    permission_guards = [g for g in guards if isinstance(g, PermissionGuard)]
    if permission_guards:
        return ("permission", permission_guards[0].permission)
    if any(isinstance(g, SignInStageGuard) for g in guards):
        return ("signed_in", None)
    # The data API takes integration tokens, never staff sessions (tests/integration/test_integrations_api.py).
    if scope_guards := [g for g in handler.resolve_guards() if isinstance(g, ScopeGuard)]:
        return ("token", scope_guards[0].scope)
    if handler.opt.get("public") or FRAMEWORK_PUBLIC.match(path):
        return ("public", None)
    return ("unguarded", None)


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: "1" if m.group(2) == "int" else "x", path)


ROUTES = sorted((path, method, access_rule(path, handler)) for path, method, handler in routes())


def test_every_route_is_public_or_guarded():
    unguarded = [(p, m) for p, m, rule in ROUTES if rule[0] == "unguarded"]
    assert unguarded == [], f"routes with neither a guard nor opt=PUBLIC: {unguarded}"


def test_the_matrix_covers_what_the_pages_promise():
    staff_routes = {p for p, _, rule in ROUTES if rule[0] == "permission"}
    assert {"/admin/users", "/admin/audit", "/staff", "/account"} <= staff_routes


def test_the_role_guide_shows_the_matrix_the_code_follows():
    guide = (ROOT / "docs" / "guides" / "roles.md").read_text()
    assert matrix_markdown() in guide, "regenerate docs/guides/roles.md with `chorus users matrix`"


@pytest.fixture
async def people(db):
    await load_structure()
    return {role: await make_user(role) for role in Role}


@pytest.mark.parametrize(("path", "method", "rule"), [r for r in ROUTES if r[2][0] in ("permission", "signed_in")], ids=lambda v: str(v) if isinstance(v, str) else "")
async def test_guarded_route_follows_the_matrix(client, people, path, method, rule):
    url = concrete(path)

    async def call():
        if method == "GET":
            return await client.get(url, headers=JSON)
        return await client.post(url, data={"_csrf_token": client.cookies.get("csrftoken", "")}, headers=JSON)

    await client.get("/login")  # CSRF cookie for POSTs
    client.cookies.delete("chorus_session")
    assert (await call()).status_code == 401, "anonymous"
    for role, user_id in people.items():
        client.cookies.update(await signed_in_cookie(user_id))
        status = (await call()).status_code
        allowed = rule[0] == "signed_in" or role in MATRIX[rule[1]]
        if allowed:
            assert status not in (401, 403), f"{role.value} should be let through, got {status}"
        else:
            assert status == 403, f"{role.value} should get 403, got {status}"


@pytest.mark.parametrize("path", ["/staff", "/admin/users"])
async def test_browsers_are_sent_to_sign_in_and_back(client, path):
    response = await client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["location"] == f"/login?next={path}"
