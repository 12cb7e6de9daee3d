"""``fairmark.proxies``: which features stand in for a sensitive attribute.

Leaving ``sex`` or ``age`` out of a targeting model does not keep it from treating
groups differently when other features carry the same information (``relationship =
Husband``, a postcode, a job title). For every candidate feature and every sensitive
feature this measures the association from contingency tables the engine builds,
ranks the features, flags those above the policy's bound (check
``fairness.proxy_association``, default 0.3) and, with a model on a bounded sample,
measures how well all features together predict the sensitive attribute.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from fairmark.checks.base import Measurement
from fairmark.engine.source import as_table
from fairmark.errors import DataError, Reason, UsageError
from fairmark.fairness.proxy_joint import redundant_encoding_auc
from fairmark.fairness.proxy_measures import correlation_ratio, cramers_v, normalized_mutual_info
from fairmark.fairness.proxy_result import (
    DEFAULT_PROXY_BOUND,
    ProxyAssociation,
    ProxyMetrics,
    RedundantEncoding,
)
from fairmark.fairness.proxy_tables import (
    CandidateFeature,
    FeatureProfile,
    classify_features,
    contingency_frame,
    draw_sample,
    profile_features,
)
from fairmark.fairness.spec import MISSING_LABEL, SensitiveFeature, _parse_features

__all__ = ["CHECK_ID", "SCHEMA_VERSION", "ProxyResult", "proxies"]

SCHEMA_VERSION = "1.0"
CHECK_ID = "fairness.proxy_association"
DEFAULT_MIN_GROUP_SIZE = 30


@dataclass(frozen=True)
class ProxyResult:
    """The result of one proxy-detection run: associations, joint test, policy verdict.

    Attributes
    ----------
    run_id : str
        UUID4 of the run.
    created_at : datetime
        UTC time the run finished.
    metrics : ProxyMetrics
        Ranked associations and the joint test (the input of the ``"proxies"`` checks).
    measurements : tuple of Measurement
        What the ``"proxies"`` checks measured.
    outcome : fairmark.policy.PolicyOutcome
        Findings, per-rule and overall verdicts (only rules of ``"proxies"`` checks).
    policy : fairmark.policy.Policy
    data_description : str
    settings : dict
        The arguments of the run, JSON-ready.
    """

    run_id: str
    created_at: datetime
    metrics: ProxyMetrics
    measurements: tuple[Measurement, ...]
    outcome: Any
    policy: Any
    data_description: str
    settings: dict[str, Any]

    @property
    def proxies(self) -> tuple[ProxyAssociation, ...]:
        """The ranked associations (``proxies[]`` of the document)."""
        return self.metrics.associations

    @property
    def flagged(self) -> tuple[ProxyAssociation, ...]:
        """The associations above their bound."""
        return tuple(a for a in self.metrics.associations if a.flagged)

    @property
    def verdict(self) -> str:
        """Overall verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return str(self.outcome.verdict)

    @property
    def exit_code(self) -> int:
        """0 for pass/warn, 1 for fail or insufficient evidence."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)

    def to_dict(self, *, disclosure_control: bool = True) -> dict[str, Any]:
        """Return the result document (``fairmark proxies --format json`` writes it).

        Parameters
        ----------
        disclosure_control : bool, default True
            Apply small-cell suppression and differencing protection with the policy's
            ``settings.k_anonymity`` (default 10;
            :func:`fairmark.report.disclosure_control.protect_document`): the published
            document. ``False`` gives the complete document (internal use).
        """
        doc = self._complete_dict()
        if not disclosure_control:
            return doc
        from fairmark.report.disclosure_control import policy_k, protect_document

        return protect_document(doc, k=policy_k(self.policy))

    def _complete_dict(self) -> dict[str, Any]:
        """The document before disclosure control (see :meth:`to_dict`).

        Keys: ``schema_version, kind ("proxies"), run_id, created_at, tool_version,
        data, settings, summary, proxies[], redundant_encoding_auc, policy, verdict,
        findings[], rules[]``. ``proxies[]`` items: ``feature, sensitive_feature,
        association, measure, nmi, flagged, reason, bound, rank, kind, n_levels,
        n_missing, bin_edges``; ``redundant_encoding_auc`` maps each sensitive feature to
        ``{value, std, n_sample, n_classes, groups_left_out, model, cv_folds, reason}``.
        No count of any group is included.
        """
        from fairmark import __version__

        m = self.metrics
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "proxies",
            "run_id": self.run_id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": __version__,
            "data": self.data_description,
            "settings": self.settings,
            "summary": {
                "n_rows": m.n_rows,
                "sensitive_features": list(m.sensitive_features),
                "features": sorted({a.feature for a in m.associations}),
                "n_flagged": len(self.flagged),
                "bounds": dict(m.bounds),
            },
            "proxies": [a.to_dict() for a in m.associations],
            "redundant_encoding_auc": {k: v.to_dict() for k, v in m.redundant_encoding.items()},
            "policy": self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.outcome.findings],
            "rules": [r.to_dict() for r in self.outcome.rules],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def _whole(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
        high is not None and value > high
    ):
        upto = f" and <= {high}" if high is not None else ""
        raise UsageError(f"{name} must be a whole number >= {low}{upto}, got {value!r}")
    return value


def _names(name: str, value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{name} must be a column name or a list of them, got {value!r}")
    return list(value)


def _load_policy(policy: Any) -> Any:
    from fairmark.policy import Policy, load_policy

    if isinstance(policy, Policy):
        return policy
    return load_policy(policy if policy is not None else "default")


def _bounds(policy: Any, names: Sequence[str]) -> dict[str, float]:
    """The smallest ``max`` of the policy's proxy rules in scope of each feature."""
    out = {}
    for name in names:
        maxima = [
            r.max
            for r in policy.rules
            if r.check == CHECK_ID and r.max is not None and r.scope.contains(name)
        ]
        out[name] = float(min(maxima)) if maxima else DEFAULT_PROXY_BOUND
    return out


