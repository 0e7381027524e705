"""One demo account per role, for trying Chorus out in development. Never in production."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from app.accounts import services
from app.accounts.roles import Role
from app.accounts.tables import Agency, StaffUser
from app.governance.tables import Board, Project

DEMO_DOMAIN = "demo.chorus.invalid"
DEMO_AGENCIES = {
    Role.admin: Agency.council_cyps,
    Role.participation_lead: Agency.council_cyps,
    Role.facilitator: Agency.vcfs,
    Role.project_lead: Agency.education,
    Role.board_member: Agency.police,
    Role.safeguarding_lead: Agency.health,
    Role.analyst: Agency.council_cyps,
}


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str | None
    """Only set when the account was created by this call: passwords are shown once."""


def demo_email(role: Role) -> str:
    return f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}"


async def load_demo_users() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; existing ones are left alone."""
    shared_language = await Project.select(Project.id).where(Project.reference == "3.3a").first()
    implementation_board = await Board.select(Board.id).where(Board.slug == "youth-safety-implementation-board").first()
    accounts = []
    for role in Role:
        email = demo_email(role)
        if await StaffUser.exists().where(StaffUser.email == email):
            accounts.append(DemoAccount(role, email, None))
            continue
        grant = services.RoleGrant(
            role,
            project_id=shared_language["id"] if role is Role.project_lead and shared_language else None,
            board_id=implementation_board["id"] if role is Role.board_member and implementation_board else None,
        )
        # 128 random bits in four groups; printed once, never stored in clear.
        password = "-".join(secrets.token_hex(4) for _ in range(4))
        await services.create_user_with_password(
            email=email, display_name=f"Demo {role.label}", agency=DEMO_AGENCIES[role], password=password, grants=[grant]
        )
        accounts.append(DemoAccount(role, email, password))
    return accounts
