"""Recompute an audit from its recorded aggregates, and say precisely where it differs.

Used by evidence bundles (:mod:`fairmark.governance.evidence`): at export to write
``metrics.json``, at verification to check ``report.json`` and ``metrics.json`` against
what the bundled aggregates give, and, given the data, to compare the aggregates with
those the data gives.

The audit is rebuilt as an :class:`fairmark.fairness.audit.AuditResult` from

* the cube (:func:`fairmark.fairness.metrics.compute_metrics`: groups, disparities),
* the score histograms (:func:`fairmark.fairness.scores.score_metrics_from_aggregates`),
* the outcome moments and medians
  (:func:`fairmark.fairness.outcomes.outcome_metrics_from_aggregates`),
* the *carried* privacy profile and consent coverage (not functions of aggregates: the
  profile comes from a scan of sampled values, the coverage from a join with the consent
  ledger), then every registered audit check and the bundled policy
  (:func:`fairmark.policy.evaluate`, judged on the run's date);

and the fields that are not numbers computed from data are carried from the stored
report: ``run_id``, ``created_at``, ``system_name``, ``summary.data`` (how the data was
named) and ``policy.path`` (where the policy was read from). Its ``to_dict()`` is then
compared with the stored document field by field, ignoring only :data:`IGNORED_FIELDS`.

Floats are compared with a relative tolerance of :data:`REL_TOL` (the arithmetic is the
same code on the same numbers, so any difference beyond rounding noise is a change);
integers, text, booleans and verdicts exactly.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from fairmark.errors import DataError, FairmarkError, UsageError

__all__ = [
    "IGNORED_FIELDS",
    "REL_TOL",
    "Mismatch",
    "compare_documents",
    "compare_frames",
    "policy_from_text",
    "rebuild_audit",
    "spec_from_dict",
]

REL_TOL = 1e-9
"""Relative tolerance of float comparisons."""

IGNORED_FIELDS: dict[str, str] = {
    "tool_version": (
        "the version of fairmark doing the recomputation, not of the run (the run's version "
        "is compared with environment.json)"
    ),
}
"""Top-level report fields left out of the comparison, and why."""

_SPEC_FIELDS = (
    "y_true",
    "positive_label",
    "sensitive_features",
    "y_pred",
    "pred_positive_label",
    "score",
    "threshold",
    "top_k",
    "intersections",
    "reference_groups",
    "sample_weight",
    "min_group_size",
    "max_groups",
    "confidence_level",
    "outcome",
    "score_kind",
    "cutoffs",
)


# ------------------------------------------------------------------ spec and policy


def spec_from_dict(doc: Mapping[str, Any]) -> Any:
    """Rebuild the :class:`fairmark.fairness.spec.AuditSpec` of a report's ``spec`` object.

    Parameters
    ----------
    doc : Mapping
        ``report.json``'s ``spec`` (:meth:`AuditSpec.to_dict`).

    Returns
    -------
    AuditSpec

    Raises
    ------
    DataError
        A field is missing, unknown or inconsistent (the spec's own validation message).
    """
    from fairmark.fairness.spec import AuditSpec, Binning, SensitiveFeature

    if not isinstance(doc, Mapping):
        raise DataError(f"spec is a {type(doc).__name__}; expected the report's spec object")
    unknown = sorted(set(doc) - set(_SPEC_FIELDS))
    missing = [k for k in ("y_true", "positive_label", "sensitive_features") if k not in doc]
    if unknown or missing:
        what = f"unknown field(s) {', '.join(unknown)}" if unknown else ""
        what += ("; " if what and missing else "") + (
            f"missing field(s) {', '.join(missing)}" if missing else ""
        )
        raise DataError(f"spec has {what}; expected the fields of an audit spec")
    try:
        features = []
        for f in doc["sensitive_features"]:
            bins = f.get("bins")
            labels = f.get("labels")
            binning = None
            if bins is not None:
                binning = Binning(tuple(bins), None if labels is None else tuple(labels))
            features.append(SensitiveFeature(str(f["column"]), str(f["name"]), binning))
        fields = {k: doc[k] for k in _SPEC_FIELDS if k in doc}
        fields["sensitive_features"] = tuple(features)
        fields["intersections"] = tuple(tuple(c) for c in doc.get("intersections") or ())
        fields["reference_groups"] = dict(doc.get("reference_groups") or {})
        fields["cutoffs"] = tuple(doc.get("cutoffs") or ())
        return AuditSpec(**fields)
    except UsageError as exc:
        raise DataError(f"spec is not a valid audit spec: {exc.message}") from None
    except (KeyError, TypeError, AttributeError):
        raise DataError(
            "spec.sensitive_features is malformed; expected objects with column, name, "
            "bins and labels"
        ) from None


def policy_from_text(text: str, path: str) -> Any:
    """Load a policy from its canonical text, as :func:`fairmark.policy.load_policy` would.

    Parameters
    ----------
    text : str
        The policy file's canonical text.
    path : str
        The path the run read it from (kept as ``Policy.path``).

    Returns
    -------
    fairmark.policy.Policy

    Raises
    ------
    PolicyError
        The text is not a valid policy (first error, as ``load_policy`` reports it).
    """
    from fairmark.policy import load_policy

    folder = tempfile.mkdtemp(prefix="fairmark-policy-")
    file = os.path.join(folder, "policy.yaml")
    try:
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        policy = load_policy(file)
    finally:
        try:
            os.remove(file)
        except OSError:
            pass
        os.rmdir(folder)
    return policy.model_copy(update={"path": path})


# -------------------------------------------------------------------------- rebuild


def _created_at(report: Mapping[str, Any]) -> datetime:
    text = str(report.get("created_at", ""))
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise DataError(f"report created_at is {text!r}; expected YYYY-MM-DDTHH:MM:SSZ") from None


def rebuild_audit(
    aggregates: Mapping[str, Any], report: Mapping[str, Any], policy_text: str | None
) -> Any:
    """Recompute an audit from its aggregates (see the module docstring).

    Parameters
    ----------
    aggregates : Mapping
        The aggregates document (:mod:`fairmark.governance.artifacts`).
    report : Mapping
        The stored ``report.json`` (for the spec and the carried fields).
    policy_text : str or None
        The policy's canonical text; ``None`` only when the report has no policy.

    Returns
    -------
    fairmark.fairness.audit.AuditResult

    Raises
    ------
    DataError
        The aggregates, spec or report are malformed, or the recomputation itself fails
        (e.g. a cube whose features have a single group).
    PolicyError
        The policy text is not a valid policy.
    """
    from fairmark.checks import get_registry
    from fairmark.fairness.audit import AuditResult
    from fairmark.fairness.metrics import compute_metrics
    from fairmark.governance.artifacts import (
        AGGREGATES_FORMAT,
        consent_from_dict,
        cube_from_json,
        outcome_from_json,
        privacy_from_dict,
        score_from_json,
    )
    from fairmark.policy import evaluate

    if not isinstance(aggregates, Mapping) or aggregates.get("format") != AGGREGATES_FORMAT:
        found = aggregates.get("format") if isinstance(aggregates, Mapping) else None
        raise DataError(f"aggregates format is {found!r}; expected {AGGREGATES_FORMAT!r}")
    spec = spec_from_dict(report.get("spec"))
    cube = cube_from_json(aggregates["cube"])
    try:
        metrics = compute_metrics(cube, spec)
        if spec.score is not None:
            from fairmark.fairness.scores import ScoreMetricRows, score_metrics_from_aggregates

            if aggregates.get("score") is None:
                raise DataError("the spec has a score but the aggregates hold no score histogram")
            s_aggs = score_from_json(aggregates["score"])
            rows = score_metrics_from_aggregates(s_aggs, spec, metrics)
            metrics = replace(metrics, score_metrics=ScoreMetricRows(rows, s_aggs))
        if spec.outcome is not None:
            from fairmark.fairness.outcomes import (
                OutcomeMetricRows,
                outcome_metrics_from_aggregates,
            )

            if aggregates.get("outcome") is None:
                raise DataError("the spec has an outcome but the aggregates hold no outcome cells")
            o_aggs = outcome_from_json(aggregates["outcome"])
            rows_o = outcome_metrics_from_aggregates(o_aggs, spec, metrics)
            metrics = replace(metrics, outcome_metrics=OutcomeMetricRows(rows_o, o_aggs))
    except UsageError as exc:
        raise DataError(f"the aggregates do not fit the spec: {exc.message}") from None
    carried = aggregates.get("carried") or {}
    if carried.get("privacy") is not None:
        metrics = replace(metrics, privacy=privacy_from_dict(carried["privacy"]))
    if carried.get("consent") is not None:
        metrics = replace(metrics, consent=consent_from_dict(carried["consent"]))
    measurements = tuple(
        m
        for check in get_registry().values()
        if check.input == "audit"
        for m in check.measure(metrics)
    )
    created_at = _created_at(report)
    policy_doc = report.get("policy")
    policy = outcome = None
    if policy_doc is not None:
        if policy_text is None:
            raise DataError("the report names a policy but no policy text was kept")
        policy = policy_from_text(policy_text, str(policy_doc.get("path")))
        outcome = evaluate(
            policy,
            measurements,
            today=created_at.date(),
            confidence_level=spec.confidence_level,
            run_kind="audit",
        )
    summary = report.get("summary") or {}
    return AuditResult(
        run_id=str(report.get("run_id")),
        created_at=created_at,
        spec=spec,
        metrics=metrics,
        measurements=measurements,
        outcome=outcome,
        policy=policy,
        cube=cube,
        data_description=str(summary.get("data", "")),
        system_name=report.get("system_name"),
    )


def to_documents(result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(published, complete)``: ``to_dict()`` with and without disclosure control.

    Raises
    ------
    DataError
        Either cannot be produced (e.g. a policy whose ``k_anonymity`` is invalid).
    """
    try:
        return result.to_dict(), result.to_dict(disclosure_control=False)
    except FairmarkError as exc:
        raise DataError(f"the recomputed report cannot be written: {exc.message}") from None


# ------------------------------------------------------------------------ comparing


@dataclass(frozen=True)
class Mismatch:
    """One difference between a bundled document and what the aggregates (or data) give.

    Attributes
    ----------
    file : str
        The bundled file (``report.json``, ``metrics.json``, ``aggregates/cube.json`` …).
    path : str
        JSON path of the field, e.g. ``disparities[2].value``.
    label : str
        What the item is, e.g. ``disparate_impact age_band 25-34 vs 35-44``; empty when
        the path says it all.
    expected : object
        The value in the bundle.
    actual : object
        The recomputed value.
    message : str
        One line saying all of the above.
    """

    file: str
    path: str
    label: str
    expected: Any
    actual: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the mismatch."""
        return {
            "file": self.file,
            "path": self.path,
            "label": self.label,
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "message": self.message,
        }


def _jsonable(value: Any) -> Any:
    """A value for ``to_dict``: scalars as they are, containers summarised (the message
    names them; whole lists would swamp the output)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def show(value: Any) -> str:
    """Render a value for a message: floats by shortest round-trip ``repr``."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return "null" if value is None else repr(value)


def _label(item: Any) -> str:
    """Describe a list item of a report: metric, feature, group (vs reference)."""
    if not isinstance(item, Mapping):
        return ""
    parts = []
    for key in ("metric", "check", "rule_id"):
        if isinstance(item.get(key), str):
            parts.append(item[key])
            break
    if isinstance(item.get("feature"), str):
        parts.append(item["feature"])
    elif isinstance(item.get("column"), str):
        parts.append(item["column"])
    group = item.get("group")
    if isinstance(group, str):
        ref = item.get("reference")
        parts.append(f"{group} vs {ref}" if isinstance(ref, str) and ref != group else group)
    if item.get("cutoff") is not None and "cutoff_kind" in item:
        parts.append(f"at {item['cutoff']}")
    return " ".join(parts)


def _numbers_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=0.0) or x == y


def _walk(expected: Any, actual: Any, path: str, label: str) -> Iterator[tuple[str, str, Any, Any]]:
    num = (int, float)
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in list(expected) + [k for k in actual if k not in expected]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                yield sub, label, expected[key], "(absent)"
            elif key not in expected:
                yield sub, label, "(absent)", actual[key]
            else:
                yield from _walk(expected[key], actual[key], sub, label)
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield path, label, expected, actual
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            sub_label = _label(e) or label
            yield from _walk(e, a, f"{path}[{i}]", sub_label)
        return
    if (
        isinstance(expected, num)
        and isinstance(actual, num)
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        if not _numbers_equal(expected, actual):
            yield path, label, expected, actual
        return
    if type(expected) is not type(actual) or expected != actual:
        yield path, label, expected, actual


def compare_documents(
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    *,
    file: str,
    source: str = "the aggregates give",
    ignore: tuple[str, ...] = (),
) -> list[Mismatch]:
    """Compare a bundled document with a recomputed one, field by field.

    Parameters
    ----------
    expected : Mapping
        The document in the bundle.
    actual : Mapping
        The recomputed document.
    file : str
        The bundled file's name, for the messages.
    source : str
        How the messages name the recomputation ("the aggregates give").
    ignore : tuple of str
        Top-level keys left out.

    Returns
    -------
    list of Mismatch
        Every difference, in document order: ``"report.json disparities[2].value
        (disparate_impact age_band 25-34 vs 35-44) = 0.8123 but the aggregates give
        0.7969"``; a list of another length once (``"has 12 items but …"``), then its
        common items.
    """
    left = {k: v for k, v in expected.items() if k not in ignore}
    right = {k: v for k, v in actual.items() if k not in ignore}
    out = []
    for path, label, e, a in _walk(left, right, "", ""):
        where = f"{file} {path}" + (f" ({label})" if label else "")
        if isinstance(e, list) and isinstance(a, list):
            message = f"{where} has {len(e)} items but {source} {len(a)}"
        elif e == "(absent)":
            message = f"{where} is absent but {source} {show(a)}"
        elif a == "(absent)":
            message = f"{where} = {show(e)} but {source} no such field"
        else:
            message = f"{where} = {show(e)} but {source} {show(a)}"
        out.append(Mismatch(file, path, label, e, a, message))
    return out


def compare_frames(
    bundled: Any,
    recomputed: Any,
    *,
    keys: list[str],
    what: str,
    file: str,
    tolerance: float = 0.0,
) -> list[Mismatch]:
    """Compare two aggregate tables cell by cell, matching rows on ``keys``.

    Parameters
    ----------
    bundled, recomputed : pandas.DataFrame
        The table in the bundle and the one the data gives (same columns).
    keys : list of str
        Columns identifying a row (the sensitive-feature levels, and for histograms the
        bin, reliability bin and label).
    what : str
        How messages name a row, e.g. ``cube cell``.
    file : str
        The bundled file.
    tolerance : float
        Relative tolerance of float columns (0: exact, as for counts).

    Returns
    -------
    list of Mismatch
        ``"cube cell age_band=25-34, marital=single: tp bundle 41, data 40"`` for each
        differing value; rows present on one side only are named too.
    """

    def index(frame: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for rec in frame.to_dict("records"):
            out[tuple(rec[k] for k in keys)] = rec
        return out

    left, right = index(bundled), index(recomputed)
    values = [c for c in bundled.columns if c not in keys]
    found: list[Mismatch] = []

    def name(key: tuple[Any, ...]) -> str:
        return ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))

    for key in sorted(set(left) | set(right), key=lambda k: tuple(str(x) for x in k)):
        where = f"{what} {name(key)}"
        if key not in right:
            message = f"{where}: in the bundle but the data has no such {what}"
            found.append(Mismatch(file, where, "", left[key], None, message))
            continue
        if key not in left:
            message = f"{where}: the data has it but the bundle has no such {what}"
            found.append(Mismatch(file, where, "", None, right[key], message))
            continue
        for col in values:
            a, b = left[key].get(col), right[key].get(col)
            same = (
                _numbers_equal(a, b)
                if tolerance == 0.0 or isinstance(a, int)
                else _close(a, b, tolerance)
            )
            if not same:
                message = f"{where}: {col} bundle {_plain(a)}, data {_plain(b)}"
                found.append(Mismatch(file, f"{where}: {col}", "", a, b, message))
    return found


def _close(a: Any, b: Any, tol: float) -> bool:
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=tol, abs_tol=1e-12)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
