"""The web shell: security headers, CSRF, health, OpenAPI and error pages."""

import logging

import pytest
from litestar import get, post
from litestar.params import JSONBody

from app.asgi import create_app
from app.settings import Settings
from app.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import in_process_client

HTML = {"Accept": "text/html"}


def assert_security_headers(response, production: bool = False) -> None:
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert ("strict-transport-security" in response.headers) is production


@pytest.mark.parametrize("path", ["/", "/partnership", "/does-not-exist", "/static/css/chorus.css", "/health", "/schema"])
async def test_every_kind_of_response_carries_the_security_headers(client, path):
    response = await client.get(path, headers=HTML)
    assert_security_headers(response)


def production_settings(tmp_path) -> Settings:
    import os

    return Settings.from_env(
        {
            "CHORUS_ENV": "production",
            "SECRET_KEY": "p" * 48,
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "CHORUS_VAR_DIR": str(tmp_path),
            "SMTP_HOST": "127.0.0.1",
            "CHORUS_PUBLIC_URL": "http://testserver.local",
        }
    )


async def test_production_adds_hsts_and_a_secure_csrf_cookie(db, tmp_path):
    async with in_process_client(create_app(production_settings(tmp_path))) as client:
        response = await client.get("/", headers=HTML)
    assert_security_headers(response, production=True)
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "samesite=lax" in cookie


async def test_health_makes_a_database_round_trip(client):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "ok", "models": body["models"]}
    assert body["models"] in {"ready", "warming up"}  # fitted in the background after start-up
    assert response.headers["cache-control"] == "no-store"


async def test_openapi_schema_is_served_without_any_external_viewer(client):
    response = await client.get("/schema")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Chorus"
    assert "/health" in response.json()["paths"]
    assert (await client.get("/schema/openapi.yaml")).status_code == 200


async def test_unknown_page_gets_the_404_page_in_the_site_layout(client):
    response = await client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text
    assert 'class="quick-exit' in response.text and "0800 1111" in response.text


async def test_api_clients_get_json_errors(client):
    response = await client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


@get("/boom", sync_to_thread=False)
def boom() -> str:
    raise RuntimeError("secret internal detail in /srv/chorus/app.py")


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
async def test_a_crash_in_production_shows_no_stack_trace(db, tmp_path, accept, caplog):
    # Litestar's logging config owns the root logger, so listen on ours directly.
    logging.getLogger("chorus.errors").addHandler(caplog.handler)
    app = create_app(production_settings(tmp_path))
    app.register(boom)
    async with in_process_client(app) as client:
        response = await client.get("/boom", headers={"Accept": accept})
    assert response.status_code == 500
    for leak in ("Traceback", "RuntimeError", "secret internal detail", "app.py"):
        assert leak not in response.text
    assert "Something went wrong on our side" in response.text
    assert "secret internal detail" in caplog.text  # the server log keeps what the client must not see


@post("/echo", sync_to_thread=False)
def echo(data: JSONBody[dict]) -> dict:
    return data


async def test_csrf_rejects_a_post_without_the_token(db):
    app = create_app()
    app.register(echo)
    async with in_process_client(app) as client:
        refused = await client.post("/echo", json={"a": 1}, headers=HTML)
        assert refused.status_code == 403
        assert "nothing was saved" in refused.text
        await client.get("/")
        token = client.cookies.get("csrftoken")
        accepted = await client.post("/echo", json={"a": 1}, headers={"x-csrftoken": token})
    assert accepted.status_code == 201
    assert accepted.json() == {"a": 1}
