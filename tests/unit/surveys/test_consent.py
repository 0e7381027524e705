"""The first page's notice reads at 9 or under; the start form's age band and under-13 route; retention's months."""

from datetime import UTC, datetime

import pytest

from analysis import readability
from surveys.participation import consent
from surveys.participation.retention import months_before
from surveys.questionnaires.definition import Option, QuestionDef, SectionDef, SurveyDef
from surveys.questionnaires.tables import QuestionKind

YOUNG_PEOPLE = {"audience": "young_people", "under_13_route": "parent_statement"}
SHORTER = {"audience": "children", "under_13_route": "shorter"}
STAFF = {"audience": "staff", "under_13_route": "parent_statement"}


@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_the_notice_has_a_reading_age_of_9_or_under(months):
    sentences = [sentence.english() for sentence in consent.notice(months)]
    whole = " ".join(sentences)
    assert readability.assess(whole).reading_age <= 9, whole
    assert readability.assess(whole).jargon == []
    assert all(readability.assess(sentence).reading_age <= 9 for sentence in sentences), sentences


def test_the_notice_says_how_long_answers_are_kept_and_how_to_delete_them():
    said = " ".join(sentence.english() for sentence in consent.notice(12))
    assert "for 12 months" in said and "delete" in said and "code" in said
    assert "for 1 month." in " ".join(s.english() for s in consent.notice(1))


def form(**fields) -> dict[str, list[str]]:
    return {name: [value] for name, value in {"consent_version": consent.NOTICE_VERSION, **fields}.items()}


def test_a_young_person_agrees_with_their_age_band():
    agreed = consent.read_agreement(form(age_band="13_15"), YOUNG_PEOPLE)
    assert agreed == consent.Agreement(consent.NOTICE_VERSION, "13_15", False)


@pytest.mark.parametrize(("fields", "survey", "message"), [
    ({"consent_version": "an-old-version", "age_band": "13_15"}, YOUNG_PEOPLE, consent.NOTICE_CHANGED),
    ({"age_band": ""}, YOUNG_PEOPLE, consent.AGE_MISSING),
    ({"age_band": "seven"}, YOUNG_PEOPLE, consent.AGE_MISSING),
    ({"age_band": "under_13"}, YOUNG_PEOPLE, consent.PARENT_MISSING),
    ({"age_band": "under_13", "parent_statement": "yes"}, YOUNG_PEOPLE, consent.PARENT_MISSING),
])
def test_what_each_bad_start_form_gets(fields, survey, message):
    with pytest.raises(consent.NotAgreed) as refused:
        consent.read_agreement(form(**fields), survey)
    assert refused.value.message == message


def test_an_under_13_on_the_parent_route_ticks_the_statement():
    agreed = consent.read_agreement(form(age_band="under_13", parent_statement="1"), YOUNG_PEOPLE)
    assert agreed.parent_statement and agreed.age_band == "under_13"
    assert not consent.takes_shorter_survey(YOUNG_PEOPLE, agreed.age_band)


def test_an_under_13_on_the_shorter_route_needs_no_statement():
    agreed = consent.read_agreement(form(age_band="under_13"), SHORTER)
    assert not agreed.parent_statement
    assert consent.takes_shorter_survey(SHORTER, "under_13")
    assert not consent.takes_shorter_survey(SHORTER, "13_15")


def test_a_statement_ticked_by_someone_13_or_over_is_not_stored():
    assert not consent.read_agreement(form(age_band="16_17", parent_statement="1"), YOUNG_PEOPLE).parent_statement


def test_staff_surveys_do_not_ask_the_age():
    assert consent.read_agreement(form(age_band="under_13"), STAFF) == consent.Agreement(consent.NOTICE_VERSION)


def test_the_shorter_survey_keeps_only_questions_marked_for_under_13s():
    ask = QuestionDef(1, "feel", QuestionKind.yes_no, "Do you feel safe?", options=(Option("yes", "Yes"),), for_under_13=True)
    skip = QuestionDef(2, "why", QuestionKind.long_text, "Tell us more about the services you use.")
    later = QuestionDef(3, "more", QuestionKind.long_text, "Anything else?")
    survey = SurveyDef(1, "S", sections=(SectionDef(1, "", "", None, (ask, skip)), SectionDef(2, "", "", None, (later,))))
    shorter = survey.for_under_13s()
    assert [q.key for q in shorter.questions] == ["feel"]
    assert len(shorter.pages({})) == 1


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2026, 11, 27, 9, tzinfo=UTC), 12, datetime(2025, 11, 27, 9, tzinfo=UTC)),
    (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 3, datetime(2025, 10, 15, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 120, datetime(2016, 1, 15, tzinfo=UTC)),
])
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected
