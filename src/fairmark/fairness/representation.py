"""``fairmark.representation``: is the training data as diverse as the population it serves?

A model learns little about groups that are rare in its training data (representation
bias: Suresh & Guttag 2021, *A framework for understanding sources of harm throughout the
machine learning life cycle*, EAAMO; ISO/IEC TR 24027:2021). This compares the group
composition of a data set, counted by one engine group-by, with a reference population
given as shares (e.g. census margins)::

    observed_share_g        = n_g / n_used                 Wilson interval
    representation_ratio_g  = observed_share_g / reference_share_g
                              interval: Wilson bounds / reference_share_g (the reference is
                              taken as exact)

A group is flagged as under-represented when its ratio is below the flag bound (the
``min`` of the policy's ``fairness.representation_ratio`` rule, else 0.8), or when it is
listed in the reference but has fewer than ``min_group_size`` rows (it is then not
estimated and its count is not shown). Groups found in the data but not in the reference
(reason ``not_in_reference``) and reference groups absent from the data (ratio 0) are
reported, never dropped. Rows without a value are counted apart and are not a group.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmark.engine.cube import _feature_expr
from fairmark.engine.source import as_table
from fairmark.errors import DataError, Reason, UsageError
from fairmark.fairness import stats
from fairmark.fairness.reference_shares import ReferenceShares, load_reference_shares
from fairmark.fairness.representation_result import RepresentationGroup, RepresentationResult
from fairmark.fairness.result import Estimate
from fairmark.fairness.spec import (
    DEFAULT_MAX_GROUPS,
    DEFAULT_MIN_GROUP_SIZE,
    MISSING_LABEL,
    SensitiveFeature,
    parse_binning,
)

__all__ = ["DEFAULT_FLAG_BOUND", "RepresentationResult", "representation"]

#: Representation ratio below which a group is flagged when neither the call nor the
#: policy sets a bound (the four-fifths rule's 0.8, 29 CFR 1607.4(D), as a convention).
DEFAULT_FLAG_BOUND = 0.8
CHECK_ID = "fairness.representation_ratio"


def _count_groups(data: Any, feature: SensitiveFeature) -> tuple[str, dict[str, int]]:
    source = as_table(data)
    t = source.table
    if feature.column not in t.columns:
        shown = ", ".join(list(t.columns)[:40]) + (" …" if len(t.columns) > 40 else "")
        raise DataError(f"column {feature.column!r} not found; available columns: {shown}")
    expr, _ = _feature_expr(t, feature)
    query = t.group_by(fm_group=expr).aggregate(fm_n=t.count()).limit(DEFAULT_MAX_GROUPS + 2)
    try:
        frame = query.execute()
    except Exception as exc:  # backend errors → one line
        if isinstance(exc, DataError | UsageError):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"the data engine could not aggregate {source.description!r}: {first}"
        ) from None
    counts = {str(g): int(n) for g, n in zip(frame["fm_group"], frame["fm_n"], strict=True)}
    if len(counts) > DEFAULT_MAX_GROUPS + 1:
        raise DataError(
            f"column {feature.column!r} has more than {DEFAULT_MAX_GROUPS} levels; expected a "
            "sensitive feature with few groups (bin a numeric column: bins= or --bin)"
        )
    if not counts:
        raise DataError(f"{source.description!r} has no rows")
    description = str(data) if isinstance(data, str | os.PathLike) else source.description
    return description, counts


def _flag_bound(policy: Any, feature: str, min_ratio: float | None) -> tuple[float, str]:
    if min_ratio is not None:
        if (
            isinstance(min_ratio, bool)
            or not isinstance(min_ratio, int | float)
            or not (0 < float(min_ratio) <= 1)
        ):
            raise UsageError(
                f"min_ratio (--min-ratio) must be a number in (0, 1], got {min_ratio!r}"
            )
        return float(min_ratio), "argument"
    for rule in getattr(policy, "rules", ()):
        if rule.check == CHECK_ID and rule.min is not None and rule.scope.contains(feature):
            return float(rule.min), f"policy rule {rule.id}"
    return DEFAULT_FLAG_BOUND, "default"


def _check_labels(ref: ReferenceShares, data_only: list[str], column: str) -> None:
    """Refuse labels that differ only in case or spaces: a typo, not a missing group."""
    norm = {" ".join(g.split()).casefold(): g for g in ref.shares if g not in data_only}
    for label in data_only:
        match = norm.get(" ".join(label.split()).casefold())
        if match is not None:
            raise UsageError(
                f"reference group {match!r} does not match the data's group {label!r} of "
                f"column {column!r} (they differ only in case or spaces); write the labels "
                "exactly as in the data"
            )


def _group(
    label: str, n: int, n_used: int, ref_share: float | None, min_n: int, bound: float, conf: float
) -> RepresentationGroup:
    suppressed = 0 < n < min_n
    if suppressed:
        undefined = Estimate(None, reason=Reason.BELOW_MIN_GROUP_SIZE.value)
        return RepresentationGroup(
            label,
            True,
            ref_share is not None,
            True,
            None,
            undefined,
            ref_share,
            undefined,
            ref_share is not None,
        )
    lo, hi = stats.wilson_interval(n, n_used, conf)
    observed = Estimate(n / n_used, lo, hi)
    if ref_share is None:
        ratio = Estimate(None, reason=Reason.NOT_IN_REFERENCE.value)
        return RepresentationGroup(label, True, False, False, n, observed, None, ratio, False)
    assert lo is not None and hi is not None
    value = n / n_used / ref_share
    ratio = Estimate(value, lo / ref_share, hi / ref_share)
    return RepresentationGroup(
        label, n > 0, True, False, n, observed, ref_share, ratio, value < bound
    )


def representation(
    data: Any,
    *,
    sensitive_feature: str,
    reference: str | os.PathLike[str] | Mapping[Any, Any],
    bins: Sequence[float] | str | None = None,
    min_ratio: float | None = None,
    policy: Any = None,
    min_group_size: int | None = None,
    confidence_level: float | None = None,
) -> RepresentationResult:
    """Compare the group composition of a training set with a reference population.

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        The training data, one row per person (see :func:`fairmark.engine.as_table`).
        Only one engine group-by runs over it.
    sensitive_feature : str
        Column whose groups are compared (e.g. ``sex``, ``race``).
    reference : path or mapping
        The reference population's shares: a ``group,share`` CSV, a YAML file or a
        mapping (see :func:`fairmark.fairness.reference_shares.load_reference_shares`).
        Shares must sum to 1 ± 0.01. Labels must be written as the engine labels the
        column's values (text as is; ``true``/``false``; ``1`` for 1.0).
    bins : list of float or "age", optional
        Cut a numeric column into bands first (as ``bins`` of an audit's sensitive
        feature; ``"age"`` gives ``<25 … 65+``); the reference then lists the bands.
    min_ratio : float, optional
        Flag groups whose representation ratio is below this; default: the ``min`` of the
        policy's ``fairness.representation_ratio`` rule for this feature, else 0.8.
    policy : str, path or Policy, optional
        Policy to judge the ``representation`` checks against (default: built-in).
    min_group_size : int, optional
        Groups with fewer rows are not estimated and their counts not shown (default: the
        policy's setting, else 30).
    confidence_level : float, optional
        Level of the Wilson intervals (default: the policy's setting, else 0.95).

    Returns
    -------
    RepresentationResult
        ``groups`` with observed and reference shares, ratios and flags; the policy verdict
        (``run_kind="representation"``); ``to_dict()`` is the ``--format json`` document.

    Raises
    ------
    UsageError
        Reference shares that do not sum to 1 ± 0.01 (the message names the sum), a bad
        reference file, labels that differ from the data's only in case or spaces, a
        reference none of whose groups occurs in the column, a bad
        ``min_ratio``/``min_group_size``/``confidence_level``.
    DataError
        Missing column (the available ones are listed), empty data, no value in the
        column, a column with more than 1,000 levels, binning of a non-numeric column.
    PolicyError
        A malformed policy.

    Examples
    --------
    >>> import pandas as pd
    >>> from fairmark.fairness.representation import representation
    >>> df = pd.DataFrame({"sex": ["F"] * 30 + ["M"] * 70})
    >>> r = representation(df, sensitive_feature="sex", reference={"F": 0.5, "M": 0.5})
    >>> [(g.group, round(g.representation_ratio.value, 2), g.flagged) for g in r.groups]
    [('F', 0.6, True), ('M', 1.4, False)]
    """
    from fairmark.checks import get_registry
    from fairmark.policy import evaluate, load_policy

    pol = load_policy(policy if policy is not None else "default")
    settings = pol.settings
    min_n = min_group_size if min_group_size is not None else settings.min_group_size
    min_n = DEFAULT_MIN_GROUP_SIZE if min_n is None else min_n
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 0:
        raise UsageError(f"min_group_size must be a whole number >= 0, got {min_n!r}")
    conf = confidence_level if confidence_level is not None else settings.confidence_level
    conf = 0.95 if conf is None else conf
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0 < conf < 1:
        raise UsageError(f"confidence_level must be in (0, 1), got {conf!r}")
    if not isinstance(sensitive_feature, str) or not sensitive_feature:
        raise UsageError("sensitive_feature must name one column of the data")
    binning = None if bins is None else parse_binning(bins, sensitive_feature)
    feature = SensitiveFeature(
        column=sensitive_feature,
        name=f"{sensitive_feature}_band" if binning else sensitive_feature,
        binning=binning,
    )
    ref = load_reference_shares(reference)
    if isinstance(reference, str | os.PathLike):
        ref = replace(ref, location=str(Path(reference)))
    description, counts = _count_groups(data, feature)
    n_rows = sum(counts.values())
    n_missing = 0 if MISSING_LABEL in ref.shares else counts.pop(MISSING_LABEL, 0)
    n_used = sum(counts.values())
    if n_used == 0:
        raise DataError(f"column {sensitive_feature!r} has no values: every row is missing")
    data_only = sorted(g for g in counts if g not in ref.shares)
    _check_labels(ref, data_only, sensitive_feature)
    if not any(counts.get(g, 0) for g in ref.shares):
        shown = ", ".join(repr(g) for g in data_only[:10]) + (" …" if len(data_only) > 10 else "")
        raise UsageError(
            f"no group of the reference occurs in column {sensitive_feature!r} (its groups: "
            f"{shown}); expected a reference describing this column's groups"
        )
    bound, bound_source = _flag_bound(pol, feature.name, min_ratio)
    groups = tuple(
        _group(label, counts.get(label, 0), n_used, share, min_n, bound, float(conf))
        for label, share in [*ref.shares.items(), *((g, None) for g in data_only)]
    )
    result = RepresentationResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        data_description=description,
        feature=feature.name,
        column=sensitive_feature,
        bins=None if binning is None else binning.edges,
        reference=ref,
        groups=groups,
        n_rows=n_rows,
        n_used=n_used,
        n_missing=None if 0 < n_missing < min_n else n_missing,
        has_missing=n_missing > 0,
        min_group_size=min_n,
        confidence_level=float(conf),
        flag_bound=bound,
        flag_bound_source=bound_source,
    )
    measurements = tuple(
        m
        for check in get_registry().values()
        if check.input == "representation"
        for m in check.measure(result)
    )
    outcome = evaluate(pol, measurements, confidence_level=float(conf), run_kind="representation")
    return replace(result, measurements=measurements, outcome=outcome, policy=pol)
