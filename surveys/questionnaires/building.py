"""Building a survey: its settings, sections and questions, status changes and duplicating.

Controllers call these; these call the database. Nothing here knows about HTTP.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from app import clock
from app.database import LARGEST_ID, write_transaction
from app.governance.tables import Outcome, Project
from surveys.participation import consent
from surveys.participation.codes import JOIN_CODE_LENGTH, random_code
from surveys.questionnaires.definition import (
    DEFAULT_OPTIONS,
    OPTION_KINDS,
    Condition,
    Option,
)
from surveys.questionnaires.definitions import load_definition
from surveys.questionnaires.finding import get_survey
from surveys.questionnaires.tables import (
    Question,
    QuestionKind,
    Section,
    Survey,
    SurveyStatus,
    Translation,
    UnderThirteenRoute,
)


class BuildError(ValueError):
    """A builder action that cannot be done, with a message for the person building."""


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
    await touch(survey_id)
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


async def question_or_fail(question_id: int) -> dict:
    row = await Question.select().where(Question.id == question_id).output(load_json=True).first()
    if row is None:
        raise BuildError("There is no such question.")
    return row


async def update_question(question_id: int, fields: QuestionFields) -> None:
    row = await question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    fields = fields.with_default_options()
    section = await Section.select(Section.position).where(Section.id == row["section"]).first()
    await _check_condition(row["survey"], fields.show_if, before_position=(section["position"], row["position"]))
    columns = {getattr(Question, k): v for k, v in _question_columns(fields).items()}
    columns[Question.outcome] = await _outcome_id(fields.outcome)
    await Question.update(columns).where(Question.id == question_id)
    await touch(row["survey"])


async def _dependants(survey_id: int, key: str) -> list[str]:
    rows = await Question.select(Question.key, Question.show_if).where(Question.survey == survey_id).output(load_json=True)
    sections = await Section.select(Section.title, Section.show_if).where(Section.survey == survey_id).output(load_json=True)
    return [r["key"] for r in rows if (r["show_if"] or {}).get("question") == key] + [
        f"section \u201c{s['title']}\u201d" for s in sections if (s["show_if"] or {}).get("question") == key
    ]


async def delete_question(question_id: int) -> None:
    row = await question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    dependants = await _dependants(row["survey"], row["key"])
    if dependants:
        raise BuildError(f"Other questions depend on this one ({', '.join(dependants)}): change their skip logic first.")
    await Question.delete().where(Question.id == question_id)
    await touch(row["survey"])


async def move_question(question_id: int, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1) in the same section."""
    row = await question_or_fail(question_id)
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
    await touch(row["survey"])


async def duplicate_question(question_id: int) -> int:
    row = await question_or_fail(question_id)
    _require_draft(await _survey_or_fail(row["survey"]))
    async with write_transaction():
        await Question.update({Question.position: Question.position + 1}).where(
            (Question.section == row["section"]) & (Question.position > row["position"]))
        copy = Question(**{k: v for k, v in row.items() if k not in ("id", "key", "position")},
                        key=await _next_key(row["survey"]), position=row["position"] + 1)
        await copy.save()
    await touch(row["survey"])
    return copy.id


async def touch(survey_id: int) -> None:
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
