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


def test_the_model_is_fitted_on_the_organisations_own_labelled_feedback_when_given(tmp_path, monkeypatch):
    from analysis import sentiment

    path = tmp_path / "feedback.csv"
    rows = [("the zorblax was wonderful", 1), ("i loved the zorblax", 2), ("zorblax made my day", 1),
            ("the quibble was awful", 5), ("i hated the quibble", 4), ("quibble ruined it", 4),
            ("i went on tuesday", 3), ("it was the blue room", 3), ("we came by car", 3), ("not coded", "")]
    path.write_text("comment,sentiment\n" + "".join(f"{t},{s}\n" for t, s in rows), encoding="utf-8")
    monkeypatch.setenv(sentiment.TRAINING_ENV, str(path))
    try:
        assert sentiment.read_training(path)[1].count("positive") == 3
        assert score("the zorblax again").polarity > score("the quibble again").polarity
    finally:
        monkeypatch.delenv(sentiment.TRAINING_ENV)


def test_a_training_file_without_all_three_labels_is_refused(tmp_path):
    from analysis.sentiment import read_training

    path = tmp_path / "few.tsv"
    path.write_text("text\tlabel\ngreat\tpositive\nawful\tnegative\n", encoding="utf-8")
    with pytest.raises(ValueError, match="all three labels"):
        read_training(path)


@pytest.mark.parametrize("answer, label", [
    ("nothing really, I feel ok where I live", "neutral"),
    ("more buses on sundays please", "neutral"),
])
def test_suggestions_and_nothing_answers_are_not_complaints(answer, label):
    assert score(answer).label == label


def test_a_mixed_answer_is_not_praise():
    """Neutral or negative: NHS coders call most such comments negative (dev part: 82 negative, 67
    neutral, 36 positive of those with "but"), and forcing them neutral cost macro-F1 in grouped CV."""
    assert score("the staff were kind but the wait was far too long").label in ("neutral", "negative")


def test_scoring_many_at_once_agrees_with_one_at_a_time():
    from analysis.sentiment import score_many

    texts = ["i love it", "nothing", "the bus is always late"]
    assert score_many(texts) == [score(t) for t in texts]


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


def test_no_text_shipped_with_analysis_comes_from_the_real_feedback_set():
    """The NHS comments may be used to develop and evaluate only: none of them may ship."""
    nhs = Path(__file__).resolve().parents[4] / "shared" / "data" / "nhs-feedback-neas.csv"
    if not nhs.is_file():
        pytest.skip("the shared development data is not on this machine")
    comments = {" ".join(r["comment"].lower().split()) for r in csv.DictReader(nhs.open(encoding="utf-8"))}
    comments = {c for c in comments if len(c.split()) >= 6}  # "nothing i can think of" is in everyone's vocabulary
    shipped = Path(__file__).resolve().parents[3] / "analysis" / "data"
    for path in shipped.glob("*.tsv"):
        for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"):
            assert " ".join(row["text"].lower().split()) not in comments, (path.name, row["text"])