def _parse_sensitive(value: Any) -> list[SensitiveFeature]:
    feats = _parse_features(value)
    columns = [f.column for f in feats]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise UsageError(
            f"sensitive feature column(s) {repeated} given more than once; give each once"
        )
    names = [f.name for f in feats]
    if len(set(names)) != len(names):
        raise UsageError(f"sensitive feature names must be unique, got {names}")
    return feats


def _associations(
    frame: Any,
    profiles: Mapping[str, FeatureProfile],
    sensitive: Sequence[SensitiveFeature],
    max_levels: int,
) -> list[tuple[str, str, str, float | None, float | None, str | None, int]]:
    """Return ``(feature, sensitive, measure, association, nmi, reason, n_levels)`` rows."""
    out = []
    for s in sensitive:
        part = frame[frame["sensitive"] == s.name]
        groups = sorted(part["group"].unique())
        if len(groups) > max_levels:
            raise DataError(
                f"sensitive feature {s.name!r} has {len(groups):,} levels, more than "
                f"max_levels={max_levels}; bin it or raise max_levels"
            )
        if len(groups) < 2:
            only = groups[0] if groups else "none"
            raise DataError(
                f"sensitive feature {s.name!r} has a single value ({only!r}); nothing can be "
                "a proxy for it: expected at least two groups"
            )
        for column, p in profiles.items():
            cells = part[part["feature"] == column]
            table = cells.pivot_table(
                index="level", columns="group", values="n", aggfunc="sum", fill_value=0
            )
            n_levels = int(table.shape[0])
            if p.kind == "categorical" and n_levels > max_levels:
                raise DataError(
                    f"feature {column!r} has {n_levels:,} distinct values, more than "
                    f"max_levels={max_levels} (an identifier?); exclude it "
                    f"(--exclude {column}) or raise max_levels"
                )
            nmi, _ = normalized_mutual_info(table.to_numpy())
            if p.kind == "categorical":
                value, reason = cramers_v(table.to_numpy())
                measure = "cramers_v"
            else:
                measure = "correlation_ratio"
                if p.constant:
                    value, reason = None, Reason.SINGLE_LEVEL.value
                else:
                    value, reason = _eta(cells)
            out.append((column, s.name, measure, value, nmi, reason, n_levels))
    return out


def _eta(cells: Any) -> tuple[float | None, str | None]:
    """η from the (bin, group) moments, pooled exactly into per-group moments.

    Pooling: ``n = Σ n_b``, ``mean = Σ n_b mean_b / n``,
    ``M2 = Σ (n_b var_b + n_b (mean_b − mean)²)`` (Chan, Golub & LeVeque, "Algorithms
    for computing the sample variance", *Am. Stat.* 37 (1983) 242).
    """
    valued = cells[cells["level"] != MISSING_LABEL]
    rows = []
    for _, g in valued.groupby("group", sort=True):
        n = g["n"].to_numpy(dtype=float)
        mu = g["mean"].to_numpy(dtype=float)
        m2 = g["var"].to_numpy(dtype=float) * n
        total = n.sum()
        mean = float((n * mu).sum() / total)
        rows.append((total, mean, float(m2.sum() + (n * (mu - mean) ** 2).sum())))
    if not rows:
        return None, Reason.SINGLE_LEVEL.value
    counts, means, sums = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    return correlation_ratio(counts, means, sums)


