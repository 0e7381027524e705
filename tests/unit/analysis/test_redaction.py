"""Redaction on our own labelled examples (tests/data/redaction.txt): recall first."""

import re
from pathlib import Path

import pytest

from analysis.redact import Redactor, find, redact

DATA = Path(__file__).resolve().parents[2] / "data" / "redaction.txt"
MARK = re.compile(r"\{([A-Z]+):([^}]*)\}")


def labelled():
    """(plain text, [(kind, start, end)]) for each line, from its {KIND:value} marks."""
    for line in DATA.read_text(encoding="utf-8").splitlines():
        spans, plain, cursor = [], [], 0
        for match in MARK.finditer(line):
            plain.append(line[cursor:match.start()])
            start = sum(map(len, plain))
            plain.append(match.group(2))
            spans.append((match.group(1), start, start + len(match.group(2))))
            cursor = match.end()
        plain.append(line[cursor:])
        yield "".join(plain), spans


def scores():
    true_positive = expected = predicted = 0
    for text, spans in labelled():
        found = find(text)
        expected += len(spans)
        predicted += len(found)
        true_positive += sum(1 for _, s, e in spans if any(f.start < e and s < f.end for f in found))
    return true_positive / expected, true_positive / max(predicted, 1), expected


def test_recall_and_precision_on_the_labelled_examples():
    recall, precision, count = scores()
    assert count >= 35
    assert recall >= 0.95, recall
    assert precision >= 0.9, precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Jayden, call 07700 900123", "my name is [NAME], call [PHONE]"),
        ("email kid.one@gmail.com now", "email [EMAIL] now"),
        ("the youth club is great", "the youth club is great"),
        ("", ""),
    ],
)
def test_placeholders_are_typed(text, expected):
    assert redact(text) == expected


def test_the_transformer_works_on_a_list():
    assert Redactor().fit_transform(["call 07700 900123", "no details"]) == ["call [PHONE]", "no details"]
