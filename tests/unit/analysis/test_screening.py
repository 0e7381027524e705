"""Safeguarding screening on our own labelled set (tests/data/safeguarding_screening.csv): at
least 150 texts, half of them hard negatives (opinions about safety, figures of speech)."""

import csv
from pathlib import Path

import pytest

from analysis.screening import CATEGORIES, SafeguardingScreener, screen

DATA = Path(__file__).resolve().parents[2] / "data" / "safeguarding_screening.csv"
ROWS = list(csv.DictReader(DATA.open(encoding="utf-8")))
POSITIVES = [r for r in ROWS if r["expected"] != "none"]
NEGATIVES = [r for r in ROWS if r["expected"] == "none"]


def test_the_labelled_set_is_big_enough_and_half_hard_negatives():
    assert len(ROWS) >= 150
    assert abs(len(NEGATIVES) - len(POSITIVES)) <= 5
    assert {r["categories"] for r in POSITIVES} == set(CATEGORIES)


def test_recall_at_least_95_percent():
    missed = [r["text"] for r in POSITIVES if screen(r["text"]).level == "none"]
    assert 1 - len(missed) / len(POSITIVES) >= 0.95, missed


def test_false_positive_rate_on_hard_negatives_at_most_15_percent():
    flagged = [r["text"] for r in NEGATIVES if screen(r["text"]).level != "none"]
    assert len(flagged) / len(NEGATIVES) <= 0.15, flagged


def test_every_urgent_text_is_flagged_urgent():
    urgent = [r for r in POSITIVES if r["expected"] == "urgent"]
    assert all(screen(r["text"]).level == "urgent" for r in urgent), [r["text"] for r in urgent if screen(r["text"]).level != "urgent"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my cousin keeps going country", "criminal_exploitation"),
        ("the ops said they will shank my brother", "weapons_threats"),
        ("sum1 is makin me send nudes", "sexual_exploitation"),
        ("i want to kil myself", "self_harm_suicide"),
        ("IM SOOOO SCARED TO GO HOME", "abuse_at_home"),
    ],
)
def test_slang_misspelling_and_shouting_are_understood(text, category):
    result = screen(text)
    assert result.level != "none" and category in result.categories and result.reasons


def test_general_opinions_about_safety_are_not_disclosures():
    for text in ("we need more knife crime workshops in schools", "county lines is a big problem in the borough"):
        assert screen(text).level == "none"


def test_empty_and_odd_input_is_none():
    for text in ("", "   ", "😀😀😀", "x" * 100_000):
        assert screen(text).level == "none"


def test_the_estimator_predicts_levels():
    screener = SafeguardingScreener().fit(["a"], ["none"])
    assert list(screener.predict(["i want to die", "i like football"])) == ["urgent", "none"]
