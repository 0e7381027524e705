"""Names the rules miss: a token classifier that judges a word by what it is and what stands around it.

The patterns in `analysis.redact` find details with a shape, and its rules find names from cues.
This model is a second opinion on the words those rules leave: a logistic regression over features
that never include the word itself (so it cannot memorise the names it was fitted on), only what
the lexicons say about it (a first name in NLTK's `names`? an English word? a known app or place?),
its shape (capitalised, lower case, hyphenated, possessive), the POS tagger's guess, and the words
around it ("my mate …", "… from year 9", "Miss …", "… said"). It is fitted once per process on the
shipped labelled texts (`data/pii-train.tsv`) and on lower-cased copies of them, because young
people often write without capitals, and on our own ordinary answers as texts with no names.
Honest figures: `make bench-redaction` (docs/benchmarks.md).
"""

from __future__ import annotations

import csv
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from analysis.text import TextInputMixin

DATA = Path(__file__).resolve().parent / "data"
TRAINING_DATA = DATA / "pii-train.tsv"
# Our own labelled texts, another writer than pii-train's (see data/README.md).
EXTRA_DATA = DATA / "pii-extra.tsv"
# The five spent blind sets, written by people who never saw our rules: training evidence from other
# writers now, no longer test sets (see data/README.md).
BLIND_DATA = tuple(DATA / f"pii-blind-{k}.tsv" for k in (1, 2, 3, 4, 5))
# Our own ordinary answers (written for screening's veto, see data/README.md): negatives, no names.
ORDINARY_DATA = (DATA / "ordinary-answers.tsv", DATA / "short-answers.tsv")


@dataclass(frozen=True)
class LabelledText:
    """A text and the personal details in it that must be removed."""

    text: str
    must_remove: tuple[str, ...]


def load_labelled_texts(path: Path = TRAINING_DATA) -> list[LabelledText]:
    """Rows of a TSV with `text` and `must_remove` (`|`-separated, `(none)` for none)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"text", "must_remove"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: needs the columns text and must_remove (tab-separated)")
        return [LabelledText(r["text"], tuple(labelled_items(r["must_remove"]))) for r in reader]


def ordinary_texts() -> list[LabelledText]:
    """Our ordinary survey answers as texts with no details, leaving out any the rules say name someone."""
    from analysis.redact import find

    out = []
    for path in ORDINARY_DATA:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not any(s.kind == "NAME" for s in find(row["text"], name_tagger=None)):  # "The youth worker Sam …"
                    out.append(LabelledText(row["text"], ()))
    return out


def training_texts() -> list[LabelledText]:
    """What the shipped tagger is fitted on: the labelled files (dev, ours, the three blind sets), then our ordinary answers."""
    labelled = [t for path in (TRAINING_DATA, EXTRA_DATA, *BLIND_DATA) for t in load_labelled_texts(path)]
    return labelled + ordinary_texts()


def labelled_items(cell: str | None) -> list[str]:
    """A labelled cell's `|`-separated items (`(none)` or blank: none)."""
    return [] if not cell or cell.strip() == "(none)" else [i.strip() for i in cell.split("|") if i.strip()]


