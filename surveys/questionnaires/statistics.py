"""The statistics behind theory-of-change indicators: a baseline wave against a follow-up wave.

Thin wrappers over statsmodels and scipy (no hand-written formulas where they have them):
- a share (yes, or agree / strongly agree): two-proportion z-test (statsmodels `proportions_ztest`,
  pooled variance) and a 95 % confidence interval for the difference (`confint_proportions_2indep`,
  Newcombe's hybrid score interval, which keeps its 95 % near 0 and 100 % where the plain Wald one does not);
- a distribution (Likert levels, a 0-10 rating): Mann-Whitney U, two-sided (scipy `mannwhitneyu`;
  with ties it uses the normal approximation with tie correction), and for ratings a 95 % interval
  for the change in the mean (statsmodels `CompareMeans`, Welch).

"Not enough answers to tell" (no figure at all) when either wave has fewer than MIN_PER_WAVE
answers, or, for a share, any expected cell of the 2 x 2 table is below MIN_EXPECTED: the normal
approximation both tests rest on is poor there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import mannwhitneyu
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

MIN_PER_WAVE = 30
MIN_EXPECTED = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class ShareChange:
    """A share in each wave (0-1), the change and its 95 % interval (follow-up minus baseline), and the test."""

    before: float
    after: float
    n_before: int
    n_after: int
    difference: float
    low: float
    high: float
    z: float
    p_value: float


@dataclass(frozen=True)
class DistributionChange:
    """Mann-Whitney U of follow-up against baseline; `superiority` is U / (n1 n2): the chance that a
    follow-up answer is higher than a baseline one (ties count half)."""

    n_before: int
    n_after: int
    u: float
    p_value: float
    superiority: float
    mean_before: float
    mean_after: float
    mean_low: float | None = None
    mean_high: float | None = None


def too_few_for_shares(yes_before: int, n_before: int, yes_after: int, n_after: int) -> str | None:
    """Why a share comparison would claim too much from these counts, or None when it may be made."""
    if min(n_before, n_after) < MIN_PER_WAVE:
        return f"fewer than {MIN_PER_WAVE} answers in a wave"
    pooled = (yes_before + yes_after) / (n_before + n_after)
    expected = [n * share for n in (n_before, n_after) for share in (pooled, 1 - pooled)]
    if min(expected) < MIN_EXPECTED:
        return f"an expected count below {MIN_EXPECTED} (almost everyone, or almost no one, gave that answer)"
    return None


def compare_shares(yes_before: int, n_before: int, yes_after: int, n_after: int) -> ShareChange:
    """Two-proportion z-test and the 95 % interval for the difference in shares."""
    if not (0 <= yes_before <= n_before and 0 <= yes_after <= n_after and n_before and n_after):
        raise ValueError("Each count must be between 0 and its (non-zero) number of answers.")
    z, p = proportions_ztest(np.array([yes_after, yes_before]), np.array([n_after, n_before]))
    low, high = confint_proportions_2indep(yes_after, n_after, yes_before, n_before, method="newcomb", compare="diff",
                                           alpha=1 - CONFIDENCE)
    before, after = yes_before / n_before, yes_after / n_after
    return ShareChange(before, after, n_before, n_after, after - before, float(low), float(high), float(z), float(p))


def too_few_for_distributions(n_before: int, n_after: int) -> str | None:
    if min(n_before, n_after) < MIN_PER_WAVE:
        return f"fewer than {MIN_PER_WAVE} answers in a wave"
    return None


def expand(counts: Mapping[float, int]) -> np.ndarray:
    """Counts per level ({1: 4, 2: 10, ...}) as the list of answers they stand for."""
    levels = sorted(counts)
    return np.repeat(np.array(levels, dtype=float), [counts[level] for level in levels])


def compare_distributions(before: Sequence[float], after: Sequence[float], *, with_mean_interval: bool = False) -> DistributionChange:
    """Mann-Whitney U (two-sided) of follow-up against baseline answers."""
    a, b = np.asarray(after, dtype=float), np.asarray(before, dtype=float)
    if not len(a) or not len(b):
        raise ValueError("Each wave needs at least one answer.")
    result = mannwhitneyu(a, b, alternative="two-sided")
    low = high = None
    if with_mean_interval:
        low, high = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(alpha=1 - CONFIDENCE, usevar="unequal")
        low, high = float(low), float(high)
    return DistributionChange(len(b), len(a), float(result.statistic), float(result.pvalue),
                              float(result.statistic) / (len(a) * len(b)), float(b.mean()), float(a.mean()), low, high)
