"""The sufficient-statistics cube: one group-by aggregation over the user's data.

The cube holds, for every cell of the finest grouping (all sensitive features together),
the confusion-matrix counts of the decision against the label, unweighted and weighted,
plus the sums of squared weights needed for Kish effective sample sizes. Every marginal
and intersectional group is a sum of cells, so all fairness metrics are computed from the
cube in Python without touching a row again. The query also carries the checks that the
label and decision columns are binary, so validation costs no extra pass.

Definitions (per cell; ``pos`` = ``y_true == positive_label``, ``pred`` = selected)::

    tp = #(pos & pred)   fp = #(~pos & pred)   fn = #(pos & ~pred)   tn = #(~pos & ~pred)

``*_w`` are the same sums of ``sample_weight`` and ``*_w2`` of its square (both equal the
counts when no weight is given). Rows whose label or decision is missing (NULL or NaN)
are not in the confusion counts; they are counted in ``n_excluded`` and reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fairmark.engine.source import DataSource, missing_column_message
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import MISSING_LABEL, AuditSpec, SensitiveFeature

__all__ = ["CELLS", "Cube", "build_cube"]

CELLS = ("tp", "fp", "fn", "tn")
_MAX_CELLS = 250_000


@dataclass(frozen=True)
class Cube:
    """The aggregated sufficient statistics of one audit.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per non-empty cell: the feature columns (string labels, ``(missing)`` for
        missing values) then ``n_rows, n_excluded, tp, fp, fn, tn`` (ints) and
        ``tp_w … tn_w``, ``tp_w2 … tn_w2`` (floats).
    features : tuple of str
        Names of the feature columns in ``frame``.
    levels : dict
        ``feature -> [level, …]`` every known level, including declared levels without rows
        (bands of a binning, pandas categories).
    threshold : float or None
        The score cut-off applied (for ``top_k``, the k-th highest score).
    n_selected_target : int or None
        For ``top_k``: the k asked for (ties may select more; see ``frame``).
    weighted : bool
        Whether ``sample_weight`` was given.
    column_types : dict
        ``column -> Ibis type`` of the columns used, for the data fingerprint.
    """

    frame: Any
    features: tuple[str, ...]
    levels: dict[str, list[str]]
    threshold: float | None
    n_selected_target: int | None
    weighted: bool
    column_types: dict[str, str]


def _coerce_label(value: Any, dtype: Any, role: str, column: str) -> Any:
    """Cast a label given as text or number to the column's type, or raise UsageError."""
    if dtype.is_boolean():
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise UsageError(
            f"{role} {value!r} is not a value of column {column!r}, which holds true/false "
            "(read from true/false, yes/no or 1/0); expected true or false (yes/no, 1/0)"
        )
    if dtype.is_integer():
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"{role} {value!r} is not a number; column {column!r} holds integers"
            ) from None
        if not f.is_integer():
            raise UsageError(
                f"{role} {value!r} is not a whole number; column {column!r} holds integers"
            )
        return int(f)
    if dtype.is_floating() or dtype.is_decimal():
        try:
            return float(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"{role} {value!r} is not a number; column {column!r} holds numbers"
            ) from None
    if dtype.is_string():
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    raise UsageError(f"column {column!r} has type {dtype}; expected text, numbers or booleans")


def _default_pred_label(spec: AuditSpec, pred_type: Any, true_type: Any) -> Any:
    if spec.pred_positive_label is not None:
        return spec.pred_positive_label
    if pred_type.is_boolean():
        return True
    if pred_type.is_numeric() and true_type.is_boolean():
        # a 0/1 decision against a true/false label: "true", "yes" or True mean 1
        return int(_coerce_label(spec.positive_label, true_type, "positive label", spec.y_true))
    same_kind = (pred_type.is_string() and true_type.is_string()) or (
        pred_type.is_numeric() and (true_type.is_numeric() or true_type.is_boolean())
    )
    if same_kind:
        return spec.positive_label
    if pred_type.is_numeric():
        return 1
    return spec.positive_label