def detail_places(text: str, item: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of a labelled detail, exact case first, any case if there is none."""
    pattern = rf"(?<!\w){re.escape(item)}(?!\w)"
    found = [m.span() for m in re.finditer(pattern, text)]
    return found or [m.span() for m in re.finditer(pattern, text, re.I)]


def _context_vocabulary() -> frozenset[str]:
    """Words whose identity may be a feature: cues and closed-class words, never names."""
    from analysis import redact as r
    from analysis.text import stopwords

    return frozenset(stopwords() | r.TITLES | r.RELATIONS | r.RELATION_ADJECTIVES | r.SPEECH_VERBS | r.PERSON_VERBS
                     | r.ADDRESSING | r.PLACE_PREPOSITIONS | r.PLACE_NOUNS | r.DETERMINERS | r.POSSESSIONS
                     | {"year", "yr", "from", "called", "named", "name", "names", "name's", "me", "n", "&", "mate",
                        "mates", "bruv", "fam", "x", "xx", "lol", "and", "says", "said"})


def token_features(finder, i: int, vocabulary: frozenset[str]) -> dict[str, float]:
    """What word i of a text is and what stands around it, never the word itself."""
    from analysis import redact as r

    t, lex, low = finder.tokens[i], finder.lex, finder.lows[i]
    shape = "allcaps" if t.all_caps else "cap" if t.capitalised else "lower" if t.text.islower() else "other"
    first, word, unknown = finder.first_name(i), lex.is_word(low), finder.unknown(i)
    # How the lexicon knows it: a dictionary entry is strong evidence of a word, a compound or inflection weak ("naveed").
    how = "exact" if low in lex.english else "loose" if word else "none"
    sounds = name_likeness(low)
    features = {
        f"how_word={how}": 1.0,
        f"{shape}&how_word={how}": 1.0,
        "name_likeness": max(-4.0, min(4.0, sounds)) / 4,
        f"name_likeness>{_bucket(sounds)}": 1.0,
        f"{shape}&how_word={how}&sounds>{_bucket(sounds)}": 1.0,
        "person_pronoun_after": float(any(finder.at(j) in PERSON_PRONOUNS for j in range(i + 1, i + 5))),
        f"shape={shape}": 1.0,
        "hyphenated": float("-" in low),
        "possessive": float(t.possessive),
        "short": float(len(low) <= 3),
        "first_name": float(first),
        "word": float(word),
        "dictionary_exact": float(low in lex.english),
        "proper_noun": float(low in lex.proper_nouns),
        "not_person": float(finder.not_person(i)),
        "known_not_person": float(low in r.NOT_PEOPLE or low in r.DAYS_AND_MONTHS),
        "unknown": float(unknown),
        "word_ending": float(low.endswith(r.WORD_ENDINGS)),
        "place_ending": float(low.endswith(r.PLACE_ENDINGS)),
        "sentence_start": float(finder.sentence_start(i)),
        f"tag={finder.tag(i)}": 1.0,
        f"{shape}&first={first}&word={word}": 1.0,
        f"{shape}&unknown={unknown}": 1.0,
        f"{shape}&start={finder.sentence_start(i)}&first={first}": 1.0,
    }
    for k in (-2, -1, 1, 2):
        features[f"w{k:+d}={_context_word(finder, i + k, vocabulary)}"] = 1.0
    for k in (-1, 1):
        j = i + k
        if 0 <= j < finder.count:
            features[f"tag{k:+d}={finder.tag(j)}"] = 1.0
            features[f"w{k:+d}&w0={_context_word(finder, j, vocabulary)}&{shape}"] = 1.0
        else:
            features[f"tag{k:+d}=<edge>"] = 1.0
    return features


PERSON_PRONOUNS = frozenset("he she him his her hers himself herself".split())


def _bucket(score: float) -> str:
    return "high" if score > 1.5 else "mid" if score > 0 else "low" if score > -1.5 else "none"


@lru_cache(maxsize=1)
def _letter_models() -> tuple[dict[str, float], dict[str, float], float, float]:
    """Letter-trigram log-probabilities of NLTK's first names and of its English words (lexicons, never our labels)."""
    from collections import Counter

    from analysis.redact import lexicon

    lex = lexicon()
    models = []
    for vocabulary in (lex.first_names, lex.english - lex.first_names):
        counts = Counter(g for w in vocabulary for g in _trigrams(w))
        total, kinds = sum(counts.values()), len(counts) + 1
        models.append(({g: math.log((c + 1) / (total + kinds)) for g, c in counts.items()}, math.log(1 / (total + kinds))))
    (names, unseen_name), (words, unseen_word) = models
    return names, words, unseen_name, unseen_word


def _trigrams(word: str) -> list[str]:
    padded = f"^{word}$"
    return [padded[k:k + 3] for k in range(len(padded) - 2)]


@lru_cache(maxsize=16384)
def name_likeness(low: str) -> float:
    """How much more a word's letters look like a first name's than an English word's (mean log-odds per trigram).

    "yusuf", "ifrah", "naveed" spell like names though no list has them; "heating" spells like a word.
    """
    names, words, unseen_name, unseen_word = _letter_models()
    grams = _trigrams(low)
    return sum(names.get(g, unseen_name) - words.get(g, unseen_word) for g in grams) / len(grams)


def _context_word(finder, j: int, vocabulary: frozenset[str]) -> str:
    if j < 0:
        return "<start>"
    if j >= finder.count:
        return "<end>"
    t, low = finder.tokens[j], finder.lows[j]
    if low in vocabulary or not t.is_word_like and not low.isdigit():
        return low
    if low.isdigit():
        return "<number>"
    if finder.not_person(j):
        return "<not-person>"
    kind = "Cap" if t.capitalised else "low"
    if finder.first_name(j):
        return f"<{kind}-first-name>"
    return f"<{kind}-unknown>" if finder.unknown(j) else f"<{kind}-word>"


class NameTagger(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Probability that each word the rules left is part of a person's name (see the module docstring)."""

    # C and threshold chosen by leave-one-source-out over the labelled sources (pii-dev, pii-extra and the
    # spent blind sets; re-checked over seven sources in the fifth round; `scripts/evaluate_redaction.py --loso-only`,
    # docs/benchmarks.md): with
    # other writers' texts to learn from, a looser fit and a lower threshold find more names without
    # costing ordinary phrases (were C 0.2, threshold 0.65).
    def __init__(self, C: float = 3.0, threshold: float = 0.35, lower_case_copies: bool = True):
        self.C = C
        self.threshold = threshold
        self.lower_case_copies = lower_case_copies

    def fit(self, X: list[LabelledText], y=None):
        """Fit on labelled texts: each word inside a labelled detail that no pattern caught is a positive."""
        texts = list(X)
        if self.lower_case_copies:
            texts += [LabelledText(t.text.lower(), tuple(d.lower() for d in t.must_remove)) for t in texts
                      if t.text != t.text.lower()]
        self.vocabulary_ = _context_vocabulary()
        rows, labels = [], []
        for labelled in texts:
            finder = _finder(labelled.text)
            places = [p for d in labelled.must_remove for p in detail_places(labelled.text, d)]
            for i in _candidates(finder):
                t = finder.tokens[i]
                rows.append(token_features(finder, i, self.vocabulary_))
                labels.append(int(any(s <= t.start and t.end <= e for s, e in places)))
        if len(set(labels)) < 2:
            raise ValueError("NameTagger needs texts with and without names to fit")
        self.pipeline_ = make_pipeline(
            DictVectorizer(), LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000))
        self.pipeline_.fit(rows, labels)
        self.classes_ = self.pipeline_.classes_
        vectorizer, model = self.pipeline_[0], self.pipeline_[-1]
        # Scoring a handful of words per text by hand is ~5x faster than the pipeline's per-call overhead.
        self.weights_ = dict(zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True))
        self.intercept_ = float(model.intercept_[0])
        return self

    def probabilities(self, finder) -> dict[int, float]:
        """Word index → probability of being (part of) a name, for the words a name could be."""
        check_is_fitted(self, "pipeline_")
        indices = _candidates(finder)
        if not indices:
            return {}
        weights, out = self.weights_, {}
        for i in indices:
            logit = self.intercept_ + sum(weights.get(f, 0.0) * v for f, v in token_features(finder, i, self.vocabulary_).items())
            out[i] = 1.0 / (1.0 + math.exp(-logit))
        return out

    def names(self, finder) -> set[int]:
        """The word indices this model calls names."""
        return {i for i, p in self.probabilities(finder).items() if p >= self.threshold}

    def predict(self, X):
        """For each text, the (start, end) spans of words called names (scikit-learn's predict)."""
        out = []
        for text in X:
            finder = _finder(str(text))
            out.append([(finder.tokens[i].start, finder.tokens[i].end) for i in sorted(self.names(finder))])
        return out


