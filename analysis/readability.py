"""Is a question written in words young people understand? Reading age, Flesch ease, and jargon
(seed report §6.3 project 3a, "shared language")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import textstat

# Acronyms and service words from the partnership's own papers, with a plain alternative.
JARGON: dict[str, str] = {
    "MACE": "the meeting where agencies discuss children at risk of exploitation",
    "MASH": "the team that first looks at worries about a child's safety",
    "LBNIIP": "the partnership that shares information about risks to young people",
    "LBNIIPB": "the partnership that shares information about risks to young people",
    "PCEHH": "the hub that helps children at risk of exploitation and harm",
    "SPOA": "the single place to ask for help",
    "VCFS": "charities, community and faith groups",
    "CAMHS": "mental health services for young people",
    "DCS": "the council's director for children",
    "NSCP": "the local safeguarding partnership",
    "SAB": "the board that keeps adults safe",
    "NSAB": "the board that keeps adults safe",
    "CYPS": "children and young people's services",
    "AP": "a different school (alternative provision)",
    "SEND": "extra help with learning or disability",
    "SEMH": "social, emotional and mental health needs",
    "EHCP": "a plan for extra help at school",
    "YOT": "the youth justice team",
    "YJS": "the youth justice team",
    "CSE": "sexual exploitation",
    "CCE": "criminal exploitation",
    "NRM": "the system that helps victims of trafficking",
    "LAC": "children in care",
    "CIN": "children who get extra help from social care",
    "CP": "child protection",
    "safeguarding": "keeping you safe",
    "multi-agency": "different services working together",
    "multiagency": "different services working together",
    "early help": "support before things get worse",
    "thresholds": "the level of need that gets a service",
    "intervention": "support",
    "pathway": "the steps to get help",
    "stakeholders": "people involved",
    "trauma-informed": "understanding how bad experiences affect people",
    "contextual safeguarding": "keeping you safe in places outside home",
    "exploitation": "being used or forced by others for their gain",
    "cohort": "group",
    "provision": "service",
    "co-production": "working on it together",
    "disproportionality": "some groups being treated differently",
}
_JARGON_PATTERN = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in JARGON), key=len, reverse=True)) + r")\b"
)


@dataclass(frozen=True)
class Readability:
    reading_age: float
    flesch: float
    jargon: list[dict] = field(default_factory=list)


def find_jargon(text: str) -> list[dict]:
    """Each jargon term (acronyms case-sensitive, words any case) with its plain alternative."""
    found, seen = [], set()
    for match in _JARGON_PATTERN.finditer(text):
        term = match.group(1)
        if term not in seen:
            seen.add(term)
            found.append({"term": term, "plain": JARGON[term]})
    for word in re.finditer(r"\b[a-z][a-z-]+\b", text.lower()):
        key = word.group(0)
        if key in JARGON and key not in seen and not key.isupper():
            seen.add(key)
            found.append({"term": key, "plain": JARGON[key]})
    return found


SHORT_TEXT_WORDS = 30


def assess(text: str) -> Readability:
    """Reading age in years (US grade + 5: Flesch-Kincaid for a short text such as one question,
    textstat's consensus of formulas for longer ones), Flesch reading ease, and jargon."""
    if not text.strip():
        return Readability(0.0, 100.0, [])
    # Several of textstat's consensus formulas (SMOG, Linsear Write) need a few sentences and score
    # any one-line question as grade 8 or more; Flesch-Kincaid alone is the usual measure for a line.
    if textstat.lexicon_count(text) < SHORT_TEXT_WORDS:
        grade = textstat.flesch_kincaid_grade(text)
    else:
        grade = textstat.text_standard(text, float_output=True)
    return Readability(
        reading_age=round(max(grade, 0) + 5, 1),
        flesch=round(textstat.flesch_reading_ease(text), 1),
        jargon=find_jargon(text),
    )