def _rank(
    rows: list[tuple[str, str, str, float | None, float | None, str | None, int]],
    profiles: Mapping[str, FeatureProfile],
    bounds: Mapping[str, float],
) -> tuple[ProxyAssociation, ...]:
    def key(r: tuple[Any, ...]) -> tuple[Any, ...]:
        value, nmi = r[3], r[4]
        return (value is None, -(value or 0.0), -(nmi or 0.0), r[1], r[0])

    ordered = sorted(rows, key=key)
    ranks: dict[str, int] = {}
    out = []
    for feature, sens, measure, value, nmi, reason, n_levels in ordered:
        ranks[sens] = ranks.get(sens, 0) + 1
        p = profiles[feature]
        bound = bounds[sens]
        out.append(
            ProxyAssociation(
                feature=feature,
                sensitive_feature=sens,
                kind=p.kind,
                measure=measure,  # type: ignore[arg-type]
                association=value,
                nmi=nmi,
                reason=reason,
                flagged=value is not None and value > bound,
                bound=bound,
                rank=ranks[sens],
                n_levels=n_levels,
                n_missing=p.n_missing,
                bin_edges=p.edges,
            )
        )
    return tuple(out)


def _joint(
    source: Any,
    features: Sequence[CandidateFeature],
    sensitive: Sequence[SensitiveFeature],
    *,
    sample_size: int,
    random_state: int,
    cv_folds: int,
    min_group_size: int,
) -> dict[str, RedundantEncoding]:
    sample = draw_sample(
        source, features, sensitive, sample_size=sample_size, random_state=random_state
    )
    return {
        s.name: redundant_encoding_auc(
            sample,
            features,
            f"s{j}",
            s.name,
            cv_folds=cv_folds,
            random_state=random_state,
            min_group_size=min_group_size,
        )
        for j, s in enumerate(sensitive)
    }


