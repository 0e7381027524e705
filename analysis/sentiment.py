"""Sentiment of short survey answers: TextBlob and NLTK VADER together, with survey sense.

Each scorer has blind spots: VADER knows slang, emoji and "!!!" but reads "no" as negative;
TextBlob's lexicon is gentler on plain statements. The combined score is their mean, and the
label uses these documented thresholds:

    combined  = 0.6 x VADER compound + 0.4 x TextBlob polarity (VADER leads: it handles negation,
                slang and emoji; TextBlob alone calls "more lights in the park" positive)
    positive  if combined >= +0.15
    negative  if combined <= -0.15
    neutral   otherwise, and always for non-answers ("nothing", "n/a", "idk", "no", "none")

A non-answer to "what could be better?" ("nothing", "nothing really") is not a complaint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin
from textblob import TextBlob

from analysis.text import TextInputMixin, normalise

POSITIVE_AT = 0.15
NEGATIVE_AT = -0.15
VADER_WEIGHT = 0.6
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


def score(text: str) -> Sentiment:
    """Label, combined polarity (-1..1) and TextBlob subjectivity (0..1) for one text."""
    cleaned = text.strip()
    if not cleaned or NON_ANSWERS.match(cleaned) or NON_ANSWERS.match(normalise(cleaned)):
        return Sentiment("neutral", 0.0, 0.0)
    normalised = normalise(cleaned)
    blob = TextBlob(normalised).sentiment
    # VADER reads emoji and "!!!" from the original, negation from the normalised words.
    compound = _vader().polarity_scores(normalised + " " + " ".join(ch for ch in cleaned if ord(ch) > 0x2000))["compound"]
    combined = round(VADER_WEIGHT * compound + (1 - VADER_WEIGHT) * blob.polarity, 4)
    if SUGGESTION.match(normalised) and abs(compound) < 0.5:
        return Sentiment("neutral", round(compound, 4), round(blob.subjectivity, 4))
    label = "positive" if combined >= POSITIVE_AT else "negative" if combined <= NEGATIVE_AT else "neutral"
    return Sentiment(label, combined, round(blob.subjectivity, 4))


class SentimentScorer(TextInputMixin, TransformerMixin, BaseEstimator):
    """scikit-learn transformer: texts in, one row [polarity, subjectivity] per text out."""


    def fit(self, X, y=None):
        return self

    def transform(self, X):
        import numpy as np

        return np.array([[s.polarity, s.subjectivity] for s in map(score, map(str, X))])

    def predict(self, X):
        return [score(str(text)).label for text in X]
