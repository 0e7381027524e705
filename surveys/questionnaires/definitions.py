"""A survey's definition read from the database, in a participant's language, and each worker's
cache of the definitions participants see.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace

from surveys.questionnaires.definition import (
    Condition,
    Option,
    QuestionDef,
    SectionDef,
    SurveyDef,
)
from surveys.questionnaires.tables import (
    Question,
    QuestionKind,
    Section,
    Survey,
    SurveyStatus,
    Translation,
)


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


async def translations_for(survey_id: int, language: str) -> dict[str, str]:
    rows = await Translation.select(Translation.key, Translation.text).where(
        (Translation.survey == survey_id) & (Translation.language == language))
    return {r["key"]: r["text"] for r in rows}


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
