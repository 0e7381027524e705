"""Builder form bodies. Litestar checks lengths and types before a handler runs; the translation
of a form into service arguments (options, skip logic, numbers) happens here and explains itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

import msgspec

from app.accounts.schemas import as_list
from surveys.participation.i18n import SURVEY_LANGUAGES
from surveys.participation.text import clean_text
from surveys.questionnaires.building import BuildError, QuestionFields
from surveys.questionnaires.definition import KEY_PATTERN, OPTION_KINDS, Condition, Option
from surveys.questionnaires.tables import Audience, QuestionKind, UnderThirteenRoute

LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Short = Annotated[str, msgspec.Meta(max_length=40)]
MAX_OPTIONS = 30
MAX_RETENTION_MONTHS = 120
MAX_WAVE = 99


class SurveyForm(msgspec.Struct):
    # Left blank or missing, these are explained on the form (to_fields), not refused as a bare 400.
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    audience: Short = ""
    purpose: LongText = ""
    consent_text: LongText = ""
    local_contact: Annotated[str, msgspec.Meta(max_length=300)] = ""
    languages: list[str] | str = "en"
    one_question_per_page: str = ""
    easy_read: str = ""
    opens_at: Short = ""
    closes_at: Short = ""
    response_cap: Short = ""
    project: Short = ""
    ask_contact: str = ""
    under_13_route: Short = UnderThirteenRoute.parent_statement.value
    retention_months: Short = "12"
    series: Annotated[str, msgspec.Meta(max_length=100)] = ""
    wave: Short = "1"

    def to_fields(self) -> dict:
        if not clean_text(self.title):
            raise BuildError("Give the survey a title: what participants see first.")
        audience = _choice(Audience, self.audience, "Choose who the survey is for.")
        languages = ["en"] + [code for code in as_list(self.languages) if code != "en"]
        unknown = [code for code in languages if code not in SURVEY_LANGUAGES]
        if unknown:
            raise BuildError(f"Chorus does not offer the language {unknown[0][:10]!r}.")
        opens, closes = _moment(self.opens_at, "Opens"), _moment(self.closes_at, "Closes")
        if opens and closes and closes <= opens:
            raise BuildError("The closing date must be after the opening date.")
        cap = None
        if self.response_cap.strip():
            if not self.response_cap.strip().isdigit() or int(self.response_cap) < 1:
                raise BuildError("The response limit must be a whole number, 1 or more, or left blank.")
            cap = int(self.response_cap)
        route = _choice(UnderThirteenRoute, self.under_13_route, "Choose what under-13s do.")
        months = self.retention_months.strip()
        if not months.isdigit() or not 1 <= int(months) <= MAX_RETENTION_MONTHS:
            raise BuildError(f"Keep raw answers for a whole number of months, 1 to {MAX_RETENTION_MONTHS} (usually 12).")
        series, wave = clean_text(self.series), self.wave.strip() or "1"
        if not wave.isdigit() or not 1 <= int(wave) <= MAX_WAVE:
            raise BuildError(f"The wave is a whole number, 1 to {MAX_WAVE}: 1 for the baseline, 2 for the first follow-up and so on.")
        if not series and int(wave) != 1:
            raise BuildError("Name the series this wave belongs to (the same name as its baseline survey), or leave the wave at 1.")
        return {
            "title": clean_text(self.title),
            "audience": audience,
            "purpose": clean_text(self.purpose),
            "consent_text": clean_text(self.consent_text),
            "local_contact": clean_text(self.local_contact),
            "languages": languages,
            "one_question_per_page": self.one_question_per_page == "1",
            "easy_read": self.easy_read == "1",
            "opens_at": opens,
            "closes_at": closes,
            "response_cap": cap,
            "project": int(self.project) if self.project.isdigit() else None,
            "ask_contact": self.ask_contact == "1",
            "under_13_route": route,
            "retention_months": int(months),
            "series": series,
            "wave": int(wave),
        }


def _choice(choices, value: str, missing: str):
    """One of an enum's values, as a select sends it; blank or unknown is explained on the form."""
    try:
        return choices(value)
    except ValueError:
        raise BuildError(missing) from None


