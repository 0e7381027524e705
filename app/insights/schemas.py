"""Form bodies for the insights pages. Lengths and types are checked by Litestar before a handler
runs; fields default to blank so a missing one gets its message on the page, not a bare 400."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from app.insights.sources import SourceError, SurveyQuestionSource

Short = Annotated[str, msgspec.Meta(max_length=100)]


class SelectionForm(msgspec.Struct):
    """Which answers to theme: the question, optional dates (YYYY-MM-DD) and cohort."""

    question: Short = ""
    date_from: Short = ""
    date_to: Short = ""
    cohort: Short = ""
    full: Short = ""  # "on": cluster from scratch even when only a few answers are new

    def source(self, survey_id: int) -> SurveyQuestionSource:
        return SurveyQuestionSource(survey_id, self.question.strip(), _day(self.date_from, "first"), _day(self.date_to, "last"),
                                    self.cohort.strip())


def _day(text: str, which: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SourceError(f"The {which} date should look like 2026-11-28.") from None


class RenameForm(msgspec.Struct):
    label: Annotated[str, msgspec.Meta(max_length=200)] = ""


class MergeForm(msgspec.Struct):
    into: Short = ""


class FlagForm(msgspec.Struct):
    not_useful: Short = ""


class QuoteForm(msgspec.Struct):
    index: Short = ""
    action: Short = ""


class AnswersForm(msgspec.Struct):
    """Ticked answers (response ids) of a theme, and what to do with them: move them to a theme
    (`to`: its id, or "other") or split them off (`how`: "ticked", with an optional `name`; or "auto")."""

    item: Annotated[list[Short], msgspec.Meta(max_length=100_000)] | Short = ""
    to: Short = ""
    how: Short = ""
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""

    def ticked(self) -> list[int]:
        """The ticked ids; anything that is not one is left out (and "tick the answers" said if none is)."""
        values = [self.item] if isinstance(self.item, str) else self.item
        return [int(v) for v in values if v.isdigit()]
