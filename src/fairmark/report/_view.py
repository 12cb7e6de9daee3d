"""The display model of an audit's ``report.json``, shared by the HTML and Markdown reports.

:func:`build_view` reads a validated audit document and returns plain strings ready to
print: facts, policy, rules and findings (:mod:`fairmark.report._view_rules`), per feature
the group and comparison tables, and, when the audit has them, the score section
(:mod:`fairmark.report._view_scores`) and the outcome section
(:mod:`fairmark.report._view_outcomes`). The display rules live in
:mod:`fairmark.report._cells`:

* a suppressed group shows no count, share, rate or comparison value, only
  "fewer than {min_group_size} — not shown";
* an undefined value (``None``) shows "undefined" and its reason, never ``0``;
* ``"inf"`` shows "∞ (reference rate is zero)".

Nothing is computed here: every number comes from the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fairmark.errors import UsageError
from fairmark.report._cells import (
    HIDDEN_REASONS,
    Cell,
    CellMaker,
    document_k,
    reason_name,
    words,
)
from fairmark.report._format import fmt_count, fmt_p, fmt_percent_level
from fairmark.report._view_outcomes import OutcomeFeatureView, build_outcome_views
from fairmark.report._view_privacy import privacy_finding_context
from fairmark.report._view_rules import (
    UNSIGNED_METRICS,
    FindingContext,
    FindingRow,
    RulesBuilder,
    RuleView,
    policy_facts,
    verdict_counts,
    verdict_word,
)
from fairmark.report._view_scores import ScoreFeatureView, build_score_views
from fairmark.report.glossary import GROUP_METRIC_KEYS, GlossaryEntry, glossary, glossary_entry

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
    "verdict_word",
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
    n_protected: int = 0


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
    scores: tuple[ScoreFeatureView, ...] = field(default_factory=tuple)
    outcomes: tuple[OutcomeFeatureView, ...] = field(default_factory=tuple)
    score_name: str | None = None
    outcome_name: str | None = None
    k: int | None = None


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


_EXTRA_LISTS: tuple[str, ...] = ("score_metrics", "outcome_metrics")


class _Builder:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.min_group_size: int = doc["spec"]["min_group_size"]
        self.cells = CellMaker(self.min_group_size, document_k(doc))
        self.suppressed_text = self.cells.suppressed_text
        self.hidden = {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
        self.hidden_reason = {
            (g["feature"], g["group"]): g.get("suppressed_reason") or "below_min_group_size"
            for g in doc["groups"]
            if g["suppressed"]
        }
        self.rules_builder = RulesBuilder(doc, self.cells, self.hidden, self.finding_context)

    # -- sections ------------------------------------------------------------------------
    def facts(self) -> tuple[tuple[str, str], ...]:
        doc = self.doc
        summary = doc["summary"]
        spec = doc["spec"]
        rows: list[tuple[str, str]] = []
        if isinstance(summary.get("data"), str):
            rows.append(("Data", summary["data"]))
        rows += [
            ("Rows in the data", self.summary_count("n_rows")),
            ("Rows audited", self.summary_count("n_used")),
            ("Rows left out", self.summary_count("n_excluded")),
            ("Decision audited", self.decision_text()),
        ]
        if summary["selected_threshold"] is not None:
            rows.append(("Score cut-off that resulted", f"{summary['selected_threshold']:g}"))
        if spec.get("y_true") is not None:
            label = spec.get("positive_label")
            outcome = f"{spec['y_true']}" + (f" = {label}" if label is not None else "")
            rows.append(("Outcome counted as a response", outcome))
        if spec.get("score") and doc.get("score_metrics"):
            rows.append(("Score examined", self.score_text()))
        if spec.get("outcome"):
            rows.append(("Numeric outcome examined", str(spec["outcome"])))
        features = spec.get("sensitive_features")
        if features:
            rows.append(("Groups compared by", ", ".join(_feature_name(f) for f in features)))
        rows.append(("Minimum group size", f"{self.min_group_size} rows"))
        rows.append(("Confidence level", fmt_percent_level(spec["confidence_level"])))
        if spec.get("sample_weight"):
            rows.append(("Rows weighted by", str(spec["sample_weight"])))
        return tuple(rows)

    def summary_count(self, name: str) -> str:
        """A summary count, or why disclosure control hides it."""
        summary = self.doc["summary"]
        value = summary.get(name)
        if value is not None:
            return fmt_count(value)
        reason = (summary.get("suppressed_counts") or {}).get(name)
        return self.cells.hidden(reason).text if reason else "not recorded"

    def score_text(self) -> str:
        spec = self.doc["spec"]
        kind = spec.get("score_kind")
        kinds = {
            "probability": "a predicted probability (0 to 1)",
            "logit": "log-odds (a logit)",
            "score": "a ranking score (not a probability)",
        }
        text = str(spec["score"])
        if kind in kinds:
            text += f", read as {kinds[kind]}"
        return text

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
        summary = self.doc["summary"]
        marks = summary.get("suppressed_counts") or {}
        rows = []
        for key, value in summary["excluded_reasons"].items():
            if value is None:
                reason = marks.get(f"excluded_reasons.{key}", "below_k")
                rows.append((words(key), self.cells.hidden_text(reason)))
            elif value:
                rows.append((words(key), fmt_count(value)))
        return tuple(rows)

    def finding_context(
        self, finding: Mapping[str, Any], metric: str | None
    ) -> FindingContext | None:
        """Reference group and reason of the number behind a finding, from any metric list."""
        for key in ("disparities", *_EXTRA_LISTS):
            for d in self.doc.get(key) or ():
                if (
                    d["metric"] == metric
                    and d["feature"] == finding["feature"]
                    and d["group"] == finding["group"]
                ):
                    return FindingContext(reference=d.get("reference"), reason=d.get("reason"))
        return privacy_finding_context(self.doc, metric)

    def group_row(self, g: Mapping[str, Any]) -> GroupRow:
        if g["suppressed"]:
            hidden = self.cells.hidden(self.hidden_reason.get((g["feature"], g["group"])))
            return GroupRow(
                name=g["group"],
                is_reference=g["is_reference"],
                suppressed=True,
                n=hidden,
                metrics={m: hidden for m in GROUP_METRIC_KEYS},
            )
        metrics = {
            m: self.cells.value(
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
                row[f"{m}_note"] = self.cells.hidden_text(
                    self.hidden_reason.get((g["feature"], g["group"]))
                )
                continue
            est = g[m]
            value = est["value"]
            if isinstance(value, int | float):
                row[m] = {"value": float(value), "ci_low": est["ci_low"], "ci_high": est["ci_high"]}
                row[f"{m}_note"] = None
            else:
                row[m] = None
                row[f"{m}_note"] = f"undefined — {reason_name(est['reason'])}"
        return row

    def disparity_row(self, d: Mapping[str, Any]) -> DisparityRow:
        metric = d["metric"]
        entry = glossary().get(metric)
        unit = entry.unit if entry is not None else "none"
        involved = [
            self.hidden_reason[(d["feature"], g)]
            for g in (d["group"], d["reference"])
            if (d["feature"], g) in self.hidden_reason
        ]
        if involved or d["reason"] in HIDDEN_REASONS:
            value = self.cells.hidden(d["reason"] if d["reason"] in HIDDEN_REASONS else involved[0])
            p, p_holm, test = "—", "—", "—"
        else:
            value = self.cells.value(
                d["value"],
                d["ci_low"],
                d["ci_high"],
                d["reason"],
                unit,
                signed=metric not in UNSIGNED_METRICS,
            )
            p, p_holm = fmt_p(d["p_value"]), fmt_p(d["p_value_holm"])
            test = METHOD_NAMES.get(d["test"], d["test"]) if d["test"] else "—"
        method = d["ci_method"]
        return DisparityRow(
            metric=metric,
            metric_name=entry.name if entry is not None else words(metric),
            group=d["group"] or "—",
            reference=d["reference"] or "—",
            value=value,
            method=METHOD_NAMES.get(method, method) if method else "—",
            p_value=p,
            p_value_holm=p_holm,
            test=test,
            overall=metric in FEATURE_METRICS,
        )

    def feature_order(self) -> list[str]:
        doc = self.doc
        order = list(dict.fromkeys(g["feature"] for g in doc["groups"]))
        for d in doc["disparities"]:
            if d["feature"] not in order:
                order.append(d["feature"])
        return order

    def features(self) -> tuple[FeatureView, ...]:
        doc = self.doc
        refs = doc["summary"]["reference_groups"]
        views = []
        for feature in self.feature_order():
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
                    reference_chosen_by=CHOSEN_BY_WORDS.get(chosen, words(chosen)),
                    groups=tuple(self.group_row(g) for g in groups),
                    disparities=tuple(
                        self.disparity_row(d) for d in doc["disparities"] if d["feature"] == feature
                    ),
                    chart_rows=tuple(self.chart_row(g) for g in groups),
                    n_suppressed=sum(
                        1
                        for g in groups
                        if g["suppressed"]
                        and self.hidden_reason[(feature, g["group"])] == "below_min_group_size"
                    ),
                    n_protected=sum(
                        1
                        for g in groups
                        if g["suppressed"]
                        and self.hidden_reason[(feature, g["group"])] != "below_min_group_size"
                    ),
                )
            )
        return tuple(views)

    def glossary_keys(self, rules: tuple[RuleView, ...]) -> tuple[str, ...]:
        doc = self.doc
        keys: list[str] = list(GROUP_METRIC_KEYS)
        for d in doc["disparities"]:
            if d["metric"] in glossary() and d["metric"] not in keys:
                keys.append(d["metric"])
        for name in _EXTRA_LISTS:
            for m in doc.get(name) or ():
                if m["metric"] in glossary() and m["metric"] not in keys:
                    keys.append(m["metric"])
        for r in rules:
            if r.glossary_key is not None and r.glossary_key not in keys:
                keys.append(r.glossary_key)
        return tuple(keys)

    def method_keys(self) -> tuple[str, ...]:
        doc = self.doc
        methods: list[str] = ["wilson"]
        for d in doc["disparities"]:
            for key in (d["ci_method"], d["test"]):
                if key in glossary() and key not in methods:
                    methods.append(key)
        for name in _EXTRA_LISTS:
            for m in doc.get(name) or ():
                key = m.get("ci_method")
                if key in glossary() and key not in methods:
                    methods.append(key)
        holm = any(d["p_value_holm"] is not None for d in doc["disparities"]) or any(
            m.get("p_value_holm") is not None for m in doc.get("outcome_metrics") or ()
        )
        if holm:
            methods.append("holm")
        return tuple(methods)

    def build(self) -> ReportView:
        doc = self.doc
        findings = self.rules_builder.findings()
        features = self.features()
        order = [f.name for f in features]
        scores = build_score_views(doc, self.cells, order)
        outcomes = build_outcome_views(doc, self.cells, order)
        rules = self.rules_builder.rules(findings)
        verdict = doc["verdict"]
        system = doc["system_name"]
        spec = doc["spec"]
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
            verdict_counts=verdict_counts(doc["rules"], doc["policy"]),
            facts=self.facts(),
            excluded=self.excluded(),
            policy=policy_facts(doc["policy"]),
            rules=rules,
            findings=findings,
            features=features,
            min_group_size=self.min_group_size,
            ci_label=f"{fmt_percent_level(spec['confidence_level'])} CI",
            suppressed_text=self.suppressed_text,
            glossary_keys=self.glossary_keys(rules),
            method_keys=self.method_keys(),
            reason_keys=tuple(r for r in self.cells.reasons_seen if r in glossary()),
            scores=scores,
            outcomes=outcomes,
            score_name=str(spec["score"]) if spec.get("score") else None,
            outcome_name=str(spec["outcome"]) if spec.get("outcome") else None,
            k=self.cells.k,
        )


def build_view(doc: Mapping[str, Any]) -> ReportView:
    """Turn a validated audit document (``report.json``) into display strings.

    Parameters
    ----------
    doc : Mapping
        A document that passed :func:`fairmark.report.validate.validate_report`.

    Returns
    -------
    ReportView

    Raises
    ------
    UsageError
        If ``doc`` is a document of another kind (delivery, representation, proxies):
        those have their own display model (:func:`fairmark.report._view_run.build_run_view`).
    """
    kind = doc.get("kind", "audit")
    if kind != "audit":
        raise UsageError(
            f"document is a {kind!r} document; expected an audit document (report.json "
            "of fairmark audit)"
        )
    return _Builder(doc).build()