def proxies(
    data: Any,
    *,
    sensitive_features: str | Sequence[str | Mapping[str, Any]] | Mapping[str, Any],
    exclude: str | Sequence[str] = (),
    categorical: str | Sequence[str] = (),
    bins: int = 10,
    sample_size: int = 20_000,
    random_state: int = 0,
    policy: Any = None,
    joint: bool = True,
    cv_folds: int = 5,
    max_levels: int = 1000,
    min_group_size: int | None = None,
) -> ProxyResult:
    """Find the features that stand in for a sensitive attribute (proxy detection).

    For every candidate feature (every column except the sensitive ones and
    ``exclude``) and every sensitive feature, the association is computed from a
    contingency table built by the data engine (one group-by per pair, all in one
    ``UNION ALL`` query; Python receives only the aggregated cells), the features are
    ranked, and those whose association exceeds the policy's bound are flagged and
    judged by the check ``fairness.proxy_association``.

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        One row per person (see :func:`fairmark.engine.as_table`).
    sensitive_features : str, dict or list of them
        Sensitive columns; a dict ``{column, name, bins, labels}`` bins a numeric column
        (``{"column": "age", "bins": "age"}`` gives ``age_band``: <25, 25-34 … 65+).
        Missing values form the group ``(missing)``.
    exclude : str or list of str, optional
        Columns that are not candidate features (customer id, label, model score …).
    categorical : str or list of str, optional
        Numeric columns to treat as categorical (codes such as a region number).
        Text, boolean and pandas categorical columns are always categorical.
    bins : int, default 10
        Quantile bins of numeric features for the NMI table (2 to 1000).
    sample_size : int, default 20000
        Most rows drawn by the engine for the joint test (>= 100).
    random_state : int, default 0
        Seed of the sample, the folds and the model (>= 0).
    policy : str, path or Policy, optional
        Default: the built-in ``fairmark-default`` policy. Its rules for
        ``fairness.proxy_association`` set the flagging bound (the smallest ``max`` in
        scope of the sensitive feature; 0.3 when none).
    joint : bool, default True
        Run the joint (model-based) test.
    cv_folds : int, default 5
        Stratified folds of the joint test (2 to 20).
    max_levels : int, default 1000
        Refuse a categorical feature or sensitive feature with more distinct values.
    min_group_size : int, optional
        Groups smaller than this in the sample are left out of the joint test; default
        the policy's ``settings.min_group_size``, else 30.

    Returns
    -------
    ProxyResult
        ``to_dict()`` gives the document ``fairmark proxies --format json`` writes.

    Raises
    ------
    UsageError
        Bad arguments: no or repeated sensitive features, a sensitive column also in
        ``exclude``, a column excluded twice, out-of-range numbers, no candidate left.
    DataError
        A missing column (the available ones are listed), no rows, a sensitive feature
        with a single value or too many levels, an identifier-like categorical feature
        (more than ``max_levels`` values), infinite numbers, an unsupported column type.
    PolicyError
        An unreadable or invalid policy.

    Notes
    -----
    Measures (all in [0, 1], see :mod:`fairmark.fairness.proxy_measures`):

    * categorical feature: bias-corrected Cramér's V (Bergsma 2013, *J. Korean Stat.
      Soc.* 42:323) of the (level × group) table, missing values a level;
    * numeric feature: correlation ratio η of the feature *given* the sensitive groups
      (the share of the feature's variance explained by the groups; Pearson 1905), from
      per-group counts, means and variances of the non-missing values; a feature with
      fewer than two distinct values has ``None`` with reason ``single_level``;
    * both: normalised mutual information ``I / mean(H_feature, H_group)`` (sklearn's
      ``normalized_mutual_info_score`` default), numeric features after quantile
      binning (bin edges from the engine's approximate quantiles; reported).

    Cramér's V and η are both 0 for no association and 1 for a deterministic one, and
    for two groups η is the absolute point-biserial correlation, so they are ranked
    together; ties are broken by NMI.

    Joint test: rows leave the engine only here, bounded: at most ``sample_size`` rows
    (ordered by a seeded hash of their content, the first kept: deterministic for a
    given ``random_state``), on which ``HistGradientBoostingClassifier`` predicts each
    sensitive feature from all candidate features; ``redundant_encoding_auc`` is its
    mean cross-validated ROC AUC (macro one-vs-rest beyond two groups).

    Examples
    --------
    >>> import pandas as pd, fairmark.fairness.proxies as fp
    >>> df = pd.DataFrame({"sex": list("ffmm") * 25, "title": list("ABCC") * 25,
    ...                    "spend": [1.0, 2.0, 3.0, 4.0] * 25})
    >>> r = fp.proxies(df, sensitive_features="sex", joint=False)
    >>> [(a.feature, a.measure, a.flagged) for a in r.proxies]
    [('title', 'cramers_v', True), ('spend', 'correlation_ratio', True)]
    """
    from fairmark.checks import get_registry
    from fairmark.policy import evaluate

    exclude_list = _names("exclude", exclude)
    categorical_list = _names("categorical", categorical)
    _whole("bins", bins, 2, 1000)
    _whole("sample_size", sample_size, 100)
    _whole("random_state", random_state, 0)
    _whole("cv_folds", cv_folds, 2, 20)
    _whole("max_levels", max_levels, 2)
    if not isinstance(joint, bool):
        raise UsageError(f"joint must be true or false, got {joint!r}")
    pol = _load_policy(policy)
    if min_group_size is None:
        min_group_size = pol.settings.min_group_size or DEFAULT_MIN_GROUP_SIZE
    _whole("min_group_size", min_group_size, 1)
    sensitive = _parse_sensitive(sensitive_features)

    source = as_table(data)
    features = classify_features(source, sensitive, exclude_list, categorical_list)
    n_rows, profiles = profile_features(
        source, features, sensitive, bins=bins, max_levels=max_levels
    )
    frame = contingency_frame(source, [profiles[f.column] for f in features], sensitive)
    rows = _associations(frame, profiles, sensitive, max_levels)
    names = [s.name for s in sensitive]
    bounds = _bounds(pol, names)
    associations = _rank(rows, profiles, bounds)
    joint_result = (
        _joint(
            source,
            features,
            sensitive,
            sample_size=sample_size,
            random_state=random_state,
            cv_folds=cv_folds,
            min_group_size=min_group_size,
        )
        if joint
        else {}
    )
    metrics = ProxyMetrics(
        associations=associations,
        redundant_encoding=joint_result,
        sensitive_features=tuple(names),
        n_rows=n_rows,
        bounds=bounds,
    )
    measurements = tuple(
        m
        for check in get_registry().values()
        if check.input == "proxies"
        for m in check.measure(metrics)
    )
    outcome = evaluate(pol, measurements, run_kind="proxies")
    description = str(data) if isinstance(data, str | Path) else source.description
    settings = {
        "sensitive_features": [
            {
                "column": s.column,
                "name": s.name,
                "bins": list(s.binning.edges) if s.binning else None,
                "labels": list(s.binning.band_labels()) if s.binning else None,
            }
            for s in sensitive
        ],
        "exclude": exclude_list,
        "categorical": categorical_list,
        "bins": bins,
        "sample_size": sample_size,
        "random_state": random_state,
        "joint": joint,
        "cv_folds": cv_folds,
        "max_levels": max_levels,
        "min_group_size": min_group_size,
    }
    return ProxyResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        metrics=metrics,
        measurements=measurements,
        outcome=outcome,
        policy=pol,
        data_description=description,
        settings=settings,
    )
