"""A survey as participants meet it: sections, questions, skip logic, pages, and form parsing.

Pure Python over plain dataclasses (no database, no web), so the rules that decide what a
participant sees and what an answer may be are in one place and quick to test.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from surveys.participation.text import N_, Message, TamperedForm, clean_text
from surveys.questionnaires.tables import Audience, QuestionKind

DECLINED = "_declined"
"""The value of the "I'd rather not say" choice."""
OTHER = "_other"
"""The value of the "other, please say" choice."""
SHORT_TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 4000
OTHER_TEXT_LIMIT = 200
CONTROL_FIELDS = frozenset({"_csrf_token", "action", "page", "lang", "easy_read", "_seen"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

CHOICE_KINDS = frozenset({QuestionKind.single_choice, QuestionKind.likert, QuestionKind.rating, QuestionKind.yes_no})
TEXT_KINDS = frozenset({QuestionKind.short_text, QuestionKind.long_text})
OPTION_KINDS = CHOICE_KINDS | {QuestionKind.multiple_choice, QuestionKind.ranking}

# Staff-facing names of who a survey is for (builder, survey list, the staff home's reach panel).
AUDIENCE_LABELS = {
    Audience.children: "Children under 13",
    Audience.young_people: "Young people 13-17",
    Audience.young_adults: "Young adults 18-25",
    Audience.parents_carers: "Parents and carers",
    Audience.staff: "Staff",
}
KIND_LABELS = {
    QuestionKind.single_choice: "Single choice",
    QuestionKind.multiple_choice: "Multiple choice",
    QuestionKind.likert: "Agree/disagree scale (5 points)",
    QuestionKind.rating: "Rating 0-10",
    QuestionKind.yes_no: "Yes / no / not sure",
    QuestionKind.short_text: "Short text",
    QuestionKind.long_text: "Long text",
    QuestionKind.ranking: "Ranking",
    QuestionKind.number: "Number",
    QuestionKind.date: "Date",
}
DEFAULT_OPTIONS = {
    QuestionKind.likert: [
        ("1", "Strongly disagree"), ("2", "Disagree"), ("3", "Neither agree nor disagree"),
        ("4", "Agree"), ("5", "Strongly agree"),
    ],
    QuestionKind.rating: [(str(n), str(n)) for n in range(11)],
    QuestionKind.yes_no: [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")],
}
# The smileyometer (Read & MacFarlane): faces from awful to brilliant, for children under 13.
FACES = {"1": "😠", "2": "🙁", "3": "😐", "4": "🙂", "5": "😀"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show something only when an earlier question's answer is one of `values`."""

    question: str
    values: frozenset[str]

    def holds(self, answers: Mapping[str, Given]) -> bool:
        given = answers.get(self.question)
        if given is None or given.declined or given.value is None:
            return False
        chosen = given.value if isinstance(given.value, list) else [given.value]
        return bool({str(v) for v in chosen} & self.values)

    @classmethod
    def from_json(cls, data: Mapping | None) -> Condition | None:
        if not data or not data.get("question"):
            return None
        return cls(str(data["question"]), frozenset(str(v) for v in data.get("values", [])))

    def to_json(self) -> dict:
        return {"question": self.question, "values": sorted(self.values)}


@dataclass(frozen=True)
class Given:
    """One participant's answer to one question."""

    value: str | float | list[str] | None = None
    declined: bool = False
    other_text: str = ""

    def to_json(self) -> dict:
        return {"v": self.value, "d": self.declined, "o": self.other_text}

    @classmethod
    def from_json(cls, data: Mapping) -> Given:
        return cls(data.get("v"), bool(data.get("d")), data.get("o", ""))


@dataclass(frozen=True)
class QuestionDef:
    id: int
    key: str
    kind: QuestionKind
    text: str
    hint: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    allow_other: bool = False
    faces: bool = False
    min_value: float | None = None
    max_value: float | None = None
    show_if: Condition | None = None
    outcome: int | None = None
    section_id: int = 0
    for_under_13: bool = False
    """Kept in the shorter survey some owners choose for under-13s."""

    @property
    def option_values(self) -> frozenset[str]:
        return frozenset(o.value for o in self.options)

    def label_of(self, value: str) -> str:
        if value == OTHER:
            return "Other"
        return next((o.label for o in self.options if o.value == value), value)

    def field_names(self) -> set[str]:
        """Every form field name this question's inputs may send."""
        names = {self.key, f"{self.key}__declined"}
        if self.allow_other:
            names.add(f"{self.key}__other")
        if self.kind is QuestionKind.ranking:
            names |= {f"{self.key}__rank__{o.value}" for o in self.options}
        return names