def _finder(text: str):
    from analysis.redact import _NameFinder, pattern_spans

    return _NameFinder(text, pattern_spans(text))


def _candidates(finder) -> list[int]:
    """Words that could be a name, leaving out what the lexicons already say is something else.

    Out: stopwords, titles, relations, days, known apps and places; a word where a place stands
    ("the …", "in …", "… station"); a capitalised unknown word with a place's ending ("Darlington",
    "Hexham"); a dictionary word opening a sentence that is no first name ("Prompt", "Staff"); and in
    lower case, an English word ("online"), even one NLTK also lists as a first name ("wait", "job"),
    a word's ending ("empathetic") or a misspelt word one edit from an English one ("freindly"). As candidates these cost far more
    ordinary words than they found names (real NHS comments, docs/benchmarks.md); names among them
    are left to the rules' cues ("Mrs Hamilton", "me and clive").
    """
    from analysis.redact import PLACE_ENDINGS, WORD_ENDINGS

    out = []
    for i in range(finder.count):
        t, low = finder.tokens[i], finder.lows[i]
        if finder.not_person(i) or finder.placeish(i) or finder.org_word(i) or (t.capitalised and finder.beside_a_place(i)):
            continue
        first = finder.first_name(i)
        exact = low in finder.lex.english
        if t.capitalised:
            if exact and not first and finder.sentence_start(i):
                continue  # "Prompt and professional", "Staff were kind": a dictionary word opening a sentence
            if first or not (finder.unknown(i) and low.endswith(PLACE_ENDINGS)):
                out.append(i)
        elif first and exact:
            continue  # "had to wait", "good job": lower-case words that NLTK also lists as first names
        elif "-" in low and all(len(p) < 2 or p in finder.stop or finder.lex.is_word(p) for p in low.split("-")):
            continue  # "in-law", "cut-off", "x-ray"
        elif first or not (finder.lex.is_word(low) or low.endswith(WORD_ENDINGS + ("ic", "tic", "ive"))
                           or _one_edit_from_a_word(low)):
            out.append(i)
        elif _loosely_english(finder, low) and name_likeness(low) > 0 and not _one_edit_from_a_word(low):
            out.append(i)  # "naveed" passes as "nave" + "ed", but spells like a name
    return out


