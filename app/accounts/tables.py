"""Staff accounts. Participants never have one."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.accounts.roles import Role
from app.governance.tables import Board, Project


class Agency(str, Enum):
    council_cyps = "Council/CYPS"
    police = "Police"
    health = "Health/NHS"
    camhs = "CAMHS"
    education = "Education"
    housing = "Housing"
    youth_justice = "Youth Justice"
    probation = "Probation"
    vcfs = "VCFS"
    other = "Other"


class StaffUser(Table, help_text="A member of staff from one of the partner agencies."):
    email = Varchar(length=254, unique=True, help_text="Lower-cased; the login name.")
    display_name = Varchar(length=100)
    agency = Varchar(length=20, choices=Agency)
    active = Boolean(default=True, help_text="Inactive accounts cannot sign in; they are never deleted.")
    password_hash = Varchar(length=200, null=True, default=None, secret=True, help_text="argon2id; empty until the invite is accepted.")
    totp_secret = Varchar(length=64, null=True, default=None, secret=True)
    mfa_enabled = Boolean(default=False, help_text="True once a TOTP code has confirmed enrolment.")
    last_totp_step = Integer(null=True, default=None, help_text="The last TOTP time step used, so a code works once.")
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    second_factor_failures = Integer(default=0, help_text="Wrong TOTP or recovery codes since the last right one.")
    second_factor_locked_until = Timestamptz(null=True, default=None, help_text="No code is accepted before this (backoff).")
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class ProjectPosition(str, Enum):
    """Each project has one lead and one deputy (seed §6), ideally from different agencies."""

    lead = "lead"
    deputy = "deputy"


class StaffRole(Table, help_text="One role held by one user, optionally scoped to a project or board."):
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    role = Varchar(length=30, choices=Role)
    project = ForeignKey(Project, null=True, on_delete=OnDelete.cascade, help_text="For project_lead.")
    position = Varchar(length=10, choices=ProjectPosition, null=True, default=None,
                       help_text="For project_lead: the project's lead or deputy (none: another member of its team).")
    board = ForeignKey(Board, null=True, on_delete=OnDelete.cascade, help_text="For board_member.")


class StaffSession(Table, help_text="A signed-in browser; the cookie holds a token whose hash is stored here."):
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    mfa_passed = Boolean(default=False, help_text="False while the second factor is still owed.")
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    user_agent = Varchar(length=200, default="")


class EmailToken(Table, help_text="A single-use, expiring link sent by email (invite or password reset)."):
    purpose = Varchar(length=20)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table, help_text="Single-use codes for when the authenticator app is lost."):
    user = ForeignKey(StaffUser, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64)
    used_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table, help_text="Mail Chorus sent, kept in development only so it can be read without a mail server."):
    to_address = Varchar(length=254)
    subject = Varchar(length=200)
    body = Text()
    sent_at = Timestamptz()