@dataclass(frozen=True)
class SectionDef:
    id: int
    title: str = ""
    intro: str = ""
    show_if: Condition | None = None
    questions: tuple[QuestionDef, ...] = ()


@dataclass(frozen=True)
class Page:
    number: int
    section: SectionDef
    questions: tuple[QuestionDef, ...]


# Enough for two questions of seven answers each on one page; past that the script shows no live count.
MAX_OUTLOOK_COMBINATIONS = 64


@dataclass(frozen=True)
class PageOutlook:
    """The survey's length as it depends on one page's answers (see SurveyDef.outlook)."""

    keys: tuple[str, ...] = ()
    """The page's single-answer questions that a later page depends on."""
    totals: Mapping[str, int] = field(default_factory=dict)
    """Their answers joined with "|" ("" for none or "rather not say") -> how many pages in all."""
    could_grow: bool = False
    """A question on the page not answered yet could add pages."""

    def to_json(self) -> str:
        return json.dumps({"keys": list(self.keys), "totals": self.totals}, separators=(",", ":"))


@dataclass(frozen=True)
class SurveyDef:
    id: int
    title: str
    purpose: str = ""
    audience: str = "young_people"
    languages: tuple[str, ...] = ("en",)
    consent_text: str = ""
    local_contact: str = ""
    one_question_per_page: bool = False
    easy_read: bool = False
    sections: tuple[SectionDef, ...] = ()

    @property
    def questions(self) -> list[QuestionDef]:
        return [q for s in self.sections for q in s.questions]

    def question(self, key: str) -> QuestionDef | None:
        return next((q for q in self.questions if q.key == key), None)

    def for_under_13s(self) -> SurveyDef:
        """The shorter survey: only the questions marked for under-13s (sections left empty drop out)."""
        return replace(self, sections=tuple(
            replace(s, questions=tuple(q for q in s.questions if q.for_under_13)) for s in self.sections))

    def visible_questions(self, answers: Mapping[str, Given]) -> list[QuestionDef]:
        """The questions this participant is asked, given their answers so far, in order."""
        shown = []
        for section in self.sections:
            if section.show_if and not section.show_if.holds(answers):
                continue
            shown += [q for q in section.questions if not q.show_if or q.show_if.holds(answers)]
        return shown

    def pages(self, answers: Mapping[str, Given]) -> list[Page]:
        visible = {q.key for q in self.visible_questions(answers)}
        groups: list[tuple[SectionDef, tuple[QuestionDef, ...]]] = []
        for section in self.sections:
            questions = tuple(q for q in section.questions if q.key in visible)
            if not questions:
                continue
            if self.one_question_per_page:
                groups += [(section, (q,)) for q in questions]
            else:
                groups.append((section, questions))
        return [Page(n, section, questions) for n, (section, questions) in enumerate(groups, start=1)]

    def with_revealable(self, page: Page) -> tuple[QuestionDef, ...]:
        """The page's questions plus those of its section that an answer on this same page could
        reveal (in order), so a browser with JavaScript can show them at once."""
        if self.one_question_per_page:
            return page.questions
        on_page = {q.key for q in page.questions}
        reachable = set(on_page)
        for question in page.section.questions:
            if question.key not in on_page and question.show_if and question.show_if.question in reachable:
                reachable.add(question.key)
        return tuple(q for q in page.section.questions if q.key in reachable)

    def outlook(self, answers: Mapping[str, Given], questions: Sequence[QuestionDef]) -> PageOutlook:
        """How many pages there will be, depending on the answers to `questions` (one page's).

        An answer on the last page can reveal a later section; the page must then say "Next", not
        "Send my answers", and count the page it adds (the page's script updates both as answers change).
        """
        base = len(self.pages(answers))

        def total_with(changes: Mapping[str, str | list[str] | None]) -> int:
            trial = {k: v for k, v in answers.items() if k not in changes}
            trial.update({k: Given(v) for k, v in changes.items() if v})
            return len(self.pages(trial))

        steering: list[QuestionDef] = []
        could_grow = False
        for question in questions:
            if question.kind not in OPTION_KINDS or question.kind is QuestionKind.ranking:
                continue
            choices = [o.value for o in question.options] + ([OTHER] if question.allow_other else [])
            multiple = question.kind is QuestionKind.multiple_choice
            totals = {total_with({question.key: [v] if multiple else v}) for v in choices} | {total_with({question.key: None})}
            if len(totals) > 1:
                steering.append(question)
                could_grow = could_grow or (question.key not in answers and max(totals) > base)
        single = [q for q in steering if q.kind is not QuestionKind.multiple_choice]
        if len(single) != len(steering) or math.prod(len(q.options) + 1 for q in single) > MAX_OUTLOOK_COMBINATIONS:
            return PageOutlook(could_grow=could_grow)  # too many to list: the script leaves the page as it is
        totals = {
            "|".join(combination): total_with(dict(zip([q.key for q in single], combination, strict=True)))
            for combination in itertools.product(*[[o.value for o in q.options] + [""] for q in single])
        }
        return PageOutlook(tuple(q.key for q in single), totals, could_grow)

    def keep_visible(self, answers: Mapping[str, Given]) -> dict[str, Given]:
        """Answers to questions still shown; a changed earlier answer can hide later ones."""
        visible = {q.key for q in self.visible_questions(answers)}
        return {k: v for k, v in answers.items() if k in visible}

    def missing_required(self, answers: Mapping[str, Given]) -> list[QuestionDef]:
        return [q for q in self.visible_questions(answers) if q.required and q.key not in answers]


