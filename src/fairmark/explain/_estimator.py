"""Take a fitted model apart: preprocessing, final estimator, input columns, output.

A scikit-learn :class:`~sklearn.pipeline.Pipeline` is split into its preprocessing steps
(``pipeline[:-1]``) and its final estimator, so that SHAP can explain the estimator in
the transformed feature space. Any other model is its own final estimator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from fairmark.errors import DataError, UsageError

__all__ = ["ModelParts", "split_model"]

ModelKind = Literal["linear", "tree", "other"]

_TREE_MODULES = ("sklearn.tree", "sklearn.ensemble", "xgboost", "lightgbm", "catboost")
_NOT_TREES = (
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "StackingClassifier",
    "StackingRegressor",
    "VotingClassifier",
    "VotingRegressor",
)


@dataclass(frozen=True)
class ModelParts:
    """A fitted model split for explanation.

    Attributes
    ----------
    model : estimator
        The whole model, as given.
    preprocessor : transformer or None
        ``pipeline[:-1]`` for a Pipeline with preprocessing steps, else ``None``.
    estimator : estimator
        The final estimator.
    input_columns : tuple of str or None
        Columns the model was fitted on (``feature_names_in_``), ``None`` if unknown.
    kind : {"linear", "tree", "other"}
        ``linear``: the estimator has ``coef_`` and ``intercept_`` (one output);
        ``tree``: a tree or tree ensemble (scikit-learn, XGBoost, LightGBM, CatBoost);
        ``other``: anything else.
    is_classifier : bool
        The model has ``predict_proba`` or ``decision_function`` and ``classes_``.
    positive_index : int or None
        Column of ``predict_proba`` (index in ``classes_``) counted as the positive class.
    """

    model: Any
    preprocessor: Any | None
    estimator: Any
    input_columns: tuple[str, ...] | None
    kind: ModelKind
    is_classifier: bool
    positive_index: int | None

    def select_columns(self, frame: pd.DataFrame, what: str = "the data") -> pd.DataFrame:
        """Return the model's input columns of ``frame`` in fitting order.

        Raises
        ------
        DataError
            If a column the model was fitted on is missing from ``frame``.
        """
        if self.input_columns is None:
            return frame
        missing = [c for c in self.input_columns if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
            raise DataError(
                f"{what} lacks {len(missing)} column(s) the model was fitted on: {shown}; "
                f"expected all of {len(self.input_columns)} input columns"
            )
        return frame.loc[:, list(self.input_columns)]

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Apply the preprocessing steps and return a dense float64 matrix, shape (n, k)."""
        if self.preprocessor is None:
            out: Any = frame
        else:
            out = self.preprocessor.transform(frame)
        if hasattr(out, "toarray"):
            out = out.toarray()
        try:
            return np.asarray(out, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"the model's input is not numeric after preprocessing ({exc}); "
                "expected numbers for SHAP"
            ) from None


def _kind(estimator: Any) -> ModelKind:
    coef = getattr(estimator, "coef_", None)
    if coef is not None and hasattr(estimator, "intercept_"):
        return "linear"
    module = type(estimator).__module__
    name = type(estimator).__name__
    if module.startswith(_TREE_MODULES) and name not in _NOT_TREES:
        return "tree"
    return "other"


def split_model(model: Any, positive_class: Any = None) -> ModelParts:
    """Split a fitted model into preprocessing and final estimator.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn-compatible model: a binary classifier (``predict_proba``
        or ``decision_function``) or a regressor; possibly a Pipeline.
    positive_class : object, optional
        The class counted as positive; default ``classes_[1]`` (scikit-learn's
        convention for the positive side of ``decision_function``).

    Returns
    -------
    ModelParts

    Raises
    ------
    UsageError
        If ``model`` has no ``predict``, is a classifier with other than two classes, or
        ``positive_class`` is not one of its classes.
    """
    from sklearn.pipeline import Pipeline

    if not callable(getattr(model, "predict", None)):
        raise UsageError(f"a {type(model).__name__} is not a model; expected a fitted estimator")
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        preprocessor: Any | None = model[:-1]
        estimator = model.steps[-1][1]
    elif isinstance(model, Pipeline):
        preprocessor, estimator = None, model.steps[-1][1]
    else:
        preprocessor, estimator = None, model
    names = getattr(model, "feature_names_in_", None)
    input_columns = tuple(str(c) for c in names) if names is not None else None
    classes = getattr(model, "classes_", None)
    is_classifier = classes is not None
    positive_index: int | None = None
    if is_classifier:
        labels = list(np.asarray(classes).tolist())
        if len(labels) != 2:
            raise UsageError(
                f"the model has {len(labels)} classes; expected a binary classifier or a regressor"
            )
        if positive_class is None:
            positive_index = 1
        elif positive_class in labels:
            positive_index = labels.index(positive_class)
        else:
            raise UsageError(
                f"positive_class {positive_class!r} is not one of the classes {labels}"
            )
    elif positive_class is not None:
        raise UsageError("positive_class is given but the model is not a classifier")
    return ModelParts(
        model=model,
        preprocessor=preprocessor,
        estimator=estimator,
        input_columns=input_columns,
        kind=_kind(estimator),
        is_classifier=is_classifier,
        positive_index=positive_index,
    )
