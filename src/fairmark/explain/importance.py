"""Global feature importance of a fitted model, on a bounded sample.

* Tree and linear models (or Pipelines ending in one): mean absolute SHAP value per
  input feature, one-hot columns summed into their feature before taking the absolute
  value (Lundberg et al. 2020, Nature Machine Intelligence 2:56-67, "global
  understanding" from local explanations).
* Any other model: permutation importance (Breiman 2001, *Random Forests*, Machine
  Learning 45:5-32; Fisher, Rudin & Dominici 2019, JMLR 20(177)), computed by
  :func:`sklearn.inspection.permutation_importance` on the raw input columns; it needs
  the true outcome ``y`` and works without SHAP.

Explanations are inherently row-level, so the importance is computed on a bounded
sample of at most ``max_rows`` rows drawn by the engine
(:func:`fairmark.explain.sample.bounded_sample`), never on all rows.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from fairmark.errors import DataError, UsageError
from fairmark.explain._align import align_categories, encoder_categories
from fairmark.explain._estimator import split_model
from fairmark.explain.decision import score_rows
from fairmark.explain.sample import DEFAULT_MAX_ROWS, bounded_sample
from fairmark.explain.shap_values import OUTPUT_WORDS, shap_values

__all__ = ["FeatureImportance", "GlobalImportance", "global_importance"]

Method = Literal["auto", "shap", "permutation"]
_SAMPLE_NOTE = (
    "Computed on a bounded random sample of {n} rows: explanations are row-level, so "
    "fairmark does not run them over all the data."
)


@dataclass(frozen=True)
class FeatureImportance:
    """Importance of one input feature.

    Attributes
    ----------
    feature : str
        Input column (or joint columns ``"a + b"`` that a transformer mixes).
    importance : float
        SHAP: mean absolute SHAP value over the sample, in the units of ``output``.
        Permutation: mean drop of the score over the repeats (units of ``scoring``).
    std : float
        SHAP: standard deviation of the absolute SHAP values over the sample rows.
        Permutation: standard deviation of the drop over the repeats.
    """

    feature: str
    importance: float
    std: float


@dataclass(frozen=True)
class GlobalImportance:
    """Which features the model relies on, largest first.

    Attributes
    ----------
    method : str
        ``"shap.LinearExplainer"``, ``"shap.TreeExplainer (...)"`` or
        ``"permutation_importance"``.
    output : str
        SHAP: the explained output (``log_odds``, ``margin``, ``probability``,
        ``value``); permutation: ``"score:<scoring>"``.
    n_rows : int
        Rows of the sample the importance was computed on.
    features : tuple of FeatureImportance
        Sorted by importance, largest first.
    note : str
        Plain-language statement that the sample is bounded.
    """

    method: str
    output: str
    n_rows: int
    features: tuple[FeatureImportance, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document of the importance."""
        return {
            "method": self.method,
            "output": self.output,
            "output_meaning": OUTPUT_WORDS.get(self.output, self.output),
            "n_rows": self.n_rows,
            "note": self.note,
            "features": [
                {"feature": f.feature, "importance": f.importance, "std": f.std}
                for f in self.features
            ],
        }


def _split_y(sample: pd.DataFrame, y: str | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    if y is None:
        return sample, None
    if y not in sample.columns:
        raise DataError(f"y column {y!r} is not in the data; expected one of its columns")
    return sample.drop(columns=[y]), sample[y].to_numpy()


def global_importance(
    model: Any,
    data: Any,
    *,
    y: str | Sequence[Any] | np.ndarray | pd.Series | None = None,
    method: Method = "auto",
    max_rows: int = DEFAULT_MAX_ROWS,
    n_repeats: int = 5,
    scoring: str | None = None,
    random_state: int = 0,
    positive_class: Any = None,
) -> GlobalImportance:
    """Global importance of each input feature of a fitted model.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn-compatible model (binary classifier or regressor), possibly
        a Pipeline.
    data : pandas.DataFrame or anything :func:`fairmark.engine.source.as_table` reads
        Rows with (at least) the model's input columns.
    y : str or array-like, optional
        True outcome, needed for permutation importance: a column of ``data``, or for a
        DataFrame an array of ``len(data)`` values.
    method : {"auto", "shap", "permutation"}, default "auto"
        ``auto``: SHAP for tree and linear models, permutation importance otherwise.
    max_rows : int, default 1000
        Bound on the sample (rows drawn at random by the engine when there are more).
    n_repeats : int, default 5
        Permutation repeats per feature.
    scoring : str, optional
        Scorer name for permutation importance (default: the model's ``score``).
    random_state : int, default 0
        Seed of the sample and of the permutations.
    positive_class : object, optional
        For a classifier, the class explained by SHAP (default ``classes_[1]``).

    Returns
    -------
    GlobalImportance

    Raises
    ------
    UsageError
        If ``method`` is unknown; SHAP is asked for but not installed or not applicable;
        permutation importance is needed but ``y`` is missing; a parameter is malformed.
    DataError
        If the data cannot be read, lacks a model column, or the model refuses it.

    Notes
    -----
    See the module docstring for the definitions and sources.
    """
    if method not in ("auto", "shap", "permutation"):
        raise UsageError(f"method is {method!r}; expected 'auto', 'shap' or 'permutation'")
    if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
        raise UsageError(f"n_repeats is {n_repeats!r}; expected a positive integer")
    parts = split_model(model, positive_class)
    if method == "auto":
        method = "shap" if parts.kind in ("linear", "tree") else "permutation"
    y_column: str | None = None
    if isinstance(y, str):
        y_column = y
    elif y is not None:
        if not isinstance(data, pd.DataFrame):
            raise UsageError("y must be a column name when data is not a DataFrame")
        y_array = np.asarray(y)
        if y_array.shape != (len(data),):
            raise DataError(f"y has shape {y_array.shape}; expected ({len(data)},), one per row")
        y_column = "__fairmark_y__"
        data = data.assign(**{y_column: y_array})
    sample, y_sample = _split_y(bounded_sample(data, max_rows, random_state), y_column)
    frame = align_categories(parts.select_columns(sample), encoder_categories(parts.preprocessor))
    score_rows(model, frame)
    note = _SAMPLE_NOTE.format(n=len(frame))
    if method == "shap":
        sv = shap_values(model, frame, background=frame, positive_class=positive_class)
        magnitude = np.abs(sv.values)
        feats = [
            FeatureImportance(name, float(magnitude[:, j].mean()), float(magnitude[:, j].std()))
            for j, name in enumerate(sv.features)
        ]
        feats.sort(key=lambda f: -f.importance)
        return GlobalImportance(sv.method, sv.output, len(frame), tuple(feats), note)
    if y_sample is None:
        raise UsageError(
            "permutation importance needs the true outcome: pass y= (a column name or values)"
        )
    from sklearn.inspection import permutation_importance

    try:
        result = permutation_importance(
            model,
            frame,
            y_sample,
            scoring=scoring,
            n_repeats=int(n_repeats),
            random_state=random_state,
        )
    except ValueError as exc:
        first = (str(exc).strip().splitlines() or ["ValueError"])[0]
        raise DataError(f"permutation importance failed: {first}") from None
    feats = [
        FeatureImportance(str(c), float(m), float(s))
        for c, m, s in zip(
            frame.columns, result.importances_mean, result.importances_std, strict=True
        )
    ]
    feats.sort(key=lambda f: -f.importance)
    return GlobalImportance(
        "permutation_importance", f"score:{scoring or 'default'}", len(frame), tuple(feats), note
    )
