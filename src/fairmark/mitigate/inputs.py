"""Validation of the inputs of :func:`fairmark.mitigate.mitigate`: one clear line per problem."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import INTERSECTION_SEP

__all__ = [
    "CONSTRAINTS",
    "METHODS",
    "MitigationInputs",
    "parse_methods",
    "validate_inputs",
]

#: Mitigation methods, in the order they are described in the documentation.
METHODS: Final = ("threshold", "exponentiated_gradient", "reweighing")
#: Fairness constraints the in- and post-processing methods can enforce.
CONSTRAINTS: Final = ("demographic_parity", "equalized_odds", "true_positive_rate_parity")
#: Columns of the audited test table that ``mitigate`` names itself.
Y_COLUMN: Final = "y_true"
DECISION_COLUMN: Final = "selected"
_FORBIDDEN_AUDIT_KEYS: Final = frozenset(
    {
        "data",
        "y_true",
        "y_pred",
        "score",
        "threshold",
        "top_k",
        "sensitive_features",
        "positive_label",
        "pred_positive_label",
        "sample_weight",
        "outcome",
    }
)


@dataclass(frozen=True)
class MitigationInputs:
    """Validated, aligned inputs.

    Attributes
    ----------
    X_train, X_test : pandas.DataFrame or numpy.ndarray
        As given (shapes ``(n_train, p)`` and ``(n_test, p)``).
    y_train, y_test : numpy.ndarray of int64
        1 where the label equals ``positive_label``, else 0.
    y_test_raw : numpy.ndarray
        The test labels as given (audited with ``positive_label``).
    sensitive_train, sensitive_test : pandas.DataFrame
        One string column per sensitive feature, default ``RangeIndex``.
    groups_train : numpy.ndarray of object
        One combined group label per training row (features joined by ``" & "``).
    """

    X_train: Any
    X_test: Any
    y_train: np.ndarray
    y_test: np.ndarray
    y_test_raw: np.ndarray
    sensitive_train: pd.DataFrame
    sensitive_test: pd.DataFrame
    groups_train: np.ndarray

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the sensitive features (columns of ``sensitive_train``)."""
        return tuple(str(c) for c in self.sensitive_train.columns)

    def fairlearn_sensitive(self, part: str) -> np.ndarray | pd.DataFrame:
        """The sensitive features of ``part`` (``"train"``/``"test"``) as fairlearn takes them.

        A 1-D array of strings for one feature, the DataFrame for several (fairlearn then
        treats each combination of values as one group).
        """
        frame = self.sensitive_train if part == "train" else self.sensitive_test
        return frame.iloc[:, 0].to_numpy(dtype=object) if frame.shape[1] == 1 else frame


def parse_methods(method: str | Sequence[str]) -> tuple[str, ...]:
    """Return the requested methods as a tuple, validating each name.

    Raises
    ------
    UsageError
        If a name is unknown, repeated, or no method is given.
    """
    items = (method,) if isinstance(method, str) else tuple(method)
    if not items:
        raise UsageError(f"method is empty; expected one or more of {', '.join(METHODS)}")
    for m in items:
        if m not in METHODS:
            raise UsageError(f"unknown method {m!r}; expected one of {', '.join(METHODS)}")
    if len(set(items)) != len(items):
        raise UsageError(f"method lists a method twice: {list(items)}")
    return items


