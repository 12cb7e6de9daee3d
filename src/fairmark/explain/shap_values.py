"""Row-level SHAP values of a tree or linear model, per input feature.

SHAP values (Lundberg & Lee 2017, *A unified approach to interpreting model
predictions*, NeurIPS) split one prediction into a base value plus one contribution per
feature: ``base_value + values.sum(axis=1) == model output`` ("local accuracy"). Tree
models use :class:`shap.TreeExplainer` (Lundberg et al. 2020, *From local explanations to
global understanding with explainable AI for trees*, Nature Machine Intelligence 2:56-67);
linear models use :class:`shap.LinearExplainer` with an independent (interventional)
masker, for which the value of feature ``j`` is ``coef_j · (x_j − mean_j)``.

A Pipeline is explained in the space its preprocessing produces and the columns are then
summed back to the input features (:mod:`fairmark.explain.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairmark.errors import DataError, UsageError
from fairmark.explain._estimator import ModelParts, split_model
from fairmark.explain._shap import require_shap
from fairmark.explain.columns import aggregate_columns, column_sources

__all__ = ["OUTPUT_WORDS", "ShapValues", "shap_values"]

#: What the explained number is, by ``ShapValues.output`` code.
OUTPUT_WORDS = {
    "log_odds": "log-odds of the positive class",
    "margin": "decision-function margin of the positive class",
    "probability": "probability of the positive class",
    "value": "predicted value",
}


@dataclass(frozen=True)
class ShapValues:
    """SHAP values of some rows, per input feature.

    Attributes
    ----------
    values : numpy.ndarray, shape (n, m)
        Contribution of each input feature to each row's output, in the units of
        ``output``; one-hot columns are summed into their feature.
    features : tuple of str, length m
        Input feature names (joint sources as ``"a + b"``).
    base_value : float
        The expected output the contributions start from (mean over the background for a
        linear model, over the training data for a tree model).
    model_output : numpy.ndarray, shape (n,)
        The model's output for each row in the units of ``output``, computed by the model
        itself; ``base_value + values.sum(axis=1)`` equals it (checked to 1e-6 relative).
    output : {"log_odds", "margin", "probability", "value"}
        What is explained (see :data:`OUTPUT_WORDS`).
    method : str
        ``"shap.LinearExplainer"`` or ``"shap.TreeExplainer"`` (with its perturbation).
    column_values : numpy.ndarray, shape (n, k)
        The SHAP values in the transformed space, before summing.
    columns : tuple of str, length k
        Names of the transformed columns.
    column_features : tuple of str, length k
        Input feature of each transformed column.
    """

    values: np.ndarray
    features: tuple[str, ...]
    base_value: float
    model_output: np.ndarray
    output: str
    method: str
    column_values: np.ndarray
    columns: tuple[str, ...]
    column_features: tuple[str, ...]


def _column_names(parts: ModelParts, k: int) -> tuple[str, ...]:
    if parts.preprocessor is not None:
        try:
            names = [str(x) for x in parts.preprocessor.get_feature_names_out()]
            if len(names) == k:
                return tuple(names)
        except Exception:  # not every transformer has feature names
            pass
    elif parts.input_columns is not None and len(parts.input_columns) == k:
        return parts.input_columns
    return tuple(f"x{i}" for i in range(k))


def _candidates(parts: ModelParts, frame: pd.DataFrame) -> list[tuple[str, np.ndarray, float]]:
    """(output code, model output, sign) pairs the explained output may be."""
    model, out = parts.model, []
    if parts.is_classifier:
        pos = parts.positive_index if parts.positive_index is not None else 1
        sign = 1.0 if pos == 1 else -1.0
        if callable(getattr(model, "decision_function", None)):
            code = "log_odds" if callable(getattr(model, "predict_proba", None)) else "margin"
            margin = np.asarray(model.decision_function(frame), dtype="float64").reshape(-1)
            out.append((code, sign * margin, sign))
        if callable(getattr(model, "predict_proba", None)):
            proba = np.asarray(model.predict_proba(frame), dtype="float64")[:, pos]
            out.append(("probability", proba, 1.0))
    else:
        out.append(("value", np.asarray(model.predict(frame), dtype="float64").reshape(-1), 1.0))
    return out


def _raw_shap(
    parts: ModelParts, x: np.ndarray, bg: np.ndarray | None
) -> tuple[np.ndarray, Any, str]:
    shap = require_shap()
    est = parts.estimator
    if parts.kind == "linear":
        if bg is None:
            raise UsageError(
                "a linear model is explained against background rows: pass background= "
                "(e.g. a sample of the data), expected a DataFrame with the model's columns"
            )
        masker = shap.maskers.Independent(bg, max_samples=len(bg))
        explainer = shap.LinearExplainer(est, masker)
        return (
            np.asarray(explainer.shap_values(x)),
            explainer.expected_value,
            "shap.LinearExplainer",
        )
    if parts.kind == "tree":
        explainer = shap.TreeExplainer(est, feature_perturbation="tree_path_dependent")
        values = explainer.shap_values(x)
        return (
            np.asarray(values),
            explainer.expected_value,
            "shap.TreeExplainer (tree_path_dependent)",
        )
    raise UsageError(
        f"SHAP explains tree and linear models, not {type(est).__name__}; "
        "expected method='permutation' for this model"
    )


def shap_values(
    model: Any,
    rows: pd.DataFrame,
    *,
    background: pd.DataFrame | None = None,
    positive_class: Any = None,
) -> ShapValues:
    """Compute SHAP values for ``rows`` and sum them per input feature.

    Parameters
    ----------
    model : estimator
        A fitted tree or linear model (binary classifier or regressor), or a Pipeline
        ending in one, whose preprocessing is made of scikit-learn transformers.
    rows : pandas.DataFrame, shape (n, ≥ m)
        Rows to explain with (at least) the model's input columns; extra columns are
        ignored. Keep ``n`` bounded (explanations are row-level work).
    background : pandas.DataFrame, optional
        Rows that define "typical" for a linear model (the base value is the mean output
        over them); required for linear models. Tree models are explained with the
        path-dependent algorithm, whose base value is the mean output over the training
        data as recorded in the trees (the interventional algorithm of shap 0.51 fails
        its own additivity check on some random forests, so it is not used).
    positive_class : object, optional
        Class explained for a classifier (default ``classes_[1]``).

    Returns
    -------
    ShapValues

    Raises
    ------
    UsageError
        If SHAP is not installed, the model is neither a tree nor a linear model, a
        linear model gets no background, or the transformed columns cannot be mapped back.
    DataError
        If the rows lack a model column or the model cannot score them, or if the SHAP
        values do not add up to the model's output (an unsupported model output).
    """
    parts = split_model(model, positive_class)
    frame = parts.select_columns(rows, "the rows to explain")
    if len(frame) == 0:
        raise DataError("no rows to explain; expected at least one row")
    x = parts.transform(frame)
    bg = None
    if background is not None:
        bg_frame = parts.select_columns(background, "the background")
        if len(bg_frame) == 0:
            raise DataError("the background has no rows; expected at least one")
        bg = parts.transform(bg_frame)
    if parts.kind == "tree" and type(parts.estimator).__module__.startswith("sklearn."):
        # scikit-learn trees compare float32 inputs with their thresholds; give SHAP the
        # same float32-rounded values, or a row on a split boundary takes another branch
        x = x.astype(np.float32).astype(np.float64)
    try:
        raw, expected, method = _raw_shap(parts, x, bg)
    except UsageError:
        raise
    except Exception as exc:  # SHAP's own errors (additivity, unsupported trees …)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise DataError(
            f"SHAP could not explain {type(parts.estimator).__name__}: {type(exc).__name__}: "
            f"{first}; expected a supported model (or use method='permutation')"
        ) from None
    expected_arr = np.asarray(expected, dtype="float64").reshape(-1)
    if raw.ndim == 3:  # (n, k, classes): one set of values per class
        pos = parts.positive_index if parts.positive_index is not None else 1
        raw, base = raw[:, :, pos], float(expected_arr[pos])
    elif expected_arr.size == 1:
        base = float(expected_arr[0])
    else:
        raise DataError(f"SHAP returned {expected_arr.size} base values; expected one output")
    total = base + raw.sum(axis=1)
    output, model_output, sign = _match_output(parts, frame, total)
    if sign < 0:
        raw, base = -raw, -base
    names = tuple(parts.input_columns or [f"x{i}" for i in range(frame.shape[1])])
    sources = column_sources(parts.preprocessor, names, raw.shape[1])
    values, features = aggregate_columns(raw, sources)
    return ShapValues(
        values=values,
        features=features,
        base_value=base,
        model_output=model_output,
        output=output,
        method=method,
        column_values=raw,
        columns=_column_names(parts, raw.shape[1]),
        column_features=tuple(" + ".join(s) for s in sources),
    )


def _match_output(
    parts: ModelParts, frame: pd.DataFrame, total: np.ndarray
) -> tuple[str, np.ndarray, float]:
    """Find which model output the SHAP values add up to (local accuracy)."""
    for code, values, sign in _candidates(parts, frame):
        target = sign * values  # the output as SHAP sees it (classes_[1] side)
        scale = max(1.0, float(np.max(np.abs(target)))) if target.size else 1.0
        if np.allclose(total, target, rtol=1e-6, atol=1e-6 * scale):
            return code, values, sign
    raise DataError(
        f"the SHAP values of {type(parts.estimator).__name__} do not add up to any output of "
        "the model (decision_function, predict_proba or predict); expected an additive "
        "explanation: use method='permutation'"
    )
