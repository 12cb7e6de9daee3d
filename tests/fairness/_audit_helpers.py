"""Shared helpers of the fairness tests: run an audit, read its numbers, load Bank Marketing.

Nothing here computes a fairness number the way fairmark does: the independent values come
from fairlearn, AIF360, pandas group-bys written out in the tests, or hand-computed cases.
"""

from __future__ import annotations

import math
import os
import warnings
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import strategies as st

import fairmark
from fairmark.fairness.audit import AuditResult
from fairmark.fairness.result import Disparity, GroupStats

#: Tolerance of every comparison with an independent value (the issue asks for 1e-9).
TOL = 1e-9

REPO_ROOT = Path(__file__).resolve().parents[2]
BANK_CSV = (
    REPO_ROOT.parent
    / "shared"
    / "data"
    / "uci-bank-marketing"
    / "bank-additional"
    / "bank-additional-full.csv"
)

#: fairmark metric name -> (numerator cells, denominator cells), written out independently
#: of ``fairmark.fairness.metrics`` from the confusion-matrix definitions.
DEFINITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "base_rate": (("tp", "fn"), ("tp", "fp", "fn", "tn")),
    "selection_rate": (("tp", "fp"), ("tp", "fp", "fn", "tn")),
    "tpr": (("tp",), ("tp", "fn")),
    "fpr": (("fp",), ("fp", "tn")),
    "fnr": (("fn",), ("tp", "fn")),
    "tnr": (("tn",), ("fp", "tn")),
    "ppv": (("tp",), ("tp", "fp")),
    "npv": (("tn",), ("tn", "fn")),
    "accuracy": (("tp", "tn"), ("tp", "fp", "fn", "tn")),
}


def run_audit(data: Any, **kwargs: Any) -> AuditResult:
    """``fairmark.audit`` with ``min_group_size=1`` unless given (libraries keep small groups)."""
    kwargs.setdefault("min_group_size", 1)
    return fairmark.audit(data, **kwargs)


def disparity(
    result: AuditResult, metric: str, feature: str, group: str | None = None
) -> Disparity:
    """The one disparity row of ``metric`` for ``feature`` (and ``group`` for per-group rows)."""
    rows = [
        d
        for d in result.metrics.disparities
        if d.metric == metric and d.feature == feature and (group is None or d.group == group)
    ]
    assert len(rows) == 1, f"expected one {metric} row for {feature}/{group}, got {rows}"
    return rows[0]


def group_row(result: AuditResult, feature: str, group: str) -> GroupStats:
    """The ``GroupStats`` of one group of one feature."""
    rows = [g for g in result.metrics.groups if g.feature == feature and g.group == group]
    assert len(rows) == 1, f"expected one group {feature}/{group}, got {rows}"
    return rows[0]


def groups_of(result: AuditResult, feature: str) -> list[GroupStats]:
    """Every reported group of ``feature``, in report order."""
    return [g for g in result.metrics.groups if g.feature == feature]


def close(a: float | None, b: float | None, tol: float = TOL) -> bool:
    """Both undefined, both the same infinity, or equal within ``tol``."""
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= tol


# --- independent per-group counts (pandas) ----------------------------------------------


def hand_counts(
    df: pd.DataFrame, by: str | list[str], y: str = "y", p: str = "p", w: str | None = None
) -> pd.DataFrame:
    """Weighted (or unweighted) confusion-matrix sums per group, by a plain pandas group-by.

    ``y`` and ``p`` must be 0/1 or boolean columns; missing group values must already be
    filled in. Returns one row per observed group with columns ``tp, fp, fn, tn``.
    """
    yy = df[y].astype(bool)
    pp = df[p].astype(bool)
    weight = df[w].astype(float) if w else pd.Series(1.0, index=df.index)
    cells = pd.DataFrame(
        {
            "tp": weight * (yy & pp),
            "fp": weight * (~yy & pp),
            "fn": weight * (yy & ~pp),
            "tn": weight * (~yy & ~pp),
        }
    )
    keys = [df[c] for c in ([by] if isinstance(by, str) else by)]
    return cells.groupby(keys, sort=True).sum()


def hand_rate(counts: pd.Series, metric: str) -> float | None:
    """One metric from one row of :func:`hand_counts`; ``None`` when the denominator is 0."""
    num, den = DEFINITIONS[metric]
    d = float(sum(counts[c] for c in den))
    return None if d == 0 else float(sum(counts[c] for c in num)) / d


