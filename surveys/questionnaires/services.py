"""Survey services: building, sharing, drafts, submitting, and loading responses.

Controllers call these; these call the database. Nothing here knows about HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from app import clock, free_text
from app.accounts.auth import token_hash
from app.database import LARGEST_ID, current_engine, write_transaction
from app.free_text import assess_all
from app.governance.tables import Outcome, Project
from surveys.participation import consent
from surveys.questionnaires.definition import (
    DEFAULT_OPTIONS,
    OPTION_KINDS,
    TEXT_KINDS,
    Condition,
    Given,
    Option,
    QuestionDef,
    SectionDef,
    SurveyDef,
)
from surveys.questionnaires.tables import (
    Answer,
    BankQuestion,
    ContactRequest,
    Draft,
    Question,
    QuestionKind,
    Response,
    ResponseMode,
    Section,
    Survey,
    SurveyStatus,
    Translation,
    UnderThirteenRoute,
)

DRAFT_LIFETIME = timedelta(days=14)
# Codes people type: no 0/O, 1/I/L, so a code read off a screen or a poster is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
RESUME_CODE_LENGTH = 8


class SurveyUnavailable(Exception):
    """The survey cannot be answered now; `reason` says why in participant-friendly terms."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BuildError(ValueError):
    """A builder action that cannot be done, with a message for the person building."""


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    """What someone typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def grouped(code: str) -> str:
    """A code as people read it: in fours, with dashes."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- building -----------------------------------------------------------------------------------


async def _unique_code(column, make) -> str:
    for _ in range(20):
        code = make()
        if not await Survey.exists().where(column == code):
            return code
    raise RuntimeError("could not find an unused code")  # pragma: no cover - 31^6 codes


async def _check_project(fields: Mapping[str, Any]) -> None:
    """A survey names a project that exists, or none (otherwise the database refuses: a 500)."""
    project_id = fields.get("project")
    if project_id is None:
        return
    if not 0 < project_id <= LARGEST_ID or not await Project.exists().where(Project.id == project_id):
        raise BuildError("That project does not exist (it may have been removed): choose one from the list, or none.")


async def _check_wave(fields: Mapping[str, Any], survey_id: int | None = None) -> None:
    """One survey per wave of a series: two "wave 2"s would leave the indicator pages guessing which is the follow-up."""
    if not fields.get("series"):
        return
    same = Survey.exists().where(Survey.series == fields["series"], Survey.wave == fields.get("wave", 1))
    if survey_id is not None:
        same = same.where(Survey.id != survey_id)
    if await same:
        raise BuildError(f"The series {fields['series']!r} already has a wave {fields.get('wave', 1)}: give this survey the next wave number.")


async def next_wave(series: str) -> int:
    """The wave number after the last one of `series`."""
    last = await Survey.select(Survey.wave).where(Survey.series == series).order_by(Survey.wave, ascending=False).first()
    return last["wave"] + 1 if last else 1


async def create_survey(fields: Mapping[str, Any], *, created_by: int | None, public_code: str | None = None) -> int:
    await _check_project(fields)
    await _check_wave(fields)
    now = clock.now()
    async with write_transaction():
        survey = Survey(
            **fields,
            public_code=public_code or await _unique_code(Survey.public_code, lambda: secrets.token_urlsafe(6).lower().replace("_", "x").replace("-", "y")),
            join_code=await _unique_code(Survey.join_code, lambda: random_code(JOIN_CODE_LENGTH)),
            status=SurveyStatus.draft,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            version=new_version(),
        )
        await survey.save()
        await Section(survey=survey.id, position=0, title="", intro="").save()
    return survey.id


def new_version() -> str:
    """A survey's version: a new random value on every change, so that a worker's cached
    definition (`participant_definition`) is never taken for another survey or an older text."""
    return secrets.token_hex(8)


async def update_survey(survey_id: int, fields: Mapping[str, Any]) -> None:
    await _check_project(fields)
    await _check_wave(fields, survey_id)
    await Survey.update({**{getattr(Survey, k): v for k, v in fields.items()}, Survey.updated_at: clock.now(),
                         Survey.version: new_version()}).where(Survey.id == survey_id)


async def get_survey(survey_id: int) -> dict | None:
    return await Survey.select().where(Survey.id == survey_id).output(load_json=True).first()


async def list_surveys(*, include_archived: bool = False) -> list[dict]:
    query = Survey.select(
        Survey.id, Survey.title, Survey.status, Survey.audience, Survey.public_code, Survey.join_code,
        Survey.updated_at, Survey.project.reference, Survey.project,
    ).order_by(Survey.updated_at, ascending=False)
    if not include_archived:
        query = query.where(Survey.status != SurveyStatus.archived)
    rows = await query
    counts = {r["survey"]: r["count"] for r in await Response.raw("SELECT survey, COUNT(*) AS count FROM response GROUP BY survey")}
    return [{**row, "responses": counts.get(row["id"], 0)} for row in rows]


