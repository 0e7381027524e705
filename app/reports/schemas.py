"""The highlight report form. Fields default to blank so a form sent without them gets its message on
the page; room for an over-long field to reach the service, which says so beside it."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.reports.services import MAX_NARRATIVE

Narrative = Annotated[str, msgspec.Meta(max_length=MAX_NARRATIVE * 2)]


class ReportForm(msgspec.Struct):
    summary: Narrative = ""
    achievements: Narrative = ""
    risks: Narrative = ""
    next_steps: Narrative = ""
    asks: Narrative = ""
    action: Annotated[str, msgspec.Meta(max_length=10)] = "save"

    def narrative(self) -> dict[str, str]:
        return {"summary": self.summary, "achievements": self.achievements, "risks": self.risks,
                "next_steps": self.next_steps, "asks": self.asks}
