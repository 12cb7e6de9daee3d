"""The one engine query behind k-anonymity: equivalence classes folded into a size histogram.

An *equivalence class* is the set of records that share one combination of
quasi-identifier values (Sweeney 2002, IJUFKS 10(5), §2). :func:`class_size_profile`
groups the records by the quasi-identifiers, counts each class and, with a sensitive
column, the entropy inputs of its sensitive values, then folds the classes into a
histogram ``class size -> number of classes`` in the same SQL statement (nested
aggregates). Only that histogram leaves the engine: never a row, never the
quasi-identifier values of a class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.privacy.kanon_result import ClassSizeBin

__all__ = ["ClassSizeProfile", "class_size_profile", "class_size_profiles"]


@dataclass(frozen=True)
class ClassSizeProfile:
    """The class-size histogram and the per-class aggregates folded into it.

    Attributes
    ----------
    histogram : tuple of ClassSizeBin
        Class sizes present, ascending (empty for a table without rows).
    records_with_missing_qi : int
        Records whose quasi-identifiers include a missing value.
    distinct_l : int or None
        Fewest distinct sensitive values in any class (``None`` without a sensitive
        column).
    entropy_l : float or None
        ``exp`` of the smallest per-class entropy (natural log) of the sensitive values.
    homogeneous_classes, records_in_homogeneous_classes : int
        Classes with one sensitive value and their records (0 without a sensitive column).
    """

    histogram: tuple[ClassSizeBin, ...]
    records_with_missing_qi: int
    distinct_l: int | None
    entropy_l: float | None
    homogeneous_classes: int
    records_in_homogeneous_classes: int

    @property
    def n_records(self) -> int:
        """Records over all classes."""
        return sum(b.records for b in self.histogram)

    @property
    def n_classes(self) -> int:
        """Number of equivalence classes."""
        return sum(b.classes for b in self.histogram)

    @property
    def k_achieved(self) -> int:
        """Size of the smallest class (0 for a table without rows)."""
        return self.histogram[0].size if self.histogram else 0

    def records_below(self, k: int) -> int:
        """Records in classes of fewer than ``k`` records."""
        return sum(b.records for b in self.histogram if b.size < k)

    def classes_below(self, k: int) -> int:
        """Classes of fewer than ``k`` records."""
        return sum(b.classes for b in self.histogram if b.size < k)


def _histogram(table: Any, quasi_identifiers: Mapping[str, Any], sensitive: Any) -> Any:
    """The Ibis expression of the class-size histogram (see :func:`class_size_profile`)."""
    import ibis

    names = [f"q{i}" for i in range(len(quasi_identifiers))]
    columns = dict(zip(names, quasi_identifiers.values(), strict=True))
    if sensitive is not None:
        columns["s"] = sensitive
    base = table.select(**columns) if columns else table.select(_one=ibis.literal(1))
    if sensitive is None:
        source, size = base, base.count()
        extra: dict[str, Any] = {}
    else:
        # inner aggregation: records per (class, sensitive value)
        source = base.group_by([*names, "s"]).aggregate(c=base.count())
        c = source.c.cast("float64")
        size = source.c.sum()
        extra = {"n_values": source.count(), "clogc": (c * c.ln()).sum()}
    if names:
        missing = ibis.or_(*[source[n].isnull() for n in names])
        classes = source.group_by(names).aggregate(n=size, missing=missing.any(), **extra)
    else:  # every quasi-identifier dropped: one class holds every record
        classes = source.aggregate(n=size, **extra).mutate(missing=ibis.literal(False))
    if sensitive is None:
        classes = classes.mutate(n_values=ibis.literal(1, "int64"), clogc=ibis.literal(0.0))
    classes = classes.mutate(h=classes.n.cast("float64").ln() - classes.clogc / classes.n)
    return classes.group_by("n").aggregate(
        classes=classes.count(),
        min_values=classes.n_values.cast("int64").min(),
        min_h=classes.h.cast("float64").min(),
        homogeneous=(classes.n_values == 1).ifelse(1, 0).cast("int64").sum(),
        missing=classes.missing.ifelse(classes.n, 0).cast("int64").sum(),
    )


def _profile(frame: Any, has_sensitive: bool) -> ClassSizeProfile:
    rows = sorted(
        (int(r.n), int(r.classes), int(r.min_values), float(r.min_h), int(r.homogeneous),
         int(r.missing))
        for r in frame.itertuples(index=False)
        if int(r.classes) > 0 and int(r.n) > 0
    )  # fmt: skip
    histogram = tuple(ClassSizeBin(size=r[0], classes=r[1]) for r in rows)
    has_sensitive = has_sensitive and bool(rows)
    return ClassSizeProfile(
        histogram=histogram,
        records_with_missing_qi=sum(r[5] for r in rows),
        distinct_l=min(r[2] for r in rows) if has_sensitive else None,
        # H >= 0 in exact arithmetic; clip the rounding error of ln n - Σ c ln c / n.
        entropy_l=math.exp(max(0.0, min(r[3] for r in rows))) if has_sensitive else None,
        homogeneous_classes=sum(r[4] for r in rows) if has_sensitive else 0,
        records_in_homogeneous_classes=sum(r[0] * r[4] for r in rows) if has_sensitive else 0,
    )


def class_size_profile(
    table: Any, quasi_identifiers: Mapping[str, Any], sensitive: Any = None
) -> ClassSizeProfile:
    """Measure the equivalence classes of ``quasi_identifiers`` in one engine query.

    Parameters
    ----------
    table : ibis.Table
        The records, one per row, on any Ibis backend.
    quasi_identifiers : mapping of str to ibis.Value
        ``name -> column expression of table`` (a column, or a generalised column such as
        ``floor(age / 10) * 10``). Empty: every record is in one class.
    sensitive : ibis.Value, optional
        The sensitive column of ``table``, for l-diversity.

    Returns
    -------
    ClassSizeProfile

    Notes
    -----
    SQL ``GROUP BY`` puts every missing value of a column in one group, so a missing
    value is a value of its own, for the quasi-identifiers and for the sensitive column.

    Without a sensitive column the query is ``GROUP BY qi`` (class size ``n``) then
    ``GROUP BY n`` (the histogram). With one, the classes come from a second, inner
    aggregation ``GROUP BY qi, sensitive`` (count ``c`` per value): per class
    ``n = Σ c``, distinct values ``= count(*)`` and ``Σ c ln c``, from which the entropy
    is ``H = ln n − Σ c ln c / n`` (= ``−Σ (c/n) ln (c/n)``). Still one statement.
    """
    frame = _histogram(table, quasi_identifiers, sensitive).execute()
    return _profile(frame, sensitive is not None)


def class_size_profiles(
    table: Any, variants: Sequence[Mapping[str, Any]]
) -> list[ClassSizeProfile]:
    """Measure several sets of quasi-identifiers (no sensitive column) in one engine query.

    Parameters
    ----------
    table : ibis.Table
    variants : sequence of mappings
        Each as ``quasi_identifiers`` of :func:`class_size_profile` (e.g. the same columns
        generalised in different ways).

    Returns
    -------
    list of ClassSizeProfile
        One per variant, in order. The histograms are tagged with the variant's position
        and combined with ``UNION ALL``: one statement, only histograms leave the engine.
    """
    import ibis

    if not variants:
        return []
    parts = [
        _histogram(table, v, None).mutate(_variant=ibis.literal(i, "int64"))
        for i, v in enumerate(variants)
    ]
    frame = ibis.union(*parts, distinct=False).execute() if len(parts) > 1 else parts[0].execute()
    return [_profile(frame[frame["_variant"] == i], False) for i in range(len(variants))]
