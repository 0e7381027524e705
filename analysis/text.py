"""Text preparation for young people's writing: emoji, slang, "sooo", handles, no punctuation.

Everything here works without downloaded NLTK data except the stopword list, which is checked at
start-up (analysis.resources).
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import TweetTokenizer

# Common abbreviations in texts and chat, expanded so that "u r gr8" and "you are great" meet.
ABBREVIATIONS = {
    "u": "you", "ur": "your", "r": "are", "y": "why", "n": "and", "bc": "because", "cos": "because",
    "coz": "because", "cuz": "because", "bcos": "because", "idk": "i don't know", "tbh": "to be honest",
    "rn": "right now", "ppl": "people", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thank you",
    "dont": "don't", "wont": "won't", "cant": "can't", "im": "i'm", "ive": "i've", "didnt": "didn't",
    "isnt": "isn't", "doesnt": "doesn't", "wasnt": "wasn't", "wanna": "want to", "gonna": "going to",
    "gotta": "got to", "ngl": "not going to lie", "imo": "in my opinion", "b4": "before", "2day": "today",
    "2moro": "tomorrow", "2nite": "tonight", "gr8": "great", "yh": "yeah", "ye": "yeah", "yeh": "yeah",
    "nuff": "enough", "bout": "about", "wiv": "with", "wid": "with", "dat": "that", "dis": "this",
    "mums": "mum's", "sum1": "someone", "some1": "someone", "any1": "anyone", "every1": "everyone",
    "no1": "no one", "msg": "message", "txt": "text", "pic": "picture", "pics": "pictures",
}
# Words every survey answer is full of, which say nothing about its theme.
DOMAIN_STOPWORDS = {
    "think", "feel", "like", "really", "would", "could", "also", "get", "got", "lot", "lots", "thing",
    "things", "yeah", "yes", "no", "not", "just", "much", "many", "make", "made", "way", "good", "bad",
    "maybe", "sometimes", "always", "never", "even", "still", "want", "need", "know", "say", "said",
    "one", "ones", "etc", "bit", "kind", "sort", "stuff", "im", "dont", "don't", "can't", "i'm",
    "it's", "that's", "there's", "should", "go", "going", "people",
}
_REPEATS = re.compile(r"(\w)\1{2,}")
_TOKENIZER = TweetTokenizer(preserve_case=False, reduce_len=False, strip_handles=False)
_WORD = re.compile(r"^[\w'’-]+$")


def squeeze_repeats(text: str) -> str:
    """'sooooo' -> 'so', 'nooo' -> 'no': three or more of a letter become one."""
    return _REPEATS.sub(r"\1", text)


def tokens(text: str) -> list[str]:
    """Lower-cased tokens with repeats squeezed and abbreviations expanded; emoji kept as tokens."""
    expanded: list[str] = []
    for token in _TOKENIZER.tokenize(squeeze_repeats(text)):
        expanded.extend(ABBREVIATIONS.get(token, token).split())
    return expanded


def normalise(text: str) -> str:
    return " ".join(tokens(text))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from nltk.corpus import stopwords as nltk_stopwords

    return frozenset(nltk_stopwords.words("english")) | DOMAIN_STOPWORDS


_STEMMER = SnowballStemmer("english")


def content_words(text: str, *, stem: bool = True) -> list[str]:
    """The words that carry meaning: no stopwords, punctuation, numbers or emoji; stemmed by default."""
    stop = stopwords()
    words = [t for t in tokens(text) if _WORD.match(t) and not t.isdigit() and len(t) > 1 and t not in stop]
    return [_STEMMER.stem(w) for w in words] if stem else words


class TextInputMixin:
    """Tells scikit-learn an estimator takes a list of texts, not a numeric 2-D array."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
