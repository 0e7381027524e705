"""Translating a survey: the texts a translator sees, and saving them (a new version for every cache).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.database import write_transaction
from surveys.questionnaires.building import BuildError, touch
from surveys.questionnaires.definition import (
    SurveyDef,
)
from surveys.questionnaires.definitions import load_definition
from surveys.questionnaires.tables import (
    QuestionKind,
    Translation,
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
        await touch(survey_id)  # translations can change after publishing: cached definitions must see them
