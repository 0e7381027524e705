"""Sentiment of free-text answers: a supervised model with the lexicons as features.

`score(text)` gives one label (positive / neutral / negative) and a polarity in -1..1 (the
probability of positive less that of negative). The model (`SentimentModel`) is a logistic
regression over hashed word 1-2-grams and character 2-5-grams (no vocabulary is kept, so no
training text can be read back out of the weights) and lexicon features: VADER's compound,
positive and negative parts (with British youth words added), TextBlob's polarity and
subjectivity, and flags for suggestions ("more lights…", "there should be…"), negation and
contrast ("but"), so a mixed answer can be learnt as one.

Which model `score` uses (chosen once per process):
- `CHORUS_SENTIMENT_TRAINING=path.csv|.tsv` — the organisation's own labelled feedback, read at run
  time: a text column (`text` or `comment`) and a label column (`label` positive/neutral/negative,
  or `sentiment` 1-5: 1-2 positive, 3 neutral, 4-5 negative; rows without a label are skipped).
  The model is fitted on it; nothing from it is written anywhere.
- otherwise the shipped weights, `analysis/data/sentiment-weights.npz` + `.json`, written by
  `scripts/fit_sentiment_weights.py` from the development part of the NEAS NHS comments and our own
  `analysis/data/sentiment-train.tsv` (numbers only: no comment text ships; docs/architecture.md).

Survey sense that no training set should overturn: a non-answer ("nothing", "n/a", "idk",
"not sure") is neutral, not a complaint; non-answers are left out of every fit for that reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from textblob import TextBlob

from analysis.text import TextInputMixin, normalise

# British youth usage VADER's lexicon lacks or reads the wrong way round.
LEXICON_ADDITIONS = {
    "rubbish": -2.0, "peak": -1.5, "dead": -1.2, "long": -0.6, "moist": -1.0, "unsafe": -2.0,
    "scary": -1.8, "scared": -2.0, "sick": 1.2, "peng": 1.8, "bless": 1.2, "calm": 1.0, "banging": 1.5,
    "bare": 0.0, "safe": 1.5, "helpful": 1.8, "listened": 1.2, "ignored": -2.4, "harassed": -2.4,
    "robbed": -2.6, "fights": -1.8, "fighting": -1.8, "stabbed": -3.0, "helped": 1.8, "nobody": -1.0,
}
# Suggestions ("more lights", "there should be…", "we need…") are neutral unless they carry
# strong feeling: TextBlob scores "more" and "better" as praise.
SUGGESTION = re.compile(r"^(?:more|better|less|fewer|longer|cheaper|free|there should|we need|they should|need|needs|add|have)\b", re.I)
NON_ANSWERS = re.compile(
    r"^(?:no|nope|nah|none|nothing|nothing really|nothing much|nothing else|not really|n/?a|na|idk|"
    r"i don't know|dunno|not sure|no idea|no comment|none really|can't think of anything|"
    r"no not really|nothing at all|nothing to add|not much|-|\.|\?)[.!\s]*$",
    re.I,
)


@lru_cache(maxsize=1)
def _vader():
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(LEXICON_ADDITIONS)
    return analyzer


@dataclass(frozen=True)
class Sentiment:
    label: str
    polarity: float
    subjectivity: float


LABELS = ("negative", "neutral", "positive")
TRAINING_ENV = "CHORUS_SENTIMENT_TRAINING"
DATA = Path(__file__).resolve().parent / "data"
OWN_TRAINING = DATA / "sentiment-train.tsv"
WEIGHTS = DATA / "sentiment-weights.npz"
"""The shipped model's numbers: regression coefficients (sparse) and the lexicon features' scaling."""
WEIGHTS_PARAMETERS = DATA / "sentiment-weights.json"
"""The shipped model's hyperparameters, classes and the digest of what it was fitted on."""
_NEGATION = re.compile(r"\b(?:not|no|never|nobody|nothing|n't|cannot|didn't|don't|wasn't|couldn't|won't)\b")
_CONTRAST = re.compile(r"\b(?:but|however|although|though|except|apart from)\b")


def is_non_answer(text: str) -> bool:
    cleaned = text.strip()
    return not cleaned or bool(NON_ANSWERS.match(cleaned) or NON_ANSWERS.match(normalise(cleaned)))


class LexiconFeatures(TextInputMixin, TransformerMixin, BaseEstimator):
    """VADER and TextBlob scores and survey-sense flags, one row of 9 numbers per text."""

    def fit(self, X, y=None):
        self.n_features_out_ = 9
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_out_")
        rows = []
        for text in map(str, X):
            normalised = normalise(text)
            vader = _vader().polarity_scores(normalised + " " + " ".join(ch for ch in text if ord(ch) > 0x2000))
            blob = TextBlob(normalised).sentiment
            rows.append([
                vader["compound"], vader["pos"], vader["neg"], blob.polarity, blob.subjectivity,
                float(bool(SUGGESTION.match(normalised))), float(bool(_NEGATION.search(normalised))),
                float(bool(_CONTRAST.search(normalised))), float(is_non_answer(text)),
            ])
        return np.asarray(rows)