async def response_count(survey_id: int) -> int:
    return await Response.count().where(Response.survey == survey_id)


def _require_draft(survey: Mapping) -> None:
    if survey["status"] != SurveyStatus.draft:
        raise BuildError("This survey has been published, so its questions are fixed. Duplicate it to make a new version.")


async def _survey_or_fail(survey_id: int) -> dict:
    survey = await get_survey(survey_id)
    if survey is None:
        raise BuildError("There is no such survey.")
    return survey


async def add_section(survey_id: int, *, title: str, intro: str = "", show_if: Condition | None = None) -> int:
    _require_draft(await _survey_or_fail(survey_id))
    last = await Section.select(Section.position).where(Section.survey == survey_id).order_by(Section.position, ascending=False).first()
    position = (last["position"] + 1) if last else 0
    await _check_condition(survey_id, show_if, before_position=(position, -1))
    section = Section(survey=survey_id, position=position, title=title, intro=intro,
                      show_if=show_if.to_json() if show_if else None)
    await section.save()
    return section.id


async def update_section(section_id: int, *, title: str, intro: str, show_if: Condition | None) -> None:
    section = await Section.select(Section.survey, Section.position).where(Section.id == section_id).first()
    if section is None:
        raise BuildError("There is no such section.")
    _require_draft(await _survey_or_fail(section["survey"]))
    await _check_condition(section["survey"], show_if, before_position=(section["position"], -1))
    await Section.update({Section.title: title, Section.intro: intro, Section.show_if: show_if.to_json() if show_if else None}).where(Section.id == section_id)


async def _next_key(survey_id: int) -> str:
    keys = {r["key"] for r in await Question.select(Question.key).where(Question.survey == survey_id)}
    n = len(keys) + 1
    while f"q{n}" in keys:
        n += 1
    return f"q{n}"


@dataclass(frozen=True)
class QuestionFields:
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
    """Outcome *number* (1-12), as the report numbers them."""
    key: str = ""
    for_under_13: bool = False

    def with_default_options(self) -> QuestionFields:
        if self.kind in DEFAULT_OPTIONS and not self.options:
            return replace(self, options=tuple(Option(v, label) for v, label in DEFAULT_OPTIONS[self.kind]))
        if self.kind not in OPTION_KINDS:
            return replace(self, options=(), allow_other=False)
        return self


async def _outcome_id(number: int | None) -> int | None:
    if number is None:
        return None
    row = await Outcome.select(Outcome.id).where(Outcome.number == number).first()
    if row is None:
        raise BuildError(f"There is no outcome {number}.")
    return row["id"]


async def _check_condition(survey_id: int, condition: Condition | None, *, before_position: tuple[int, int] | None) -> None:
    """A skip rule must name an earlier question that has options, and values it can take."""
    if condition is None:
        return
    definition = await load_definition(survey_id)
    target = definition.question(condition.question)
    if target is None:
        raise BuildError("The question this depends on does not exist.")
    if target.kind not in OPTION_KINDS or target.kind is QuestionKind.ranking:
        raise BuildError("Skip logic can only depend on a choice question.")
    if not condition.values or not condition.values <= target.option_values:
        raise BuildError("Choose at least one answer of that question to show this when it is given.")
    if before_position is not None:
        positions = await _question_positions(survey_id)
        if positions.get(condition.question, (0, 0)) >= before_position:
            raise BuildError("Skip logic can only depend on an earlier question.")


async def _question_positions(survey_id: int) -> dict[str, tuple[int, int]]:
    rows = await Question.select(Question.key, Question.position, Question.section.position).where(Question.survey == survey_id)
    return {r["key"]: (r["section.position"], r["position"]) for r in rows}


async def add_question(survey_id: int, section_id: int, fields: QuestionFields) -> int:
    _require_draft(await _survey_or_fail(survey_id))
    section = await Section.select(Section.position).where((Section.id == section_id) & (Section.survey == survey_id)).first()
    if section is None:
        raise BuildError("That section is not part of this survey.")
    fields = fields.with_default_options()
    last = await Question.select(Question.position).where(Question.section == section_id).order_by(Question.position, ascending=False).first()
    position = (last["position"] + 1) if last else 0
    await _check_condition(survey_id, fields.show_if, before_position=(section["position"], position))
    question = Question(
        survey=survey_id, section=section_id, position=position, key=fields.key or await _next_key(survey_id),
        **_question_columns(fields), outcome=await _outcome_id(fields.outcome),
    )
    await question.save()
    await _touch(survey_id)
    return question.id


def _question_columns(fields: QuestionFields) -> dict[str, Any]:
    return {
        "kind": fields.kind,
        "text": fields.text,
        "hint": fields.hint,
        "required": fields.required,
        "options": [{"value": o.value, "label": o.label} for o in fields.options],
        "allow_other": fields.allow_other,
        "faces": fields.faces,
        "min_value": fields.min_value,
        "max_value": fields.max_value,
        "show_if": fields.show_if.to_json() if fields.show_if else None,
        "for_under_13": fields.for_under_13,
    }


