"""The three mitigation methods, each turning training data into decisions on the test rows.

* ``threshold``: post-processing with fairlearn's
  :class:`~fairlearn.postprocessing.ThresholdOptimizer` (Hardt, Price & Srebro 2016):
  group-specific, possibly randomised thresholds on the unmitigated model's score.
* ``exponentiated_gradient``: in-processing with fairlearn's
  :class:`~fairlearn.reductions.ExponentiatedGradient` (Agarwal et al. 2018): a randomised
  mixture of models retrained under a fairness constraint.
* ``reweighing``: pre-processing (Kamiran & Calders 2012): the model is retrained with
  :func:`~fairmark.mitigate.reweighing.reweighing_weights` as sample weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmark.demo_model import select_top
from fairmark.errors import DataError, UsageError
from fairmark.mitigate.inputs import MitigationInputs
from fairmark.mitigate.reweighing import reweighing_weights

__all__ = [
    "MethodOutput",
    "fit_base",
    "positive_class_index",
    "positive_scores",
    "run_exponentiated_gradient",
    "run_reweighing",
    "run_threshold",
    "top_by_probability",
]


@dataclass(frozen=True)
class MethodOutput:
    """What a method produced.

    Attributes
    ----------
    model : object
        The mitigated model: a fitted ``ThresholdOptimizer`` or ``ExponentiatedGradient``
        (both need ``sensitive_features`` at prediction for the former), or the
        retrained estimator (reweighing).
    decisions : numpy.ndarray of bool, shape (n_test,)
        Who is selected among the test rows.
    operating_point : float or None
        For ``threshold`` with a list size: the common selection rate on the training
        rows at which the group thresholds were set.
    """

    model: Any
    decisions: np.ndarray
    operating_point: float | None = None


def require_fairlearn() -> None:
    """Raise a one-line UsageError when fairlearn (the ``[mitigate]`` extra) is missing.

    Raises
    ------
    UsageError
        If ``import fairlearn`` fails.
    """
    try:
        import fairlearn  # noqa: F401
    except ImportError:
        raise UsageError("this method needs fairlearn: pip install 'fairmark[mitigate]'") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _is_fitted(estimator: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    except TypeError:  # not a scikit-learn estimator: trust that it is fitted
        return True
    return True


def fit_base(estimator: Any, inp: MitigationInputs) -> Any:
    """Return the unmitigated model: ``estimator`` if fitted, else a fitted clone.

    Parameters
    ----------
    estimator : scikit-learn compatible classifier
        Fitted or not. A clone is fitted on ``(X_train, y_train)`` (labels 0/1) when
        :func:`sklearn.utils.validation.check_is_fitted` says it is not fitted.
    inp : MitigationInputs

    Returns
    -------
    object
        A fitted classifier.

    Raises
    ------
    DataError
        If fitting fails (e.g. the estimator cannot handle the columns of ``X_train``).
    """
    if _is_fitted(estimator):
        return estimator
    from sklearn.base import clone

    try:
        return clone(estimator).fit(inp.X_train, inp.y_train)
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            f"the estimator could not be fitted on X_train: {_first_line(exc)}"
        ) from None


def positive_class_index(model: Any, positive_label: Any) -> int:
    """Column of ``predict_proba`` that is the positive class.

    The positive class is ``positive_label`` when the model was trained on the raw labels,
    else ``1``/``True`` (a model trained on 0/1 or boolean labels).

    Raises
    ------
    UsageError
        If the model has not exactly two classes or none of them is the positive class.
    """
    classes = getattr(model, "classes_", None)
    if classes is None:
        return 1
    values = list(np.asarray(classes).tolist())
    if len(values) != 2:
        raise UsageError(f"the estimator has classes {values}; expected a binary classifier")
    if positive_label in values:
        return values.index(positive_label)
    if set(values) <= {0, 1}:
        return values.index(1)
    raise UsageError(
        f"the estimator's classes {values} do not include positive_label {positive_label!r} "
        "(nor 1/True); expected a model trained on these labels"
    )


def positive_scores(model: Any, X: Any, positive_index: int) -> np.ndarray:
    """Score of the positive class for every row: ``predict_proba`` or ``decision_function``.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        Higher means more likely positive (a probability in [0, 1] for ``predict_proba``).

    Raises
    ------
    UsageError
        If the model has neither method.
    DataError
        If the model rejects ``X`` (e.g. missing or unexpected columns), or returns
        NaN or infinite scores.
    """
    try:
        if hasattr(model, "predict_proba"):
            scores = np.asarray(model.predict_proba(X), dtype="float64")[:, positive_index]
        elif hasattr(model, "decision_function"):
            raw = np.asarray(model.decision_function(X), dtype="float64")
            scores = raw if positive_index == 1 else -raw
        else:
            raise UsageError(
                f"{type(model).__name__} has neither predict_proba nor decision_function; "
                "expected a classifier that scores rows"
            )
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            f"the estimator does not accept the data's columns: {_first_line(exc)}"
        ) from None
    if not np.isfinite(scores).all():
        raise DataError(
            f"the estimator returned {int((~np.isfinite(scores)).sum())} NaN or infinite "
            "scores; expected finite numbers"
        )
    return scores


def _sample_weight_name(estimator: Any) -> str:
    """Keyword under which ``estimator.fit`` takes sample weights (pipelines route it)."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    if isinstance(estimator, Pipeline):
        last_name, last = estimator.steps[-1]
        if not has_fit_parameter(last, "sample_weight"):
            raise UsageError(
                f"the pipeline's last step {type(last).__name__} does not take sample_weight; "
                "expected a classifier that does (needed by this method)"
            )
        return f"{last_name}__sample_weight"
    if not has_fit_parameter(estimator, "sample_weight"):
        raise UsageError(
            f"{type(estimator).__name__}.fit does not take sample_weight; expected a "
            "classifier that does (needed by this method)"
        )
    return "sample_weight"


