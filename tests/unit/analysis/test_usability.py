"""The usability statistics reproduce issue 14's worked examples exactly, and refuse bad input with
a message that says what is wrong."""

import pytest

from analysis.usability import (
    SUS_CHILDREN,
    SUS_STANDARD,
    IncompleteSUS,
    UsabilityInputError,
    adjusted_wald,
    check_task_time,
    geometric_mean_interval,
    issue_priority,
    seq_mean,
    sus_grade,
    sus_mean,
    sus_score,
)


@pytest.mark.parametrize(("answers", "score", "grade"), [
    ([4, 1, 5, 2, 5, 1, 4, 2, 3, 1], 85.0, "A+"),
    ([3] * 10, 50.0, "F"),
    ([5, 1] * 5, 100.0, "A+"),
    ([1, 5] * 5, 0.0, "F"),
])
def test_sus_scores_and_grades_of_the_worked_examples(answers, score, grade):
    assert sus_score(answers) == score
    assert sus_grade(score) == grade


@pytest.mark.parametrize(("score", "grade"), [(84.1, "A+"), (84.0, "A"), (71.0, "C"), (51.6, "F"), (51.7, "D"), (71.1, "C+")])
def test_grade_boundaries_on_the_curved_scale(score, grade):
    assert sus_grade(score) == grade


@pytest.mark.parametrize(("successes", "n", "low", "high"), [(4, 5, 35.96, 97.96), (10, 10, 67.91, 100.0), (7, 12, 31.89, 80.74)])
def test_adjusted_wald_intervals_of_the_worked_examples(successes, n, low, high):
    interval = adjusted_wald(successes, n)
    assert interval.low * 100 == pytest.approx(low, abs=0.02)
    assert interval.high * 100 == pytest.approx(high, abs=0.02)
    assert interval.estimate == successes / n and interval.n == n


def test_geometric_mean_time_of_the_worked_example():
    interval = geometric_mean_interval([55, 65, 75, 62, 45, 135])
    assert round(interval.estimate) == 68
    assert (round(interval.low), round(interval.high)) == (46, 101)
    assert interval.n == 6


def test_sus_and_seq_means_carry_their_interval_and_n():
    sus = sus_mean([85.0, 50.0, 72.5])
    assert sus.estimate == pytest.approx(69.1667, abs=1e-3) and sus.n == 3 and 0 <= sus.low < sus.estimate < sus.high <= 100
    seq = seq_mean([5, 6, 7, 6])
    assert seq.estimate == 6.0 and seq.low < 6.0 < seq.high and seq.n == 4
    assert seq_mean([4]).low == seq_mean([4]).high == 4  # one rating: no spread to estimate


@pytest.mark.parametrize(("answers", "message"), [
    ([4, 1, 5, 2, 5, 1, 4, 2, 3, 6], "SUS answer 10 is 6: each answer is a whole number from 1 to 5."),
    ([0, 1, 5, 2, 5, 1, 4, 2, 3, 1], "SUS answer 1 is 0"),
    ([4, 1, 5, 2, 5, 1, 4, 2, 3.5, 1], "SUS answer 9 is 3.5"),
])
def test_sus_answers_outside_one_to_five_are_refused(answers, message):
    with pytest.raises(UsabilityInputError, match=message.replace("(", r"\(")):
        sus_score(answers)


@pytest.mark.parametrize("answers", [[4, 1, 5, 2, 5, 1, 4, 2, 3], [4, 1, 5, None, 5, 1, 4, 2, 3, 1], []])
def test_an_incomplete_sus_is_not_scored(answers):
    with pytest.raises(IncompleteSUS, match="not scored"):
        sus_score(answers)


@pytest.mark.parametrize(("seconds", "message"), [
    (-5, "more than 0 seconds"), (0, "more than 0 seconds"), (20_000, "over four hours"), (float("nan"), "not a time"),
])
def test_negative_and_absurd_times_are_refused(seconds, message):
    with pytest.raises(UsabilityInputError, match=message):
        check_task_time(seconds)
    with pytest.raises(UsabilityInputError, match=message):
        geometric_mean_interval([60, seconds])


def test_other_impossible_figures_are_refused():
    for call, message in ((lambda: adjusted_wald(6, 5), "not possible"), (lambda: adjusted_wald(0, 0), "at least one"),
                          (lambda: seq_mean([8]), "1 to 7"), (lambda: sus_grade(101), "0 to 100"),
                          (lambda: issue_priority(5, 2), "Severity")):
        with pytest.raises(UsabilityInputError, match=message):
            call()
    assert issue_priority(3, 4) == 12


def test_both_wordings_have_ten_statements_alternating_positive_and_negative():
    assert len(SUS_STANDARD) == len(SUS_CHILDREN) == 10
    assert all(len(statement.split()) <= 14 for statement in SUS_CHILDREN)  # short, read-aloud friendly
