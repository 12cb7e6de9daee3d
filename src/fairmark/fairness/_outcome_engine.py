"""Engine aggregations of a numeric outcome: moments per cell, approximate medians per group.

One group-by over the finest cells (every sensitive feature together) yields, per cell,
the number of rows with and without a value, the total, and the moments (mean and sum of
squared deviations, or the weighted power sums ``Σw, Σw², Σwx, Σwx²`` with
``sample_weight``). Marginal and intersectional groups are merged from cells in Python
(:func:`fairmark.fairness.mean_stats.combine_moments`). Medians are not additive over
cells, so one small group-by per reported grouping asks the engine for an approximate
median (DuckDB ``approx_quantile``, a t-digest; Spark ``percentile_approx``).
"""

from __future__ import annotations

from typing import Any

from fairmark.engine.cube import _feature_expr, _missing
from fairmark.engine.source import DataSource
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import AuditSpec

__all__ = ["outcome_cells", "outcome_medians"]

_MAX_CELLS = 250_000


def _run(query: Any, source: DataSource) -> Any:
    try:
        return query.execute()
    except Exception as exc:  # backend errors → one line
        if isinstance(exc, DataError | UsageError):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the data engine could not aggregate {source.description!r}: {first}"
        ) from None


def _outcome_column(source: DataSource, spec: AuditSpec) -> Any:
    t = source.table
    column = spec.outcome
    assert column is not None
    if column not in t.columns:
        shown = ", ".join(list(t.columns)[:40]) + (" …" if len(t.columns) > 40 else "")
        raise DataError(f"outcome column {column!r} not found; available columns: {shown}")
    dtype = t.schema()[column]
    if dtype.is_boolean() or not dtype.is_numeric():
        raise DataError(
            f"outcome column {column!r} has type {dtype}; expected numbers (an offer value, "
            "discount, price or credit limit)"
        )
    return t[column]


def _keys(source: DataSource, spec: AuditSpec) -> dict[str, Any]:
    return {f.name: _feature_expr(source.table, f)[0] for f in spec.sensitive_features}


def outcome_cells(source: DataSource, spec: AuditSpec) -> Any:
    """Aggregate the outcome per cell of all sensitive features (one engine query).

    Parameters
    ----------
    source : DataSource
    spec : AuditSpec
        With ``outcome`` set; ``sample_weight`` (already validated by the audit's cube:
        no missing or negative weights) weights the moments.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty cell: the feature columns (string labels as in the audit's
        cube), then ``fm_rows, fm_valid, fm_missing`` (ints), ``fm_sw, fm_sw2, fm_mean,
        fm_m2, fm_total`` (floats; ``fm_mean`` NaN for a cell without values).

    Raises
    ------
    DataError
        The outcome column is missing, not numeric, holds infinite values, or the engine
        fails.
    """
    t = source.table
    x_raw = _outcome_column(source, spec)
    x = x_raw.cast("float64")
    missing = _missing(x_raw)
    valid = ~missing
    aggs: dict[str, Any] = {
        "fm_rows": t.count(),
        "fm_valid": t.count(where=valid),
        "fm_missing": t.count(where=missing),
        "fm_total": x.sum(where=valid),
    }
    if x_raw.type().is_floating():
        aggs["fm_inf"] = t.count(where=valid & x.isinf().fill_null(False))
    if spec.sample_weight:
        w = t[spec.sample_weight].cast("float64")
        aggs["fm_sw"] = w.sum(where=valid)
        aggs["fm_sw2"] = (w * w).sum(where=valid)
        aggs["fm_swx"] = (w * x).sum(where=valid)
        aggs["fm_swx2"] = (w * x * x).sum(where=valid)
    else:
        aggs["fm_mean"] = x.mean(where=valid)
        aggs["fm_var"] = x.var(how="pop", where=valid)
    query = t.group_by(**_keys(source, spec)).aggregate(**aggs).limit(_MAX_CELLS + 1)
    frame = _run(query, source)
    if len(frame) > _MAX_CELLS:  # pragma: no cover - the audit's cube refuses this first
        raise DataError("too many cells for the outcome aggregation; bin the sensitive features")
    if "fm_inf" in frame and int(frame["fm_inf"].fillna(0).sum()) > 0:
        n_inf = int(frame["fm_inf"].fillna(0).sum())
        raise DataError(
            f"outcome column {spec.outcome!r} has {n_inf} infinite values; expected finite "
            "numbers (missing values may be left empty)"
        )
    for col in ("fm_rows", "fm_valid", "fm_missing"):
        frame[col] = frame[col].fillna(0).astype("int64")
    frame["fm_total"] = frame["fm_total"].fillna(0.0).astype("float64")
    if spec.sample_weight:
        sw = frame["fm_sw"].fillna(0.0).astype("float64")
        swx = frame["fm_swx"].fillna(0.0).astype("float64")
        swx2 = frame["fm_swx2"].fillna(0.0).astype("float64")
        frame["fm_sw"] = sw
        frame["fm_sw2"] = frame["fm_sw2"].fillna(0.0).astype("float64")
        frame["fm_mean"] = (swx / sw).where(sw > 0)
        frame["fm_m2"] = (swx2 - swx * swx / sw).where(sw > 0, 0.0).clip(lower=0.0)
        frame["fm_total"] = swx
        frame = frame.drop(columns=["fm_swx", "fm_swx2"])
    else:
        n = frame["fm_valid"].astype("float64")
        frame["fm_sw"] = n
        frame["fm_sw2"] = n
        frame["fm_mean"] = frame["fm_mean"].astype("float64").where(n > 0)
        frame["fm_m2"] = (frame["fm_var"].astype("float64").fillna(0.0) * n).clip(lower=0.0)
        frame = frame.drop(columns=["fm_var"])
    for f in spec.sensitive_features:
        frame[f.name] = frame[f.name].astype(str)
    return frame.drop(columns=[c for c in ("fm_inf",) if c in frame]).reset_index(drop=True)


def outcome_medians(
    source: DataSource, spec: AuditSpec, combo: tuple[str, ...]
) -> dict[tuple[str, ...], float | None]:
    """Approximate median of the outcome per group of one reported grouping.

    Parameters
    ----------
    source : DataSource
    spec : AuditSpec
    combo : tuple of str
        Feature names of the grouping (one for a marginal group, several for an
        intersection).

    Returns
    -------
    dict
        ``levels -> median`` (``None`` for a group without values). Unweighted even when
        the audit has ``sample_weight``: the engines offer no weighted approximate
        quantile.

    Raises
    ------
    DataError
        If the engine fails.
    """
    import ibis

    t = source.table
    x_raw = _outcome_column(source, spec)
    # missing values (NULL or NaN) become NULL, which quantiles skip; no ``where=``: Spark's
    # percentile_approx needs a constant percentage, which a filtered call does not give
    x = ibis.ifelse(_missing(x_raw), ibis.null("float64"), x_raw.cast("float64"))
    keys = _keys(source, spec)
    query = t.group_by(**{name: keys[name] for name in combo}).aggregate(
        fm_median=x.approx_median()
    )
    frame = _run(query, source)
    out: dict[tuple[str, ...], float | None] = {}
    for row in frame.itertuples(index=False):
        levels = tuple(str(v) for v in row[: len(combo)])
        value = row[len(combo)]
        out[levels] = None if value is None or value != value else float(value)
    return out
