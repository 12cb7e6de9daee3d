"""Score histograms: one group-by aggregation over (cell, score bin, label).

The score metrics of an audit (ROC AUC, calibration, score-distribution distances,
selection rates at cut-offs; :mod:`fairmark.fairness.scores`) are functions of the score
distribution of positives and negatives in each group. This module collects that
distribution in **one** group-by run by the table's backend (DuckDB, PySpark …): for every
cell of the finest grouping (all sensitive features together, labelled exactly as in the
sufficient-statistics cube, :func:`fairmark.engine.cube.build_cube`), every score bin and
every label value, the row count and the sums needed downstream. Python receives at most
``cells × bins × 3`` aggregated rows, never a data row.

Binning
-------
``n_bins`` (at least 1,000) equal-width bins over ``[lo, hi]``::

    bin = min(max(floor((score - lo) * n_bins / (hi - lo)), 0), n_bins - 1)

so bin ``b`` holds ``lo + b·h <= score < lo + (b+1)·h`` with ``h = (hi - lo) / n_bins``,
the last bin also holding ``score == hi``. :func:`choose_n_bins` picks the number. The
result has at most one row per (cell, bin, label) and at most one per data row, so data
of up to :data:`ROW_BUDGET` rows gets :data:`MAX_BINS` bins (10⁻⁶ wide on [0, 1]) at no
extra cost; larger data gets as many bins as keep ``cells × bins × 2`` within the budget,
but never fewer than 1,000, so the result stays bounded whatever the row count.

For ``score_kind="probability"`` the range is ``[0, 1]`` and the validity check (every
score in ``[0, 1]``) rides on the same query (per-cell minimum and maximum). For
``"logit"`` and ``"score"`` the range is the observed minimum and maximum of the
non-missing scores, read first by a tiny aggregate (one value each; a window over the
whole table would make the backend buffer every row). ``score_kind="auto"`` (or
``None``; not yet accepted by :class:`~fairmark.fairness.spec.AuditSpec`) reads that
aggregate too and treats the scores as probabilities when they all lie in [0, 1], else as
a ranking score (no calibration) instead of refusing them.

For calibration the query also keys on the reliability bin
``cal = min(floor(10·p), 9)`` of the predicted probability ``p`` (the score itself, or
``1 / (1 + exp(-score))`` for logits), so that a score bin straddling a reliability-bin
edge is split exactly, and sums ``p`` per group row. For ``score_kind="score"`` there is
no probability and no ``cal`` key.

:attr:`ScoreHistogram.cells` holds the cell labels of each row (one ``str`` column per
sensitive feature, ``(missing)`` for missing values, as in the cube) and
:attr:`ScoreHistogram.frame` the statistics, aligned row by row (kept apart so that a
feature may be called ``bin`` or ``n``)::

    bin               int    score bin, -1 for a missing (NULL/NaN) score
    cal               int    reliability bin 0..9 (-1: missing score or score_kind="score")
    label             int    1 = y_true is the positive label, 0 = other, -1 = missing
    n                 int    rows
    w, w2             float  sum of sample_weight and of its square (= n without weights)
    wp                float  sum of w·p (predicted probability; 0 for score_kind="score")
    ws                float  sum of w·score
    ge<i>, gew<i>     int/float  rows / weight with score >= cutoffs[i]

Rows whose label or score is missing are counted (``label == -1`` or ``bin == -1``)
and never silently dropped: the score metrics report missing scores per group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.engine.cube import _coerce_label, _feature_expr, _missing
from fairmark.engine.source import DataSource
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import AuditSpec

__all__ = [
    "MAX_BINS",
    "MIN_BINS",
    "N_CALIBRATION_BINS",
    "ROW_BUDGET",
    "ScoreHistogram",
    "build_score_histogram",
    "choose_n_bins",
]

#: Smallest number of score bins accepted (the issue asks for at least 1,000).
MIN_BINS = 1000
#: Largest number of score bins :func:`choose_n_bins` picks.
MAX_BINS = 1_000_000
#: Aggregated rows :func:`choose_n_bins` aims at: ``cells × bins × 2 <= ROW_BUDGET``.
ROW_BUDGET = 250_000
#: Number of equal-width reliability bins on [0, 1] (Naeini et al. 2015 use 10).
N_CALIBRATION_BINS = 10
_MAX_ROWS = 20_000_000
_P = "_fm_"
_KINDS = ("probability", "logit", "score", "auto")
_SEP = "\x1f"


@dataclass(frozen=True)
class ScoreHistogram:
    """Aggregated score distribution of one audit, by cell, score bin and label.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per non-empty (cell, bin, cal, label): the statistics columns of the
        module docstring.
    cells : pandas.DataFrame
        Same index as ``frame``: one ``str`` column per sensitive feature (named after
        it) with the row's cell labels, as in the cube.
    features : tuple of str
        Names of the sensitive features, in spec order (the columns of ``cells``).
    lo, hi : float
        Score range covered by the bins (score units); ``[0, 1]`` for probabilities.
    n_bins : int
        Number of equal-width score bins.
    score_kind : {"probability", "logit", "score"}
        As resolved: ``spec.score_kind``, or for ``"auto"`` (or ``None``) ``"probability"``
        when every score lies in [0, 1] and ``"score"`` otherwise.
    cutoffs : tuple of float
        Score thresholds whose ``score >= cutoff`` counts are in ``ge<i>`` / ``gew<i>``.
    weighted : bool
        Whether ``sample_weight`` was given (otherwise ``w = w2 = n``).
    score_min, score_max : float or None
        Smallest and largest non-missing score (``None`` when every score is missing).
    """

    frame: Any
    cells: Any
    features: tuple[str, ...]
    lo: float
    hi: float
    n_bins: int
    score_kind: str
    cutoffs: tuple[float, ...]
    weighted: bool
    score_min: float | None
    score_max: float | None

    @property
    def width(self) -> float:
        """Width of one score bin, in score units: ``(hi - lo) / n_bins``."""
        return (self.hi - self.lo) / self.n_bins

    def edges(self) -> Any:
        """Return the ``n_bins + 1`` bin edges ``lo + b·width`` as a numpy array."""
        import numpy as np

        return self.lo + np.arange(self.n_bins + 1, dtype="float64") * self.width


def choose_n_bins(n_cells: int, n_rows: int | None = None) -> int:
    """Number of score bins for a histogram over ``n_cells`` cells and ``n_rows`` rows.

    :data:`MAX_BINS` when ``n_rows <= ROW_BUDGET`` (the result cannot have more rows than
    the data), else ``min(MAX_BINS, max(MIN_BINS, ROW_BUDGET // (2 · n_cells)))``: the
    finest binning whose result (``cells × bins × 2`` labels at most) stays within
    :data:`ROW_BUDGET` rows, but never fewer than 1,000 bins.

    Parameters
    ----------
    n_cells : int
        Upper bound on the number of cells (the product of the features' level counts).
    n_rows : int, optional
        Upper bound on the number of labelled, scored rows; unknown when ``None``.

    Returns
    -------
    int

    Raises
    ------
    UsageError
        If ``n_cells`` is not a whole number >= 1 or ``n_rows`` is negative.
    """
    if isinstance(n_cells, bool) or not isinstance(n_cells, int) or n_cells < 1:
        raise UsageError(f"n_cells must be a whole number >= 1, got {n_cells!r}")
    if n_rows is not None and n_rows < 0:
        raise UsageError(f"n_rows must be >= 0, got {n_rows!r}")
    if n_rows is not None and n_rows <= ROW_BUDGET:
        return MAX_BINS
    return min(MAX_BINS, max(MIN_BINS, ROW_BUDGET // (2 * n_cells)))


def _one_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _observed_range(table: Any, column: str, description: str) -> tuple[float | None, float | None]:
    """Min and max of the non-missing scores (a one-row aggregate)."""
    s = table[column].cast("float64")
    valid = ~_missing(table[column])
    query = table.aggregate(lo=s.min(where=valid), hi=s.max(where=valid))
    try:
        row = query.execute().iloc[0]
    except Exception as exc:
        raise DataError(f"the data engine could not read score column {column!r} of "
                        f"{description!r}: {_one_line(exc)}") from None
    lo, hi = row["lo"], row["hi"]
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return None, None
    return float(lo), float(hi)


def build_score_histogram(
    source: DataSource,
    spec: AuditSpec,
    *,
    n_bins: int = MIN_BINS,
    restrict_to: Sequence[Mapping[str, str]] | None = None,
) -> ScoreHistogram:
    """Run the score histogram aggregation of an audit.

    Parameters
    ----------
    source : DataSource
        The data (:func:`fairmark.engine.as_table`).
    spec : AuditSpec
        The audit spec; ``spec.score`` must be set. Uses ``y_true``/``positive_label``,
        ``sensitive_features`` (labelled as in the cube), ``sample_weight``,
        ``score_kind`` and ``cutoffs``.
    n_bins : int, default 1000
        Number of equal-width score bins (>= 1,000; see :func:`choose_n_bins`).
    restrict_to : sequence of mapping, optional
        Aggregate only the rows of these groups, each given as ``{feature name: level}``
        (levels labelled as in the cube, e.g. ``{"marital": "single", "age_band":
        "<25"}``). The score range of logits and scores is still that of the whole table.

    Returns
    -------
    ScoreHistogram

    Raises
    ------
    UsageError
        If ``spec`` has no score column, ``n_bins`` is below 1,000, ``score_kind`` is
        unknown or ``restrict_to`` names an unknown feature.
    DataError
        If the score column is missing or not numeric; if ``score_kind="probability"``
        and a score lies outside ``[0, 1]`` (the message gives the observed minimum and
        maximum and suggests ``score_kind='logit'`` or ``'score'``); if a score is
        infinite; if the backend cannot run the aggregation.

    Notes
    -----
    Label validation (binary ``y_true``, positive label present) and weight validation
    are done by :func:`fairmark.engine.cube.build_cube`, which every audit runs first.
    """
    import ibis

    if spec.score is None:
        raise UsageError("score metrics need a score column; give score=... in the audit")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < MIN_BINS:
        raise UsageError(f"n_bins must be a whole number >= {MIN_BINS}, got {n_bins!r}")
    t = source.table
    columns = list(t.columns)
    for col in (spec.score, spec.y_true, spec.sample_weight):
        if col is not None and col not in columns:
            shown = ", ".join(columns[:40]) + (" …" if len(columns) > 40 else "")
            raise DataError(f"column {col!r} not found; available columns: {shown}")
    schema = t.schema()
    s_type = schema[spec.score]
    if not s_type.is_numeric() or s_type.is_boolean():
        raise DataError(f"score column {spec.score!r} has type {s_type}; expected numbers")

    raw = t[spec.score]
    s = raw.cast("float64")
    s_missing = _missing(raw)
    kind = spec.score_kind or "auto"
    if kind not in _KINDS:
        raise UsageError(f"score_kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    lo, hi = 0.0, 1.0
    if kind != "probability":
        obs_lo, obs_hi = _observed_range(t, spec.score, source.description)
        if obs_lo is not None and obs_hi is not None:
            if math.isinf(obs_lo) or math.isinf(obs_hi):
                raise DataError(
                    f"score column {spec.score!r} has infinite values (min {obs_lo:g}, max "
                    f"{obs_hi:g}); expected finite scores"
                )
            if kind == "auto":
                kind = "probability" if 0.0 <= obs_lo and obs_hi <= 1.0 else "score"
            if kind != "probability":
                lo, hi = obs_lo, obs_hi if obs_hi > obs_lo else obs_lo + 1.0
        elif kind == "auto":
            kind = "probability"

    if restrict_to is not None:
        t = t.filter(_restriction(t, spec, restrict_to))
        raw = t[spec.score]  # expressions of the filtered table, not of the unfiltered one
        s = raw.cast("float64")
        s_missing = _missing(raw)
    scale = n_bins / (hi - lo)
    fine = ((s - lo) * scale).floor()
    fine = ibis.greatest(ibis.least(fine, n_bins - 1), 0)
    bin_key = ibis.ifelse(s_missing, -1, fine)

    y = t[spec.y_true]
    pos = _coerce_label(spec.positive_label, schema[spec.y_true], "positive label", spec.y_true)
    label_key = ibis.cases((_missing(y), -1), (y == pos, 1), else_=0)

    w = t[spec.sample_weight].cast("float64") if spec.sample_weight else None
    # internal names carry a prefix so that no feature name can clash with them
    keys: dict[str, Any] = {}
    for i, f in enumerate(spec.sensitive_features):
        expr, _ = _feature_expr(t, f)
        keys[f"{_P}f{i}"] = expr
    keys[f"{_P}bin"] = bin_key
    keys[f"{_P}label"] = label_key
    if kind == "score":
        p = None
        keys[f"{_P}cal"] = ibis.literal(-1)
    else:
        p = s if kind == "probability" else 1.0 / (1.0 + (-s).exp())
        cal = ibis.greatest(ibis.least((p * N_CALIBRATION_BINS).floor(), N_CALIBRATION_BINS - 1), 0)
        keys[f"{_P}cal"] = ibis.ifelse(s_missing, -1, cal)

    valid = ~s_missing
    aggs: dict[str, Any] = {
        f"{_P}n": t.count(),
        f"{_P}smin": s.min(where=valid),
        f"{_P}smax": s.max(where=valid),
    }
    if w is not None:
        aggs[f"{_P}w"] = w.sum()
        aggs[f"{_P}w2"] = (w * w).sum()
        aggs[f"{_P}ws"] = (w * s).sum(where=valid)
        if p is not None:
            aggs[f"{_P}wp"] = (w * p).sum(where=valid)
    else:
        aggs[f"{_P}ws"] = s.sum(where=valid)
        if p is not None:
            aggs[f"{_P}wp"] = p.sum(where=valid)
    for i, c in enumerate(spec.cutoffs):
        above = valid & (s >= float(c))
        aggs[f"{_P}ge{i}"] = t.count(where=above)
        if w is not None:
            aggs[f"{_P}gew{i}"] = w.sum(where=above)

    query = t.group_by(**keys).aggregate(**aggs).limit(_MAX_ROWS + 1)
    try:
        frame = query.execute()
    except Exception as exc:  # backend errors (bad casts, unreadable rows) -> one line
        if isinstance(exc, DataError | UsageError):
            raise
        raise DataError(
            f"the data engine could not aggregate scores of {source.description!r}: "
            f"{_one_line(exc)}"
        ) from None
    if len(frame) > _MAX_ROWS:  # pragma: no cover - needs > 20 million cells x bins
        raise DataError(
            f"the score histogram has more than {_MAX_ROWS:,} cells; reduce the number of "
            "sensitive-feature levels"
        )
    return _finish(frame, spec, kind, lo, hi, n_bins)


def _restriction(t: Any, spec: AuditSpec, groups: Sequence[Mapping[str, str]]) -> Any:
    """Boolean expression: the row belongs to one of ``groups``.

    Groups over the same features are matched at once with ``isin`` on their labels
    joined by a unit separator, so the expression stays shallow for many groups.
    """
    import ibis

    exprs = {f.name: _feature_expr(t, f)[0] for f in spec.sensitive_features}
    by_combo: dict[tuple[str, ...], list[str]] = {}
    for g in groups:
        unknown = [name for name in g if name not in exprs]
        if unknown or not g:
            raise UsageError(
                f"restrict_to names unknown feature(s) {unknown}; expected among {list(exprs)}"
            )
        combo = tuple(sorted(g))
        by_combo.setdefault(combo, []).append(_SEP.join(str(g[name]) for name in combo))
    terms = []
    for combo, keys in by_combo.items():
        key = exprs[combo[0]]
        for name in combo[1:]:
            key = key.concat(_SEP, exprs[name])
        terms.append(key.isin(sorted(set(keys))))
    return ibis.or_(*terms) if len(terms) > 1 else terms[0]


def _finish(
    frame: Any, spec: AuditSpec, kind: str, lo: float, hi: float, n_bins: int
) -> ScoreHistogram:
    import numpy as np
    import pandas as pd

    score = spec.score
    assert score is not None
    frame = frame.rename(columns=lambda c: c.removeprefix(_P))
    smin = frame["smin"].astype("float64").to_numpy()
    smax = frame["smax"].astype("float64").to_numpy()
    has = ~np.isnan(smin)
    score_min = float(smin[has].min()) if has.any() else None
    score_max = float(smax[has].max()) if has.any() else None
    if score_min is not None and score_max is not None:
        if kind == "probability" and (score_min < 0.0 or score_max > 1.0):
            raise DataError(
                f"score column {score!r} has values outside [0, 1] (min {score_min:g}, max "
                f"{score_max:g}); pass score_kind='logit' or 'score'"
            )
    features = tuple(f.name for f in spec.sensitive_features)
    order = [f"f{i}" for i in range(len(features))]
    frame = frame.sort_values([*order, "label", "bin", "cal"], kind="stable")
    frame = frame.reset_index(drop=True)
    cells = pd.DataFrame(
        {name: frame[col].astype(str) for name, col in zip(features, order, strict=True)}
    )
    stats = pd.DataFrame(index=frame.index)
    for col in ("bin", "cal", "label", "n"):
        stats[col] = frame[col].astype("int64")
    weighted = spec.sample_weight is not None
    for col in ("w", "w2"):
        source_col = frame[col] if weighted else stats["n"]
        stats[col] = source_col.astype("float64").fillna(0.0)
    stats["wp"] = frame["wp"].astype("float64").fillna(0.0) if "wp" in frame else 0.0
    stats["ws"] = frame["ws"].astype("float64").fillna(0.0)
    for i in range(len(spec.cutoffs)):
        stats[f"ge{i}"] = frame[f"ge{i}"].astype("int64")
        gew = frame[f"gew{i}"] if weighted else stats[f"ge{i}"]
        stats[f"gew{i}"] = gew.astype("float64").fillna(0.0)
    return ScoreHistogram(
        frame=stats,
        cells=cells,
        features=features,
        lo=lo,
        hi=hi,
        n_bins=n_bins,
        score_kind=kind,
        cutoffs=tuple(float(c) for c in spec.cutoffs),
        weighted=weighted,
        score_min=score_min,
        score_max=score_max,
    )
