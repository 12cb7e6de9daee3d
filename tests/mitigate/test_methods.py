"""The wrappers give the wrapped libraries' own decisions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from fairmark.mitigate import mitigate, reweighing_weights
from fairmark.mitigate.methods import set_selection_rate

from ._synth import split


@pytest.fixture(scope="module")
def data() -> dict:
    return split(2000, seed=0)


@pytest.fixture(scope="module")
def fitted(data: dict) -> LogisticRegression:
    return LogisticRegression().fit(data["X_train"], data["y_train"])


@pytest.mark.parametrize(
    "constraint", ["demographic_parity", "equalized_odds", "true_positive_rate_parity"]
)
def test_threshold_matches_fairlearn(
    data: dict, fitted: LogisticRegression, constraint: str
) -> None:
    from fairlearn.postprocessing import ThresholdOptimizer

    result = mitigate(fitted, **data, method="threshold", constraint=constraint, random_state=7)
    theirs = ThresholdOptimizer(
        estimator=fitted, constraints=constraint, prefit=True, predict_method="auto"
    ).fit(data["X_train"], data["y_train"], sensitive_features=data["sensitive_train"])
    expected = theirs.predict(
        data["X_test"], sensitive_features=data["sensitive_test"], random_state=7
    )
    assert np.array_equal(result.after_decisions, expected == 1)
    # the returned model reproduces the decisions itself
    again = result.model.predict(
        data["X_test"], sensitive_features=data["sensitive_test"].to_numpy(), random_state=7
    )
    assert np.array_equal(again == 1, result.after_decisions)
    # before: the unmitigated model's own predictions
    assert np.array_equal(result.before_decisions, fitted.predict(data["X_test"]) == 1)


def test_unfitted_estimator_is_fitted_on_training_rows(
    data: dict, fitted: LogisticRegression
) -> None:
    result = mitigate(LogisticRegression(), **data, method="threshold", random_state=3)
    prefit = mitigate(fitted, **data, method="threshold", random_state=3)
    assert np.array_equal(result.after_decisions, prefit.after_decisions)
    assert np.allclose(result.base_model.coef_, fitted.coef_)


def test_fixed_rate_rebuild_reproduces_fairlearn_at_its_optimum(
    data: dict, fitted: LogisticRegression
) -> None:
    # Rebuilding the thresholder at fairlearn's own chosen rate must give its predictions.
    from fairlearn.postprocessing import ThresholdOptimizer

    def fit() -> ThresholdOptimizer:
        return ThresholdOptimizer(
            estimator=fitted, constraints="demographic_parity", prefit=True
        ).fit(data["X_train"], data["y_train"], sensitive_features=data["sensitive_train"])

    reference, moved = fit(), fit()
    x_best = float(reference._x_best)
    assert set_selection_rate(moved, x_best) == pytest.approx(x_best)
    kwargs = {"sensitive_features": data["sensitive_test"], "random_state": 11}
    assert np.array_equal(reference.predict(data["X_test"], **kwargs),
                          moved.predict(data["X_test"], **kwargs))  # fmt: skip


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5])
def test_fixed_rate_selects_that_share_of_every_training_group(
    data: dict, fitted: LogisticRegression, rate: float
) -> None:
    result = mitigate(fitted, **data, method="threshold", top_fraction=rate, random_state=0)
    assert result.runs[0].operating_point == pytest.approx(rate)
    probs = result.model._pmf_predict(
        data["X_train"], sensitive_features=data["sensitive_train"].to_numpy()
    )[:, 1]
    groups = data["sensitive_train"].to_numpy()
    for g in ("a", "b"):
        # expected selection rate of each group on the fitting rows = the common rate
        assert probs[groups == g].mean() == pytest.approx(rate, abs=0.002)
    # before: exactly ceil(rate * n_test) rows, the highest scores
    n_test = len(data["y_test"])
    assert result.before.n_selected == int(np.ceil(rate * n_test - 1e-9))


def test_exponentiated_gradient_matches_fairlearn(data: dict) -> None:
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient

    result = mitigate(LogisticRegression(), **data, method="exponentiated_gradient", random_state=5)
    eg = ExponentiatedGradient(LogisticRegression(), constraints=DemographicParity())
    eg.fit(data["X_train"], data["y_train"], sensitive_features=data["sensitive_train"])
    expected = eg.predict(data["X_test"], random_state=5)
    assert np.array_equal(result.after_decisions, expected == 1)


def test_reweighing_refits_with_kamiran_calders_weights(data: dict) -> None:
    result = mitigate(LogisticRegression(), **data, method="reweighing", top_fraction=0.3)
    weights = reweighing_weights(data["sensitive_train"], data["y_train"])
    manual = clone(LogisticRegression()).fit(
        data["X_train"], data["y_train"], sample_weight=weights
    )
    assert np.allclose(result.model.coef_, manual.coef_)
    scores = manual.predict_proba(data["X_test"])[:, 1]
    k = int(np.ceil(0.3 * len(scores)))
    expected = np.zeros(len(scores), dtype=bool)
    expected[np.argsort(-scores, kind="stable")[:k]] = True
    assert np.array_equal(result.after_decisions, expected)
    assert result.runs[0].constraint == "demographic_parity"


def test_several_methods_compared(data: dict) -> None:
    result = mitigate(
        LogisticRegression(), **data, method=["threshold", "reweighing"], top_fraction=0.3
    )
    assert [r.method for r in result.runs] == ["threshold", "reweighing"]
    points = result.tradeoff()
    assert [p["method"] for p in points] == ["none", "threshold", "reweighing"]
    for p, s in zip(points, [result.before, *[r.summary for r in result.runs]], strict=True):
        assert p["expected_conversions"] == s.expected_conversions
    doc = result.to_dict()
    assert doc["methods"] == ["threshold", "reweighing"]
    assert doc["after"] == result.runs[0].summary.to_dict()