def _missing(col: Any) -> Any:
    """Boolean expression: the value is NULL, or NaN for a floating column."""
    cond = col.isnull()
    if col.type().is_floating():
        cond = cond | col.isnan().fill_null(True)
    return cond


def _feature_expr(table: Any, feature: SensitiveFeature) -> tuple[Any, list[str]]:
    import ibis

    col = table[feature.column]
    dtype = col.type()
    if feature.binning is not None:
        if not dtype.is_numeric():
            raise DataError(
                f"column {feature.column!r} has type {dtype}; binning needs a numeric column"
            )
        labels = feature.binning.band_labels()
        edges = feature.binning.edges
        branches = [(col < edges[0], labels[0])]
        branches += [(col < hi, lab) for hi, lab in zip(edges[1:], labels[1:-1], strict=True)]
        expr = ibis.cases(*branches, else_=labels[-1])
        expr = ibis.ifelse(_missing(col), MISSING_LABEL, expr)
        return expr, list(labels)
    if dtype.is_boolean():
        expr = ibis.ifelse(col, "true", "false")
    elif dtype.is_floating():
        # 1.0 and 1 must give the same label as an integer column would
        expr = ibis.ifelse(
            col == col.round(0).cast("int64").cast("float64"),
            col.round(0).cast("int64").cast("string"),
            col.cast("string"),
        )
    elif dtype.is_string():
        expr = col
    elif dtype.is_integer() or dtype.is_decimal() or dtype.is_temporal():
        expr = col.cast("string")
    else:
        expr = col.cast("string")
    return ibis.ifelse(_missing(col), MISSING_LABEL, expr), []


def _declared_levels(categories: list[str], dtype: Any) -> list[str]:
    """Write declared category levels the way :func:`_feature_expr` labels the column's values.

    A boolean category ``True`` is labelled ``true`` and a float category ``1.0`` is ``1``,
    so that a declared level and the rows holding it are one group.
    """
    out = []
    for level in categories:
        if dtype.is_boolean():
            level = level.lower()
        elif dtype.is_floating():
            try:
                x = float(level)
            except ValueError:
                pass
            else:
                level = str(int(x)) if x.is_integer() else level
        out.append(level)
    return out


def _check_columns(table: Any, spec: AuditSpec) -> None:
    available = list(table.columns)
    wanted = [spec.y_true, spec.y_pred, spec.score, spec.sample_weight]
    wanted += [f.column for f in spec.sensitive_features]
    for col in wanted:
        if col is not None and col not in available:
            raise DataError(missing_column_message(col, available))


def _top_k_threshold(table: Any, spec: AuditSpec) -> tuple[float, int]:
    import ibis

    score = table[spec.score]
    valid = table.filter(~_missing(score))
    n_valid = int(valid.count().execute())
    if n_valid == 0:
        raise DataError(f"score column {spec.score!r} has no non-missing values")
    k_req = spec.top_k
    assert k_req is not None
    k = math.ceil(k_req * n_valid - 1e-9) if k_req < 1 else int(k_req)
    k = max(1, min(k, n_valid))
    # the k-th highest score = the smallest of the top k (no OFFSET: portable to Spark)
    top = valid.select(s=score.cast("float64")).order_by(ibis.desc("s")).limit(k)
    value = top.s.min().execute()
    return float(value), k