# --- reading a page's form ---------------------------------------------------------------------


@dataclass
class PageResult:
    answers: dict[str, Given] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    """Questions on the page left blank (any earlier answer is removed)."""
    errors: dict[str, Message] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)
    """What was sent, to fill the form again when there are errors."""

    @property
    def ok(self) -> bool:
        return not self.errors


REQUIRED_MESSAGE = N_("Please answer this question, or choose \u201cI\u2019d rather not say\u201d.")


def check_fields(form: Mapping[str, Sequence[str]], questions: Iterable[QuestionDef]) -> None:
    """Refuse any field that is not a control field or an input of the given questions."""
    allowed = set(CONTROL_FIELDS)
    for question in questions:
        allowed |= question.field_names()
    unknown = sorted(set(form) - allowed)
    if unknown:
        raise TamperedForm(f"unexpected fields: {', '.join(name[:40] for name in unknown[:5])}")


def read_page(form: Mapping[str, Sequence[str]], questions: Sequence[QuestionDef], *, require: bool = True) -> PageResult:
    """Parse and validate the answers to `questions` from a submitted form."""
    check_fields(form, questions)
    result = PageResult(raw={k: list(v) for k, v in form.items() if k not in CONTROL_FIELDS})
    for question in questions:
        try:
            given = _read_one(question, form)
        except _FieldError as problem:
            result.errors[question.key] = problem.message
            continue
        if given is None:
            result.cleared.add(question.key)
            if require and question.required:
                result.errors[question.key] = Message(REQUIRED_MESSAGE)
        else:
            result.answers[question.key] = given
    return result


class _FieldError(ValueError):
    """A mistake a participant can make and fix: shown next to the field."""

    def __init__(self, msgid: str, **params):
        self.message = Message(msgid, **params)
        super().__init__(self.message.english())