class SentimentModel(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression over hashed n-grams and lexicon features; labels negative/neutral/positive."""

    def __init__(self, C: float = 1.0, lexicon_weight: float = 1.0, class_weight: str | None = "balanced",
                 n_features: int = 2**16):
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.class_weight = class_weight
        self.n_features = n_features

    def _pipeline(self) -> Pipeline:
        # Hashing, not a fitted vocabulary: the weights can ship without any training text in them.
        def hashed(**kwargs) -> HashingVectorizer:
            return HashingVectorizer(preprocessor=normalise, alternate_sign=False, binary=True,
                                     n_features=self.n_features, **kwargs)

        features = FeatureUnion([
            ("words", hashed(ngram_range=(1, 2))),
            ("characters", hashed(analyzer="char_wb", ngram_range=(2, 5))),
            ("lexicons", Pipeline([("scores", LexiconFeatures()), ("scale", StandardScaler())])),
        ], transformer_weights={"words": 1.0, "characters": 1.0, "lexicons": self.lexicon_weight})
        return Pipeline([("features", features),
                         ("classifier", LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000, tol=1e-3))])

    def fit(self, X, y, sample_weight=None):
        texts = [str(t) for t in X]
        self.pipeline_ = self._pipeline().fit(texts, list(y), classifier__sample_weight=sample_weight)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba([str(t) for t in X])

    def predict(self, X):
        probabilities = self.predict_proba(X)
        return [self.classes_[i] for i in probabilities.argmax(1)]

    def weights(self) -> tuple[dict[str, np.ndarray], dict]:
        """What save_weights writes: arrays of numbers (coefficients kept sparse) and the parameters."""
        check_is_fitted(self, "pipeline_")
        classifier = self.pipeline_.named_steps["classifier"]
        scale = self.pipeline_.named_steps["features"].transformer_list[2][1].named_steps["scale"]
        coefficients = csr_matrix(classifier.coef_)
        arrays = {"coef_data": coefficients.data, "coef_indices": coefficients.indices, "coef_indptr": coefficients.indptr,
                  "intercept": classifier.intercept_, "lexicon_mean": scale.mean_, "lexicon_scale": scale.scale_}
        return arrays, {"parameters": self.get_params(), "classes": [str(c) for c in self.classes_],
                        "n_coefficients": int(classifier.coef_.shape[1])}

    @classmethod
    def from_weights(cls, arrays, saved: dict) -> SentimentModel:
        """The model save_weights wrote, ready to predict without fitting (the fitted steps' attributes set)."""
        model = cls(**saved["parameters"])
        pipeline = model._pipeline()
        features = pipeline.named_steps["features"]
        lexicons = features.transformer_list[2][1]
        lexicons.named_steps["scores"].fit([])
        scale = lexicons.named_steps["scale"]
        scale.mean_, scale.scale_ = arrays["lexicon_mean"], arrays["lexicon_scale"]
        scale.var_, scale.n_features_in_, scale.n_samples_seen_ = scale.scale_**2, len(scale.mean_), 0
        classes = np.asarray(saved["classes"], dtype=object)
        classifier = pipeline.named_steps["classifier"]
        classifier.coef_ = csr_matrix((arrays["coef_data"], arrays["coef_indices"], arrays["coef_indptr"]),
                                      shape=(len(classes), saved["n_coefficients"])).toarray()
        classifier.intercept_, classifier.classes_ = np.asarray(arrays["intercept"]), classes
        classifier.n_features_in_ = saved["n_coefficients"]
        model.pipeline_, model.classes_ = pipeline, classes
        return model


def fit_model(texts: list[str], labels: list[str], sample_weight=None, **parameters) -> SentimentModel:
    """SentimentModel fitted on labelled texts, leaving out non-answers (score() labels them neutral by rule)."""
    kept = [i for i, text in enumerate(texts) if not is_non_answer(text)]
    weights = None if sample_weight is None else [sample_weight[i] for i in kept]
    return SentimentModel(**parameters).fit([texts[i] for i in kept], [labels[i] for i in kept], sample_weight=weights)


def training_digest(texts: list[str], labels: list[str]) -> str:
    """SHA-256 of labelled texts in order: the shipped weights record it to show what they were fitted on."""
    return hashlib.sha256("\n".join(f"{label}\t{text}" for text, label in zip(texts, labels, strict=True)).encode("utf-8")).hexdigest()


def save_weights(model: SentimentModel, provenance: dict, npz: Path = WEIGHTS, parameters: Path = WEIGHTS_PARAMETERS) -> None:
    """Write a fitted model as numbers (.npz, no pickle) and its parameters and provenance (.json)."""
    arrays, saved = model.weights()
    np.savez_compressed(npz, **arrays)
    parameters.write_text(json.dumps({**saved, **provenance}, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_weights(npz: Path = WEIGHTS, parameters: Path = WEIGHTS_PARAMETERS) -> SentimentModel:
    """The shipped model (scripts/fit_sentiment_weights.py wrote it); a clear error if it is missing."""
    if not npz.is_file() or not parameters.is_file():
        raise FileNotFoundError(f"{npz.name} or {parameters.name} is missing from {npz.parent}: "
                                "reinstall Chorus or run python scripts/fit_sentiment_weights.py")
    with np.load(npz, allow_pickle=False) as arrays:
        return SentimentModel.from_weights(dict(arrays), json.loads(parameters.read_text(encoding="utf-8")))


def read_training(path: Path | str) -> tuple[list[str], list[str]]:
    """Texts and labels from a CSV or TSV: text/comment column, label or 1-5 sentiment column."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t" if path.suffix == ".tsv" else ",")
        columns = reader.fieldnames or []
        text_column = next((c for c in ("text", "comment") if c in columns), None)
        label_column = next((c for c in ("label", "sentiment") if c in columns), None)
        if text_column is None or label_column is None:
            raise ValueError(f"{path}: needs a text (or comment) column and a label (or sentiment 1-5) column, has {', '.join(columns)}")
        texts, labels = [], []
        for row in reader:
            label = FIVE_POINT.get((row[label_column] or "").strip(), (row[label_column] or "").strip().lower())
            if label in LABELS and (row[text_column] or "").strip():
                texts.append(row[text_column])
                labels.append(label)
    if len(set(labels)) < 3:
        raise ValueError(f"{path}: needs examples of all three labels ({', '.join(LABELS)})")
    return texts, labels


SHIPPED_PARAMETERS = {"C": 1.0, "lexicon_weight": 1.0, "class_weight": "balanced", "n_features": 2**16}
"""Chosen by grouped cross-validation on the development data (scripts/fit_sentiment_weights.py --choose)."""
OWN_ANSWERS_WEIGHT = 6.0
"""Each of our own answers counts as this many NHS comments in the fit (same choice)."""

FIVE_POINT = {"1": "positive", "2": "positive", "3": "neutral", "4": "negative", "5": "negative"}


_DEFAULT_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _fitted_on(training: str) -> SentimentModel:
    if not training:
        return load_weights()
    texts, labels = read_training(training)
    return fit_model(texts, labels, **SHIPPED_PARAMETERS)


def default_model() -> SentimentModel:
    """The model score() uses: the shipped weights, or fitted once per process on the organisation's
    file named above (kept per file, so naming another one fits anew; the lock makes the start-up
    warm-up and a first answer asking at once one load or fit, not two)."""
    with _DEFAULT_LOCK:
        return _fitted_on(os.environ.get(TRAINING_ENV) or "")


def score(text: str) -> Sentiment:
    """Label, polarity (P(positive) - P(negative), -1..1) and TextBlob subjectivity for one text."""
    return score_many([text])[0]


def score_many(texts: list[str]) -> list[Sentiment]:
    """score() for many texts at once (one pass through the model)."""
    texts = [str(t) for t in texts]
    results: list[Sentiment | None] = [Sentiment("neutral", 0.0, 0.0) if is_non_answer(t) else None for t in texts]
    to_score = [i for i, r in enumerate(results) if r is None]
    if to_score:
        model = default_model()
        probabilities = model.predict_proba([texts[i] for i in to_score])
        index = {label: j for j, label in enumerate(model.classes_)}
        for row, i in enumerate(to_score):
            p = probabilities[row]
            label = str(model.classes_[int(p.argmax())])
            polarity = round(float(p[index["positive"]] - p[index["negative"]]), 4)
            subjectivity = round(TextBlob(normalise(texts[i])).sentiment.subjectivity, 4)
            results[i] = Sentiment(label, polarity, subjectivity)
    return results  # type: ignore[return-value]


class SentimentScorer(TextInputMixin, TransformerMixin, BaseEstimator):
    """scikit-learn transformer: texts in, one row [polarity, subjectivity] per text out."""


    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.array([[s.polarity, s.subjectivity] for s in score_many([str(t) for t in X])])

    def predict(self, X):
        return [s.label for s in score_many([str(t) for t in X])]
