"""Form bodies for the account pages. Litestar validates them: anything too long or malformed is a
400 before any handler runs, so nothing is stored from a bad form."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body

from app.accounts.passwords import MAX_LENGTH as MAX_PASSWORD
from app.accounts.roles import Role
from app.accounts.tables import Agency

Form = Body(media_type=RequestEncodingType.URL_ENCODED)

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+$")
"""Enough of an email address to send to; forms check it themselves so that a mistake is shown on the form."""
Email = Annotated[str, msgspec.Meta(max_length=254)]
Password = Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]
Code = Annotated[str, msgspec.Meta(max_length=20)]
Next = Annotated[str, msgspec.Meta(max_length=500)]


def as_list(value):
    """A form field that may come as one value, several, or blank, as a list."""
    if value in ("", None):
        return []
    return value if isinstance(value, list) else [value]


# Fields default to blank: a form sent without them gets its message on the form, not a bare 400.
class LoginForm(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    password: Password = ""
    next: Next = ""


class CodeForm(msgspec.Struct):
    code: Code = ""
    next: Next = ""


class EmailForm(msgspec.Struct):
    email: Email = ""


class NewPasswordForm(msgspec.Struct):
    password: Password = ""
    confirm: Password = ""


class ChangePasswordForm(msgspec.Struct):
    current: Password = ""
    password: Password = ""
    confirm: Password = ""


class UserForm(msgspec.Struct):
    # Left blank or missing, these are explained on the form (problem()), not refused as a bare 400.
    display_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    agency: Annotated[str, msgspec.Meta(max_length=30)] = ""
    email: Email | None = None
    active: Annotated[str, msgspec.Meta(max_length=5)] = ""
    roles: Role | list[Role] = []
    project_ids: int | list[int] = []
    board_ids: int | list[int] = []

    def problem(self, *, inviting: bool) -> str:
        """What to fix before this form can be saved, in words for the administrator; "" if nothing."""
        if inviting and not EMAIL_SHAPE.match((self.email or "").strip()):
            return "Enter the person's work email, like name@agency.gov.uk."
        if not self.display_name.strip():
            return "Enter the person's name."
        if self.agency not in {a.value for a in Agency}:
            return "Choose the person's agency."
        if inviting and not self.role_list:
            return "Choose at least one role: an account without a role can do nothing."
        return ""

    @property
    def agency_choice(self) -> Agency:
        return Agency(self.agency)

    @property
    def role_list(self) -> list[Role]:
        return as_list(self.roles)

    @property
    def project_list(self) -> list[int]:
        return as_list(self.project_ids)

    @property
    def board_list(self) -> list[int]:
        return as_list(self.board_ids)


def safe_next(target: str, default: str = "/staff") -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our address."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
