"""The learned second opinion on names (analysis.name_model): what it adds, what it never looks at."""

import pytest

from analysis.name_model import LabelledText, NameTagger, default_name_tagger, load_labelled_texts, token_features
from analysis.redact import _NameFinder, find, pattern_spans, redact


def rules_alone(text: str) -> str:
    out, cursor = [], 0
    for span in find(text, name_tagger=None):
        out += [text[cursor:span.start], f"[{span.kind}]"]
        cursor = span.end
    return "".join(out + [text[cursor:]])


# Written here; lower-case names with no cue the rules know ("i reckon … would", "honestly … is").
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i reckon oyinda would be good at running it", "i reckon [NAME] would be good at running it"),
        ("honestly ilhan is the reason i come", "honestly [NAME] is the reason i come"),
    ],
)
def test_the_tagger_finds_names_the_rules_leave(text, expected):
    assert rules_alone(text) != expected
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I will come on Thursday if the bus isn't late",
        "Honestly a rose garden in the park would be nice",
        "Snapchat is where most people in my year talk",
        "we waited online for ages and the transport never came",
        "Hope you actually read this and change something",
        "we went to boxpark and then to the lido",
        "the roti and doubles were class",
    ],
)
def test_the_tagger_leaves_ordinary_words(text):
    assert redact(text) == text


def test_the_word_itself_is_never_a_feature_so_names_are_not_memorised():
    tagger = default_name_tagger()
    for name in ("Oluwaseun", "Babatunde", "Xiomara", "Tyrese"):
        text = f"I sit next to {name} in maths"
        finder = _NameFinder(text, pattern_spans(text))
        features = token_features(finder, 4, tagger.vocabulary_)
        assert not any(name.lower() in key.lower() for key in features), features
        assert name.lower() not in tagger.vocabulary_


def test_fitting_without_any_name_is_a_clear_error():
    with pytest.raises(ValueError, match="with and without names"):
        NameTagger().fit([LabelledText("the park is nice", ()), LabelledText("more buses please", ())])


def test_the_shipped_training_texts_load_and_have_details():
    texts = load_labelled_texts()
    assert len(texts) >= 250
    assert sum(bool(t.must_remove) for t in texts) >= 150


def test_our_own_labelled_texts_load_and_every_labelled_item_is_in_its_text():
    import csv

    from analysis.name_model import EXTRA_DATA, detail_places

    texts = load_labelled_texts(EXTRA_DATA)
    assert sum(bool(t.must_remove) for t in texts) >= 300
    assert sum(not t.must_remove for t in texts) >= 150
    assert all(detail_places(t.text, d) for t in texts for d in t.must_remove)
    with EXTRA_DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(detail_places(r["text"], k) for r in rows for k in r["must_keep"].split("|") if k != "(none)")


def test_predict_gives_name_spans_per_text():
    spans = default_name_tagger().predict(["apparently kacper broke his arm", "the park is nice"])
    assert spans == [[(11, 17)], []]


def test_scoring_by_hand_matches_the_fitted_pipeline():
    tagger = default_name_tagger()
    text = "me and tiago santos went to see Oluwaseun at the Stratford centre"
    finder = _NameFinder(text, pattern_spans(text))
    by_hand = tagger.probabilities(finder)
    rows = [token_features(finder, i, tagger.vocabulary_) for i in by_hand]
    assert list(by_hand.values()) == pytest.approx(list(tagger.pipeline_.predict_proba(rows)[:, 1]))
