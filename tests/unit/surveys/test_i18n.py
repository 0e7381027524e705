"""The participant interface in other languages: catalogs complete, language chosen from the browser."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from surveys.participation import i18n

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("header", "expected"), [
    ("bn-BD,bn;q=0.9,en;q=0.5", "bn"),
    ("en-GB,en;q=0.9", "en"),
    ("fr-FR, ur;q=0.8", "ur"),
    ("ur;q=0, bn;q=0.1", "bn"),
    ("", "en"),
    ("de", "en"),
    (";;;,q=abc,,", "en"),
])
def test_the_browser_language_picks_one_the_survey_offers(header, expected):
    assert i18n.from_accept_language(header, ("en", "bn", "ur")) == expected


def test_right_to_left_scripts_are_known():
    assert i18n.language("ur").direction == "rtl"
    assert i18n.language("ar").direction == "rtl"
    assert i18n.language("bn").direction == "ltr"
    assert i18n.language("bn").name == "বাংলা"


def test_interface_words_are_translated_and_formatted():
    assert i18n.gettext_for("bn")("Quick exit") == "দ্রুত বের হোন"
    assert i18n.gettext_for("ur")("Page %(n)s of %(total)s", n=2, total=5) == "صفحہ 2 از 5"
    # A language without a catalog gets the English words, never a blank.
    assert i18n.gettext_for("so")("Quick exit") == "Quick exit"


def test_every_catalog_translates_every_word_the_pages_use(tmp_path):
    """Re-extract from the code and templates: a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "--no-location", "--omit-header", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    assert len(wanted) > 50
    for code in i18n.interface_languages()[1:]:
        catalog = read_po((i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb"))
        translated = {m.id for m in catalog if m.id and m.string}
        assert wanted <= translated, f"{code} is missing: {sorted(wanted - translated)[:5]} (run `make translations`)"


def test_a_refusal_is_english_for_staff_and_translated_for_a_participant_values_and_all():
    from surveys.boards.services import BoardRefused
    from surveys.participation.text import Message

    refused = BoardRefused(Message("Votes can be given only in the %(phase)s phase; the board is in the %(now)s phase.",
                                   phase=Message("Vote"), now=Message("Write")))
    assert str(refused) == "Votes can be given only in the Vote phase; the board is in the Write phase."
    assert i18n.translate(refused.message, "en") == str(refused)
    assert i18n.translate(refused.message, "ur") == "ووٹ صرف “ووٹ دیں” مرحلے میں دیے جا سکتے ہیں؛ بورڈ ابھی “لکھیں” مرحلے میں ہے۔"
    # A staff-only refusal is plain English text, and stays English in any language.
    facilitator_only = BoardRefused("Give the group a name of 1-120 characters.")
    assert str(facilitator_only) == i18n.translate(facilitator_only.message, "bn") == "Give the group a name of 1-120 characters."