def validate_inputs(
    estimator: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    sensitive_train: Any,
    sensitive_test: Any,
    methods: tuple[str, ...],
    constraint: str,
    top_fraction: float | None,
    positive_label: Any,
    audit_kwargs: Mapping[str, Any] | None,
    random_state: int,
) -> MitigationInputs:
    """Check every argument of ``mitigate`` and return them aligned.

    Raises
    ------
    UsageError
        Wrong types or option values (estimator without ``fit``/``predict``, unknown
        constraint, ``top_fraction`` out of (0, 1], forbidden ``audit_kwargs`` keys, …).
    DataError
        Misaligned lengths or indexes, missing values, a single-class training label, a
        sensitive feature with a single group, differing train/test feature columns.
    """
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise UsageError(
            f"estimator {type(estimator).__name__} has no fit/predict; expected a "
            "scikit-learn compatible classifier"
        )
    if constraint not in CONSTRAINTS:
        raise UsageError(
            f"unknown constraint {constraint!r}; expected one of {', '.join(CONSTRAINTS)}"
        )
    if top_fraction is not None:
        if not isinstance(top_fraction, numbers.Real) or isinstance(top_fraction, bool):
            raise UsageError(
                f"top_fraction must be a number in (0, 1] or None, got {top_fraction!r}"
            )
        if not 0 < top_fraction <= 1:
            raise UsageError(f"top_fraction must be in (0, 1], got {top_fraction!r}")
        if "threshold" in methods and constraint != "demographic_parity":
            raise UsageError(
                "top_fraction with method 'threshold' needs constraint 'demographic_parity' "
                f"(the list size fixes the common selection rate); got {constraint!r}"
            )
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        raise UsageError(f"random_state must be an int, got {random_state!r}")
    if positive_label is None:
        raise UsageError("positive_label is required: the label value that counts as a conversion")
    if audit_kwargs is not None:
        if not isinstance(audit_kwargs, Mapping):
            raise UsageError(
                "audit_kwargs must be a dict of fairmark.audit options, "
                f"got {type(audit_kwargs).__name__}"
            )
        bad = sorted(set(audit_kwargs) & _FORBIDDEN_AUDIT_KEYS)
        if bad:
            raise UsageError(
                f"audit_kwargs may not set {bad}: mitigate builds the audited table itself"
            )

    n_train = _n_rows("X_train", X_train)
    n_test = _n_rows("X_test", X_test)
    _same_columns(X_train, X_test)
    y_tr_raw = _labels("y_train", y_train, n_train, X_train)
    y_te_raw = _labels("y_test", y_test, n_test, X_test)
    s_tr = _sensitive("sensitive_train", sensitive_train, n_train, X_train)
    s_te = _sensitive("sensitive_test", sensitive_test, n_test, X_test)
    if list(s_tr.columns) != list(s_te.columns):
        raise DataError(
            f"sensitive_train has features {list(s_tr.columns)} but sensitive_test has "
            f"{list(s_te.columns)}; expected the same"
        )
    clash = {Y_COLUMN, DECISION_COLUMN} & set(s_tr.columns)
    if clash:
        raise UsageError(f"sensitive feature names {sorted(clash)} are reserved; rename them")
    y_tr = _binary("y_train", y_tr_raw, positive_label)
    y_te = _binary("y_test", y_te_raw, positive_label)
    n_pos = int(y_tr.sum())
    if n_pos in (0, n_train):
        raise DataError(
            f"y_train has {n_pos} rows equal to positive_label {positive_label!r} out of "
            f"{n_train}; expected both classes to train a model"
        )
    for name, frame in (("sensitive_train", s_tr), ("sensitive_test", s_te)):
        for col in frame.columns:
            levels = frame[col].nunique()
            if levels < 2:
                only = frame[col].iloc[0]
                raise DataError(
                    f"{name} feature {col!r} has a single group ({only!r}); expected at "
                    "least two groups to compare"
                )
    groups = s_tr.astype(str).agg(INTERSECTION_SEP.join, axis=1).to_numpy(dtype=object)
    return MitigationInputs(
        X_train=X_train,
        X_test=X_test,
        y_train=y_tr,
        y_test=y_te,
        y_test_raw=y_te_raw,
        sensitive_train=s_tr,
        sensitive_test=s_te,
        groups_train=groups,
    )


def _n_rows(name: str, X: Any) -> int:
    if isinstance(X, pd.DataFrame):
        n = len(X)
    else:
        shape = getattr(X, "shape", None)
        if shape is None or len(shape) != 2:
            raise UsageError(
                f"{name} must be a pandas DataFrame or a 2-D array, got {type(X).__name__}"
                + (f" of shape {tuple(shape)}" if shape is not None else "")
            )
        n = int(shape[0])
    if n == 0:
        raise DataError(f"{name} has no rows; expected at least one")
    return n


