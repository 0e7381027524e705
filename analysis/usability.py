"""Usability-test statistics for small samples: the System Usability Scale (SUS) with its grade,
task completion with an adjusted-Wald interval, time on task as a geometric mean, and the Single
Ease Question (SEQ). Pure: no web framework or database, so an analyst can call it from a notebook.

The methods are those Sauro and Lewis recommend for the 5-10 participants of a usability study
("Quantifying the User Experience", 2nd ed., 2016): the adjusted-Wald (Agresti-Coull) interval,
which behaves near 0 % and 100 %; times averaged on a log scale, since they are skewed; and the
curved grading scale for SUS scores, whose benchmarks were normed on adults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats


def N_(message: str) -> str:
    """Marks words the participant's SUS page translates (`make translations` extracts them); returns them as they are."""
    return message


SUS_ITEM_COUNT = 10
SUS_LOWEST, SUS_HIGHEST = 1, 5
SEQ_LOWEST, SEQ_HIGHEST = 1, 7
LONGEST_TASK_SECONDS = 4 * 60 * 60
"""A task timed at more than four hours is a timer left running, not a time on task."""

SUS_STANDARD = (
    N_("I think that I would like to use this system frequently."),
    N_("I found the system unnecessarily complex."),
    N_("I thought the system was easy to use."),
    N_("I think that I would need the support of a technical person to be able to use this system."),
    N_("I found the various functions in this system were well integrated."),
    N_("I thought there was too much inconsistency in this system."),
    N_("I would imagine that most people would learn to use this system very quickly."),
    N_("I found the system very cumbersome to use."),
    N_("I felt very confident using the system."),
    N_("I needed to learn a lot of things before I could get going with this system."),
)
"""Brooke's SUS (1996) in its standard wording."""

SUS_CHILDREN = (
    N_("I would like to use this often."),
    N_("This was harder to use than it needed to be."),
    N_("This was easy to use."),
    N_("I would need a grown-up to help me use this."),
    N_("The different parts of this fitted together well."),
    N_("Some things in this did not make sense together."),
    N_("I think most people my age would learn to use this quickly."),
    N_("This was awkward to use."),
    N_("I felt sure of myself when I used this."),
    N_("I had to learn lots of things before I could use this."),
)
"""The ten statements in plain words for children, written for Chorus following the approach of
Putnam, Puthenmadom, Cuerdo, Wang and Paul, "Adaptation of the System Usability Scale for User
Testing with Children", CHI EA 2020 (a SUS reworded for children aged 7-11). They are not quoted
from the paper: each keeps the meaning and the positive/negative order of the standard item, so
the standard scoring applies. Check them against the paper before reporting them as its instrument."""

SUS_AGREEMENT = (N_("Strongly disagree"), N_("Disagree"), N_("Not sure"), N_("Agree"), N_("Strongly agree"))
SUS_AGREEMENT_CHILDREN = (N_("No, not at all"), N_("No"), N_("Not sure"), N_("Yes"), N_("Yes, a lot"))

