"""Safeguarding screening: precise rules plus a model fitted on analysis/data/safeguarding-train.tsv.

The old labelled set (tests/data/safeguarding_screening.csv, 158 texts, half hard negatives) was
never trained on by the model; the rules were written against it. Its categories are the ten old
ones, mapped here onto the 20 kinds of harm the screener now reports (a deliberate change).
The honest figures (grouped cross-validation, leave-one-category-out) are in docs/benchmarks.md.
"""

import csv
from pathlib import Path

import numpy as np
import pytest

from analysis import screening
from analysis.screening import (
    CATEGORIES,
    OLD_CATEGORIES,
    MissingScreeningData,
    SafeguardingScreener,
    load_labelled_set,
    screen,
    screen_by_rules,
    training_set,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "safeguarding_screening.csv"
ROWS = list(csv.DictReader(DATA.open(encoding="utf-8")))
POSITIVES = [r for r in ROWS if r["expected"] != "none"]
NEGATIVES = [r for r in ROWS if r["expected"] == "none"]

# Written for this test, not in the training set (checked below): disclosures without the words
# a list of phrases looks for.
INDIRECT_DISCLOSURES = [
    "i keep giving my dinner money away to the year 11s so they leave me alone, they said next time it's my phone or my face",
    "mum's new fella says if i tell anyone what happens when she's at work i'll go into care",
    "my little brother hasnt had a proper meal since tuesday, theres nothing in the cupboards and mum won't get out of bed",
    "i sleep at whoevers house will have me, my stuff is in a bag at school",
    "a man i play roblox with sent me a phone so we can talk without my parents seeing",
    "i wrote letters to everyone yesterday just in case. i've saved up all my tablets",
    "i have to hand over whatever i make from the deliveries or they come to my nans",
    "my sister hasnt been back since the weekend and her phone goes straight to voicemail, shes 14",
    "someone is paying me 200 quid to let money go through my account and send it on",
    "my dad's friend from church makes me sit on his lap when no one's around and says it's our special thing",
]
# Also written for this test: figures of speech, topics and ordinary life using the same words.
ORDINARY = [
    "i'd literally die for a nando's right now",
    "this homework is killing me lol",
    "we did a session on county lines in pshe and it was actually useful",
    "knife crime in the borough is worse than when my mum was young, more youth clubs please",
    "my phone died on the bus so i couldn't text my mum",
    "the football coach is strict but fair and he pushes us to be better",
    "i ran a line in the school play and forgot it halfway",
    "we learnt how grooming works online and what the warning signs are",
    "the park by the station needs better lights at night",
    "my nan looks after me after school and makes the best rice",  # a false alarm until the blind sets trained
]
# Ordinary short answers and complaints (the first two are real NHS comments that used to be flagged;
# the complaints are written for this test, not in the training set): not disclosures.
ORDINARY_ANSWERS = [
    "Nothing.",
    "None. Quite satisfied.",
    "all good",
    "Waited three and a half hours in A&E before anyone even looked at my leg.",  # no longer flagged with MiniLM
    "the phone line kept cutting off and nobody rang me back about my appointment",  # flagged with wordllama
    "Ambulance took over 2 hours to come for my elderly mother, far too long.",  # flagged with wordllama
    "reception were rude and i had to ask twice to be seen",
]

# Everyday sentences about family, friends and pets, written for this test (not in the training set):
# short "my ..." sentences like these were flagged, most of them urgent, when the sentence vectors were
# wordllama's. With MiniLM's the three below without a mark are no longer flagged; the rest still are
# (the hard negatives' false-positive rate is about 0.15 in grouped CV: docs/benchmarks.md).
STILL_FLAGGED = "known false alarm: an everyday sentence about family or pets still scores like a disclosure"
EVERYDAY_LIFE = [
    "my dad locks the shed at night so nobody nicks the bikes",
    "i'm saving up for a new bike from my paper round",
    "i look after the neighbour's cat when they go away",
    "i got the bus home alone for the first time and felt grown up",
    "my cousin is a police officer in manchester",
    "i used to get bullied in year 7 but it stopped after my form tutor sorted it",
    "we had a talk from a paramedic about what to do if someone collapses",
    # no longer flagged since the three spent blind sets became training text (leave-one-source-out thresholds)
    "hurt my ankle at football and it's all bruised now",
    "my mum is going to go mad when she sees my hair",
    "my step dad taught me to cook pasta properly",
    *(pytest.param(text, marks=pytest.mark.xfail(strict=True, reason=STILL_FLAGGED)) for text in (
        "my little sister keeps bashing me with her foam sword, she's 3 haha",
        "i'm staying at my auntie's tonight cos mum's on a night shift",
        "my mate texts me at 2am about nothing",
        "the dog keeps biting my shoelaces when i walk him",
        "my brother borrows my charger and never gives it back",
    )),
]


def _plain(texts):
    return [t.values[0] if hasattr(t, "values") else t for t in texts]


def test_the_sets_written_for_these_tests_are_not_in_the_training_set():
    training = {t.strip().lower() for t in training_set().texts}
    written = _plain(ORDINARY_ANSWERS[3:]) + _plain(EVERYDAY_LIFE) + _plain(ORDINARY)
    assert not training & {t.lower() for t in INDIRECT_DISCLOSURES + written}


@pytest.mark.parametrize("text", EVERYDAY_LIFE)
def test_everyday_sentences_about_family_and_pets_are_not_flagged(text):
    assert screen(text) == screening.Screening("none")


def test_the_default_sentence_vectors_are_minilm():
    assert SafeguardingScreener().representation == "minilm"
    assert screening.default_screener().models_["disclosure"][2].coef_.shape == (1, 384)  # all-MiniLM-L6-v2's width


@pytest.mark.parametrize("text", ORDINARY_ANSWERS)
def test_ordinary_short_answers_and_complaints_are_not_flagged(text):
    assert screen(text) == screening.Screening("none")


def test_the_old_set_is_big_enough_and_its_categories_map_onto_the_twenty_kinds():
    assert len(ROWS) >= 150 and abs(len(NEGATIVES) - len(POSITIVES)) <= 5
    assert {r["categories"] for r in POSITIVES} == set(OLD_CATEGORIES)
    assert set().union(*OLD_CATEGORIES.values()) <= set(CATEGORIES) and len(CATEGORIES) == 20


def test_the_training_set_covers_every_kind_of_harm():
    labelled = load_labelled_set()
    kinds = {c for c, level in zip(labelled.categories, labelled.levels, strict=True) if level != "none"}
    assert kinds == set(CATEGORIES)


def test_rules_still_catch_what_they_caught_with_their_phrases_as_reasons():
    for row in POSITIVES:
        by_rules = screen_by_rules(row["text"])
        assert by_rules.level != "none", row["text"]
        result = screen(row["text"])
        assert result.level != "none" and set(by_rules.reasons) <= set(result.reasons), row["text"]


def test_the_old_set_recall_at_least_95_percent_and_false_positive_rate_at_most_15_percent():
    missed = [r["text"] for r in POSITIVES if screen(r["text"]).level == "none"]
    flagged = [r["text"] for r in NEGATIVES if screen(r["text"]).level != "none"]
    assert 1 - len(missed) / len(POSITIVES) >= 0.95, missed
    assert len(flagged) / len(NEGATIVES) <= 0.15, flagged


def test_every_urgent_text_of_the_old_set_is_urgent_and_of_the_right_kind():
    for row in POSITIVES:
        result = screen(row["text"])
        if row["expected"] == "urgent":
            assert result.level == "urgent", row["text"]
        assert OLD_CATEGORIES[row["categories"]] & set(result.categories), (row["text"], result.categories)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my cousin keeps going country", "child_criminal_exploitation"),
        ("the ops said they will shank my brother", "weapons"),
        ("sum1 is makin me send nudes", "online_grooming"),
        ("i want to kil myself", "suicidal_ideation"),
        ("IM SOOOO SCARED TO GO HOME", "physical_abuse_at_home"),
    ],
)
def test_slang_misspelling_and_shouting_are_understood(text, category):
    result = screen(text)
    assert result.level != "none" and category in result.categories and result.reasons


