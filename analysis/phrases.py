"""What a text is about, apart from what it thinks of it: content words and noun phrases.

Themes should gather praise and complaint about the same thing ("the crew were lovely" and "the
crew were rough") and be named by what they are about ("waiting time", not "great · better").
So, after mending case and encoding quirks, each word is tagged with NLTK's perceptron POS tagger
and two things are kept:

- content: nouns, verbs and non-evaluative adjectives and adverbs, for the representation that
  themes are clustered on. A word is evaluative when it is an adjective, adverb or interjection
  that VADER's lexicon scores at |valence| >= 1 ("excellent", "rude"), or one of a few feedback
  words VADER does not know ("professional", "prompt"). Nouns and verbs stay even when VADER
  scores them ("care", "pain", "help" are topics in feedback).
- noun phrases: chunks of adjectives and nouns ending in a noun, without evaluative words or
  stopwords, for labels ("waiting time", "phone line", "street lighting").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from analysis.text import stopwords, tokens

# Feedback adjectives and adverbs that judge rather than describe, missing from VADER's lexicon.
EVALUATIVE_EXTRA = frozenset({
    "professional", "unprofessional", "prompt", "efficient", "inefficient", "polite", "impolite",
    "courteous", "punctual", "reassuring", "caring", "uncaring", "lovely", "fab", "fabulous", "superb",
    "brilliant", "amazing", "awful", "terrible", "horrible", "dreadful", "appalling", "fantastic",
    "wonderful", "outstanding", "exceptional", "attentive", "considerate", "informative", "quick",
    "slow", "late", "early", "first-class", "first", "class", "top", "poor", "ok", "okay", "fine",
    "very", "extremely", "really", "so", "quite", "always", "never", "absolutely", "thoroughly",
    "well", "better", "best", "worse", "worst", "more", "less", "much", "nice", "alright",
})
# Words that name no topic: indefinite pronouns ("nothing", "everyone") and the stock phrases of
# verdicts ("no complaints", "could not fault", "thank you", "good job", "put me at ease").
NOT_A_TOPIC = frozenset({
    "nothing", "anything", "everything", "something", "none", "nobody", "anybody", "everybody",
    "somebody", "anyone", "everyone", "someone", "thank", "thanks", "fault", "faults", "complaint",
    "complaints", "problem", "problems", "job", "ease", "perfection", "experience", "lot", "bit",
    "way", "thing", "things", "nothing else", "occasion", "occasions", "praise",
    # Judging words the tagger often reads as nouns in short answers ("Perfect.", "Excellent").
    "perfect", "excellent", "pleasant", "helpful", "helpfull", "dealt", "spot",
})
# Mis-decoded UTF-8 read as Windows-1252 (a common export quirk) and typographic marks.
_MOJIBAKE = {"â€™": "'", "â€˜": "'", "â€œ": '"', "â€\x9d": '"', "â€“": "-", "â€”": "-", "Â": ""}
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_CONTENT_TAGS = ("NN", "VB", "JJ", "RB", "CD", "FW")
_ADJECTIVE_OR_ADVERB = ("JJ", "RB", "UH")


def mend(text: str) -> str:
    """One spelling of each text: mojibake and curly quotes undone, NFKC, lower case."""
    for bad, good in _MOJIBAKE.items():
        text = text.replace(bad, good)
    # Lower case for everything: an export that turned every "i" into "I" must not make a theme.
    return unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).lower()


@lru_cache(maxsize=1)
def _valence() -> dict[str, float]:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer().lexicon


def is_evaluative(word: str, tag: str) -> bool:
    """True for a word that judges (an opinion adjective or adverb) or names no topic at all."""
    if word in EVALUATIVE_EXTRA or word in NOT_A_TOPIC:
        return True
    return tag.startswith(_ADJECTIVE_OR_ADVERB) and abs(_valence().get(word, 0.0)) >= 1.0


@dataclass(frozen=True)
class Parsed:
    content: list[str]
    phrases: list[str]


@lru_cache(maxsize=1)
def _cached_tagger():
    from nltk.tag import PerceptronTagger

    return PerceptronTagger()


def parse(text: str) -> Parsed:
    """The content words (in order) and the noun phrases of one text."""
    words = [t for t in tokens(mend(text)) if re.match(r"^[\w'-]+$", t)]
    if not words:
        return Parsed([], [])
    tagged = _cached_tagger().tag(words)
    stop = stopwords()
    content = [w for w, tag in tagged if tag.startswith(_CONTENT_TAGS) and w not in stop and len(w) > 1
               and not w.isdigit() and not is_evaluative(w, tag)]
    return Parsed(content, noun_phrases(tagged))


def noun_phrases(tagged: list[tuple[str, str]]) -> list[str]:
    """Runs of adjectives, gerunds and nouns that end in a noun, trimmed of judging and stop words."""
    stop = stopwords()
    phrases: list[str] = []
    run: list[tuple[str, str]] = []
    for word, tag in [*tagged, ("", ".")]:
        keep = tag.startswith(("JJ", "NN", "VBG")) and word not in stop and not is_evaluative(word, tag) and len(word) > 1 and not word.isdigit()
        if keep:
            run.append((word, tag))
            continue
        # A phrase ends in a noun: drop trailing adjectives and gerunds ("staff helpful" -> "staff").
        while run and not run[-1][1].startswith("NN"):
            run.pop()
        if run:
            phrases.append(" ".join(w for w, _ in run[-3:]))  # at most three words: a label, not a sentence
        run = []
    return phrases