# The Sauro-Lewis curved grading scale: (lowest score of the grade, grade), highest first.
SUS_GRADES = (
    (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
    (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0.0, "F"),
)


class UsabilityInputError(ValueError):
    """Input the statistics cannot use; the message says what is wrong, in words."""


class IncompleteSUS(UsabilityInputError):
    """A SUS with unanswered items: it is not scored (a part-filled SUS has no meaningful score)."""


# --- SUS -----------------------------------------------------------------------------------------


def sus_score(answers: Sequence[int | None]) -> float:
    """Brooke's score, 0-100: odd items score (answer - 1), even items (5 - answer), the sum × 2.5."""
    if len(answers) != SUS_ITEM_COUNT or any(a is None for a in answers):
        missing = SUS_ITEM_COUNT - sum(1 for a in answers[:SUS_ITEM_COUNT] if a is not None)
        raise IncompleteSUS(f"The SUS needs all {SUS_ITEM_COUNT} answers; {max(missing, 0) or 'some'} "
                            f"{'is' if missing == 1 else 'are'} missing, so it is not scored.")
    for position, answer in enumerate(answers, start=1):
        if isinstance(answer, bool) or not isinstance(answer, int) or not SUS_LOWEST <= answer <= SUS_HIGHEST:
            raise UsabilityInputError(f"SUS answer {position} is {answer!r}: each answer is a whole number from 1 to 5.")
    contributions = [(a - 1) if i % 2 == 0 else (5 - a) for i, a in enumerate(answers)]
    return sum(contributions) * 2.5


def sus_grade(score: float) -> str:
    """The letter on the Sauro-Lewis curved grading scale (adult norms), scores rounded to 0.1."""
    if not 0 <= score <= 100:
        raise UsabilityInputError(f"A SUS score is from 0 to 100, not {score}.")
    rounded = round(score, 1)
    return next(grade for lowest, grade in SUS_GRADES if rounded >= lowest)


# --- intervals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval and the n it is from."""

    estimate: float
    low: float
    high: float
    n: int
    confidence: float = 0.95


def adjusted_wald(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Completion rate with the adjusted-Wald interval: add z²/2 successes and z² trials, then the
    Wald interval, clipped to 0-1. The estimate is the observed rate."""
    if n < 1:
        raise UsabilityInputError("A completion rate needs at least one attempt.")
    if not 0 <= successes <= n:
        raise UsabilityInputError(f"{successes} successes out of {n} attempts is not possible.")
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    n_adjusted = n + z * z
    p_adjusted = (successes + z * z / 2) / n_adjusted
    margin = z * math.sqrt(p_adjusted * (1 - p_adjusted) / n_adjusted)
    return Interval(successes / n, max(0.0, p_adjusted - margin), min(1.0, p_adjusted + margin), n, confidence)


def check_task_time(seconds: float) -> None:
    """Refuse a time no task can take: not a number, zero or negative, or over four hours."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        raise UsabilityInputError(f"{seconds!r} is not a time in seconds.")
    if seconds <= 0:
        raise UsabilityInputError(f"A time on task must be more than 0 seconds, not {seconds}.")
    if seconds > LONGEST_TASK_SECONDS:
        raise UsabilityInputError(f"{seconds:g} seconds is over four hours: was the timer left running?")


def geometric_mean_interval(seconds: Sequence[float], confidence: float = 0.95) -> Interval:
    """Time on task: the geometric mean with the t-interval of the mean of the log times, back-transformed."""
    for time in seconds:
        check_task_time(time)
    logs = [math.log(t) for t in seconds]
    interval = _t_interval(logs, confidence, what="A time on task")
    return Interval(math.exp(interval.estimate), math.exp(interval.low), math.exp(interval.high), interval.n, confidence)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """A mean (SUS scores, SEQ ratings) with its t-interval."""
    return _t_interval(list(values), confidence, what="A mean")


def _t_interval(values: list[float], confidence: float, *, what: str) -> Interval:
    if not values:
        raise UsabilityInputError(f"{what} needs at least one value.")
    n = len(values)
    mean = sum(values) / n
    if n == 1:  # one value has no spread: the interval is unknown, shown as the value itself
        return Interval(mean, mean, mean, 1, confidence)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    margin = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - margin, mean + margin, n, confidence)


def seq_mean(ratings: Sequence[int]) -> Interval:
    """The mean Single Ease Question rating (1 very difficult - 7 very easy) with its t-interval."""
    for rating in ratings:
        check_seq(rating)
    return mean_interval(ratings)


def check_seq(rating: int) -> None:
    if isinstance(rating, bool) or not isinstance(rating, int) or not SEQ_LOWEST <= rating <= SEQ_HIGHEST:
        raise UsabilityInputError(f"The ease rating is a whole number from 1 to 7, not {rating!r}.")


def sus_mean(scores: Sequence[float]) -> Interval:
    """The mean SUS score with its t-interval, the bounds kept within 0-100."""
    interval = mean_interval(scores)
    return Interval(interval.estimate, max(0.0, interval.low), min(100.0, interval.high), interval.n)


def issue_priority(severity: int, frequency: int) -> int:
    """Rank issues by severity (Nielsen 0-4) × how many participants met them."""
    if not 0 <= severity <= 4:
        raise UsabilityInputError(f"Severity is from 0 (not a problem) to 4 (catastrophe), not {severity}.")
    return severity * frequency