def _single(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = [v for v in form.get(name, []) if v != ""]
    if len(values) > 1:
        raise TamperedForm(f"{name[:40]} sent more than one value")
    return values[0] if values else ""


def _read_one(question: QuestionDef, form: Mapping[str, Sequence[str]]) -> Given | None:
    kind = question.kind
    declined_box = _single(form, f"{question.key}__declined")
    if declined_box not in ("", "1"):
        raise TamperedForm(f"{question.key}__declined is not a checkbox value")
    if kind in CHOICE_KINDS:
        value = _single(form, question.key)
        if value == DECLINED:
            return Given(None, declined=True)
        if value == "":
            return None
        if value not in question.option_values:
            raise TamperedForm(f"{question.key} is not one of its options")
        return Given(value)
    if kind is QuestionKind.multiple_choice:
        values = [v for v in form.get(question.key, []) if v != ""]
        if len(set(values)) != len(values):
            raise TamperedForm(f"{question.key} repeats a choice")
        if DECLINED in values:
            if len(values) > 1:
                raise _FieldError(N_("\u201cI\u2019d rather not say\u201d cannot go with other choices."))
            return Given(None, declined=True)
        allowed = question.option_values | ({OTHER} if question.allow_other else set())
        if not set(values) <= allowed:
            raise TamperedForm(f"{question.key} is not one of its options")
        other_text = clean_text(_single(form, f"{question.key}__other")) if question.allow_other else ""
        if other_text and OTHER not in values:
            values.append(OTHER)
        if OTHER in values and not other_text:
            raise _FieldError(N_("Please say what \u201cother\u201d is, or untick it."))
        if len(other_text) > OTHER_TEXT_LIMIT:
            raise _FieldError(N_("Please keep \u201cother\u201d under %(limit)s characters."), limit=OTHER_TEXT_LIMIT)
        if not values:
            return None
        return Given([v for v in (o.value for o in question.options) if v in values] + ([OTHER] if OTHER in values else []), other_text=other_text)
    if declined_box == "1":
        return Given(None, declined=True)
    if kind in TEXT_KINDS:
        text = clean_text(_single(form, question.key))
        limit = SHORT_TEXT_LIMIT if kind is QuestionKind.short_text else LONG_TEXT_LIMIT
        if len(text) > limit:
            raise _FieldError(N_("Please keep this under %(limit)s characters (you wrote %(count)s)."), limit=f"{limit:,}", count=f"{len(text):,}")
        return Given(text) if text else None
    if kind is QuestionKind.number:
        raw = _single(form, question.key).strip()
        if not raw:
            return None
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            raise _FieldError(N_("Please write a number, like 3 or 12.")) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise _FieldError(N_("Please write a number, like 3 or 12."))
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            raise _FieldError(N_("Please write a number from %(low)s to %(high)s."), low=_plain(low), high=_plain(high))
        return Given(int(number) if number.is_integer() else number)
    if kind is QuestionKind.date:
        raw = _single(form, question.key).strip()
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise _FieldError(N_("Please give a date, like 2026-09-30.")) from None
        if not date(1900, 1, 1) <= day <= date(2100, 12, 31):
            raise _FieldError(N_("Please give a date between 1900 and 2100."))
        return Given(day.isoformat())
    if kind is QuestionKind.ranking:
        ranks: dict[int, str] = {}
        for option in question.options:
            raw = _single(form, f"{question.key}__rank__{option.value}")
            if raw == "":
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= len(question.options):
                raise TamperedForm(f"{question.key} has a rank outside 1-{len(question.options)}")
            if int(raw) in ranks:
                raise _FieldError(N_("Please use each number only once."))
            ranks[int(raw)] = option.value
        if not ranks:
            return None
        if sorted(ranks) != list(range(1, len(ranks) + 1)):
            raise _FieldError(N_("Please number your choices 1, 2, 3\u2026 without gaps."))
        return Given([ranks[n] for n in sorted(ranks)])
    raise TamperedForm(f"unknown question kind {kind!r}")


def _plain(number: float | None) -> str:
    if number is None:
        return "any"
    return str(int(number)) if float(number).is_integer() else str(number)


def form_values(question: QuestionDef, given: Given | None) -> dict[str, list[str]]:
    """A stored answer as the form fields that would send it (to fill a page again)."""
    if given is None:
        return {}
    if given.declined:
        return {question.key: [DECLINED], f"{question.key}__declined": ["1"]}
    if question.kind is QuestionKind.ranking and isinstance(given.value, list):
        return {f"{question.key}__rank__{v}": [str(n)] for n, v in enumerate(given.value, start=1)}
    values = given.value if isinstance(given.value, list) else [given.value]
    fields = {question.key: [str(v) for v in values]}
    if given.other_text:
        fields[f"{question.key}__other"] = [given.other_text]
    return fields
