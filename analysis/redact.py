"""Remove personal details before text is shared: typed placeholders, tuned for recall.

Each rule is a regular expression for one kind of detail. Over-redacting a phrase is a small
loss; leaving a child's name or phone number in a board paper is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.base import BaseEstimator, TransformerMixin

from analysis.text import TextInputMixin

RELATIONS = (
    r"mum|mam|mom|mother|dad|father|step ?dad|step ?mum|brother|bro|sister|sis|cousin|uncle|aunt|auntie|nan|nana|"
    r"gran|grandma|grandad|friend|mate|bestie|best friend|boyfriend|girlfriend|bf|gf|teacher|tutor|"
    r"social worker|key ?worker|youth worker|neighbour|son|daughter|partner|carer|foster carer|coach"
)
NAME = r"[A-Z][a-z'’]+(?:[- ][A-Z][a-z'’]+)?"
LOWER_NAME = r"[a-z][a-z'’]{1,20}"  # many young people type names in lower case
STREET_TYPES = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|grove|gardens|gdns|place|pl|crescent|court|ct|"
    r"terrace|hill|park|square|sq|walk|mews|row|estate|house|tower|towers"
)
MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"

# Order matters: a later rule never sees what an earlier one replaced.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.I)),
    ("URL", re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|co\.uk|org|net|uk|io|me|tv)(?:/\S*)?\b", re.I)),
    ("PHONE", re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)(?:[\s\-()]?\d){9,10}(?!\d)")),
    ("POSTCODE", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
    ("DATE", re.compile(
        rf"\b\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}\b"
        rf"|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I)),
    ("HANDLE", re.compile(r"(?<![\w@])@[\w.]{2,30}|\b(?:snap(?:chat)?|insta(?:gram)?|ig|tiktok|tt|twitter|x)\s*(?:is|:|-|=|@)\s*@?[\w.]{3,30}", re.I)),
    ("ADDRESS", re.compile(rf"\b(?:flat|apartment|apt)\s+\d+\w?\b|\b\d{{1,4}}[a-z]?,?\s+(?:[A-Za-z'’]+\s+){{1,3}}(?:{STREET_TYPES})\b", re.I)),
    ("SCHOOL", re.compile(r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][\w'’&-]*\s+){1,4}(?:Academy|School|College|Primary|Secondary|Sixth Form|PRU)\b")),
    ("NAME", re.compile(
        rf"(?i:\bmy name(?:'s| is|s)|\bi'?m called|\bi am called|\bnamed)\s+(?P<x>{NAME}|{LOWER_NAME})"
        rf"|(?i:\bcalled)\s+(?P<y>{NAME})"
        rf"|(?i:\bcalled)\s+(?P<z>{LOWER_NAME})(?=\s(?:and|who|is|he|she|they|keeps|was|has)\b)"
        rf"|(?P<w>\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir)\.?\s+{NAME})"
        rf"|(?i:\b(?:{RELATIONS}))\s+(?!(?:Is|And|Was|Has|The|He|She|They|Who|Says|Said|Keeps|Told|I|Im)\b)(?P<v>{NAME})"
        rf"|(?P<u>\b{NAME})(?='s\s(?i:{RELATIONS})\b)"
    )),
)


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


def find(text: str) -> list[Span]:
    """Every personal detail found, in order, without overlaps (earlier rules win)."""
    spans: list[Span] = []
    for kind, pattern in RULES:
        for match in pattern.finditer(text):
            # A rule may name the part to remove (a group) after context it keeps ("my name is").
            group = next((g for g, v in match.groupdict().items() if v), 0)
            start, end = match.span(group)
            if text[start:end].strip() and not any(s.start < end and start < s.end for s in spans):
                spans.append(Span(kind, start, end, text[start:end]))
    return sorted(spans, key=lambda s: s.start)


def redact(text: str) -> str:
    """The text with each personal detail replaced by its type, e.g. '[PHONE]'."""
    out, cursor = [], 0
    for span in find(text):
        out.append(text[cursor:span.start])
        out.append(f"[{span.kind}]")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


class Redactor(TextInputMixin, TransformerMixin, BaseEstimator):
    """scikit-learn transformer: a list of texts in, the same texts redacted out."""


    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [redact(str(text)) for text in X]
