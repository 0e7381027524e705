"""What a participant is asked (skip logic, pages) and what an answer may be (form reading)."""

import pytest

from surveys.participation.text import TamperedForm, clean_text
from surveys.questionnaires.definition import (
    DECLINED,
    LONG_TEXT_LIMIT,
    OTHER,
    Condition,
    Given,
    Option,
    QuestionDef,
    SectionDef,
    SurveyDef,
    form_values,
    read_page,
)
from surveys.questionnaires.tables import QuestionKind as K

YES_NO = (Option("yes", "Yes"), Option("no", "No"), Option("not_sure", "Not sure"))
FRUIT = (Option("apple", "Apple"), Option("pear", "Pear"), Option("plum", "Plum"))


def q(key, kind, **extra) -> QuestionDef:
    return QuestionDef(id=hash(key) % 1000, key=key, kind=kind, text=f"{key}?", **extra)


KNOWS = q("knows", K.yes_no, options=YES_NO, required=True)
WHO = q("who", K.multiple_choice, options=FRUIT, allow_other=True, show_if=Condition("knows", frozenset({"yes"})))
WHY = q("why", K.short_text)
SURVEY = SurveyDef(
    id=1,
    title="t",
    sections=(
        SectionDef(1, "First", questions=(KNOWS, WHO)),
        SectionDef(2, "Only when no", show_if=Condition("knows", frozenset({"no", "not_sure"})), questions=(WHY,)),
    ),
)


def test_skip_logic_shows_questions_and_sections_only_when_an_earlier_answer_matches():
    assert [x.key for x in SURVEY.visible_questions({})] == ["knows"]
    assert [x.key for x in SURVEY.visible_questions({"knows": Given("yes")})] == ["knows", "who"]
    assert [x.key for x in SURVEY.visible_questions({"knows": Given("no")})] == ["knows", "why"]
    # "I'd rather not say" matches no condition.
    assert [x.key for x in SURVEY.visible_questions({"knows": Given(None, declined=True)})] == ["knows"]


def test_pages_follow_sections_or_one_question_each():
    assert [len(p.questions) for p in SURVEY.pages({"knows": Given("yes")})] == [2]
    single = SurveyDef(**{**SURVEY.__dict__, "one_question_per_page": True})
    assert [p.questions[0].key for p in single.pages({"knows": Given("no")})] == ["knows", "why"]


def test_changing_an_earlier_answer_drops_answers_to_questions_now_hidden():
    answers = {"knows": Given("no"), "why": Given("scared"), "who": Given(["apple"])}
    assert set(SURVEY.keep_visible(answers)) == {"knows", "why"}
    assert SURVEY.missing_required({}) == [KNOWS]


def form(**fields):
    return {k: v if isinstance(v, list) else [v] for k, v in fields.items()}


def test_each_kind_is_read_into_a_stored_answer():
    questions = [
        q("s", K.single_choice, options=FRUIT), q("m", K.multiple_choice, options=FRUIT, allow_other=True),
        q("l", K.likert, options=tuple(Option(str(n), str(n)) for n in range(1, 6))),
        q("r", K.rating, options=tuple(Option(str(n), str(n)) for n in range(11))),
        q("t", K.long_text), q("n", K.number, min_value=0, max_value=120), q("d", K.date),
        q("k", K.ranking, options=FRUIT),
    ]
    result = read_page(form(
        s="pear", m=["apple", "plum"], m__other="a kiwi", l="4", r="10", t="  hi\x00 there ", n="14", d="2026-09-30",
        k__rank__plum="1", k__rank__apple="2", k__rank__pear="",
    ), questions)
    assert result.ok, result.errors
    a = result.answers
    assert a["s"] == Given("pear")
    assert a["m"] == Given(["apple", "plum", OTHER], other_text="a kiwi")
    assert a["l"] == Given("4") and a["r"] == Given("10")
    assert a["t"] == Given("hi there")  # control characters removed, space trimmed
    assert a["n"] == Given(14) and a["d"] == Given("2026-09-30")
    assert a["k"] == Given(["plum", "apple"])


