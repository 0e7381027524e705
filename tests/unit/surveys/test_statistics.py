"""Indicator statistics against worked examples with published answers (each source cited beside it)."""

import numpy as np
import pytest
from scipy.stats import ttest_ind

from surveys.questionnaires import statistics


def test_two_proportion_z_test_matches_the_statsmodels_documentation_example():
    # statsmodels.stats.proportion.proportions_ztest, docstring example (two samples):
    # count = [5, 12], nobs = [83, 99] -> p-value printed as 0.159.
    # https://www.statsmodels.org/stable/generated/statsmodels.stats.proportion.proportions_ztest.html
    change = statistics.compare_shares(12, 99, 5, 83)
    assert round(change.p_value, 3) == 0.159
    assert change.n_before == 99 and change.n_after == 83


@pytest.mark.parametrize(("after", "n_after", "before", "n_before", "low", "high"), [
    # Newcombe RG (1998), "Interval estimation for the difference between independent proportions:
    # comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10
    # (hybrid score, no continuity correction): example (a) 56/70 - 48/80 = 0.2000, 95 % CI 0.0524 to 0.3339;
    (56, 70, 48, 80, 0.0524, 0.3339),
    # example (b) 9/10 - 3/10 = 0.6000, 95 % CI 0.1705 to 0.8090.
    (9, 10, 3, 10, 0.1705, 0.8090),
])
def test_interval_for_a_difference_in_shares_matches_newcombe_1998(after, n_after, before, n_before, low, high):
    change = statistics.compare_shares(before, n_before, after, n_after)
    assert round(change.difference, 4) == round(after / n_after - before / n_before, 4)
    assert (round(change.low, 4), round(change.high, 4)) == (low, high)


def test_mann_whitney_matches_the_published_example():
    # Shier R (2004), "Statistics: 2.3 The Mann-Whitney U Test", Mathematics Learning Support Centre,
    # as worked in scipy.stats.mannwhitneyu's documentation: ages at diagnosis, males [19, 22, 16, 29, 24]
    # against females [20, 11, 17, 12]: U_M = 17, exact two-sided p = 0.1111 (no ties, small samples).
    # https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.mannwhitneyu.html
    change = statistics.compare_distributions(before=[20, 11, 17, 12], after=[19, 22, 16, 29, 24])
    assert change.u == 17.0
    assert change.p_value == pytest.approx(0.1111111111111111)
    assert change.superiority == pytest.approx(17 / 20)


def test_mann_whitney_on_likert_counts_uses_the_tie_corrected_normal_approximation():
    # With ties (five Likert levels) scipy takes the normal approximation with tie and continuity
    # correction; the same answers given as counts per level give the same test as the raw list.
    before = {1: 10, 2: 20, 3: 30, 4: 25, 5: 15}
    after = {1: 5, 2: 15, 3: 25, 4: 35, 5: 20}
    from_counts = statistics.compare_distributions(statistics.expand(before), statistics.expand(after))
    raw_before = [1] * 10 + [2] * 20 + [3] * 30 + [4] * 25 + [5] * 15
    raw_after = [1] * 5 + [2] * 15 + [3] * 25 + [4] * 35 + [5] * 20
    from_raw = statistics.compare_distributions(raw_before, raw_after)
    assert from_counts == from_raw
    assert from_counts.mean_before == pytest.approx(np.mean(raw_before))
    assert 0 < from_counts.p_value < 0.05


def test_interval_for_a_change_in_the_mean_agrees_with_scipys_welch_test():
    # Two libraries, one answer: statsmodels' Welch interval and scipy's ttest_ind(equal_var=False).
    rng = np.random.default_rng(3)
    before, after = rng.integers(0, 11, 80), rng.integers(2, 11, 90)
    change = statistics.compare_distributions(before, after, with_mean_interval=True)
    expected = ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert (change.mean_low, change.mean_high) == pytest.approx((expected.low, expected.high))


@pytest.mark.parametrize(("counts", "reason"), [
    ((10, 29, 20, 40), "fewer than 30 answers in a wave"),
    ((10, 30, 20, 29), "fewer than 30 answers in a wave"),
    # 2 of 60 and 1 of 60 said no: expected "no" counts of 1.5 each, below 5.
    ((58, 60, 59, 60), "an expected count below 5 (almost everyone, or almost no one, gave that answer)"),
    ((0, 40, 3, 40), "an expected count below 5 (almost everyone, or almost no one, gave that answer)"),
    ((12, 30, 18, 30), None),
])
def test_small_samples_are_not_enough_to_tell(counts, reason):
    assert statistics.too_few_for_shares(*counts) == reason


def test_distributions_need_thirty_answers_in_each_wave():
    assert statistics.too_few_for_distributions(29, 100) == "fewer than 30 answers in a wave"
    assert statistics.too_few_for_distributions(30, 30) is None


@pytest.mark.parametrize("counts", [(5, 0, 3, 10), (11, 10, 3, 10), (-1, 10, 3, 10), (3, 10, 11, 10)])
def test_impossible_counts_are_refused(counts):
    with pytest.raises(ValueError, match="between 0 and its"):
        statistics.compare_shares(*counts)


def test_an_empty_wave_is_refused():
    with pytest.raises(ValueError, match="at least one answer"):
        statistics.compare_distributions([], [1, 2, 3])