def build_cube(source: DataSource, spec: AuditSpec) -> Cube:
    """Run the one group-by aggregation of an audit and return the cube.

    Parameters
    ----------
    source : DataSource
        The data (see :func:`fairmark.engine.as_table`).
    spec : AuditSpec
        What to audit.

    Returns
    -------
    Cube

    Raises
    ------
    DataError
        Missing column (the available ones are listed), empty data, non-binary label or
        decision (the values found are listed), positive label absent from the data,
        negative or missing weights (or weights summing to zero), a feature with more than
        ``spec.max_groups`` levels, or a score passed as ``y_pred``.
    UsageError
        A label that cannot be cast to its column's type.
    """

    t = source.table
    _check_columns(t, spec)
    schema = t.schema()
    y = t[spec.y_true]
    y_type = schema[spec.y_true]
    pos_label = _coerce_label(spec.positive_label, y_type, "positive label", spec.y_true)
    is_pos = y == pos_label

    threshold: float | None = None
    k_target: int | None = None
    if spec.y_pred is not None:
        p = t[spec.y_pred]
        p_type = schema[spec.y_pred]
        pred_label = _coerce_label(
            _default_pred_label(spec, p_type, y_type),
            p_type,
            "predicted positive label",
            spec.y_pred,
        )
        is_pred = p == pred_label
        decision_missing = _missing(p)
    else:
        s = t[spec.score]
        s_type = schema[spec.score]
        if not s_type.is_numeric():
            raise DataError(f"score column {spec.score!r} has type {s_type}; expected numbers")
        if spec.threshold is not None:
            threshold = float(spec.threshold)
        else:
            threshold, k_target = _top_k_threshold(t, spec)
        is_pred = s >= threshold
        decision_missing = _missing(s)

    w = t[spec.sample_weight].cast("float64") if spec.sample_weight else None
    valid = ~_missing(y) & ~decision_missing
    keys = {}
    levels: dict[str, list[str]] = {}
    for f in spec.sensitive_features:
        expr, lv = _feature_expr(t, f)
        keys[f.name] = expr
        declared = _declared_levels(source.categories.get(f.column, []), schema[f.column])
        levels[f.name] = lv or declared

    cond = {
        "tp": valid & is_pos & is_pred,
        "fp": valid & ~is_pos & is_pred,
        "fn": valid & is_pos & ~is_pred,
        "tn": valid & ~is_pos & ~is_pred,
    }
    aggs: dict[str, Any] = {
        "n_rows": t.count(),
        "n_excluded": t.count(where=~valid),
        "n_y_missing": t.count(where=_missing(y)),
        "n_decision_missing": t.count(where=decision_missing),
        "y_other_min": y.min(where=valid & ~is_pos),
        "y_other_max": y.max(where=valid & ~is_pos),
    }
    for c, where in cond.items():
        aggs[c] = t.count(where=where)
        if w is not None:
            aggs[f"{c}_w"] = w.sum(where=where)
            aggs[f"{c}_w2"] = (w * w).sum(where=where)
    if spec.y_pred is not None:
        aggs["p_other_min"] = t[spec.y_pred].min(where=valid & ~is_pred)
        aggs["p_other_max"] = t[spec.y_pred].max(where=valid & ~is_pred)
    if w is not None:
        aggs["w_min"] = w.min()
        aggs["w_missing"] = t.count(where=_missing(w))

    query = t.group_by(**keys).aggregate(**aggs).limit(_MAX_CELLS + 1)
    try:
        frame = query.execute()
    except Exception as exc:  # backend errors (bad casts, unreadable rows) → one line
        if isinstance(exc, DataError | UsageError):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the data engine could not aggregate {source.description!r}: {first}"
        ) from None

    if len(frame) > _MAX_CELLS:
        _raise_too_many_levels(t, keys, spec)
    if len(frame) == 0 or int(frame["n_rows"].sum()) == 0:
        raise DataError(f"{source.description!r} has no rows")
    feature_names = tuple(keys)
    for name in feature_names:
        n_levels = frame[name].nunique()
        if n_levels > spec.max_groups:
            raise DataError(
                f"sensitive feature {name!r} has {n_levels} levels, more than max_groups="
                f"{spec.max_groups}; bin it or raise --max-groups"
            )
    _validate_labels(frame, spec, pos_label, t)
    if spec.sample_weight:
        if int(frame["w_missing"].sum()) > 0:
            raise DataError(
                f"sample_weight column {spec.sample_weight!r} has "
                f"{int(frame['w_missing'].sum())} missing values; expected a weight on every row"
            )
        if float(frame["w_min"].min()) < 0:
            raise DataError(
                f"sample_weight column {spec.sample_weight!r} has negative weights; "
                "expected weights >= 0"
            )
        if float(frame[[f"{c}_w" for c in CELLS]].fillna(0.0).to_numpy().sum()) <= 0:
            raise DataError(
                f"sample_weight column {spec.sample_weight!r} sums to zero over the audited "
                "rows; expected at least one positive weight"
            )
    if int(frame[list(CELLS)].to_numpy().sum()) == 0:
        raise DataError(
            f"every row has a missing {spec.y_true!r} or decision value: nothing to audit"
        )
    for col in ["n_rows", "n_excluded", "n_y_missing", "n_decision_missing", *CELLS]:
        frame[col] = frame[col].astype("int64")
    for c in CELLS:  # without weights every row weighs 1: the weighted sums are the counts
        for suffix in ("_w", "_w2"):
            if w is None:
                frame[c + suffix] = frame[c].astype("float64")
            else:
                frame[c + suffix] = frame[c + suffix].fillna(0.0).astype("float64")
    for name in feature_names:
        frame[name] = frame[name].astype(str)
    drop = [c for c in frame.columns if c.startswith(("y_other", "p_other", "w_min", "w_missing"))]
    frame = frame.drop(columns=drop).sort_values(list(feature_names), kind="stable")
    frame = frame.reset_index(drop=True)
    used = [c for c in [spec.y_true, spec.y_pred, spec.score, spec.sample_weight] if c]
    used += [f.column for f in spec.sensitive_features]
    return Cube(
        frame=frame,
        features=feature_names,
        levels=levels,
        threshold=threshold,
        n_selected_target=k_target,
        weighted=bool(spec.sample_weight),
        column_types={c: str(schema[c]) for c in used},
    )