async def _question_or_fail(question_id: int) -> dict:
    row = await Question.select().where(Question.id == question_id).output(load_json=True).first()
    if row is None:
        raise BuildError("There is no such question.")
    return row


async def update_question(question_id: int, fields: QuestionFields) -> None:
    row = await _question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    fields = fields.with_default_options()
    section = await Section.select(Section.position).where(Section.id == row["section"]).first()
    await _check_condition(row["survey"], fields.show_if, before_position=(section["position"], row["position"]))
    columns = {getattr(Question, k): v for k, v in _question_columns(fields).items()}
    columns[Question.outcome] = await _outcome_id(fields.outcome)
    await Question.update(columns).where(Question.id == question_id)
    await _touch(row["survey"])


async def _dependants(survey_id: int, key: str) -> list[str]:
    rows = await Question.select(Question.key, Question.show_if).where(Question.survey == survey_id).output(load_json=True)
    sections = await Section.select(Section.title, Section.show_if).where(Section.survey == survey_id).output(load_json=True)
    return [r["key"] for r in rows if (r["show_if"] or {}).get("question") == key] + [
        f"section \u201c{s['title']}\u201d" for s in sections if (s["show_if"] or {}).get("question") == key
    ]


async def delete_question(question_id: int) -> None:
    row = await _question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    dependants = await _dependants(row["survey"], row["key"])
    if dependants:
        raise BuildError(f"Other questions depend on this one ({', '.join(dependants)}): change their skip logic first.")
    await Question.delete().where(Question.id == question_id)
    await _touch(row["survey"])


