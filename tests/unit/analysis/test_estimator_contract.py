"""The analysis estimators keep scikit-learn's contract. scikit-learn's common checks
(`parametrize_with_checks`) feed numeric arrays and skip estimators whose input is text, so the
API-level checks that need no numeric fit are run here directly, and the skip is asserted so it
is a decision, not an accident."""

import warnings

import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks
from sklearn.utils._tags import get_tags

from analysis.name_model import NameTagger
from analysis.redact import Redactor
from analysis.screening import SafeguardingScreener, load_labelled_set
from analysis.sentiment import SentimentScorer
from analysis.themes import ThemeModel

ESTIMATORS = [Redactor(), NameTagger(), SentimentScorer(), SafeguardingScreener(), ThemeModel(k=3, random_state=1)]
API_CHECKS = [
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
def test_api_checks(estimator, check):
    check(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_text_input_is_declared_and_numeric_common_checks_do_not_apply(estimator):
    tags = get_tags(estimator)
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert list(estimator_checks._yield_all_checks(estimator, legacy=True)) == []


def test_fit_returns_self_and_fitted_state_ends_in_underscore():
    model = ThemeModel(k=2)
    assert model.fit(["lights in the park", "dark park at night", "bus is late", "late buses again"]) is model
    assert hasattr(model, "centroids_") and hasattr(model, "labels_")
    labelled = load_labelled_set()
    few = slice(0, 300)  # enough of each level for the thresholds' cross-validation, quick to fit
    screener = SafeguardingScreener()
    assert screener.fit(labelled.texts[few], labelled.levels[few], labelled.categories[few]) is screener
    assert screener.classes_.tolist() == ["concern", "none", "urgent"]
    assert 0 < screener.threshold_ < 1 and 0 < screener.urgent_threshold_ < 1