def _moment(value: str, what: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BuildError(f"{what}: use a date and time like 2026-12-01T09:00.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SectionForm(msgspec.Struct):
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    intro: LongText = ""
    show_if: list[str] | str = ""


class QuestionForm(msgspec.Struct):
    kind: Short = ""
    text: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    section: int = 0
    hint: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    required: str = ""
    options: LongText = ""
    allow_other: str = ""
    faces: str = ""
    min_value: Short = ""
    max_value: Short = ""
    show_if: list[str] | str = ""
    outcome: Short = ""
    key: Short = ""
    for_under_13: str = ""

    def to_fields(self, existing_options: tuple[Option, ...] = ()) -> QuestionFields:
        kind = _choice(QuestionKind, self.kind, "Choose the type of answer.")
        if not clean_text(self.text):
            raise BuildError("Write the question.")
        key = self.key.strip().lower()
        if key and not KEY_PATTERN.match(key):
            raise BuildError("A column name starts with a letter and uses only a-z, 0-9 and _ (40 at most).")
        options = parse_options(self.options, existing_options) if kind in OPTION_KINDS else ()
        if kind in (QuestionKind.single_choice, QuestionKind.multiple_choice, QuestionKind.ranking) and len(options) < 2:
            raise BuildError("Give at least two answers to choose from, one per line.")
        low, high = _number(self.min_value, "Smallest"), _number(self.max_value, "Largest")
        if low is not None and high is not None and high < low:
            raise BuildError("The largest number allowed must not be smaller than the smallest.")
        outcome = int(self.outcome) if self.outcome.strip().isdigit() else None
        return QuestionFields(
            kind=kind, text=clean_text(self.text), hint=clean_text(self.hint), required=self.required == "1",
            options=options, allow_other=self.allow_other == "1" and kind is QuestionKind.multiple_choice,
            faces=self.faces == "1" and kind is QuestionKind.likert, min_value=low, max_value=high,
            show_if=parse_condition(self.show_if), outcome=outcome, key=key, for_under_13=self.for_under_13 == "1",
        )


def _number(value: str, what: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise BuildError(f"{what} number allowed: write a number or leave it blank.") from None


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "option"


def parse_options(text: str, existing: tuple[Option, ...] = ()) -> tuple[Option, ...]:
    """One answer per line. An answer keeps its stored value when its label is unchanged, so
    translations and skip logic that refer to it still hold."""
    labels = [clean_text(line) for line in text.splitlines() if clean_text(line)]
    if len(labels) > MAX_OPTIONS:
        raise BuildError(f"At most {MAX_OPTIONS} answers to choose from.")
    if len({label.lower() for label in labels}) != len(labels):
        raise BuildError("Two answers are the same: each answer must be different.")
    if any(len(label) > 200 for label in labels):
        raise BuildError("Keep each answer under 200 characters.")
    by_label = {o.label: o.value for o in existing}
    used: set[str] = set()
    options = []
    for label in labels:
        value = by_label.get(label) or _slug(label)
        base, n = value, 2
        while value in used:
            value, n = f"{base}_{n}", n + 1
        used.add(value)
        options.append(Option(value, label))
    return tuple(options)


def parse_condition(selected: list[str] | str) -> Condition | None:
    """The skip-logic select sends "question=value" for each answer that should show this."""
    pairs = [item.split("=", 1) for item in as_list(selected) if "=" in item]
    if not pairs:
        return None
    questions = {q for q, _ in pairs}
    if len(questions) > 1:
        raise BuildError("Skip logic can depend on one earlier question (choose answers of one question only).")
    return Condition(questions.pop(), frozenset(v for _, v in pairs))
