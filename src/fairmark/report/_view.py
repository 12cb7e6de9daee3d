"""The display model shared by the HTML and Markdown reports.

:func:`build_view` reads a validated ``report.json`` document and returns plain strings
ready to print. It is the one place where the display rules live:

* a suppressed group shows no count, share, rate or comparison value, only
  "fewer than {min_group_size} — not shown";
* an undefined value (``None``) shows "undefined" and its reason, never ``0``;
* ``"inf"`` shows "∞ (reference rate is zero)".

Nothing is computed here: every number comes from the document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fairmark.checks import get_registry
from fairmark.report._format import fmt_ci, fmt_count, fmt_number, fmt_p, fmt_percent_level
from fairmark.report.glossary import (
    GROUP_METRIC_KEYS,
    GlossaryEntry,
    Unit,
    glossary,
    glossary_entry,
)

__all__ = [
    "MAIN_METRICS",
    "MORE_METRICS",
    "Cell",
    "DisparityRow",
    "FeatureView",
    "FindingRow",
    "GroupRow",
    "ReportView",
    "RuleView",
    "build_view",
]

MAIN_METRICS: tuple[str, ...] = ("share", "base_rate", "selection_rate", "tpr", "fpr", "ppv")
MORE_METRICS: tuple[str, ...] = ("fnr", "tnr", "npv", "accuracy")
SHORT_NAMES: Mapping[str, str] = {
    "share": "Share",
    "base_rate": "Response rate",
    "selection_rate": "Selection rate",
    "tpr": "TPR",
    "fpr": "FPR",
    "fnr": "FNR",
    "tnr": "TNR",
    "ppv": "Precision",
    "npv": "NPV",
    "accuracy": "Accuracy",
}
VERDICT_ORDER: Mapping[str, int] = {"fail": 0, "insufficient_evidence": 1, "warn": 2, "pass": 3}
VERDICT_WORDS: Mapping[str, str] = {
    "pass": "PASS",
    "warn": "WARNING",
    "fail": "FAIL",
    "insufficient_evidence": "INSUFFICIENT EVIDENCE",
}
SEVERITY_WORDS: Mapping[str, str] = {"block": "blocking", "warn": "warning", "info": "information"}
JUDGE_WORDS: Mapping[str, str] = {
    "estimate": "the estimate",
    "ci": "the whole confidence interval",
}
CHOSEN_BY_WORDS: Mapping[str, str] = {
    "user": "chosen by the person who ran the audit",
    "highest_selection_rate": "chosen automatically: the group with the highest selection rate",
}
SUMMARY_METRICS: frozenset[str] = frozenset(
    {
        "demographic_parity_difference",
        "equal_opportunity_difference",
        "equalized_odds_difference",
        "predictive_parity_difference",
    }
)
FEATURE_METRICS: frozenset[str] = SUMMARY_METRICS | {"demographic_parity_ratio"}
METHOD_NAMES: Mapping[str, str] = {
    "wilson": "Wilson score",
    "newcombe": "Newcombe (difference)",
    "katz_log": "Katz log (ratio)",
    "z": "z-test",
    "fisher": "Fisher's exact test",
}


def verdict_word(verdict: str) -> str:
    """Return the status word of a verdict, e.g. ``"fail"`` → ``"FAIL"``."""
    return VERDICT_WORDS.get(verdict, verdict.upper())


def _words(code: str) -> str:
    return code.replace("_", " ")


@dataclass(frozen=True)
class Cell:
    """One displayed value: ``text`` and its interval ``ci`` (``""`` when there is none)."""

    text: str
    ci: str = ""
    undefined: bool = False
    hidden: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class GroupRow:
    """One row of a feature's group table."""

    name: str
    is_reference: bool
    suppressed: bool
    n: Cell
    metrics: Mapping[str, Cell]


@dataclass(frozen=True)
class DisparityRow:
    """One row of a feature's comparison table."""

    metric: str
    metric_name: str
    group: str
    reference: str
    value: Cell
    method: str
    p_value: str
    p_value_holm: str
    test: str
    overall: bool


@dataclass(frozen=True)
class FeatureView:
    """Everything shown for one (possibly intersectional) feature."""

    name: str
    is_intersection: bool
    reference: str | None
    reference_chosen_by: str
    groups: tuple[GroupRow, ...]
    disparities: tuple[DisparityRow, ...]
    chart_rows: tuple[Mapping[str, Any], ...]
    n_suppressed: int