@pytest.mark.parametrize("text", INDIRECT_DISCLOSURES)
def test_the_model_flags_indirect_disclosures_the_rules_miss(text):
    assert screen_by_rules(text).level == "none"
    result = screen(text)
    assert result.level in ("concern", "urgent")
    assert len(result.categories) == 1 and result.categories[0] in CATEGORIES
    assert result.reasons[0].startswith(f"similar to examples of {result.categories[0].replace('_', ' ')} (0.")


@pytest.mark.parametrize("text", ORDINARY)
def test_figures_of_speech_topics_and_ordinary_life_stay_negative(text):
    assert screen(text) == screening.Screening("none")


def test_empty_and_odd_input_is_none():
    for text in ("", "   ", "😀😀😀", "x" * 100_000):
        assert screen(text).level == "none"


def test_fitting_is_deterministic():
    labelled = training_set()
    first = SafeguardingScreener().fit(labelled.texts, labelled.levels, labelled.categories, labelled.ordinary, labelled.sources)
    second = screening.default_screener()
    assert (first.threshold_, first.urgent_threshold_, first.ordinary_veto_threshold_) == (
        second.threshold_, second.urgent_threshold_, second.ordinary_veto_threshold_)
    probe = INDIRECT_DISCLOSURES + ORDINARY
    for a, b in zip(first.decision_scores(probe), second.decision_scores(probe), strict=True):
        assert np.array_equal(a, b)
    assert first.screen_all(probe) == second.screen_all(probe)


def test_the_estimator_predicts_levels():
    predicted = screening.default_screener().predict(["i want to die", "i like football"])
    assert list(predicted) == ["urgent", "none"]