def test_rather_not_say_is_an_answer_for_every_kind():
    questions = [q("s", K.single_choice, options=FRUIT, required=True), q("m", K.multiple_choice, options=FRUIT),
                 q("t", K.short_text, required=True), q("n", K.number)]
    result = read_page(form(s=DECLINED, m=DECLINED, t__declined="1", t="ignored", n__declined="1"), questions)
    assert result.ok
    assert all(given.declined for given in result.answers.values())


def test_required_questions_left_blank_get_a_message_but_saving_for_later_does_not_require_them():
    result = read_page(form(), [KNOWS])
    assert "rather not say" in result.errors["knows"]
    assert read_page(form(), [KNOWS], require=False).ok


@pytest.mark.parametrize(("fields", "message"), [
    ({"t": "x" * (LONG_TEXT_LIMIT + 1)}, "Please keep this under"),
    ({"n": "twelve"}, "Please write a number"),
    ({"n": "130"}, "from 0 to 120"),
    ({"n": "nan"}, "Please write a number"),
    ({"d": "30/09/2026"}, "Please give a date"),
    ({"d": "0999-01-01"}, "between 1900 and 2100"),
    ({"k__rank__apple": "1", "k__rank__pear": "1"}, "only once"),
    ({"k__rank__apple": "2"}, "without gaps"),
    ({"m": [OTHER]}, "say what"),
    ({"m": ["apple", DECLINED]}, "cannot go with"),
])
def test_mistakes_a_participant_can_fix_are_shown_next_to_the_field(fields, message):
    questions = [q("t", K.long_text), q("n", K.number, min_value=0, max_value=120), q("d", K.date),
                 q("k", K.ranking, options=FRUIT), q("m", K.multiple_choice, options=FRUIT, allow_other=True)]
    result = read_page(form(**fields), questions)
    assert not result.ok
    (error,) = result.errors.values()
    assert message in error.english()


@pytest.mark.parametrize("fields", [
    {"unknown_question": "1"},                  # a question id that is not on this page
    {"why": "answer to a hidden question"},      # a field of a question not on this page
    {"knows": "maybe"},                          # a value outside the options
    {"knows": ["yes", "no"]},                    # two values for a single choice
    {"who": ["apple", "apple"]},                 # a repeated choice
    {"knows__declined": "yes please"},           # a checkbox with a value our page never sends
])
def test_tampered_forms_are_refused_whole(fields):
    with pytest.raises(TamperedForm):
        read_page(form(**fields), [KNOWS])


def test_ranks_outside_the_options_are_tampering():
    with pytest.raises(TamperedForm):
        read_page(form(k__rank__apple="9"), [q("k", K.ranking, options=FRUIT)])


def test_a_stored_answer_fills_the_form_again():
    ranking = q("k", K.ranking, options=FRUIT)
    assert form_values(ranking, Given(["pear", "apple"])) == {"k__rank__pear": ["1"], "k__rank__apple": ["2"]}
    assert form_values(KNOWS, Given(None, declined=True))["knows"] == [DECLINED]


def test_clean_text_normalises_and_strips_control_characters():
    assert clean_text("cafe\u0301\x07 \u200b") == "café \u200b".strip()


@pytest.mark.parametrize("mark", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]])
def test_clean_text_strips_every_bidirectional_override(mark):
    assert clean_text(f"safe{mark} at school") == "safe at school"


def test_clean_text_keeps_right_to_left_text_itself():
    assert clean_text("میں محفوظ ہوں") == "میں محفوظ ہوں"


def test_a_page_carries_the_questions_its_own_answers_can_reveal():
    page = SURVEY.pages({})[0]
    assert [q.key for q in page.questions] == ["knows"]
    assert [q.key for q in SURVEY.with_revealable(page)] == ["knows", "who"]
    one_each = SurveyDef(**{**SURVEY.__dict__, "one_question_per_page": True})
    assert [q.key for q in one_each.with_revealable(one_each.pages({})[0])] == ["knows"]