@dataclass(frozen=True)
class FindingRow:
    """One policy finding, ready to print."""

    verdict: str
    verdict_word: str
    severity: str
    rule_id: str
    check: str
    feature: str
    group: str
    reference: str | None
    value: Cell
    bound: str
    judge: str
    message: str


@dataclass(frozen=True)
class RuleView:
    """One policy rule with its findings and the plain-language explanation of its check."""

    rule_id: str
    check: str
    check_title: str
    severity: str
    verdict: str
    verdict_word: str
    principle: str
    rationale: str
    n_findings: int
    judge: str
    findings: tuple[FindingRow, ...]
    entry: GlossaryEntry | None
    glossary_key: str | None


@dataclass(frozen=True)
class ReportView:
    """The whole report as display strings (see :func:`build_view`)."""

    title: str
    system_name: str | None
    created_at: str
    run_id: str
    tool_version: str
    schema_version: str
    verdict: str
    verdict_word: str
    verdict_entry: GlossaryEntry
    verdict_counts: str
    facts: tuple[tuple[str, str], ...]
    excluded: tuple[tuple[str, str], ...]
    policy: tuple[tuple[str, str], ...] | None
    rules: tuple[RuleView, ...]
    findings: tuple[FindingRow, ...]
    features: tuple[FeatureView, ...]
    min_group_size: int
    ci_label: str
    suppressed_text: str
    glossary_keys: tuple[str, ...] = field(default_factory=tuple)
    method_keys: tuple[str, ...] = field(default_factory=tuple)
    reason_keys: tuple[str, ...] = field(default_factory=tuple)


def _feature_name(feature: Any) -> str:
    """Name of a ``spec.sensitive_features`` entry: a column name or ``{column, name, bins}``."""
    if not isinstance(feature, Mapping):
        return str(feature)
    name = str(feature.get("name") or feature.get("column"))
    column = feature.get("column")
    if column and column != name:
        name += f" (from column {column})"
    if feature.get("bins") is not None:
        name += ", binned"
    return name


def _reason_name(reason: str | None) -> str:
    if reason is None:
        return "no reason given"
    entry = glossary().get(reason)
    return entry.name if entry is not None else _words(reason)


