"""The shipped sentiment weights: numbers only, fitted on what they say they were, loaded not refitted."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import sentiment

ROOT = Path(__file__).resolve().parents[3]
NEAS = ROOT.parent / "shared" / "data" / "nhs-feedback-neas.csv"


def shipped_parameters() -> dict:
    return json.loads(sentiment.WEIGHTS_PARAMETERS.read_text(encoding="utf-8"))


def test_the_weights_were_fitted_on_our_answers_as_they_are_now():
    """A changed sentiment-train.tsv without a refit fails here: run scripts/fit_sentiment_weights.py."""
    assert shipped_parameters()["own_digest"] == sentiment.training_digest(*sentiment.read_training(sentiment.OWN_TRAINING))


def test_the_weights_were_fitted_on_the_development_part_of_the_real_feedback():
    if not NEAS.is_file():
        pytest.skip("the shared development data is not on this machine")
    sys.path.insert(0, str(ROOT / "scripts"))
    from fit_sentiment_weights import feedback_training

    feedback = feedback_training()
    assert shipped_parameters()["feedback_digest"] == sentiment.training_digest(*feedback)
    assert shipped_parameters()["feedback_comments"] == len(feedback[0])


def test_the_weights_hold_numbers_and_parameters_only():
    """No pickle and no vocabulary: nothing in the package can give a training comment back."""
    with np.load(sentiment.WEIGHTS, allow_pickle=False) as arrays:
        assert all(np.issubdtype(arrays[name].dtype, np.number) for name in arrays.files)
    saved = shipped_parameters()
    strings = {k: v for k, v in saved.items() if isinstance(v, str)}
    assert set(strings) == {"feedback_digest", "own_digest", "trained_on"}
    assert saved["classes"] == list(sentiment.LABELS)


def test_the_default_model_is_the_shipped_one_loaded_not_fitted(monkeypatch):
    monkeypatch.delenv(sentiment.TRAINING_ENV, raising=False)
    model = sentiment.default_model()
    texts = ["the paramedics were wonderful", "waited six hours for an ambulance", "more buses please"]
    assert np.allclose(model.predict_proba(texts), sentiment.load_weights().predict_proba(texts))


def test_saved_weights_give_the_fitted_model_back(tmp_path):
    texts = ["great staff", "lovely and kind", "awful wait", "rude and slow", "came on tuesday", "the blue room"] * 2
    labels = ["positive", "positive", "negative", "negative", "neutral", "neutral"] * 2
    fitted = sentiment.fit_model(texts, labels, C=1.0)
    sentiment.save_weights(fitted, {}, tmp_path / "w.npz", tmp_path / "w.json")
    loaded = sentiment.load_weights(tmp_path / "w.npz", tmp_path / "w.json")
    probe = ["great and kind", "slow wait", "a room", "something else entirely"]
    assert np.allclose(fitted.predict_proba(probe), loaded.predict_proba(probe))
    assert list(loaded.classes_) == list(fitted.classes_)


def test_missing_weights_say_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="fit_sentiment_weights"):
        sentiment.load_weights(tmp_path / "none.npz", tmp_path / "none.json")
