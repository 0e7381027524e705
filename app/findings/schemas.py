"""Form bodies for the findings pages. Fields default to blank, so a form sent without them gets its
message on the page, not a bare 400; oversized fields are refused (400) before any handler runs."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.findings.services import MAX_TEXT, ActionInput
from app.governance.schemas import form_date

Short = Annotated[str, msgspec.Meta(max_length=400)]
# Room for an over-long text to reach the service, which says so on the form.
Long = Annotated[str, msgspec.Meta(max_length=MAX_TEXT * 2)]


class FindingForm(msgspec.Struct):
    title: Short = ""
    summary: Long = ""
    recommendation: Long = ""


class ChoiceForm(msgspec.Struct):
    """One choice from a list: a theme, a quote, an indicator or where to send."""

    choice: Short = ""


class ActionForm(msgspec.Struct):
    description: Long = ""
    owner: Short = ""
    due_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    progress: Annotated[str, msgspec.Meta(max_length=10)] = "0"

    def action(self) -> ActionInput:
        return ActionInput(self.description, self.owner, form_date(self.due_on), form_percent(self.progress))


class NotTakenForwardForm(msgspec.Struct):
    reason: Long = ""
    owner: Short = ""


class ProgressForm(msgspec.Struct):
    progress: Annotated[str, msgspec.Meta(max_length=10)] = ""


def form_percent(value: str) -> int | None:
    value = value.strip().rstrip("%").strip()
    return int(value) if value.isdigit() else None
