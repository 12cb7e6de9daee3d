"""Explain one decision in customer words: "why am I seeing this offer?".

The model's result for one person is split into contributions of their features with
SHAP (:mod:`fairmark.explain.shap_values`); the largest contributions, with their
direction, are described with the words of a label file
(:mod:`fairmark.explain.feature_labels`) so that no internal feature code reaches the
customer. Sensitive characteristics (age, marital status …) are named honestly when they
drove the result, in neutral words, and flagged.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from fairmark.errors import DataError, UsageError
from fairmark.explain._align import align_categories, encoder_categories
from fairmark.explain._estimator import split_model
from fairmark.explain.feature_labels import FeatureLabels, load_labels
from fairmark.explain.shap_values import OUTPUT_WORDS, shap_values
from fairmark.explain.wording import decision_paragraph, join_words, pick_drivers

__all__ = ["DecisionExplanation", "Driver", "explain_decision", "score_rows"]

#: A number within this many standard deviations of the background mean is "typical".
TYPICAL_BAND = 0.25
_REF_BACKGROUND = "a typical customer in our data"
_REF_TRAINING = "the customers our model learned from"


@dataclass(frozen=True)
class Driver:
    """One feature's part in a decision.

    Attributes
    ----------
    feature : str
        The model's input column (internal name; never shown in ``text``).
    label : str
        Customer words for the feature, e.g. "interest rates at the time".
    value : object
        The person's value (JSON-safe: str, int, float, bool or None; for a joint
        feature ``"a + b"``, a mapping of its columns' values).
    contribution : float
        SHAP value of the feature, in the units of the explanation's ``output``;
        positive pushes towards the positive class (the offer).
    direction : {"raised", "lowered"}
        Whether the feature raised or lowered the model's result.
    phrase : str
        Customer words for the person's value.
    is_clause : bool
        ``phrase`` is a clause ("interest rates were low") rather than a noun phrase.
    sensitive : bool
        The feature is marked sensitive in the labels.
    level : {"low", "high", "typical"} or None
        For a number: where the value stands against the background mean.
    """

    feature: str
    label: str
    value: Any
    contribution: float
    direction: Literal["raised", "lowered"]
    phrase: str
    is_clause: bool
    sensitive: bool
    level: str | None

    def to_dict(self) -> dict[str, Any]:
        """The driver as a JSON-ready dict (field names as above)."""
        return {
            "feature": self.feature,
            "label": self.label,
            "value": self.value,
            "contribution": self.contribution,
            "direction": self.direction,
            "phrase": self.phrase,
            "sensitive": self.sensitive,
            "level": self.level,
        }


@dataclass(frozen=True)
class DecisionExplanation:
    """Why the model decided as it did for one person.

    Attributes
    ----------
    text : str
        The plain-language paragraph for the customer (no internal feature codes).
    drivers : tuple of Driver
        The drivers the paragraph names, largest absolute contribution first: the
        strongest ones towards the outcome and any among the ``top`` largest that pull
        the other way (:func:`fairmark.explain.wording.pick_drivers`).
    contributions : tuple of Driver
        Every feature, largest absolute contribution first.
    prediction : float
        The model's output for the person, in the units of ``output``.
    base_value : float
        The output for the reference (``prediction = base_value + Σ contributions``).
    output : str
        What is explained: ``log_odds``, ``margin``, ``probability`` or ``value``.
    probability : float or None
        ``predict_proba`` of the positive class, when the model has it.
    method : str
        The SHAP explainer used.
    offered : bool
        The outcome the paragraph explains.
    reference : str
        Whom the person is compared with.
    """

    text: str
    drivers: tuple[Driver, ...]
    contributions: tuple[Driver, ...]
    prediction: float
    base_value: float
    output: str
    probability: float | None
    method: str
    offered: bool
    reference: str

    def to_dict(self) -> dict[str, Any]:
        """The explanation as a JSON-ready document (``fairmark explain --format json``)."""
        return {
            "text": self.text,
            "offered": self.offered,
            "prediction": self.prediction,
            "base_value": self.base_value,
            "output": self.output,
            "output_meaning": OUTPUT_WORDS.get(self.output, self.output),
            "probability": self.probability,
            "method": self.method,
            "reference": self.reference,
            "drivers": [d.to_dict() for d in self.drivers],
            "contributions": [d.to_dict() for d in self.contributions],
        }


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _as_row(row: Any) -> pd.DataFrame:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise UsageError(f"row has {len(row)} rows; expected exactly one")
        return row.reset_index(drop=True)
    if isinstance(row, pd.Series):
        return row.to_frame().T.reset_index(drop=True).infer_objects()
    if isinstance(row, Mapping):
        return pd.DataFrame([dict(row)])
    raise UsageError(
        f"row is a {type(row).__name__}; expected a one-row DataFrame, a Series or a mapping"
    )


def score_rows(model: Any, frame: pd.DataFrame, what: str = "the data") -> np.ndarray:
    """Score ``frame`` with ``model`` to prove the model accepts it.

    Parameters
    ----------
    model : estimator
        A fitted model.
    frame : pandas.DataFrame
        Rows with the model's input columns.
    what : str
        How to name ``frame`` in an error.

    Returns
    -------
    numpy.ndarray
        ``model.predict(frame)``.

    Raises
    ------
    DataError
        If the model refuses the rows (wrong columns, types or values); one line.
    """
    try:
        return np.asarray(model.predict(frame))
    except Exception as exc:  # the model's own error, whatever it is
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the model does not accept {what}: {type(exc).__name__}: {first}; "
            "expected the columns and value types it was fitted on"
        ) from None


def _level(value: Any, column: pd.Series | None) -> str | None:
    if column is None or not isinstance(value, numbers.Real) or isinstance(value, bool):
        return None
    numeric = pd.to_numeric(column, errors="coerce").dropna()
    if numeric.empty:
        return None
    mean, std = float(numeric.mean()), float(numeric.std(ddof=0))
    if abs(float(value) - mean) <= TYPICAL_BAND * std:
        return "typical"
    return "low" if value < mean else "high"


def _driver(
    feature: str,
    contribution: float,
    frame: pd.DataFrame,
    bg: pd.DataFrame | None,
    labels: FeatureLabels,
) -> Driver:
    """One feature's driver; a joint feature ``"a + b"`` (mixed by a transformer) is named
    as "the combination of A and B", its value being the mapping of its columns."""
    direction: Literal["raised", "lowered"] = "raised" if contribution > 0 else "lowered"
    if feature not in frame.columns and " + " in feature:
        members = feature.split(" + ")
        names = [labels.name(m) for m in members]
        return Driver(
            feature=feature,
            label="the combination of " + join_words(names),
            value={m: _plain(frame.iloc[0][m]) for m in members if m in frame.columns},
            contribution=contribution,
            direction=direction,
            phrase="the combination of " + join_words(names),
            is_clause=False,
            sensitive=any(labels.is_sensitive(m) for m in members),
            level=None,
        )
    value = _plain(frame.iloc[0][feature])
    column = bg[feature] if bg is not None and feature in bg.columns else None
    level = _level(value, column)
    phrase = labels.phrase(feature, value, level)
    return Driver(
        feature=feature,
        label=labels.name(feature),
        value=value,
        contribution=contribution,
        direction=direction,
        phrase=phrase.text,
        is_clause=phrase.is_clause,
        sensitive=labels.is_sensitive(feature),
        level=level,
    )


def explain_decision(
    model: Any,
    row: Any,
    *,
    background: pd.DataFrame | None = None,
    feature_labels: str | os.PathLike[str] | Mapping[str, Any] | FeatureLabels | None = None,
    top: int = 3,
    offered: bool = True,
    positive_class: Any = None,
) -> DecisionExplanation:
    """Explain why ``model`` rated one person as it did, in words a customer can read.

    Parameters
    ----------
    model : estimator
        A fitted tree or linear model (binary classifier or regressor), or a Pipeline
        ending in one (e.g. ``ColumnTransformer`` → ``LogisticRegression``).
    row : pandas.DataFrame (one row), pandas.Series or Mapping
        The person's input values, with at least the model's input columns.
    background : pandas.DataFrame, optional
        Rows to compare with ("a typical customer"), e.g. a bounded sample of the data
        (:func:`fairmark.explain.sample.bounded_sample`); required for a linear model,
        whose contributions are measured from its mean (a tree model's contributions are
        measured from its training data). Numbers are called low / high / typical
        against the background mean (typical within 0.25 standard deviations); without a
        background they are named without a level.
    feature_labels : str, path, Mapping or FeatureLabels, optional
        Customer words (:func:`fairmark.explain.feature_labels.load_labels`), e.g.
        ``"bank_marketing"``. Unlabelled features get humanised words, never raw codes.
    top : int, default 3
        At most this many reasons for the outcome, plus those against it among the
        ``top`` largest (features with zero contribution are skipped).
    offered : bool, default True
        The outcome to explain: ``True`` "why am I seeing this offer?", ``False`` "why
        not?".
    positive_class : object, optional
        For a classifier, the class meaning "offer" (default ``classes_[1]``).

    Returns
    -------
    DecisionExplanation

    Raises
    ------
    UsageError
        If SHAP is not installed, the model is not a tree or linear model, ``row`` is not
        one row, ``top`` is not a positive integer, or the labels are malformed.
    DataError
        If the row or background lacks a model column or the model refuses them.

    Notes
    -----
    Contributions are SHAP values (Lundberg & Lee 2017, NeurIPS), summed over the
    one-hot columns of each feature. Plain-language reasons in the spirit of GDPR
    Art. 15(1)(h) ("meaningful information about the logic involved") and of the
    principal-reasons rule of US Regulation B, 12 CFR 1002.9(b)(2).
    """
    if not isinstance(top, numbers.Integral) or isinstance(top, bool) or top < 1:
        raise UsageError(f"top is {top!r}; expected a positive integer")
    labels = load_labels(feature_labels)
    parts = split_model(model, positive_class)
    categories = encoder_categories(parts.preprocessor)
    frame = align_categories(parts.select_columns(_as_row(row), "the row"), categories)
    score_rows(model, frame, "the row")
    bg = None
    if background is not None:
        if not isinstance(background, pd.DataFrame):
            raise UsageError(f"background is a {type(background).__name__}; expected a DataFrame")
        bg = align_categories(parts.select_columns(background, "the background"), categories)
        score_rows(model, bg, "the background")
    sv = shap_values(model, frame, background=bg, positive_class=positive_class)
    scale = max(1e-12, float(np.max(np.abs(sv.values)))) if sv.values.size else 1.0
    everyone: list[Driver] = []
    for j, feature in enumerate(sv.features):
        everyone.append(_driver(feature, float(sv.values[0, j]), frame, bg, labels))
    everyone.sort(key=lambda d: -abs(d.contribution))
    ranked = [d for d in everyone if abs(d.contribution) > 1e-9 * scale]
    if not ranked:
        raise DataError("every feature contributes zero to this decision; nothing to explain")
    towards, against = pick_drivers(ranked, offered=bool(offered), top=int(top))
    drivers = tuple(sorted([*towards, *against], key=lambda d: -abs(d.contribution)))
    reference = _REF_BACKGROUND if parts.kind == "linear" else _REF_TRAINING
    probability = None
    if parts.is_classifier and callable(getattr(model, "predict_proba", None)):
        pos = parts.positive_index if parts.positive_index is not None else 1
        probability = float(np.asarray(model.predict_proba(frame))[0, pos])
    return DecisionExplanation(
        text=decision_paragraph(towards, against, offered=bool(offered), reference=reference),
        drivers=drivers,
        contributions=tuple(everyone),
        prediction=float(sv.model_output[0]),
        base_value=sv.base_value,
        output=sv.output,
        probability=probability,
        method=sv.method,
        offered=bool(offered),
        reference=reference,
    )