class _Builder:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.min_group_size: int = doc["spec"]["min_group_size"]
        self.suppressed_text = f"fewer than {self.min_group_size} — not shown"
        self.hidden = {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
        self.reasons_seen: list[str] = []
        self.registry = get_registry()

    # -- single values -------------------------------------------------------------------
    def note_reason(self, reason: str | None) -> None:
        if reason is not None and reason not in self.reasons_seen:
            self.reasons_seen.append(reason)

    def hidden_cell(self) -> Cell:
        self.note_reason("below_min_group_size")
        return Cell(text=self.suppressed_text, hidden=True, reason="below_min_group_size")

    def value_cell(
        self,
        value: Any,
        low: Any,
        high: Any,
        reason: str | None,
        unit: Unit,
        *,
        signed: bool = True,
    ) -> Cell:
        if reason == "below_min_group_size":
            return self.hidden_cell()
        text = fmt_number(value, unit, signed=signed)
        if text is None:
            self.note_reason(reason)
            return Cell(text=f"undefined — {_reason_name(reason)}", undefined=True, reason=reason)
        if value == "inf" and reason == "reference_rate_zero":
            self.note_reason(reason)
            return Cell(text="∞ (reference rate is zero)", reason=reason)
        if value in ("inf", "-inf"):
            self.note_reason(reason)
            return Cell(text=f"{text} ({_reason_name(reason)})", reason=reason)
        self.note_reason(reason)
        return Cell(text=text, ci=fmt_ci(low, high, unit, signed=signed), reason=reason)

    # -- sections ------------------------------------------------------------------------
    def facts(self) -> tuple[tuple[str, str], ...]:
        doc = self.doc
        summary = doc["summary"]
        spec = doc["spec"]
        rows: list[tuple[str, str]] = []
        if isinstance(summary.get("data"), str):
            rows.append(("Data", summary["data"]))
        rows += [
            ("Rows in the data", fmt_count(summary["n_rows"])),
            ("Rows audited", fmt_count(summary["n_used"])),
            ("Rows left out", fmt_count(summary["n_excluded"])),
            ("Decision audited", self.decision_text()),
        ]
        if summary["selected_threshold"] is not None:
            rows.append(("Score cut-off that resulted", f"{summary['selected_threshold']:g}"))
        if spec.get("y_true") is not None:
            label = spec.get("positive_label")
            outcome = f"{spec['y_true']}" + (f" = {label}" if label is not None else "")
            rows.append(("Outcome counted as a response", outcome))
        features = spec.get("sensitive_features")
        if features:
            rows.append(("Groups compared by", ", ".join(_feature_name(f) for f in features)))
        rows.append(("Minimum group size", f"{self.min_group_size} rows"))
        rows.append(("Confidence level", fmt_percent_level(spec["confidence_level"])))
        if spec.get("sample_weight"):
            rows.append(("Rows weighted by", str(spec["sample_weight"])))
        return tuple(rows)

    def decision_text(self) -> str:
        decision = self.doc["summary"]["decision"]
        if decision:
            return str(decision)
        spec = self.doc["spec"]
        if spec.get("y_pred"):
            return f"the yes/no prediction in column {spec['y_pred']}"
        top_k = spec.get("top_k")
        if spec.get("score") and top_k is not None:
            share = f"{top_k * 100:g}%" if 0 < top_k < 1 else f"{top_k:g} rows"
            return f"top {share} by {spec['score']}"
        if spec.get("score") and spec.get("threshold") is not None:
            return f"{spec['score']} at or above {spec['threshold']:g}"
        return "not recorded in the report"

    def excluded(self) -> tuple[tuple[str, str], ...]:
        reasons = self.doc["summary"]["excluded_reasons"]
        return tuple((_words(k), fmt_count(v)) for k, v in reasons.items() if v)

    def policy(self) -> tuple[tuple[str, str], ...] | None:
        policy = self.doc["policy"]
        if policy is None:
            return None
        return (
            ("Policy", str(policy["id"])),
            ("Version", str(policy["version"])),
            ("Owner", str(policy["owner"])),
            ("Review by", str(policy["review_by"])),
            ("File", str(policy["path"])),
            ("SHA-256", str(policy["sha256"])),
        )

    def check_info(self, check_id: str) -> tuple[str, str | None]:
        check = self.registry.get(check_id)
        if check is None:
            return check_id, None
        return check.title, check.metric

    def unit_of(self, metric: str | None) -> Unit:
        if metric is None:
            return "none"
        entry = glossary().get(metric)
        return entry.unit if entry is not None else "none"

    def bound_text(self, bound: Any, unit: Unit) -> str:
        if bound is None:
            return "—"
        if isinstance(bound, Mapping):
            lo = fmt_number(bound.get("min"), unit, signed=False)
            hi = fmt_number(bound.get("max"), unit, signed=False)
            if lo is not None and hi is not None:
                return f"between {lo} and {hi}"
            if lo is not None:
                return f"at least {lo}"
            if hi is not None:
                return f"at most {hi}"
            return "—"
        text = fmt_number(bound, unit, signed=False)
        return text if text is not None else "—"

    def finding_disparity(
        self, finding: Mapping[str, Any], metric: str | None
    ) -> Mapping[str, Any] | None:
        for d in self.doc["disparities"]:
            if (
                d["metric"] == metric
                and d["feature"] == finding["feature"]
                and d["group"] == finding["group"]
            ):
                found: Mapping[str, Any] = d
                return found
        return None

    def finding_row(self, finding: Mapping[str, Any]) -> FindingRow:
        _, metric = self.check_info(finding["check"])
        unit = self.unit_of(metric)
        disparity = self.finding_disparity(finding, metric)
        if (finding["feature"], finding["group"]) in self.hidden:
            value = self.hidden_cell()
        else:
            reason = disparity["reason"] if disparity is not None else None
            value = self.value_cell(
                finding["value"], None, None, reason, unit, signed=metric not in SUMMARY_METRICS
            )
        judge = finding["judge"]
        return FindingRow(
            verdict=finding["verdict"],
            verdict_word=verdict_word(finding["verdict"]),
            severity=SEVERITY_WORDS.get(finding["severity"], finding["severity"]),
            rule_id=finding["rule_id"],
            check=finding["check"],
            feature=finding["feature"] or "—",
            group=finding["group"] or "—",
            reference=disparity["reference"] if disparity is not None else None,
            value=value,
            bound=self.bound_text(finding["bound"], unit),
            judge=JUDGE_WORDS.get(judge, judge) if judge else "—",
            message=finding["message"],
        )

    def rules(self, findings: Sequence[FindingRow]) -> tuple[RuleView, ...]:
        views: list[RuleView] = []
        known = set()
        for rule in self.doc["rules"]:
            known.add(rule["rule_id"])
            views.append(
                self.rule_view(rule, [f for f in findings if f.rule_id == rule["rule_id"]])
            )
        orphans = [f for f in findings if f.rule_id not in known]
        for rule_id in dict.fromkeys(f.rule_id for f in orphans):
            mine = [f for f in orphans if f.rule_id == rule_id]
            worst = min((f.verdict for f in mine), key=lambda v: VERDICT_ORDER.get(v, 9))
            pseudo = {
                "rule_id": rule_id,
                "check": mine[0].check,
                "severity": mine[0].severity,
                "verdict": worst,
                "principle": None,
                "rationale": "This rule is not listed in the report's rules.",
                "n_findings": len(mine),
            }
            views.append(self.rule_view(pseudo, mine))
        views.sort(key=lambda r: VERDICT_ORDER.get(r.verdict, 9))
        return tuple(views)

    def rule_view(self, rule: Mapping[str, Any], findings: Sequence[FindingRow]) -> RuleView:
        title, metric = self.check_info(rule["check"])
        entry = glossary().get(metric) if metric is not None else None
        return RuleView(
            rule_id=rule["rule_id"],
            check=rule["check"],
            check_title=title,
            severity=SEVERITY_WORDS.get(rule["severity"], rule["severity"]),
            verdict=rule["verdict"],
            verdict_word=verdict_word(rule["verdict"]),
            principle=_words(rule["principle"]) if rule["principle"] else "—",
            rationale=rule["rationale"] or "",
            n_findings=rule["n_findings"],
            judge=", ".join(dict.fromkeys(f.judge for f in findings)) or "—",
            findings=tuple(sorted(findings, key=lambda f: VERDICT_ORDER.get(f.verdict, 9))),
            entry=entry,
            glossary_key=metric if entry is not None else None,
        )

    def group_row(self, g: Mapping[str, Any]) -> GroupRow:
        if g["suppressed"]:
            hidden = self.hidden_cell()
            return GroupRow(
                name=g["group"],
                is_reference=g["is_reference"],
                suppressed=True,
                n=hidden,
                metrics={m: hidden for m in GROUP_METRIC_KEYS},
            )
        metrics = {
            m: self.value_cell(
                g[m]["value"], g[m]["ci_low"], g[m]["ci_high"], g[m]["reason"], "rate"
            )
            for m in GROUP_METRIC_KEYS
        }
        n = (
            Cell(text=fmt_count(g["n"]))
            if g["n"] is not None
            else Cell("undefined", undefined=True)
        )
        return GroupRow(
            name=g["group"],
            is_reference=g["is_reference"],
            suppressed=False,
            n=n,
            metrics=metrics,
        )

    def chart_row(self, g: Mapping[str, Any]) -> dict[str, Any]:
        """Values for the charts; a suppressed group carries only its name and a note."""
        row: dict[str, Any] = {"group": g["group"], "is_reference": g["is_reference"]}
        for m in ("selection_rate", "tpr"):
            if g["suppressed"]:
                row[m] = None
                row[f"{m}_note"] = self.suppressed_text
                continue
            est = g[m]
            value = est["value"]
            if isinstance(value, int | float):
                row[m] = {"value": float(value), "ci_low": est["ci_low"], "ci_high": est["ci_high"]}
                row[f"{m}_note"] = None
            else:
                row[m] = None
                row[f"{m}_note"] = f"undefined — {_reason_name(est['reason'])}"
        return row

    def disparity_row(self, d: Mapping[str, Any]) -> DisparityRow:
        metric = d["metric"]
        entry = glossary().get(metric)
        unit = entry.unit if entry is not None else "none"
        involved_hidden = any(
            (d["feature"], g) in self.hidden for g in (d["group"], d["reference"])
        )
        if involved_hidden or d["reason"] == "below_min_group_size":
            value = self.hidden_cell()
            p, p_holm, test = "—", "—", "—"
        else:
            value = self.value_cell(
                d["value"],
                d["ci_low"],
                d["ci_high"],
                d["reason"],
                unit,
                signed=metric not in SUMMARY_METRICS,
            )
            p, p_holm = fmt_p(d["p_value"]), fmt_p(d["p_value_holm"])
            test = METHOD_NAMES.get(d["test"], d["test"]) if d["test"] else "—"
        method = d["ci_method"]
        return DisparityRow(
            metric=metric,
            metric_name=entry.name if entry is not None else _words(metric),
            group=d["group"] or "—",
            reference=d["reference"] or "—",
            value=value,
            method=METHOD_NAMES.get(method, method) if method else "—",
            p_value=p,
            p_value_holm=p_holm,
            test=test,
            overall=metric in FEATURE_METRICS,
        )

    def features(self) -> tuple[FeatureView, ...]:
        doc = self.doc
        order = list(dict.fromkeys(g["feature"] for g in doc["groups"]))
        for d in doc["disparities"]:
            if d["feature"] not in order:
                order.append(d["feature"])
        refs = doc["summary"]["reference_groups"]
        views = []
        for feature in order:
            groups = [g for g in doc["groups"] if g["feature"] == feature]
            ref = refs.get(feature)
            ref_group = (
                ref["group"]
                if ref
                else next((g["group"] for g in groups if g["is_reference"]), None)
            )
            chosen = ref["chosen_by"] if ref else "not recorded"
            views.append(
                FeatureView(
                    name=feature,
                    is_intersection=any(len(g["features"]) > 1 for g in groups) or " & " in feature,
                    reference=ref_group,
                    reference_chosen_by=CHOSEN_BY_WORDS.get(chosen, _words(chosen)),
                    groups=tuple(self.group_row(g) for g in groups),
                    disparities=tuple(
                        self.disparity_row(d) for d in doc["disparities"] if d["feature"] == feature
                    ),
                    chart_rows=tuple(self.chart_row(g) for g in groups),
                    n_suppressed=sum(1 for g in groups if g["suppressed"]),
                )
            )
        return tuple(views)

    def verdict_counts(self) -> str:
        rules = self.doc["rules"]
        if not rules:
            return "The report lists no policy rules."
        parts = []
        for verdict, word in (
            ("fail", "failed"),
            ("insufficient_evidence", "could not be judged"),
            ("warn", "warned"),
            ("pass", "passed"),
        ):
            n = sum(1 for r in rules if r["verdict"] == verdict)
            if n:
                parts.append(f"{n} {word}")
        total = len(rules)
        return f"{total} policy rule{'s' if total != 1 else ''}: " + ", ".join(parts) + "."

    def build(self) -> ReportView:
        doc = self.doc
        findings = tuple(
            sorted(
                (self.finding_row(f) for f in doc["findings"]),
                key=lambda f: VERDICT_ORDER.get(f.verdict, 9),
            )
        )
        features = self.features()
        rules = self.rules(findings)
        metric_keys: list[str] = list(GROUP_METRIC_KEYS)
        for d in doc["disparities"]:
            if d["metric"] in glossary() and d["metric"] not in metric_keys:
                metric_keys.append(d["metric"])
        for r in rules:
            if r.glossary_key is not None and r.glossary_key not in metric_keys:
                metric_keys.append(r.glossary_key)
        methods: list[str] = ["wilson"]
        for d in doc["disparities"]:
            for key in (d["ci_method"], d["test"]):
                if key in glossary() and key not in methods:
                    methods.append(key)
        if any(d["p_value_holm"] is not None for d in doc["disparities"]):
            methods.append("holm")
        verdict = doc["verdict"]
        system = doc["system_name"]
        return ReportView(
            title=f"Fairness audit: {system}" if system else "Fairness audit",
            system_name=system,
            created_at=doc["created_at"],
            run_id=doc["run_id"],
            tool_version=doc["tool_version"],
            schema_version=doc["schema_version"],
            verdict=verdict,
            verdict_word=verdict_word(verdict),
            verdict_entry=glossary_entry(verdict),
            verdict_counts=self.verdict_counts(),
            facts=self.facts(),
            excluded=self.excluded(),
            policy=self.policy(),
            rules=rules,
            findings=findings,
            features=features,
            min_group_size=self.min_group_size,
            ci_label=f"{fmt_percent_level(doc['spec']['confidence_level'])} CI",
            suppressed_text=self.suppressed_text,
            glossary_keys=tuple(metric_keys),
            method_keys=tuple(methods),
            reason_keys=tuple(r for r in self.reasons_seen if r in glossary()),
        )


def build_view(doc: Mapping[str, Any]) -> ReportView:
    """Turn a validated ``report.json`` document into display strings.

    Parameters
    ----------
    doc : Mapping
        A document that passed :func:`fairmark.report.validate.validate_report`.

    Returns
    -------
    ReportView
    """
    return _Builder(doc).build()