def test_missing_training_data_fails_with_how_to_get_it(tmp_path, monkeypatch):
    with pytest.raises(MissingScreeningData, match=r"missing\..*reinstall Chorus"):
        load_labelled_set(tmp_path / "absent.tsv")
    monkeypatch.setattr(screening, "TRAINING_DATA", tmp_path / "absent.tsv")
    with pytest.raises(MissingScreeningData, match="absent.tsv"):
        screening.require_training_data()


def test_a_malformed_training_file_is_refused_with_what_it_should_be(tmp_path):
    wrong_columns = tmp_path / "wrong.tsv"
    wrong_columns.write_text("text,label\nhello,ok\n", encoding="utf-8")
    with pytest.raises(ValueError, match="label, level, category, text"):
        load_labelled_set(wrong_columns)
    wrong_level = tmp_path / "level.tsv"
    wrong_level.write_text("label\tlevel\tcategory\ttext\ndisclosure\tsevere\tneglect\thungry\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown level\(s\) \['severe'\]"):
        load_labelled_set(wrong_level)


def test_fit_refuses_labels_it_cannot_learn_from():
    with pytest.raises(ValueError, match="2 texts but 1 levels"):
        SafeguardingScreener().fit(["a", "b"], ["none"])
    with pytest.raises(ValueError, match="unknown level"):
        SafeguardingScreener().fit(["a", "b"], ["none", "maybe"])
    with pytest.raises(ValueError, match="at least 5 disclosures"):
        SafeguardingScreener().fit(["a"] * 10, ["none"] * 8 + ["urgent"] * 2)


def test_missing_ordinary_answers_fail_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(screening, "ORDINARY_ANSWERS_DATA", tmp_path / "no-ordinary.tsv")
    with pytest.raises(MissingScreeningData, match="no-ordinary.tsv"):
        screening.require_training_data()
    with pytest.raises(MissingScreeningData, match="no-ordinary.tsv"):
        training_set()


def test_the_shipped_training_vectors_are_minilms_own_and_a_stale_file_is_ignored(tmp_path, monkeypatch):
    texts = list(dict.fromkeys(training_set().texts))
    with np.load(screening.TRAINING_VECTORS_DATA, allow_pickle=False) as shipped:
        vectors = shipped["vectors"]
    assert vectors.shape == (len(texts), 384)
    sample = [1, len(texts) // 2, len(texts) - 1]
    assert np.allclose(screening._sentence_vectors([texts[i] for i in sample]), vectors[sample], atol=1e-4)
    monkeypatch.setattr(screening, "_TRAINING_VECTORS", {})
    for digest, first in (("for other texts", texts[:3]), (None, ["not what these vectors embed"] * 3)):
        stale = tmp_path / "vectors.npz"
        np.savez(stale, digest=np.array(digest or screening._texts_digest(texts)), texts_embedded=np.array(first), vectors=vectors)
        monkeypatch.setattr(screening, "TRAINING_VECTORS_DATA", stale)
        screening._load_training_vectors()
        assert screening._TRAINING_VECTORS == {}


def test_the_shipped_thresholds_are_what_leave_one_source_out_chooses_and_a_stale_file_is_ignored(tmp_path, monkeypatch):
    labelled = training_set()
    shipped = screening.default_screener()
    assert set(labelled.sources) == {"dev", "blind-1", "blind-2", "blind-3", "ordinary"}
    monkeypatch.setattr(screening, "TRAINING_THRESHOLDS_DATA", tmp_path / "absent.json")
    fresh = SafeguardingScreener().fit(labelled.texts, labelled.levels, labelled.categories, labelled.ordinary, labelled.sources)
    assert fresh.fit_digest_ == shipped.fit_digest_
    assert np.allclose((fresh.threshold_, fresh.urgent_threshold_, fresh.ordinary_veto_threshold_),
                       (shipped.threshold_, shipped.urgent_threshold_, shipped.ordinary_veto_threshold_), rtol=0, atol=1e-9)
    stale = tmp_path / "stale.json"
    stale.write_text('{"digest": "for other texts", "threshold": 0.99, "urgent_threshold": 0.99, "ordinary_veto_threshold": 0.0}')
    monkeypatch.setattr(screening, "TRAINING_THRESHOLDS_DATA", stale)
    assert screening._shipped_thresholds(shipped.fit_digest_) is None


def test_thresholds_are_chosen_on_writers_the_models_never_saw():
    texts = [f"text {i}" for i in range(12)]
    levels = np.array(["concern", "none"] * 6, dtype=object)
    sources = ["a"] * 4 + ["b"] * 4 + ["ordinary"] * 4
    levels[8:] = "none"
    folds = SafeguardingScreener()._threshold_folds(texts, np.asarray(texts, dtype=object), levels, np.zeros(12, bool), sources)
    assert [sorted(set(np.asarray(sources)[test])) for _, test in folds] == [["a"], ["b"]]
    assert all(not set(train) & set(test) for train, test in folds)
    # without sources, or with near-duplicate folds asked for: the grouped folds as before
    assert len(SafeguardingScreener(threshold_cv="near-duplicate", n_splits=2)._threshold_folds(
        texts, np.asarray(texts, dtype=object), levels, np.zeros(12, bool), sources)) == 2
