"""What a participant is told before they start, the age band and the under-13 route.

The notice is versioned: every response stores the version its participant agreed to, so when
the words change (bump NOTICE_VERSION with them) it stays known what each person was told.
tests/unit/surveys/test_consent.py keeps its reading age at 9 or under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.participation.text import N_, Message
from surveys.questionnaires.tables import AgeBand, Audience, UnderThirteenRoute

NOTICE_VERSION = "2026-11-27"
"""Bump whenever a sentence of NOTICE or the retention sentence changes."""

NOTICE = (
    N_("We do not ask your name."),
    N_("The people who run this survey read the answers. They do not know who wrote them."),
    N_("We look at all the answers together. They help us make things better for young people."),
    N_("If you write that you are not safe, someone will read it. Their job is to keep you safe."),
)
KEPT_ONE_MONTH = N_("We keep your answers for 1 month. Then we delete them.")
KEPT_MONTHS = N_("We keep your answers for %(months)s months. Then we delete them.")
DELETE_WITH_RECEIPT = N_("At the end you get a code. Keep it safe. With it you can see your answers or delete them.")

AGE_BANDS = (
    (AgeBand.under_13, N_("Under 13")),
    (AgeBand.age_13_15, N_("13 to 15")),
    (AgeBand.age_16_17, N_("16 to 17")),
    (AgeBand.age_18_plus, N_("18 or over")),
)
PARENT_STATEMENT = N_("A parent or carer knows I am doing this")
AGE_MISSING = N_("Please choose how old you are.")
PARENT_MISSING = N_("If you are under 13, ask a parent or carer first. Then tick the box.")
NOTICE_CHANGED = N_("We changed what this page says. Please read it again, then press Start.")

ASKS_AGE = frozenset({Audience.children, Audience.young_people})


def notice(retention_months: int) -> list[Message]:
    """The notice's sentences, in order, for a survey that keeps answers this many months."""
    kept = Message(KEPT_ONE_MONTH) if retention_months == 1 else Message(KEPT_MONTHS, months=retention_months)
    return [Message(sentence) for sentence in NOTICE] + [kept, Message(DELETE_WITH_RECEIPT)]


def asks_age(audience: str) -> bool:
    """Children's and young people's surveys ask the age band first."""
    return audience in ASKS_AGE


@dataclass(frozen=True)
class Agreement:
    """What the start form said: the notice's version, the age band and the parent or carer statement."""

    consent_version: str
    age_band: str = ""
    parent_statement: bool = False


class NotAgreed(ValueError):
    """The start form cannot begin a draft yet; `message` says what to put right."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_agreement(form: Mapping[str, Sequence[str]], survey: Mapping) -> Agreement:
    """Check the start form against the notice in force and the survey's route for under-13s."""
    if form.get("consent_version", [""])[0] != NOTICE_VERSION:
        raise NotAgreed(NOTICE_CHANGED)
    if not asks_age(survey["audience"]):
        return Agreement(NOTICE_VERSION)
    band = form.get("age_band", [""])[0]
    if band not in {b.value for b, _ in AGE_BANDS}:
        raise NotAgreed(AGE_MISSING)
    ticked = form.get("parent_statement", [""])[0] == "1"
    if band == AgeBand.under_13 and survey["under_13_route"] == UnderThirteenRoute.parent_statement and not ticked:
        raise NotAgreed(PARENT_MISSING)
    return Agreement(NOTICE_VERSION, band, ticked and band == AgeBand.under_13)


def takes_shorter_survey(survey: Mapping, age_band: str) -> bool:
    """Under-13s on a survey whose owner chose the shorter survey answer only the questions marked for them."""
    return age_band == AgeBand.under_13 and survey["under_13_route"] == UnderThirteenRoute.shorter