def _distinct_values(t: Any, column: str, limit: int = 8) -> str:
    # distinct() and no named aggregate: a count column could clash with a column "n"
    counts = t.select(column).distinct().order_by(column).limit(limit + 1).execute()
    vals = [repr(v.item() if hasattr(v, "item") else v) for v in counts[column].tolist()]
    shown = ", ".join(vals[:limit])
    return shown + (", …" if len(vals) > limit else "")


def _validate_labels(frame: Any, spec: AuditSpec, pos_label: Any, t: Any) -> None:
    others = {
        v for v in frame["y_other_min"].tolist() + frame["y_other_max"].tolist() if _present(v)
    }
    n_pos = int(frame["tp"].sum() + frame["fn"].sum())
    if n_pos == 0:  # checked first: an unknown positive label must not read as "not binary"
        raise DataError(
            f"positive label {pos_label!r} does not occur in y_true column {spec.y_true!r}; "
            f"values found: {_distinct_values(t, spec.y_true)}"
        )
    if len(others) > 1:
        raise DataError(
            f"y_true column {spec.y_true!r} is not binary: values found "
            f"{_distinct_values(t, spec.y_true)}; expected the positive label {pos_label!r} "
            "and one other value"
        )
    if spec.y_pred is not None:
        p_others = {
            v for v in frame["p_other_min"].tolist() + frame["p_other_max"].tolist() if _present(v)
        }
        if len(p_others) > 1:
            hint = ""
            kind = str(t.schema()[spec.y_pred])
            if kind.startswith("float"):
                hint = (
                    "; it looks like a score: pass it as --score with --threshold or --top-k "
                    "(score=, threshold=, top_k= in Python)"
                )
            raise DataError(
                f"y_pred column {spec.y_pred!r} is not binary: values found "
                f"{_distinct_values(t, spec.y_pred)}{hint}"
            )


def _present(v: Any) -> bool:
    if v is None:
        return False
    try:
        return not (isinstance(v, float) and math.isnan(v))
    except TypeError:  # pragma: no cover
        return True


def _raise_too_many_levels(t: Any, keys: dict[str, Any], spec: AuditSpec) -> None:
    counts = t.aggregate(**{k: v.nunique() for k, v in keys.items()}).execute().iloc[0]
    worst = max(keys, key=lambda k: int(counts[k]))
    raise DataError(
        f"sensitive feature {worst!r} has {int(counts[worst])} levels, more than max_groups="
        f"{spec.max_groups}; bin it or raise --max-groups"
    )