def top_by_probability(p: np.ndarray, top_fraction: float, random_state: int) -> np.ndarray:
    """Select the ``ceil(top_fraction · n)`` rows with the highest ``p``, ties in random order.

    Ties are broken by a permutation drawn from ``numpy.random.default_rng(random_state)``,
    never by the unmitigated score (that would bring back the disparity a method removed).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
    """
    perm = np.random.default_rng(random_state).permutation(p.size)
    chosen = select_top(p[perm], top_fraction)
    out = np.zeros(p.size, dtype=bool)
    out[perm] = chosen
    return out


def run_threshold(
    base: Any, inp: MitigationInputs, constraint: str, top_fraction: float | None, random_state: int
) -> MethodOutput:
    """Post-process ``base`` with fairlearn's ``ThresholdOptimizer``.

    Parameters
    ----------
    base : fitted classifier
        Used as is (``prefit=True``, ``predict_method="auto"``, objective
        ``accuracy_score``); the thresholds are fitted on the training rows.
    inp : MitigationInputs
    constraint : {"demographic_parity", "equalized_odds", "true_positive_rate_parity"}
    top_fraction : float or None
        ``None``: fairlearn's own solution (the common value of the constraint metric
        that maximises accuracy on the training rows). A number: demographic parity at
        the common selection rate ``top_fraction`` on the training rows (the grid point
        ``round(top_fraction · grid_size) / grid_size`` of fairlearn's per-group
        trade-off curves), so the list holds about that share of the test rows when
        training and test rows are alike.
    random_state : int
        Seed of ``ThresholdOptimizer.predict`` (its decisions are randomised at the
        group thresholds).

    Returns
    -------
    MethodOutput
        With the fitted ``ThresholdOptimizer``; its ``predict`` reproduces ``decisions``
        for the same seed.

    Notes
    -----
    Hardt, Price & Srebro (2016), *Equality of Opportunity in Supervised Learning*,
    NeurIPS. The fixed-rate operating point reads fairlearn's fitted trade-off curves
    (``_tradeoff_curve``, a private attribute present since fairlearn 0.5) and
    rebuilds the ``InterpolatedThresholder`` exactly as ``ThresholdOptimizer.fit`` does
    at its optimum; a test pins that the rebuild at fairlearn's own optimum gives
    fairlearn's own predictions.
    """
    require_fairlearn()
    from fairlearn.postprocessing import ThresholdOptimizer

    to = ThresholdOptimizer(
        estimator=base, constraints=constraint, prefit=True, predict_method="auto"
    )
    try:
        to.fit(inp.X_train, inp.y_train, sensitive_features=inp.fairlearn_sensitive("train"))
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(f"ThresholdOptimizer could not be fitted: {_first_line(exc)}") from None
    point = None
    if top_fraction is not None:
        point = set_selection_rate(to, top_fraction)
    decisions = to.predict(
        inp.X_test, sensitive_features=inp.fairlearn_sensitive("test"), random_state=random_state
    )
    return MethodOutput(model=to, decisions=np.asarray(decisions) == 1, operating_point=point)


def set_selection_rate(to: Any, rate: float) -> float:
    """Move a fitted demographic-parity ``ThresholdOptimizer`` to a common selection rate.

    Parameters
    ----------
    to : fairlearn.postprocessing.ThresholdOptimizer
        Fitted with ``constraints="demographic_parity"`` and no ``tol``.
    rate : float
        Target selection rate on the fitting rows, in [0, 1].

    Returns
    -------
    float
        The grid value used (``rate`` rounded to the grid of ``1 / grid_size``).

    Raises
    ------
    UsageError
        If ``to`` is not a fitted demographic-parity optimiser, or this fairlearn version
        lacks the trade-off curves.
    """
    from fairlearn.postprocessing._interpolated_thresholder import InterpolatedThresholder
    from sklearn.utils import Bunch

    curves = getattr(to, "_tradeoff_curve", None)
    if to.constraints not in {"demographic_parity", "selection_rate_parity"} or curves is None:
        raise UsageError(
            "a fixed list size needs a fitted demographic-parity ThresholdOptimizer "
            "(fairlearn >= 0.5)"
        )
    index = round(rate * to.grid_size)
    interpolation = {}
    for group, curve in curves.items():
        row = curve.iloc[index]
        interpolation[group] = Bunch(
            p0=row.p0, operation0=row.operation0, p1=row.p1, operation1=row.operation1
        )
    to.interpolated_thresholder_ = InterpolatedThresholder(
        to.estimator_, interpolation, prefit=True, predict_method=to._predict_method
    ).fit(None, None)
    return float(to._x_grid[index])