# --- fairlearn ----------------------------------------------------------------------------


def fairlearn_frame(
    df: pd.DataFrame, sensitive: str | list[str], y: str = "y", p: str = "p", w: str | None = None
) -> Any:
    """A fairlearn ``MetricFrame`` of the metrics fairmark shares with fairlearn.

    Columns are named as fairmark's ``by_group``: ``count, selection_rate, tpr, fpr, fnr,
    tnr, ppv, accuracy``. ``y``/``p`` must be 0/1 columns (fairlearn's default labels).
    """
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    metrics = {
        "count": count,
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
        "fnr": false_negative_rate,
        "tnr": true_negative_rate,
        "ppv": partial(precision_score, zero_division=0),
        "accuracy": accuracy_score,
    }
    params = None
    if w is not None:
        weights = df[w].to_numpy(dtype=float)
        params = {m: {"sample_weight": weights} for m in metrics if m != "count"}
    sf = df[sensitive] if isinstance(sensitive, list) else df[sensitive].rename(sensitive)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's zero_division warnings
        return MetricFrame(
            metrics=metrics,
            y_true=df[y].to_numpy(dtype=int),
            y_pred=df[p].to_numpy(dtype=int),
            sensitive_features=sf,
            sample_params=params,
        )


# --- Bank Marketing -----------------------------------------------------------------------

AGE_EDGES = [25, 35, 45, 55, 65]
AGE_LABELS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]


def require_bank() -> Path:
    """Path of the Bank Marketing CSV; skip when absent (fail when ``$CI`` is set)."""
    if not BANK_CSV.exists():
        message = f"Bank Marketing data not found at {BANK_CSV}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so the data must be present)")
        pytest.skip(message)
    return BANK_CSV


def load_bank() -> pd.DataFrame:
    """The Bank Marketing table plus test columns, read by pandas (not by fairmark).

    Added: ``yi`` (1 when ``y == "yes"``), ``sel`` (1 when ``euribor3m < 1.5``: a simple
    decision), ``age_band`` (pandas ``cut`` into fairmark's standard age bands, right-open)
    and ``w`` (reproducible weights in [0.2, 3)).
    """
    df = pd.read_csv(require_bank(), sep=";")
    df["yi"] = (df["y"] == "yes").astype(int)
    df["sel"] = (df["euribor3m"] < 1.5).astype(int)
    bands = pd.cut(df["age"], [-np.inf, *AGE_EDGES, np.inf], right=False, labels=AGE_LABELS)
    df["age_band"] = bands.astype(str)
    df["w"] = np.random.default_rng(20240601).uniform(0.2, 3.0, len(df))
    return df


# --- hypothesis ---------------------------------------------------------------------------


@st.composite
def decision_frames(
    draw: Any,
    *,
    max_groups: int = 3,
    max_rows: int = 40,
    weighted: bool | None = False,
    zero_weights: bool = False,
    missing_groups: bool = False,
    two_features: bool = False,
) -> pd.DataFrame:
    """A small audit table: ``g`` (2..max_groups string groups), ``y`` and ``p`` (0/1), ``w``.

    At least two groups are present and ``y`` has at least one positive, so the audit is
    always valid. ``weighted=None`` lets hypothesis choose; weights are drawn from a few
    positive values, and 0 too with ``zero_weights`` (a group may then get zero total
    weight, which scikit-learn refuses). With ``missing_groups`` some group values are
    ``None``. With ``two_features`` a second feature ``h`` (``x``/``y``,
    both present) is added.
    """
    n_groups = draw(st.integers(2, max_groups))
    labels = list("abcdefgh"[:n_groups])
    n = draw(st.integers(n_groups + 1, max_rows))
    alphabet = [*labels, None] if missing_groups else labels
    g = draw(st.lists(st.sampled_from(alphabet), min_size=n, max_size=n))
    g[0], g[1] = labels[0], labels[1]
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    y[0] = 1
    p = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    df = pd.DataFrame({"g": g, "y": y, "p": p})
    if two_features:
        h = draw(st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n))
        h[0], h[1] = "x", "y"
        df["h"] = h
    use_w = draw(st.booleans()) if weighted is None else weighted
    if use_w:
        values = [0.25, 0.5, 1.0, 1.5, 2.0, 3.75] + ([0.0] if zero_weights else [])
        w = draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))
        w[0] = 1.0  # the total weight is never 0 (that is a DataError, tested elsewhere)
        df["w"] = w
    return df
