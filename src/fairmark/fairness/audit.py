"""``fairmark.audit``: one engine pass, trustworthy fairness numbers, a policy verdict."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fairmark.checks import get_registry
from fairmark.checks.base import Measurement
from fairmark.engine.cube import CELLS, Cube, build_cube
from fairmark.engine.source import as_table
from fairmark.errors import UsageError
from fairmark.fairness.metrics import RATES, _prop, compute_metrics, group_counts
from fairmark.fairness.result import AuditMetrics, json_number
from fairmark.fairness.spec import AuditSpec

__all__ = ["SCHEMA_VERSION", "AuditResult", "audit"]

SCHEMA_VERSION = "1.0"


def _tool_version() -> str:
    from fairmark import __version__

    return __version__


@dataclass(frozen=True)
class AuditResult:
    """The result of one audit: metrics, policy outcome and provenance.

    Attributes
    ----------
    run_id : str
        UUID4 of the run.
    created_at : datetime
        UTC time the audit finished.
    spec : AuditSpec
    metrics : AuditMetrics
        Groups and disparities (the input of every check).
    measurements : tuple of Measurement
        What every registered check measured.
    outcome : fairmark.policy.PolicyOutcome
        Findings, per-rule and overall verdicts.
    policy : fairmark.policy.Policy
    cube : Cube
        The sufficient statistics the numbers were computed from.
    data_description : str
    system_name : str or None
    """

    run_id: str
    created_at: datetime
    spec: AuditSpec
    metrics: AuditMetrics
    measurements: tuple[Measurement, ...]
    outcome: Any
    policy: Any
    cube: Cube
    data_description: str
    system_name: str | None = None

    @property
    def verdict(self) -> str:
        """Overall verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return str(self.outcome.verdict)

    @property
    def exit_code(self) -> int:
        """0 for pass/warn, 1 for fail or insufficient evidence."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)

    @property
    def data_fingerprint(self) -> dict[str, Any]:
        """SHA-256 over the used columns' types and the sufficient-statistics cube.

        Row order and index labels do not change it; any change of a label, decision,
        weight or group membership that alters a count does.
        """
        frame = self.cube.frame
        rows = frame.astype(object).where(frame.notna(), None).values.tolist()
        payload = json.dumps(
            {"columns": self.cube.column_types, "cube": rows, "threshold": self.cube.threshold},
            sort_keys=True,
            default=str,
        )
        return {
            "algorithm": "sha256(column types + sufficient-statistics cube)",
            "value": hashlib.sha256(payload.encode()).hexdigest(),
            "n_rows": int(frame["n_rows"].sum()),
            "columns": sorted(self.cube.column_types),
        }

    @property
    def by_group(self) -> Any:
        """Metrics at the finest grouping, in fairlearn ``MetricFrame.by_group`` shape.

        A pandas DataFrame indexed by group (a MultiIndex named after the features when
        there are several, like ``MetricFrame(sensitive_features=df[[a, b]])``), one column
        per metric (``count``, ``selection_rate``, ``tpr`` …). Undefined rates are NaN.
        This view is for the analyst who holds the data: it is not small-cell suppressed;
        published reports are.
        """
        import pandas as pd

        summed = group_counts(self.cube.frame, self.cube.features)
        records = []
        for _, row in summed.iterrows():
            rec: dict[str, Any] = {"count": int(sum(int(row[c]) for c in CELLS))}
            for name, (num, den, _) in RATES.items():
                p = _prop(row, num, den, self.cube.weighted)
                rec[name] = float("nan") if p.value is None else p.value
            records.append(rec)
        index = summed.index
        if isinstance(index, pd.MultiIndex):
            index = index.set_names(list(self.cube.features))
        else:
            index = index.rename(self.cube.features[0])
        return pd.DataFrame(records, index=index)

    def to_dict(self, *, disclosure_control: bool = True) -> dict[str, Any]:
        """Return the ``report.json`` document (see ``docs/report-schema.md``).

        Parameters
        ----------
        disclosure_control : bool, default True
            Apply small-cell suppression and differencing protection with the policy's
            ``settings.k_anonymity`` (default 10), judged on the true unweighted counts of
            every group (:func:`fairmark.report.disclosure_control.protect_document`):
            the published document, which reports show and the run store records.
            ``False`` gives the complete document (for the analyst; groups below
            ``min_group_size`` are hidden either way).

        Raises
        ------
        UsageError
            If the policy's ``k_anonymity`` is not a whole number >= 1.
        """
        doc = self._complete_dict()
        if not disclosure_control:
            return doc
        from fairmark.report.disclosure_control import policy_k, protect_document

        return protect_document(doc, k=policy_k(self.policy), counts=self._group_counts())

    def _group_counts(self) -> dict[tuple[str, str], Any]:
        """``(feature, group) -> GroupCounts``: unweighted n, positives, selected, from the cube."""
        from fairmark.fairness.spec import INTERSECTION_SEP
        from fairmark.report.disclosure_control import GroupCounts

        frame = self.cube.frame
        out: dict[tuple[str, str], Any] = {}
        combos = [(f,) for f in self.cube.features] + [tuple(c) for c in self.spec.intersections]
        for combo in combos:
            feature = INTERSECTION_SEP.join(combo)
            for key, row in group_counts(frame, combo).iterrows():
                levels = key if isinstance(key, tuple) else (key,)
                tp, fp, fn, tn = (int(row[c]) for c in CELLS)
                label = INTERSECTION_SEP.join(str(x) for x in levels)
                out[(feature, label)] = GroupCounts(tp + fp + fn + tn, tp + fn, tp + fp)
        for g in self.metrics.groups:
            out.setdefault((g.feature, g.group), GroupCounts(0, 0, 0))
        return out

    def _complete_dict(self) -> dict[str, Any]:
        """The document before disclosure control (see :meth:`to_dict`)."""
        frame = self.cube.frame
        excluded = {
            "missing_y_true": int(frame["n_y_missing"].sum()),
            "missing_decision": int(frame["n_decision_missing"].sum()),
        }
        n_used = int(frame[list(CELLS)].to_numpy().sum())
        selected = int(frame["tp"].sum() + frame["fp"].sum())
        policy = self.policy
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "audit",
            "run_id": self.run_id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tool_version": _tool_version(),
            "system_name": self.system_name,
            "data_fingerprint": self.data_fingerprint,
            "spec": _jsonable(self.spec.to_dict()),
            "policy": None if policy is None else policy.to_report_dict(),
            "verdict": self.verdict,
            "summary": {
                "data": self.data_description,
                "n_rows": int(frame["n_rows"].sum()),
                "n_used": n_used,
                "n_excluded": int(frame["n_excluded"].sum()),
                "excluded_reasons": excluded,
                "decision": self.spec.decision,
                "selected_threshold": json_number(self.cube.threshold),
                "n_selected": selected,
                "n_selected_target": self.cube.n_selected_target,
                "reference_groups": self.metrics.reference_groups,
                "min_group_size": self.spec.min_group_size,
                "confidence_level": self.spec.confidence_level,
                "features": list(self.metrics.features),
            },
            "groups": [g.to_dict() for g in self.metrics.groups],
            "disparities": [d.to_dict() for d in self.metrics.disparities],
            "score_metrics": [m.to_dict() for m in self.metrics.score_metrics],
            "outcome_metrics": [m.to_dict() for m in self.metrics.outcome_metrics],
            "findings": [f.to_dict() for f in self.outcome.findings],
            "rules": [r.to_dict() for r in self.outcome.rules],
            **(
                {"privacy": self.metrics.privacy.to_dict()}
                if self.metrics.privacy is not None
                else {}
            ),
            **(
                {"consent": _published_consent(self.metrics.consent.to_dict(), self.policy)}
                if self.metrics.consent is not None
                else {}
            ),
        }

    def to_json(self, *, disclosure_control: bool = True) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(
            self.to_dict(disclosure_control=disclosure_control), indent=2, allow_nan=False
        )


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def audit(
    data: Any,
    *,
    y_true: str,
    y_pred: str | None = None,
    score: str | None = None,
    threshold: float | None = None,
    top_k: float | None = None,
    sensitive_features: str | Sequence[str | Mapping[str, Any]],
    positive_label: Any = 1,
    reference_groups: Mapping[str, str] | None = None,
    sample_weight: str | None = None,
    min_group_size: int | None = None,
    policy: Any = None,
    intersections: str | Sequence[Sequence[str]] | None = "pairs",
    pred_positive_label: Any = None,
    max_groups: int | None = None,
    confidence_level: float | None = None,
    system_name: str | None = None,
    outcome: str | None = None,
    score_kind: str | None = None,
    cutoffs: Sequence[float] | None = None,
    data_name: str | None = None,
    features: Sequence[str] | None = None,
    purpose: str | None = None,
    data_categories: Mapping[str, str] | None = None,
    subject_column: str | None = None,
    store_url: str | None = None,
) -> AuditResult:
    """Audit a binary marketing decision for fairness across groups of customers.

    All row-level work is one group-by aggregation run by the data engine (DuckDB, or the
    Ibis backend of the given table); metrics are computed from the aggregated counts.

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        The decisions to audit, one row per person (see :func:`fairmark.engine.as_table`).
    y_true : str
        Column with the actual outcome.
    y_pred : str, optional
        Column with the binary decision. Exactly one of ``y_pred`` and ``score``.
    score : str, optional
        Column with a model score; needs ``threshold`` or ``top_k``.
    threshold : float, optional
        Select rows with ``score >= threshold``.
    top_k : float, optional
        Select the top fraction (0 < top_k < 1) or count (top_k >= 1) by score; rows tied
        with the k-th score are all selected.
    sensitive_features : str or list of (str or dict)
        Columns to audit by; a dict ``{column, name, bins, labels}`` bins a numeric column
        (``bins: "age"`` gives <25, 25-34, 35-44, 45-54, 55-64, 65+).
    positive_label : str, int, float or bool, default 1
        The ``y_true`` value counted as positive; strings such as ``"yes"`` allowed.
    reference_groups : dict, optional
        ``feature -> group``; default: the group with the highest selection rate.
    sample_weight : str, optional
        Column of non-negative row weights.
    min_group_size : int, optional
        Groups smaller than this are not estimated and their counts are suppressed;
        default: the policy's ``settings.min_group_size``, else 30.
    policy : str, path or Policy, optional
        The policy to judge against; default the built-in ``fairmark-default`` policy.
    intersections : "pairs", "all", "none" or list of feature lists, default "pairs"
    pred_positive_label : optional
        The ``y_pred`` value meaning "selected" (see :class:`AuditSpec`).
    max_groups : int, optional
        Refuse features with more levels (default 1,000).
    confidence_level : float, optional
        Level of every interval (default 0.95, or the policy's setting).
    system_name : str, optional
        The AI system this audit belongs to (recorded with the run).
    outcome : str, optional
        Numeric outcome column (offer value, discount, price) audited across groups;
        adds ``outcome_metrics[]`` to the report.
    score_kind : {"probability", "logit", "score"}, optional
        What the score column holds (default probability; values outside [0, 1] are
        then an error).
    cutoffs : list of float, optional
        Extra score thresholds for selection-rate parity in ``score_metrics[]``.
    data_name : str, optional
        How the reports name the data (default: the file path, or the kind of table).
    features : list of str, optional
        The model's input columns. They are examined for direct identifiers and GDPR
        Art. 9 special categories (check ``privacy.pii_in_features``); every other column
        that the audit does not use counts as unneeded data (``privacy.data_minimisation``)
        unless its category is declared for ``purpose``. Default: every column that is not
        an audit column or a sensitive feature is examined, and data minimisation can only
        be judged against a ``purpose``.
    purpose : str, optional
        fideslang data-use key of the processing purpose (e.g.
        ``marketing.communications``), declared with its data categories in the policy's
        ``settings.purposes``.
    data_categories : dict, optional
        ``column -> fideslang data category`` (e.g. ``{"income": "user.financial"}``)
        replacing what the scan of names and sampled values recognises; ``"none"``
        declares a column not personal (see :mod:`fairmark.privacy.feature_profile`).
    subject_column : str, optional
        Column holding the data-subject id; with ``purpose`` the audit measures the share
        of subjects without a valid consent record (or other lawful basis) for that
        purpose in the consent ledger (check ``privacy.consent_coverage``; GDPR
        Art. 6(1), 7).
    store_url : str, optional
        The store holding the consent ledger (default: :func:`fairmark.store.database_url`).

    Returns
    -------
    AuditResult
        ``to_dict()`` gives the ``report.json`` document; ``by_group`` a fairlearn-shaped
        DataFrame.

    Raises
    ------
    UsageError, DataError, PolicyError
        On bad input; each with a one-line message: among others a ``purpose`` the policy
        does not declare (the declared ones are listed) or a ``features`` column missing
        from the data (the available ones are listed).

    Examples
    --------
    >>> import pandas as pd, fairmark
    >>> df = pd.DataFrame({"y": [1, 0, 1, 0], "sel": [1, 1, 0, 0], "g": list("aabb")})
    >>> r = fairmark.audit(df, y_true="y", y_pred="sel", sensitive_features="g",
    ...                    min_group_size=1)
    >>> r.by_group["selection_rate"].tolist()
    [1.0, 0.0]
    """
    from fairmark.policy import evaluate, load_policy
    from fairmark.privacy.declarations import check_declarations
    from fairmark.privacy.feature_profile import profile_columns

    pol = load_policy(policy if policy is not None else "default")
    check_declarations(
        features=features, purpose=purpose, data_categories=data_categories, policy=pol
    )
    settings = getattr(pol, "settings", None)
    if min_group_size is None and settings is not None:
        min_group_size = getattr(settings, "min_group_size", None)
    if confidence_level is None and settings is not None:
        confidence_level = getattr(settings, "confidence_level", None)
    spec = AuditSpec.build(
        y_true=y_true,
        positive_label=positive_label,
        sensitive_features=sensitive_features,
        y_pred=y_pred,
        pred_positive_label=pred_positive_label,
        score=score,
        threshold=threshold,
        top_k=top_k,
        intersections=intersections,
        reference_groups=reference_groups,
        sample_weight=sample_weight,
        min_group_size=min_group_size,
        max_groups=max_groups,
        confidence_level=confidence_level,
        outcome=outcome,
        score_kind=score_kind,
        cutoffs=cutoffs,
    )
    source = as_table(data)
    cube = build_cube(source, spec)
    metrics = compute_metrics(cube, spec)
    if spec.score is not None:
        from fairmark.fairness.scores import compute_score_metrics

        metrics = replace(metrics, score_metrics=compute_score_metrics(source, spec, metrics))
    if spec.outcome is not None:
        from fairmark.fairness.outcomes import compute_outcome_metrics

        metrics = replace(metrics, outcome_metrics=compute_outcome_metrics(source, spec, metrics))
    privacy = profile_columns(
        source,
        spec,
        features=features,
        purpose=purpose,
        data_categories=data_categories,
        policy=pol,
    )
    metrics = replace(metrics, privacy=privacy)
    if subject_column is not None and purpose is not None:
        from fairmark.privacy.consent.coverage import audit_consent_coverage

        metrics = replace(
            metrics,
            consent=audit_consent_coverage(
                source, subject_column=subject_column, purpose=purpose, url=store_url
            ),
        )
    elif subject_column is not None:
        raise UsageError(
            "subject_column is set but purpose is not; consent coverage is judged for a "
            "purpose: give purpose (--purpose) too"
        )
    measurements = tuple(
        m
        for check in get_registry().values()
        if check.input == "audit"
        for m in check.measure(metrics)
    )
    outcome = evaluate(pol, measurements, confidence_level=spec.confidence_level, run_kind="audit")
    description = source.description
    if isinstance(data, str | Path):
        description = str(data)
    if data_name:
        description = data_name
    return AuditResult(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        spec=spec,
        metrics=metrics,
        measurements=measurements,
        outcome=outcome,
        policy=pol,
        cube=cube,
        data_description=description,
        system_name=system_name,
    )


def _published_consent(doc: dict[str, Any], policy: Any) -> dict[str, Any]:
    """The consent-coverage section as published: counts of subjects in (0, k) are
    suppressed (``null``, listed in ``suppressed``), and so is the share when the count of
    subjects without consent is (Eurostat SDC handbook 2010, threshold rule)."""
    from fairmark.report.disclosure_control import policy_k

    k = policy_k(policy)
    out = dict(doc)
    suppressed: list[str] = []
    for key in ("rows", "subjects", "subjects_without_consent"):
        value = out.get(key)
        if isinstance(value, int) and 0 < value < k:
            out[key] = None
            suppressed.append(key)
    if "subjects_without_consent" in suppressed or "subjects" in suppressed:
        out["share_without_consent"] = None
        suppressed.append("share_without_consent")
    by_reason = {}
    for reason, value in out.get("by_reason", {}).items():
        if isinstance(value, int) and 0 < value < k:
            by_reason[reason] = None
            suppressed.append(f"by_reason.{reason}")
        else:
            by_reason[reason] = value
    out["by_reason"] = by_reason
    out["suppressed"] = {"k": k, "fields": suppressed}
    return out