def _same_columns(X_train: Any, X_test: Any) -> None:
    if isinstance(X_train, pd.DataFrame) and isinstance(X_test, pd.DataFrame):
        if list(X_train.columns) != list(X_test.columns):
            only_train = [c for c in X_train.columns if c not in X_test.columns]
            only_test = [c for c in X_test.columns if c not in X_train.columns]
            raise DataError(
                f"X_train and X_test have different columns (only in train: {only_train}, "
                f"only in test: {only_test}); expected the same columns in the same order"
            )
    elif X_train.shape[1] != X_test.shape[1]:
        raise DataError(
            f"X_train has {X_train.shape[1]} columns but X_test has {X_test.shape[1]}; "
            "expected the same"
        )


def _check_index(name: str, obj: Any, X: Any, x_name: str) -> None:
    if isinstance(obj, pd.Series | pd.DataFrame) and isinstance(X, pd.DataFrame):
        if not obj.index.equals(X.index):
            raise DataError(
                f"{name} is not aligned with {x_name}: their index labels differ; "
                "expected the same rows in the same order (reset both indexes or reindex)"
            )


def _labels(name: str, y: Any, n: int, X: Any) -> np.ndarray:
    x_name = "X_train" if name.endswith("train") else "X_test"
    if isinstance(y, pd.DataFrame):
        raise DataError(f"{name} is a DataFrame; expected one label column (a Series or 1-D array)")
    arr = y.to_numpy() if isinstance(y, pd.Series) else np.asarray(y)
    if arr.ndim != 1:
        raise DataError(f"{name} has shape {arr.shape}; expected a 1-D array of labels")
    if arr.shape[0] != n:
        raise DataError(
            f"{name} has {arr.shape[0]} rows but {x_name} has {n}; expected one label per row"
        )
    _check_index(name, y, X, x_name)
    missing = int(pd.isna(pd.Series(arr, dtype=object)).sum())
    if missing:
        raise DataError(f"{name} has {missing} missing labels; expected a label for every row")
    return arr


def _binary(name: str, arr: np.ndarray, positive_label: Any) -> np.ndarray:
    values = pd.unique(pd.Series(arr, dtype=object))
    if len(values) > 2:
        shown = sorted(map(str, values))[:5]
        raise DataError(
            f"{name} has {len(values)} distinct labels {shown}; expected a binary outcome"
        )
    return (pd.Series(arr, dtype=object) == positive_label).to_numpy(dtype="int64")


def _sensitive(name: str, s: Any, n: int, X: Any) -> pd.DataFrame:
    x_name = "X_train" if name.endswith("train") else "X_test"
    if isinstance(s, pd.DataFrame):
        frame = s.copy()
    elif isinstance(s, pd.Series):
        frame = s.to_frame(name=s.name if s.name is not None else "sensitive_feature")
    else:
        arr = np.asarray(s, dtype=object)
        if arr.ndim == 1:
            frame = pd.DataFrame({"sensitive_feature": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(
                arr, columns=[f"sensitive_feature_{i}" for i in range(arr.shape[1])]
            )
        else:
            raise DataError(f"{name} has shape {arr.shape}; expected one or more group columns")
    if len(frame) != n:
        raise DataError(
            f"{name} has {len(frame)} rows but {x_name} has {n}; expected one group label per row"
        )
    if frame.shape[1] == 0:
        raise DataError(f"{name} has no columns; expected at least one sensitive feature")
    _check_index(name, s, X, x_name)
    frame.columns = [str(c) for c in frame.columns]
    missing = int(frame.isna().to_numpy().sum())
    if missing:
        raise DataError(
            f"{name} has {missing} missing group labels; expected a group for every row "
            "(fill them, e.g. with '(missing)')"
        )
    return frame.astype(str).reset_index(drop=True)
