"""Engine aggregations of ad delivery: eligible audience and delivery per ad and group.

Two input layouts, each read with one group-by per table (plus one small check query when
people are identified):

* **one table** (``delivered_data`` not given): rows carry ``eligible`` (a true/false flag
  or a non-negative count of eligible people) and ``delivered`` (a flag or a count of
  impressions, or of people reached with ``delivered_kind="reach"``). Deliveries on rows
  that are not eligible are refused. With ``person_id`` the eligible audience is the number
  of distinct eligible people and the unique reach the number of distinct eligible people
  with a delivery.
* **two tables**: ``data`` holds the eligible audience (``eligible``: counts or flags,
  summed per ad and group) and ``delivered_data`` the deliveries (``delivered``, summed;
  with ``person_id``, unique reach is the number of distinct people delivered to).

The result is a small frame, one row per (ad, group): ``eligible``, and the delivered
amount of each view (``impressions`` and/or ``reach``). Nothing row-level reaches Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from fairmark.engine.cube import _feature_expr, _missing
from fairmark.engine.source import DataSource, as_table
from fairmark.errors import DataError, UsageError
from fairmark.fairness.spec import DEFAULT_MAX_GROUPS, SensitiveFeature

__all__ = ["DeliveryCells", "delivery_cells"]


@dataclass(frozen=True)
class DeliveryCells:
    """Eligible audience and deliveries per (ad, group).

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``ad`` (str, or None without an ad column), ``group`` (str), ``eligible``
        (people, float) and one float column per view in ``views``.
    views : tuple of str
        ``("impressions",)``, ``("impressions", "reach")`` or ``("reach",)``.
    mode : str
        ``one_table`` or ``two_tables``.
    description : str
        Where the data came from.
    """

    frame: Any
    views: tuple[str, ...]
    mode: str
    description: str


def _require(t: Any, column: str | None, role: str, where: str) -> None:
    if column is not None and column not in t.columns:
        shown = ", ".join(list(t.columns)[:40]) + (" …" if len(t.columns) > 40 else "")
        raise DataError(
            f"{role} column {column!r} not found in {where}; available columns: {shown}"
        )


def _amount(t: Any, column: str, role: str) -> Any:
    """The column as float64: true/false as 1/0, numbers as they are."""
    import ibis

    col = t[column]
    dtype = col.type()
    if dtype.is_boolean():
        return ibis.ifelse(col, 1.0, 0.0)
    if dtype.is_numeric():
        return col.cast("float64")
    raise DataError(
        f"{role} column {column!r} has type {dtype}; expected true/false flags or "
        "non-negative numbers"
    )


def _keys(t: Any, group: str, ad: str | None) -> dict[str, Any]:
    keys = {"fm_group": _feature_expr(t, SensitiveFeature(group, group))[0]}
    if ad is not None:
        keys["fm_ad"] = _feature_expr(t, SensitiveFeature(ad, ad))[0]
    return keys


def _execute(query: Any, source: DataSource) -> Any:
    try:
        return query.execute()
    except Exception as exc:  # backend errors → one line
        if isinstance(exc, DataError | UsageError):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the data engine could not aggregate {source.description!r}: {first}"
        ) from None


def _value_checks(t: Any, column: str, role: str, prefix: str) -> dict[str, Any]:
    """Aggregates counting missing, negative and infinite values of a flag/count column."""
    raw = t[column]
    x = _amount(t, column, role)
    aggs = {
        f"{prefix}_missing": t.count(where=_missing(raw)),
        f"{prefix}_negative": t.count(where=~_missing(raw) & (x < 0)),
    }
    if raw.type().is_floating():
        aggs[f"{prefix}_inf"] = t.count(where=~_missing(raw) & raw.isinf().fill_null(False))
    return aggs


def _raise_bad_values(frame: Any, column: str, role: str, prefix: str) -> None:
    n_missing = int(frame[f"{prefix}_missing"].sum())
    if n_missing:
        raise DataError(
            f"{role} column {column!r} has {n_missing} missing values; expected a value on "
            "every row (0 or false for none)"
        )
    n_inf = int(frame[f"{prefix}_inf"].sum()) if f"{prefix}_inf" in frame else 0
    if n_inf:
        raise DataError(f"{role} column {column!r} has {n_inf} infinite values; expected counts")
    n_neg = int(frame[f"{prefix}_negative"].sum())
    if n_neg:
        raise DataError(
            f"{role} column {column!r} has {n_neg} negative values; expected counts >= 0 or "
            "true/false"
        )


def _check_one_group_per_person(
    t: Any, source: DataSource, keys: dict[str, Any], person: str, cond: Any, group: str
) -> None:
    by = {"fm_person": t[person]}
    if "fm_ad" in keys:
        by["fm_ad"] = keys["fm_ad"]
    per_person = t.filter(cond).group_by(**by).aggregate(fm_ng=keys["fm_group"].nunique())
    n = int(_execute(per_person.filter(per_person.fm_ng > 1).count(), source))
    if n:
        raise DataError(
            f"{n} people (by {person!r}) belong to more than one group of {group!r} within "
            "an ad; expected one group per person"
        )


def _too_many_groups(frame: Any, group: str) -> None:
    n = frame["fm_group"].nunique()
    if n > DEFAULT_MAX_GROUPS:
        raise DataError(
            f"group column {group!r} has {n} levels, more than {DEFAULT_MAX_GROUPS}; expected a "
            "sensitive feature with few groups"
        )


def _one_table(
    source: DataSource,
    group: str,
    eligible: str,
    delivered: str,
    ad: str | None,
    person: str | None,
    kind: str,
) -> pd.DataFrame:
    t = source.table
    for column, role in (
        (group, "group"),
        (eligible, "eligible"),
        (delivered, "delivered"),
        (ad, "ad"),
        (person, "person id"),
    ):
        _require(t, column, role, source.description)
    e = _amount(t, eligible, "eligible")
    d = _amount(t, delivered, "delivered")
    keys = _keys(t, group, ad)
    aggs: dict[str, Any] = {
        **_value_checks(t, eligible, "eligible", "fm_e"),
        **_value_checks(t, delivered, "delivered", "fm_d"),
        "fm_e_sum": e.sum(),
        "fm_e_max": e.max(),
        "fm_d_sum": d.sum(),
        "fm_outside": t.count(where=(d > 0) & (e <= 0)),
    }
    if person is not None:
        p = t[person]
        aggs["fm_people"] = p.nunique(where=e > 0)
        aggs["fm_reach"] = p.nunique(where=(e > 0) & (d > 0))
        aggs["fm_p_missing"] = t.count(where=p.isnull() & ((e > 0) | (d > 0)))
    frame = _execute(t.group_by(**keys).aggregate(**aggs), source)
    if len(frame) == 0:
        raise DataError(f"{source.description!r} has no rows")
    _raise_bad_values(frame, eligible, "eligible", "fm_e")
    _raise_bad_values(frame, delivered, "delivered", "fm_d")
    _too_many_groups(frame, group)
    outside = int(frame["fm_outside"].sum())
    if outside:
        raise DataError(
            f"{outside} rows have a delivery ({delivered!r} > 0) but are not eligible "
            f"({eligible!r} is 0 or false); expected deliveries only within the eligible "
            "audience"
        )
    out = pd.DataFrame({"group": frame["fm_group"].astype(str)})
    out["ad"] = frame["fm_ad"].astype(str) if ad is not None else None
    if person is not None:
        if int(frame["fm_p_missing"].sum()):
            raise DataError(
                f"person id column {person!r} has {int(frame['fm_p_missing'].sum())} missing "
                "values on eligible or delivered rows; expected an id on every such row"
            )
        if float(frame["fm_e_max"].max()) > 1:
            raise DataError(
                f"with a person id, eligible column {eligible!r} must be a flag (0/1 or "
                "true/false), but it holds counts above 1"
            )
        _check_one_group_per_person(t, source, keys, person, (e > 0) | (d > 0), group)
        out["eligible"] = frame["fm_people"].astype("float64")
        out["reach"] = frame["fm_reach"].astype("float64")
    else:
        out["eligible"] = frame["fm_e_sum"].fillna(0.0).astype("float64")
    out[kind] = frame["fm_d_sum"].fillna(0.0).astype("float64")
    return out


def _two_tables(
    source: DataSource,
    dsource: DataSource,
    group: str,
    eligible: str,
    delivered: str,
    ad: str | None,
    person: str | None,
    kind: str,
) -> pd.DataFrame:
    t, u = source.table, dsource.table
    for column, role in ((group, "group"), (eligible, "eligible"), (ad, "ad")):
        _require(t, column, role, f"the eligible-audience data {source.description!r}")
    for column, role in (
        (group, "group"),
        (delivered, "delivered"),
        (ad, "ad"),
        (person, "person id"),
    ):
        _require(u, column, role, f"the delivered data {dsource.description!r}")
    e = _amount(t, eligible, "eligible")
    ea = _execute(
        t.group_by(**_keys(t, group, ad)).aggregate(
            **_value_checks(t, eligible, "eligible", "fm_e"), fm_e_sum=e.sum()
        ),
        source,
    )
    _raise_bad_values(ea, eligible, "eligible", "fm_e")
    d = _amount(u, delivered, "delivered")
    ukeys = _keys(u, group, ad)
    aggs: dict[str, Any] = {**_value_checks(u, delivered, "delivered", "fm_d"), "fm_d_sum": d.sum()}
    if person is not None:
        aggs["fm_reach"] = u[person].nunique(where=d > 0)
        aggs["fm_p_missing"] = u.count(where=u[person].isnull() & (d > 0))
    da = _execute(u.group_by(**ukeys).aggregate(**aggs), dsource)
    _raise_bad_values(da, delivered, "delivered", "fm_d")
    if person is not None:
        if int(da["fm_p_missing"].sum()):
            raise DataError(
                f"person id column {person!r} has {int(da['fm_p_missing'].sum())} missing "
                "values on delivered rows; expected an id on every such row"
            )
        _check_one_group_per_person(u, dsource, ukeys, person, d > 0, group)
    on = ["fm_group", "fm_ad"] if ad is not None else ["fm_group"]
    merged = ea[[*on, "fm_e_sum"]].merge(
        da[[*on, "fm_d_sum", *(["fm_reach"] if person else [])]], on=on, how="outer"
    )
    if len(merged) == 0:
        raise DataError(f"{source.description!r} has no rows")
    _too_many_groups(merged, group)
    out = pd.DataFrame({"group": merged["fm_group"].astype(str)})
    out["ad"] = merged["fm_ad"].astype(str) if ad is not None else None
    out["eligible"] = merged["fm_e_sum"].fillna(0.0).astype("float64")
    out[kind] = merged["fm_d_sum"].fillna(0.0).astype("float64")
    if person is not None:
        out["reach"] = merged["fm_reach"].fillna(0).astype("float64")
    return out


def _check_against_eligible(frame: pd.DataFrame, views: tuple[str, ...]) -> None:
    for row in frame.itertuples(index=False):
        where = f"group {row.group!r}" + (f" of ad {row.ad!r}" if row.ad is not None else "")
        delivered = max(getattr(row, v) for v in views)
        if row.eligible <= 0 and delivered > 0:
            raise DataError(
                f"{where} received deliveries but has no eligible audience; expected "
                "deliveries only to groups of the eligible audience"
            )
        if "reach" in views and row.reach > row.eligible:
            raise DataError(
                f"unique reach of {where} is {row.reach:g} people, larger than its eligible "
                f"audience of {row.eligible:g}; people reached cannot exceed the eligible "
                "audience (impressions may)"
            )


def delivery_cells(
    data: Any,
    *,
    group: str,
    eligible: str,
    delivered: str,
    ad: str | None = None,
    person_id: str | None = None,
    delivered_data: Any = None,
    delivered_kind: str = "impressions",
) -> DeliveryCells:
    """Aggregate the eligible audience and the deliveries per (ad, group).

    Parameters
    ----------
    data, delivered_data, group, eligible, delivered, ad, person_id, delivered_kind
        See :func:`fairmark.fairness.delivery.delivery_skew`.

    Returns
    -------
    DeliveryCells

    Raises
    ------
    DataError
        A missing column (the available ones are listed), a flag/count column of text, a
        missing, negative or infinite flag/count, deliveries to rows or groups outside the
        eligible audience, a unique reach above the eligible audience, a person in two
        groups of one ad, an eligible count above 1 with a person id, empty data.
    UsageError
        ``delivered_kind`` other than ``impressions`` or ``reach``, or ``reach`` together
        with ``person_id``.
    """
    if delivered_kind not in {"impressions", "reach"}:
        raise UsageError(f"delivered_kind must be impressions or reach, got {delivered_kind!r}")
    if delivered_kind == "reach" and person_id is not None:
        raise UsageError(
            "delivered_kind='reach' says the delivered column already counts people; with "
            "person_id fairmark counts them itself: give one or the other"
        )
    source = as_table(data)
    if delivered_data is None:
        frame = _one_table(source, group, eligible, delivered, ad, person_id, delivered_kind)
        mode, description = "one_table", source.description
    else:
        dsource = as_table(delivered_data)
        frame = _two_tables(
            source, dsource, group, eligible, delivered, ad, person_id, delivered_kind
        )
        mode = "two_tables"
        description = f"{source.description} (eligible) + {dsource.description} (delivered)"
    views: tuple[str, ...] = (delivered_kind,)
    if person_id is not None:
        views = ("impressions", "reach")
    _check_against_eligible(frame, views)
    return DeliveryCells(frame.reset_index(drop=True), views, mode, description)
