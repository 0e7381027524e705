"""Themes people reshape: split a theme's texts in two, describe any set of texts as a theme, and
place new texts in the nearer of two parts.

The same pieces as `ThemeModel` (analysis.themes): content words (analysis.phrases), the
`Representation` (sentence embeddings + LSA of TF-IDF), KMeans, class-based TF-IDF labels over
noun phrases and quotes chosen by maximal marginal relevance, redacted. The parts are described
against the texts they came from, so each label says what sets its part apart.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from analysis.phrases import parse
from analysis.themes import Representation, ThemeModel, _distinct_quotes

DESCRIBE_AT_MOST = 1000
"""Keywords and quotes come from at most this many of a part's texts (a fixed, seeded sample):
they barely change beyond it, and a person is waiting for the page."""


class CannotSplit(ValueError):
    """The texts cannot be divided in two (fewer than two, or all alike)."""


@dataclass(frozen=True)
class Description:
    label: str
    keywords: list[str]
    quotes: list[str]
    """Redacted, central and diverse."""


def _content(texts: list[str]) -> list[str]:
    """What each text is about (its content words), or the text itself when it names no topic."""
    out = []
    for text in texts:
        content = parse(text).content
        out.append(" ".join(content) if content else text)
    return out


def _vectors(texts: list[str], representation: str, random_state: int) -> np.ndarray:
    return Representation(model=representation, random_state=random_state).fit_transform(_content(texts))


def split_in_two(texts: list[str], *, representation: str = "wordllama", random_state: int = 0) -> list[int]:
    """0 or 1 for each text: KMeans with k=2 on the texts' vectors, the larger part numbered 0."""
    if len(texts) < 2:
        raise CannotSplit("fewer than two texts")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # identical texts: said below as CannotSplit
        halves = KMeans(2, n_init=3, random_state=random_state).fit_predict(_vectors(texts, representation, random_state))
    if halves.min() == halves.max():
        raise CannotSplit("the texts are all alike")
    larger = int(np.bincount(halves).argmax())
    return [0 if h == larger else 1 for h in halves]


def describe_parts(parts: list[list[str]], *, taken_labels: set[str] = frozenset(), kinds: list[str] | None = None,
                   representation: str = "wordllama", random_state: int = 0, max_quotes: int = 5) -> list[Description]:
    """A label, keywords and quotes for each part, as `ThemeModel` gives a theme: labels from
    class-based TF-IDF over all the parts' noun phrases, never one in `taken_labels` or given to
    an earlier part. A part of kind general or not_english gets quotes only (it names no topic)."""
    kinds = kinds or ["theme"] * len(parts)
    rng = np.random.default_rng(random_state)
    sampled = [p if len(p) <= DESCRIBE_AT_MOST else [p[i] for i in sorted(rng.choice(len(p), DESCRIBE_AT_MOST, replace=False))]
               for p in parts]
    phrase_sets = [[frozenset(parse(t).phrases) for t in part] for part in sampled]
    labeller = ThemeModel(random_state=random_state, max_quotes=max_quotes, representation=representation)
    labeller.background_counts_ = Counter(p for sets in phrase_sets for s in sets for p in s)
    labeller.n_texts_ = max(1, sum(len(sets) for sets in phrase_sets))
    labeller.used_labels_ = set(taken_labels)
    out = []
    for texts, sets, kind in zip(sampled, phrase_sets, kinds, strict=True):
        if not texts:
            out.append(Description("", [], []))
        elif kind in ("general", "not_english"):
            out.append(Description("", [], _distinct_quotes(texts, max_quotes)))
        else:
            scored = labeller._keywords(sets)
            vectors = _vectors(texts, representation, random_state)
            out.append(Description(labeller._label(scored), [p for p, _ in scored], labeller._quotes(texts, vectors, None)))
    return out


def nearest_part(parts: list[list[str]], texts: list[str], *, representation: str = "wordllama", random_state: int = 0) -> list[int]:
    """For each of `texts`, the index of the part whose centre its vector is closest to (cosine),
    all represented together, as a split would have placed it."""
    if not texts:
        return []
    everything = [t for part in parts for t in part] + list(texts)
    vectors = _vectors(everything, representation, random_state)
    centres, start = [], 0
    for part in parts:
        centres.append(vectors[start:start + len(part)].mean(0) if part else np.zeros(vectors.shape[1]))
        start += len(part)
    similarity = vectors[start:] @ normalize(np.vstack(centres)).T
    return [int(i) for i in similarity.argmax(1)]
