"""The `chorus users` and `chorus demo` commands, run for real in a subprocess."""

import asyncio
import subprocess
import sys

import pytest

from app.accounts.roles import Role
from app.accounts.tables import StaffRole, StaffUser
from surveys.questionnaires.tables import Survey
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("db")


def chorus(env, *arguments, stdin: str | None = None) -> subprocess.CompletedProcess:
    # A hang guard, not a speed check: `chorus demo load` fits the screening models and screens every
    # demo text (survey, board, user test), which takes minutes on a busy 2-core machine.
    return subprocess.run(
        [sys.executable, "-m", "app", *arguments], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=420
    )


async def test_create_admin_from_flags_makes_an_admin_who_can_sign_in(subprocess_env):
    result = await asyncio.to_thread(
        chorus, subprocess_env, "users", "create-admin", "--email", "Chief@Example.org", "--name", "Chief", "--password", "a sturdy admin passphrase"
    )
    assert result.returncode == 0, result.stderr
    assert "administrator chief@example.org created" in result.stdout
    user = await StaffUser.select(StaffUser.id, StaffUser.password_hash).where(StaffUser.email == "chief@example.org").first()
    assert user["password_hash"].startswith("$argon2id$")
    assert [r["role"] for r in await StaffRole.select(StaffRole.role).where(StaffRole.user == user["id"])] == ["admin"]


async def test_create_admin_prompts_for_what_is_missing(subprocess_env):
    answers = "prompted@example.org\nPrompted Person\na sturdy admin passphrase\na sturdy admin passphrase\n"
    result = await asyncio.to_thread(chorus, subprocess_env, "users", "create-admin", stdin=answers)
    assert result.returncode == 0, result.stderr
    assert await StaffUser.exists().where(StaffUser.email == "prompted@example.org")


@pytest.mark.parametrize("password", ["short", "password12345"])
async def test_create_admin_refuses_weak_passwords(subprocess_env, password):
    result = await asyncio.to_thread(
        chorus, subprocess_env, "users", "create-admin", "--email", "weak@example.org", "--name", "Weak", "--password", password
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "12 characters" in result.stderr or "too common" in result.stderr
    assert await StaffUser.count() == 0


@pytest.mark.timeout(900)  # two full demo loads in subprocesses (see chorus() above)
async def test_demo_load_creates_one_account_per_role_and_shows_passwords_once(subprocess_env):
    first = await asyncio.to_thread(chorus, subprocess_env, "demo", "load")
    assert first.returncode == 0, first.stderr
    assert "demo accounts: 7 created, 0 already there" in first.stdout
    join_code = (await Survey.select(Survey.join_code).where(Survey.public_code == "demo").first())["join_code"]
    assert f"demo survey: /s/demo, or join code {join_code} at /join" in first.stdout
    lines = [line.split() for line in first.stdout.splitlines() if "@demo.chorus.invalid" in line]
    assert {line[0] for line in lines} == {role.value for role in Role}
    second = await asyncio.to_thread(chorus, subprocess_env, "demo", "load")
    assert "demo accounts: 0 created, 7 already there" in second.stdout
    assert "@demo.chorus.invalid" not in second.stdout  # passwords are never shown again
    assert await StaffUser.count() == 7


async def test_demo_load_is_refused_in_production(subprocess_env):
    subprocess_env.update({"CHORUS_ENV": "production", "SECRET_KEY": "p" * 48, "SMTP_HOST": "127.0.0.1", "CHORUS_PUBLIC_URL": "https://chorus.example.org"})
    result = await asyncio.to_thread(chorus, subprocess_env, "demo", "load")
    assert result.returncode != 0 and "refused because CHORUS_ENV=production" in result.stderr
    assert await StaffUser.count() == 0