_MOMENTS = {
    "demographic_parity": "DemographicParity",
    "equalized_odds": "EqualizedOdds",
    "true_positive_rate_parity": "TruePositiveRateParity",
}


def run_exponentiated_gradient(
    estimator: Any,
    inp: MitigationInputs,
    constraint: str,
    top_fraction: float | None,
    random_state: int,
) -> MethodOutput:
    """Retrain under a constraint with fairlearn's ``ExponentiatedGradient``.

    Parameters
    ----------
    estimator : classifier whose ``fit`` takes sample weights
        Cloned and refitted by fairlearn (default ``eps=0.01``, ``max_iter=50``); for a
        ``Pipeline`` the weights go to its last step.
    inp : MitigationInputs
    constraint : {"demographic_parity", "equalized_odds", "true_positive_rate_parity"}
        fairlearn's ``DemographicParity``, ``EqualizedOdds`` or
        ``TruePositiveRateParity`` moment.
    top_fraction : float or None
        ``None``: ``ExponentiatedGradient.predict(random_state=…)``. A number: the rows
        with the highest probability of selection under the randomised classifier
        (``_pmf_predict``), ties in random order (:func:`top_by_probability`).
    random_state : int

    Returns
    -------
    MethodOutput

    Notes
    -----
    Agarwal, Beygelzimer, Dudík, Langford & Wallach (2018), *A Reductions Approach to Fair
    Classification*, ICML.
    """
    require_fairlearn()
    from fairlearn import reductions
    from sklearn.base import clone

    moment = getattr(reductions, _MOMENTS[constraint])()
    eg = reductions.ExponentiatedGradient(
        clone(estimator), constraints=moment, sample_weight_name=_sample_weight_name(estimator)
    )
    try:
        eg.fit(inp.X_train, inp.y_train, sensitive_features=inp.fairlearn_sensitive("train"))
        if top_fraction is None:
            decisions = np.asarray(eg.predict(inp.X_test, random_state=random_state)) == 1
        else:
            p = np.asarray(eg._pmf_predict(inp.X_test), dtype="float64")[:, 1]
            decisions = top_by_probability(p, top_fraction, random_state)
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(f"ExponentiatedGradient failed on the data: {_first_line(exc)}") from None
    return MethodOutput(model=eg, decisions=decisions)


def run_reweighing(
    estimator: Any,
    inp: MitigationInputs,
    top_fraction: float | None,
    positive_label: Any,
) -> MethodOutput:
    """Retrain a clone of ``estimator`` with Kamiran–Calders reweighing weights.

    Parameters
    ----------
    estimator : classifier whose ``fit`` takes sample weights
    inp : MitigationInputs
        Weights come from the combined group of every training row and its label.
    top_fraction : float or None
        ``None``: the retrained model's ``predict``. A number: the top
        ``ceil(top_fraction · n_test)`` rows by the retrained model's positive score
        (ties by row order, as :func:`fairmark.demo_model.select_top`).
    positive_label : object
        Only used to find the positive column of a model's ``classes_``.

    Returns
    -------
    MethodOutput

    Notes
    -----
    Kamiran & Calders (2012), Knowledge and Information Systems 33:1-33, section 4.2.
    """
    from sklearn.base import clone

    weights = reweighing_weights(inp.groups_train, inp.y_train)
    model = clone(estimator)
    weight_name = _sample_weight_name(estimator)
    try:
        model.fit(inp.X_train, inp.y_train, **{weight_name: weights})
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            f"the estimator could not be refitted with weights: {_first_line(exc)}"
        ) from None
    index = positive_class_index(model, positive_label)
    if top_fraction is None:
        decisions = predicted_positive(model, inp.X_test, index)
    else:
        decisions = select_top(positive_scores(model, inp.X_test, index), top_fraction)
    return MethodOutput(model=model, decisions=decisions)


def predicted_positive(model: Any, X: Any, positive_index: int) -> np.ndarray:
    """``model.predict(X)`` as booleans: True where it predicts the positive class.

    Raises
    ------
    DataError
        If the model rejects ``X``.
    """
    try:
        pred = np.asarray(model.predict(X))
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            f"the estimator does not accept the data's columns: {_first_line(exc)}"
        ) from None
    classes = getattr(model, "classes_", None)
    positive = np.asarray(classes)[positive_index] if classes is not None else 1
    return pred == positive
