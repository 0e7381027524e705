"""What can be themed: the `ThemeSource` interface and its first kind, a survey's free-text question.

Board cards and user-testing notes (ROADMAP) become themeable by adding a class with the same
shape; runs, themes, edits, the page and the exports only see `SourceItem`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from surveys.questionnaires import definitions as survey_definitions
from surveys.questionnaires import responses as survey_responses
from surveys.questionnaires.definition import TEXT_KINDS, SurveyDef


@dataclass(frozen=True)
class SourceItem:
    """One text to theme: its id in its source, when it came, its stored sentiment label."""

    id: int
    text: str
    submitted_at: datetime
    sentiment: str | None = None


class ThemeSource(Protocol):
    kind: str

    @property
    def key(self) -> str:
        """Names the selection: one active run per key."""

    def parameters(self) -> dict:
        """The selection, as stored with the run."""

    async def items(self) -> list[SourceItem]:
        """The texts to theme. Words held for the safeguarding lead are never among them."""


class SourceError(ValueError):
    """A selection that cannot be themed (no such question, dates the wrong way round)."""


@dataclass(frozen=True)
class SurveyQuestionSource:
    """The answers to one free-text question of a survey, optionally between two dates (inclusive)
    and only from people who gave one answer to a choice question (a cohort, e.g. area=north)."""

    survey_id: int
    question_key: str
    date_from: date | None = None
    date_to: date | None = None
    cohort: str = ""  # "<choice question key>=<value>", or "" for everyone
    kind: str = "survey_question"

    @property
    def key(self) -> str:
        return (f"survey:{self.survey_id}:{self.question_key}:from={self.date_from or ''}:to={self.date_to or ''}"
                f":cohort={self.cohort}")

    def parameters(self) -> dict:
        return {"survey": self.survey_id, "question": self.question_key, "from": str(self.date_from or ""),
                "to": str(self.date_to or ""), "cohort": self.cohort}

    @classmethod
    def from_parameters(cls, parameters: dict) -> SurveyQuestionSource:
        return cls(int(parameters["survey"]), parameters["question"],
                   date.fromisoformat(parameters["from"]) if parameters.get("from") else None,
                   date.fromisoformat(parameters["to"]) if parameters.get("to") else None,
                   parameters.get("cohort", ""))

    def check(self, definition: SurveyDef) -> None:
        question = definition.question(self.question_key)
        if question is None or question.kind not in TEXT_KINDS:
            raise SourceError("Choose one of the survey's free-text questions.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SourceError("The first date is after the last: swap them.")
        if self.cohort:
            cohort_key, _, value = self.cohort.partition("=")
            cohort_question = definition.question(cohort_key)
            if cohort_question is None or value not in cohort_question.option_values:
                raise SourceError("Choose a cohort from the list.")

    async def items(self) -> list[SourceItem]:
        definition = await survey_definitions.load_definition(self.survey_id)
        self.check(definition)
        # load_responses leaves out answers held for the safeguarding lead (until released).
        responses = await survey_responses.load_responses(definition)
        start = datetime.combine(self.date_from, time.min) if self.date_from else None
        end = datetime.combine(self.date_to + timedelta(days=1), time.min) if self.date_to else None
        cohort_key, _, cohort_value = self.cohort.partition("=")
        items = []
        for response in responses:
            submitted = response.submitted_at.replace(tzinfo=None)
            if (start and submitted < start) or (end and submitted >= end):
                continue
            if self.cohort:
                given = response.answers.get(cohort_key)
                if given is None or given.given.value != cohort_value:
                    continue
            answer = response.answers.get(self.question_key)
            if answer is None or not isinstance(answer.given.value, str) or not answer.given.value.strip():
                continue
            items.append(SourceItem(response.id, answer.given.value, response.submitted_at, answer.sentiment_label))
        return items