def _loosely_english(finder, low: str) -> bool:
    """English to the lexicon only as a compound or an inflection, not as an entry of its own."""
    from analysis.redact import CHAT_WORDS, WORD_ENDINGS

    return low not in finder.lex.english and low not in CHAT_WORDS and not low.endswith(WORD_ENDINGS) \
        and "'" not in low and finder.lex.is_word(low)


LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=8192)
def _one_edit_from_a_word(low: str) -> bool:
    """A misspelt word ("freindly", "proffesional"): one deletion, swap, change or insertion from an English word."""
    from analysis.redact import lexicon

    lex = lexicon()
    if len(low) < 5 or not low.isalpha():
        return False
    splits = [(low[:k], low[k:]) for k in range(len(low) + 1)]
    edits = ({a + b[1:] for a, b in splits if b}
             | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
             | {a + c + b[1:] for a, b in splits if b for c in LETTERS}
             | {a + c + b for a, b in splits for c in LETTERS})
    edits.discard(low)
    return any(e in lex.english and e not in lex.first_names for e in edits)


_DEFAULT: NameTagger | None = None
_DEFAULT_LOCK = threading.Lock()


def default_name_tagger() -> NameTagger:
    """The tagger fitted on the shipped labelled texts, once per process (well under a second)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = NameTagger().fit(training_texts())
        return _DEFAULT
