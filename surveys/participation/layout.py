"""What the participant layout (templates/participation/_participant.html) needs on every page a
young person may see: the interface's words in their language and the text's direction. The faces
and text limits are the questionnaire's, shown by its question macro on participant pages and receipts.
"""

from __future__ import annotations

from surveys.participation import i18n
from surveys.questionnaires.definition import FACES, LONG_TEXT_LIMIT, SHORT_TEXT_LIMIT


def participant_context(language: str, **extra) -> dict:
    lang = i18n.language(language)
    ui_language = language if language in i18n.interface_languages() else i18n.DEFAULT_LANGUAGE
    return {
        "_": i18n.gettext_for(ui_language),
        "lang": language,
        "text_direction": lang.direction,
        "faces": FACES,
        "long_text_limit": LONG_TEXT_LIMIT,
        "short_text_limit": SHORT_TEXT_LIMIT,
        **extra,
    }