async def move_question(question_id: int, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1) in the same section."""
    row = await _question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    siblings = await Question.select(Question.id, Question.key, Question.position, Question.show_if).where(
        Question.section == row["section"]).order_by(Question.position).output(load_json=True)
    index = next(i for i, s in enumerate(siblings) if s["id"] == question_id)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    first, second = sorted((index, other))
    if (siblings[second]["show_if"] or {}).get("question") == siblings[first]["key"]:
        raise BuildError("A question cannot move above the question its skip logic depends on.")
    async with write_transaction():
        for position, sibling in enumerate(siblings):
            new_position = position
            if position == index:
                new_position = other
            elif position == other:
                new_position = index
            await Question.update({Question.position: new_position}).where(Question.id == sibling["id"])
    await _touch(row["survey"])


async def duplicate_question(question_id: int) -> int:
    row = await _question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    async with write_transaction():
        await Question.update({Question.position: Question.position + 1}).where(
            (Question.section == row["section"]) & (Question.position > row["position"]))
        copy = Question(**{k: v for k, v in row.items() if k not in ("id", "key", "position")},
                        key=await _next_key(row["survey"]), position=row["position"] + 1)
        await copy.save()
    await _touch(row["survey"])
    return copy.id


async def _touch(survey_id: int) -> None:
    await Survey.update({Survey.updated_at: clock.now(), Survey.version: new_version()}).where(Survey.id == survey_id)


STATUS_CHANGES = {
    "publish": ({SurveyStatus.draft, SurveyStatus.closed}, SurveyStatus.published),
    "close": ({SurveyStatus.published}, SurveyStatus.closed),
    "archive": ({SurveyStatus.draft, SurveyStatus.closed}, SurveyStatus.archived),
}


async def change_status(survey_id: int, action: str) -> str:
    survey = await _survey_or_fail(survey_id)
    if action not in STATUS_CHANGES:
        raise BuildError("Unknown action.")
    allowed_from, to = STATUS_CHANGES[action]
    if survey["status"] not in allowed_from:
        raise BuildError(f"A {survey['status']} survey cannot be {to}.")
    if to is SurveyStatus.published and not await Question.exists().where(Question.survey == survey_id):
        raise BuildError("Add at least one question before publishing.")
    if (to is SurveyStatus.published and consent.asks_age(survey["audience"])
            and survey["under_13_route"] == UnderThirteenRoute.shorter
            and not await Question.exists().where((Question.survey == survey_id) & (Question.for_under_13 == True))):  # noqa: E712
        raise BuildError("Under-13s get the shorter survey: mark at least one question “Ask under-13s” before publishing.")
    await update_survey(survey_id, {"status": to})
    return to.value


async def duplicate_survey(survey_id: int, *, created_by: int | None) -> int:
    """A new draft with the same texts, questions and translations (no responses); a survey in a
    series gives its next wave (the same question keys, so the waves' answers line up)."""
    survey = await _survey_or_fail(survey_id)
    copied = {k: v for k, v in survey.items() if k in (
        "purpose", "audience", "languages", "consent_text", "local_contact", "one_question_per_page", "easy_read", "project",
        "response_cap", "retention_months", "ask_contact", "under_13_route", "series")}
    if survey["series"]:
        copied["wave"] = await next_wave(survey["series"])
    new_id = await create_survey({**copied, "title": f"{survey['title']} (copy)"}, created_by=created_by)
    sections = await Section.select().where(Section.survey == survey_id).order_by(Section.position).output(load_json=True)
    first_new = await Section.select(Section.id).where(Section.survey == new_id).first()
    section_map, question_map = {}, {}
    async with write_transaction():
        for index, section in enumerate(sections):
            if index == 0:
                await Section.update({Section.title: section["title"], Section.intro: section["intro"], Section.show_if: section["show_if"]}).where(Section.id == first_new["id"])
                section_map[section["id"]] = first_new["id"]
            else:
                copy = Section(**{k: v for k, v in section.items() if k not in ("id", "survey")}, survey=new_id)
                await copy.save()
                section_map[section["id"]] = copy.id
        for question in await Question.select().where(Question.survey == survey_id).output(load_json=True):
            copy = Question(**{k: v for k, v in question.items() if k not in ("id", "survey", "section")},
                            survey=new_id, section=section_map[question["section"]])
            await copy.save()
            question_map[question["id"]] = copy.id
        for row in await Translation.select().where(Translation.survey == survey_id):
            key = _remap_key(row["key"], section_map, question_map)
            await Translation(survey=new_id, language=row["language"], key=key, text=row["text"]).save()
    return new_id


def _remap_key(key: str, sections: dict[int, int], questions: dict[int, int]) -> str:
    parts = key.split(":")
    if parts[0] == "q":
        parts[1] = str(questions.get(int(parts[1]), parts[1]))
    elif parts[0] == "section":
        parts[1] = str(sections.get(int(parts[1]), parts[1]))
    return ":".join(parts)


# --- question bank ------------------------------------------------------------------------------


async def save_to_bank(question_id: int) -> int:
    row = await _question_or_fail(question_id)
    bank = BankQuestion(kind=row["kind"], text=row["text"], hint=row["hint"], options=row["options"],
                        allow_other=row["allow_other"], faces=row["faces"], outcome=row["outcome"], created_at=clock.now())
    await bank.save()
    return bank.id


async def add_from_bank(survey_id: int, section_id: int, bank_id: int) -> int:
    row = await BankQuestion.select(BankQuestion.all_columns(), BankQuestion.outcome.number).where(
        BankQuestion.id == bank_id).output(load_json=True).first()
    if row is None:
        raise BuildError("There is no such question in the bank.")
    return await add_question(survey_id, section_id, QuestionFields(
        kind=QuestionKind(row["kind"]), text=row["text"], hint=row["hint"],
        options=tuple(Option(o["value"], o["label"]) for o in row["options"]),
        allow_other=row["allow_other"], faces=row["faces"], outcome=row["outcome.number"]))


async def bank_questions() -> list[dict]:
    return await BankQuestion.select(
        BankQuestion.all_columns(), BankQuestion.outcome.number, BankQuestion.outcome.statement
    ).order_by(BankQuestion.outcome.number).order_by(BankQuestion.id).output(load_json=True)


# --- definitions and translations ---------------------------------------------------------------


class Localised(str):
    """A survey text in the participant's language, or in English when no translation exists."""

    fallback: bool = False
    lang: str = "en"

    @classmethod
    def of(cls, text: str, lang: str, fallback: bool) -> Localised:
        value = cls(text)
        value.lang, value.fallback = lang, fallback
        return value


async def load_definition(survey_id: int) -> SurveyDef:
    """The survey in English, as participants move through it."""
    survey = await Survey.select().where(Survey.id == survey_id).output(load_json=True).first()
    sections = await Section.select().where(Section.survey == survey_id).order_by(Section.position).output(load_json=True)
    questions = await Question.select(Question.all_columns(), Question.outcome.number).where(
        Question.survey == survey_id).order_by(Question.position).output(load_json=True)
    by_section: dict[int, list[QuestionDef]] = {s["id"]: [] for s in sections}
    for q in questions:
        by_section[q["section"]].append(QuestionDef(
            id=q["id"], key=q["key"], kind=QuestionKind(q["kind"]), text=q["text"], hint=q["hint"],
            required=q["required"], options=tuple(Option(str(o["value"]), o["label"]) for o in q["options"]),
            allow_other=q["allow_other"], faces=q["faces"], min_value=q["min_value"], max_value=q["max_value"],
            show_if=Condition.from_json(q["show_if"]), outcome=q["outcome.number"], section_id=q["section"],
            for_under_13=q["for_under_13"],
        ))
    return SurveyDef(
        id=survey["id"], title=survey["title"], purpose=survey["purpose"], audience=survey["audience"],
        languages=tuple(survey["languages"] or ["en"]), consent_text=survey["consent_text"],
        local_contact=survey["local_contact"], one_question_per_page=survey["one_question_per_page"],
        easy_read=survey["easy_read"],
        sections=tuple(
            SectionDef(s["id"], s["title"], s["intro"], Condition.from_json(s["show_if"]), tuple(by_section[s["id"]]))
            for s in sections
        ),
    )


def text_keys(definition: SurveyDef) -> list[tuple[str, str, str]]:
    """Every translatable text as (key, English, what it is), in reading order."""
    keys = [("survey:title", definition.title, "Title"), ("survey:purpose", definition.purpose, "Purpose"),
            ("survey:consent", definition.consent_text, "Consent text"), ("survey:local_contact", definition.local_contact, "Local contact")]
    for section in definition.sections:
        keys += [(f"section:{section.id}:title", section.title, "Section title"), (f"section:{section.id}:intro", section.intro, "Section introduction")]
        for q in section.questions:
            keys += [(f"q:{q.id}:text", q.text, f"{q.key} question"), (f"q:{q.id}:hint", q.hint, f"{q.key} hint")]
            keys += [(f"q:{q.id}:opt:{o.value}", o.label, f"{q.key} answer") for o in q.options
                     if q.kind not in (QuestionKind.rating,)]
    return [(k, english, what) for k, english, what in keys if english]


async def translations_for(survey_id: int, language: str) -> dict[str, str]:
    rows = await Translation.select(Translation.key, Translation.text).where(
        (Translation.survey == survey_id) & (Translation.language == language))
    return {r["key"]: r["text"] for r in rows}


async def save_translations(survey_id: int, language: str, texts: Mapping[str, str]) -> None:
    """Replace the survey's texts in `language` (blank ones are removed and fall back to English)."""
    valid = {k for k, _, _ in text_keys(await load_definition(survey_id))}
    unknown = set(texts) - valid
    if unknown:
        raise BuildError("Some texts do not belong to this survey; reload the page and try again.")
    async with write_transaction():
        await Translation.delete().where((Translation.survey == survey_id) & (Translation.language == language))
        for key, text in texts.items():
            if text.strip():
                await Translation(survey=survey_id, language=language, key=key, text=text.strip()).save()
        await _touch(survey_id)  # translations can change after publishing: cached definitions must see them


# Each worker keeps the localised definitions of surveys that are not drafts. Their questions never
# change (the builder refuses), and every change to their texts or settings gives the survey a new
# `version`, read with the survey's row on every request; so a stale entry is never used, and
# nothing here needs sharing between workers.
_DEFINITIONS: OrderedDict[tuple[int, str, str], tuple[SurveyDef, bool]] = OrderedDict()
DEFINITION_CACHE_SIZE = 64


async def participant_definition(survey: Mapping, language: str) -> tuple[SurveyDef, bool]:
    """The survey as a participant sees it in `language` (and whether a text was missing)."""
    key = (survey["id"], survey["version"], language)
    cacheable = survey["status"] != SurveyStatus.draft and bool(survey["version"])
    if cacheable and key in _DEFINITIONS:
        _DEFINITIONS.move_to_end(key)
        return _DEFINITIONS[key]
    localised = localise(await load_definition(survey["id"]), language, await translations_for(survey["id"], language))
    if cacheable:
        _DEFINITIONS[key] = localised
        while len(_DEFINITIONS) > DEFINITION_CACHE_SIZE:
            _DEFINITIONS.popitem(last=False)
    return localised


def localise(definition: SurveyDef, language: str, texts: Mapping[str, str]) -> tuple[SurveyDef, bool]:
    """The survey in `language`; English where a text is missing. Also: was anything missing?"""
    missing = False

    def pick(key: str, english: str) -> Localised:
        nonlocal missing
        if language == "en" or not english:
            return Localised.of(english, "en", False)
        if texts.get(key):
            return Localised.of(texts[key], language, False)
        missing = True
        return Localised.of(english, "en", True)

    sections = tuple(
        replace(
            s,
            title=pick(f"section:{s.id}:title", s.title),
            intro=pick(f"section:{s.id}:intro", s.intro),
            questions=tuple(
                replace(
                    q,
                    text=pick(f"q:{q.id}:text", q.text),
                    hint=pick(f"q:{q.id}:hint", q.hint),
                    options=tuple(Option(o.value, pick(f"q:{q.id}:opt:{o.value}", o.label) if q.kind is not QuestionKind.rating else o.label) for o in q.options),
                )
                for q in s.questions
            ),
        )
        for s in definition.sections
    )
    localised = replace(
        definition,
        title=pick("survey:title", definition.title),
        purpose=pick("survey:purpose", definition.purpose),
        consent_text=pick("survey:consent", definition.consent_text),
        local_contact=pick("survey:local_contact", definition.local_contact),
        sections=sections,
    )
    return localised, missing


# --- participants: finding a survey, drafts, submitting -----------------------------------------


# Every participant request looks its survey up by code: SQL written once rather than built by Piccolo
# each time (building the select was about a tenth of a participant page's CPU in issue 9's profile).
_SURVEY_BY_PUBLIC_CODE = f"SELECT * FROM {Survey._meta.tablename} WHERE {Survey.public_code._meta.db_column_name} = {{}} LIMIT 1"
_SURVEY_JSON_COLUMNS = [c._meta.db_column_name for c in Survey._meta.json_columns]


async def survey_by_public_code(code: str) -> dict | None:
    """The survey row (JSON columns decoded, as a Piccolo select with load_json gives), or None."""
    rows = await Survey.raw(_SURVEY_BY_PUBLIC_CODE, code.strip().lower()[:40])
    if not rows:
        return None
    survey = dict(rows[0])
    for column in _SURVEY_JSON_COLUMNS:
        if isinstance(survey[column], str):
            survey[column] = json.loads(survey[column])
    return survey


async def survey_by_join_code(typed: str) -> dict | None:
    return await Survey.select(Survey.public_code, Survey.status).where(Survey.join_code == normalise_code(typed)[:8]).first()


async def check_open(survey: Mapping) -> None:
    """Raise SurveyUnavailable unless the survey takes answers right now."""
    now = clock.now()
    if survey["status"] in (SurveyStatus.draft, SurveyStatus.archived):
        raise SurveyUnavailable("not_found")
    if survey["status"] == SurveyStatus.closed or (survey["closes_at"] and now >= survey["closes_at"]):
        raise SurveyUnavailable("closed")
    if survey["opens_at"] and now < survey["opens_at"]:
        raise SurveyUnavailable("not_open_yet")
    if survey["response_cap"] and await response_count(survey["id"]) >= survey["response_cap"]:
        raise SurveyUnavailable("full")


@dataclass
class DraftState:
    id: int
    survey_id: int
    language: str
    mode: str
    easy_read: bool
    answers: dict[str, Given]
    furthest_page: int
    started_at: datetime
    consent: consent.Agreement = consent.Agreement("")
    contact_details: str = ""


async def purge_expired_drafts() -> int:
    """Unfinished answers are deleted when they expire (14 days, or sooner if the survey closes)."""
    expired = await Draft.count().where(Draft.expires_at < clock.now())
    if expired:
        await Draft.delete().where(Draft.expires_at < clock.now())
    return expired


async def start_draft(survey: Mapping, *, language: str, mode: ResponseMode, easy_read: bool,
                      agreement: consent.Agreement | None = None) -> str:
    """A new, empty draft, with what the participant agreed to; returns the secret token that names it in the URL."""
    agreement = agreement or consent.Agreement("")
    await purge_expired_drafts()
    token = secrets.token_urlsafe(24)
    now = clock.now()
    expires = now + DRAFT_LIFETIME
    if survey["closes_at"] and survey["closes_at"] < expires:
        expires = survey["closes_at"]
    await Draft(survey=survey["id"], token_hash=token_hash(token), language=language, mode=mode, easy_read=easy_read,
                answers={}, furthest_page=1, started_at=now, updated_at=now, expires_at=expires,
                consent_version=agreement.consent_version, consented_at=now if agreement.consent_version else None,
                age_band=agreement.age_band, parent_statement=agreement.parent_statement).save()
    return token


async def load_draft(survey_id: int, token: str) -> DraftState | None:
    row = await Draft.select().where((Draft.token_hash == token_hash(token)) & (Draft.survey == survey_id)).output(load_json=True).first()
    if row is None or row["expires_at"] <= clock.now():
        return None
    return DraftState(row["id"], row["survey"], row["language"], row["mode"], row["easy_read"],
                      {k: Given.from_json(v) for k, v in (row["answers"] or {}).items()}, row["furthest_page"], row["started_at"],
                      consent.Agreement(row["consent_version"], row["age_band"], row["parent_statement"]), row["contact_details"])


async def save_draft(draft: DraftState, *, furthest_page: int | None = None, language: str | None = None, easy_read: bool | None = None) -> None:
    values = {Draft.answers: {k: v.to_json() for k, v in draft.answers.items()}, Draft.updated_at: clock.now(),
              Draft.contact_details: draft.contact_details}
    if furthest_page is not None:
        values[Draft.furthest_page] = max(furthest_page, draft.furthest_page)
    if language is not None:
        values[Draft.language] = language
    if easy_read is not None:
        values[Draft.easy_read] = easy_read
    await Draft.update(values).where(Draft.id == draft.id)


async def discard_draft(survey_id: int, token: str) -> None:
    """Delete unsent answers now (quick exit): nothing of them stays to be found."""
    await Draft.delete().where((Draft.token_hash == token_hash(token)) & (Draft.survey == survey_id))


async def issue_resume_code(draft: DraftState) -> str:
    """A short code to come back with; it replaces any earlier one for this draft."""
    for _ in range(20):
        code = random_code(RESUME_CODE_LENGTH)
        if not await Draft.exists().where(Draft.resume_code_hash == token_hash(code)):
            await Draft.update({Draft.resume_code_hash: token_hash(code)}).where(Draft.id == draft.id)
            return code
    raise RuntimeError("could not find an unused resume code")  # pragma: no cover


async def resume(survey_id: int, typed_code: str) -> str | None:
    """Swap a resume code for a new draft token (the old link stops working), or None."""
    code = normalise_code(typed_code)
    if len(code) != RESUME_CODE_LENGTH:
        return None
    row = await Draft.select(Draft.id, Draft.expires_at).where(
        (Draft.resume_code_hash == token_hash(code)) & (Draft.survey == survey_id)).first()
    if row is None or row["expires_at"] <= clock.now():
        return None
    token = secrets.token_urlsafe(24)
    await Draft.update({Draft.token_hash: token_hash(token), Draft.updated_at: clock.now()}).where(Draft.id == row["id"])
    return token


def receipt_code(token: str, secret_key: str) -> str:
    """The same token always gives the same receipt, so a repeated submit shows the same one."""
    digest = hmac.new(secret_key.encode(), b"receipt:" + token.encode(), hashlib.sha256).digest()
    alphabet_code = base64.b32encode(digest).decode()
    return "".join(CODE_ALPHABET[ord(ch) % len(CODE_ALPHABET)] for ch in alphabet_code[:10])


@dataclass(frozen=True)
class Submitted:
    receipt: str
    flagged: bool
    repeated: bool
    """True when this token's answers had already been stored: nothing new was written."""
    mode: str = ResponseMode.online
    contact_left: bool = False
    """The participant left a way to contact them (only the safeguarding lead can see it)."""


async def _already_submitted(key: str) -> Response | None:
    return await Response.objects().where(Response.submission_key == key).first()


async def submit_draft(definition: SurveyDef, token: str, draft: DraftState, *, secret_key: str) -> Submitted:
    """Store the draft's answers as one response, once; the draft is deleted in the same transaction."""
    answers = definition.keep_visible(draft.answers)
    receipt = receipt_code(token, secret_key)
    return await store_response(
        definition, answers, submission_key=token_hash(token), receipt=receipt, language=draft.language,
        mode=ResponseMode(draft.mode), started_at=draft.started_at, draft_id=draft.id, within_cap=True,
        agreement=draft.consent, contact_details=draft.contact_details,
    )


async def was_submitted(token: str) -> bool:
    """Whether this draft token's answers were sent (they are stored under its hash)."""
    return await Response.exists().where(Response.submission_key == token_hash(token))


async def find_submission(token: str, secret_key: str) -> Submitted | None:
    """The earlier result of submitting this token, if it was submitted (a retry or a double tap)."""
    existing = await _already_submitted(token_hash(token))
    if existing is None:
        return None
    return Submitted(receipt_code(token, secret_key), existing.flagged, repeated=True, mode=existing.mode,
                     contact_left=await ContactRequest.exists().where(ContactRequest.response == existing.id))


async def store_response(
    definition: SurveyDef,
    answers: Mapping[str, Given],
    *,
    submission_key: str,
    receipt: str,
    language: str,
    mode: ResponseMode,
    started_at: datetime,
    draft_id: int | None = None,
    entered_by: int | None = None,
    submitted_at: datetime | None = None,
    within_cap: bool = False,
    agreement: consent.Agreement | None = None,
    contact_details: str = "",
) -> Submitted:
    """Write a response and all its answers in one transaction, or nothing at all.

    With `within_cap`, SurveyUnavailable("full") when the survey's response cap is reached, decided
    inside the same transaction so that simultaneous sends cannot pass the cap together."""
    by_key = {q.key: q for q in definition.questions}
    texts = {key: text for key, given in answers.items() if (text := _free_text(by_key[key], given))}
    assessments = dict(zip(texts, await assess_all(list(texts.values())), strict=True))
    flagged = any(a.flagged for a in assessments.values())
    held: list[int] = []
    try:
        async with write_transaction():
            if within_cap:
                await _refuse_when_full(definition.id)
            response = Response(
                survey=definition.id, submission_key=submission_key, receipt_hash=token_hash(receipt), language=language,
                mode=mode, entered_by=entered_by, started_at=started_at, submitted_at=submitted_at or clock.now(), flagged=flagged,
                consent_version=agreement.consent_version if agreement else "",
                consented_at=started_at if agreement and agreement.consent_version else None,
                age_band=agreement.age_band if agreement else "", parent_statement=bool(agreement and agreement.parent_statement),
            )
            await response.save()
            if contact_details:
                # Never an answer: its own table, which only the safeguarding lead's reveal reads.
                await ContactRequest(response=response.id, details=contact_details, created_at=clock.now()).save()
            rows = []
            for key, given in answers.items():
                assessment = assessments.get(key)
                rows.append(Answer(
                    # Piccolo stores a str given to a JSON column as if it were JSON already: encode every value.
                    response=response.id, question=by_key[key].id, value=json.dumps(given.value), declined=given.declined,
                    other_text=given.other_text, screening_level=assessment.level if assessment else "none",
                    screening_categories=assessment.categories if assessment else [],
                    sentiment=assessment.polarity if assessment else None,
                    sentiment_label=assessment.sentiment if assessment else None,
                ))
            if rows:
                inserted = await Answer.insert(*rows)
                held = await free_text.hold([
                    free_text.FlaggedText(
                        source_kind="survey_answer", source_id=stored["id"], text=texts[key], assessment=assessments[key],
                        place=f"{definition.title} ({mode.value if isinstance(mode, ResponseMode) else mode})",
                        question=by_key[key].text, survey_id=definition.id,
                    )
                    for key, stored in zip(answers, inserted, strict=True)
                    if key in assessments and assessments[key].flagged
                ])
            if draft_id is not None:
                await Draft.delete().where(Draft.id == draft_id)
    except Exception:
        # A concurrent submit of the same token won the race: its response is the one.
        existing = await _already_submitted(submission_key)
        if existing is None:
            raise
        return Submitted(receipt, existing.flagged, repeated=True, mode=existing.mode)
    # Only now, committed: the alert job must find the disclosure, and on SQLite the job engine's
    # own connection would wait for this worker's write lock.
    await free_text.held_committed(held)
    return Submitted(receipt, flagged, repeated=False, mode=mode, contact_left=bool(contact_details))


async def _refuse_when_full(survey_id: int) -> None:
    """Inside a write transaction: raise SurveyUnavailable("full") if the cap is reached. On SQLite the
    transaction already holds the write lock (BEGIN IMMEDIATE); on PostgreSQL the survey's row is
    locked, so capped sends count one after another."""
    cap = (await Survey.select(Survey.response_cap).where(Survey.id == survey_id).first())["response_cap"]
    if not cap:
        return
    if not isinstance(current_engine(), SQLiteEngine):
        await Survey.select(Survey.id).where(Survey.id == survey_id).lock_rows()
    if await response_count(survey_id) >= cap:
        raise SurveyUnavailable("full")


def _free_text(question: QuestionDef, given: Given) -> str:
    """The participant's own words in an answer: a text answer, or what "other" said."""
    if question.kind in TEXT_KINDS and isinstance(given.value, str):
        return given.value
    return given.other_text


async def store_paper_response(definition: SurveyDef, answers: Mapping[str, Given], *, mode: ResponseMode,
                               entered_by: int, secret_key: str, submission_id: str) -> Submitted:
    """A paper questionnaire or answers given aloud, typed in by staff (marked with its mode)."""
    return await store_response(
        definition, definition.keep_visible(answers), submission_key=token_hash("paper:" + submission_id),
        receipt=receipt_code("paper:" + submission_id, secret_key), language="en", mode=mode,
        started_at=clock.now(), entered_by=entered_by,
    )


# --- loading responses for results and exports --------------------------------------------------


@dataclass(frozen=True)
class StoredAnswer:
    given: Given
    screening_level: str = "none"
    sentiment: float | None = None
    sentiment_label: str | None = None
    """analysis.sentiment's label for the free text (None when there is none)."""


@dataclass(frozen=True)
class StoredResponse:
    id: int
    submitted_at: datetime
    language: str
    mode: str
    flagged: bool
    answers: dict[str, StoredAnswer]


def stored_value(raw: str | float | None) -> str | float | list[str] | None:
    """An answer's value as stored: JSON text, except that SQLite hands a JSON number back as a number
    (the JSON column has numeric affinity), so Piccolo's load_json cannot be used on it."""
    return json.loads(raw) if isinstance(raw, str) else raw


async def load_responses(definition: SurveyDef) -> list[StoredResponse]:
    responses = await Response.select(Response.id, Response.submitted_at, Response.language, Response.mode, Response.flagged).where(
        Response.survey == definition.id).order_by(Response.submitted_at)
    keys = {q.id: q.key for q in definition.questions}
    answers: dict[int, dict[str, StoredAnswer]] = {r["id"]: {} for r in responses}
    rows = await Answer.select(
        Answer.response, Answer.question, Answer.value, Answer.declined, Answer.other_text, Answer.screening_level, Answer.sentiment,
        Answer.sentiment_label,
    ).where(Answer.response.survey == definition.id).where(
        # Words held for the safeguarding lead are in no result, chart, export or count: as if unanswered.
        (Answer.screening_level == "none") | (Answer.released == True)  # noqa: E712 (a Piccolo expression)
    )
    by_id = {q.id: q for q in definition.questions}
    for row in rows:
        if row["question"] in keys and row["response"] in answers:
            given = Given(stored_value(row["value"]), row["declined"], row["other_text"])
            label = row["sentiment_label"]
            if label is None and (text := _free_text(by_id[row["question"]], given)):
                label = free_text.sentiment_label(text)  # stored before labels were kept: the same library, now
            answers[row["response"]][keys[row["question"]]] = StoredAnswer(given, row["screening_level"], row["sentiment"], label)
    return [StoredResponse(r["id"], r["submitted_at"], r["language"], r["mode"], r["flagged"], answers[r["id"]]) for r in responses]


async def abandoned_drafts(survey_id: int) -> list[int]:
    """The furthest page each unfinished draft reached (for drop-off)."""
    return [r["furthest_page"] for r in await Draft.select(Draft.furthest_page).where(Draft.survey == survey_id)]
