"""Sentiment of free-text answers: a supervised model with the lexicons as features.

`score(text)` gives one label (positive / neutral / negative) and a polarity in -1..1 (the
probability of positive less that of negative). The model (`SentimentModel`) is a logistic
regression over word 1-2-grams, character 2-5-grams and lexicon features: VADER's compound,
positive and negative parts (with British youth words added), TextBlob's polarity and
subjectivity, and flags for suggestions ("more lights…", "there should be…"), negation and
contrast ("but"), so a mixed answer can be learnt as one.

Which text the default model learns from (chosen once per process):
- `CHORUS_SENTIMENT_TRAINING=path.csv|.tsv` — the organisation's own labelled feedback, read at run
  time: a text column (`text` or `comment`) and a label column (`label` positive/neutral/negative,
  or `sentiment` 1-5: 1-2 positive, 3 neutral, 4-5 negative; rows without a label are skipped).
  Nothing from it is written anywhere.
- otherwise `analysis/data/sentiment-train.tsv`: 252 answers written by the Chorus developers
  (praise, complaints, suggestions, mixed and "nothing" answers). No real feedback ships.

Survey sense that no training set should overturn: a non-answer ("nothing", "n/a", "idk",
"not sure") is neutral, not a complaint.
"""

from __future__ import annotations

import csv
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
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
OWN_TRAINING = Path(__file__).resolve().parent / "data" / "sentiment-train.tsv"
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
    """Logistic regression over n-grams and lexicon features; labels negative/neutral/positive."""

    def __init__(self, C: float = 1.0, lexicon_weight: float = 1.0, class_weight: str | None = "balanced"):
        self.C = C
        self.lexicon_weight = lexicon_weight
        self.class_weight = class_weight

    def _pipeline(self) -> Pipeline:
        features = FeatureUnion([
            ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            ("characters", TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
            ("lexicons", Pipeline([("scores", LexiconFeatures()), ("scale", StandardScaler())])),
        ], transformer_weights={"words": 1.0, "characters": 1.0, "lexicons": self.lexicon_weight})
        return Pipeline([("features", features),
                         ("classifier", LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000))])

    def fit(self, X, y):
        texts = [str(t) for t in X]
        self.pipeline_ = self._pipeline().fit(texts, list(y))
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba([str(t) for t in X])

    def predict(self, X):
        probabilities = self.predict_proba(X)
        return [self.classes_[i] for i in probabilities.argmax(1)]


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


FIVE_POINT = {"1": "positive", "2": "positive", "3": "neutral", "4": "negative", "5": "negative"}


_DEFAULT_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _fitted_on(training: str) -> SentimentModel:
    texts, labels = read_training(training)
    return SentimentModel().fit(texts, labels)


def default_model() -> SentimentModel:
    """The model score() uses: fitted once per process on the training text chosen above (kept per
    training file, so naming another one fits anew; the lock makes the start-up warm-up and a first
    answer asking at once one fit, not two)."""
    with _DEFAULT_LOCK:
        return _fitted_on(str(os.environ.get(TRAINING_ENV) or OWN_TRAINING))


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
