"""Form bodies for the governance pages. Fields default to blank, so a form sent without them gets its
message on the page, not a bare 400; oversized fields are refused (400) before any handler runs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from app.governance.services import MAX_RAG_NOTE, GovernanceError

Short = Annotated[str, msgspec.Meta(max_length=400)]


class TeamForm(msgspec.Struct):
    lead: Annotated[str, msgspec.Meta(max_length=12)] = ""
    deputy: Annotated[str, msgspec.Meta(max_length=12)] = ""

    def user_id(self, field: str) -> int | None:
        value = getattr(self, field).strip()
        if not value:
            return None
        if not value.isdigit():
            raise GovernanceError("Choose the lead and the deputy from the list.")
        return int(value)


class StatusForm(msgspec.Struct):
    rag: Annotated[str, msgspec.Meta(max_length=10)] = ""
    # Room for an over-long note to reach the service, which says so on the form.
    note: Annotated[str, msgspec.Meta(max_length=MAX_RAG_NOTE * 2)] = ""


class MilestoneForm(msgspec.Struct):
    title: Short = ""
    due_on: Annotated[str, msgspec.Meta(max_length=20)] = ""


class MeetingForm(msgspec.Struct):
    meets_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Short = ""


def form_date(value: str) -> date | None:
    """A date field (YYYY-MM-DD, as a date input sends it); blank is None, anything else a clear error."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise GovernanceError("Give the date as a date, e.g. 2027-01-31.") from None
