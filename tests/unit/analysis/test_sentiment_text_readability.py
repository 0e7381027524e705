"""Sentiment, text preparation and plain-language checks."""

import csv
from pathlib import Path

import pytest

from analysis.readability import assess, find_jargon
from analysis.sentiment import SentimentScorer, score
from analysis.text import content_words, squeeze_repeats, tokens

DATA = Path(__file__).resolve().parents[2] / "data" / "sentiment.csv"


@pytest.mark.parametrize("answer", ["nothing", "Nothing really.", "no", "n/a", "idk", "not sure", "can't think of anything"])
def test_non_answers_are_neutral_not_negative(answer):
    assert score(answer).label == "neutral"


def test_accuracy_on_our_labelled_answers():
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    correct = sum(score(r["text"]).label == r["label"] for r in rows)
    assert len(rows) >= 50
    assert correct / len(rows) >= 0.8, correct / len(rows)


def test_scorer_is_a_transformer():
    values = SentimentScorer().fit_transform(["i love it", "i hate it"])
    assert values.shape == (2, 2) and values[0, 0] > 0 > values[1, 0]


def test_tokens_handle_repeats_abbreviations_and_emoji():
    assert squeeze_repeats("sooooo goood") == "so god"
    assert tokens("u r gr8 😀") == ["you", "are", "great", "😀"]
    assert "club" in content_words("The youth club is really good", stem=False)
    assert "the" not in content_words("The youth club")


def test_jargon_is_found_with_a_plain_alternative():
    jargon = {j["term"]: j["plain"] for j in find_jargon("Were you referred to MASH or CAMHS via the early help pathway?")}
    assert set(jargon) == {"MASH", "CAMHS", "early help", "pathway"}
    assert jargon["CAMHS"] == "mental health services for young people"
    assert find_jargon("Do you feel safe at school?") == []


def test_reading_age_rises_with_harder_language():
    easy = assess("Do you feel safe at school?")
    hard = assess("To what extent do multi-agency safeguarding arrangements demonstrate proportionate intervention thresholds?")
    assert easy.reading_age < hard.reading_age and easy.flesch > hard.flesch


def test_a_plain_one_line_question_reads_as_plain():
    # The consensus formulas call any single line grade 8+; a plain question must not be flagged.
    assert assess("I feel safe in my local area.").reading_age <= 9
    assert assess("Has the multi-agency safeguarding pathway intervention threshold been proportionate?").reading_age >= 16
