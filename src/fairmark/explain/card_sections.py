"""The nine sections of a model card, built from an audit record.

Section list and meaning: M. Mitchell, S. Wu, A. Zaldivar, P. Barnes, L. Vasserman,
B. Hutchinson, E. Spitzer, I. D. Raji and T. Gebru, *Model Cards for Model Reporting*,
Proceedings of FAT* '19, pp. 220-229, doi:10.1145/3287560.3287596 (Figure 1): model
details, intended use, factors, metrics, evaluation data, training data, quantitative
analyses, ethical considerations, caveats and recommendations.

Every number comes from the ``report.json`` document, already formatted by the report
display model (:func:`fairmark.report._view.build_view`), so the same suppression rule
holds: a group below ``min_group_size`` shows no count, rate or comparison value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fairmark.explain.model_details import ModelDetails
from fairmark.report._format import fmt_count
from fairmark.report._view import ReportView
from fairmark.report.glossary import glossary

__all__ = ["MITCHELL_SECTIONS", "CardSection", "CardTable", "build_sections"]

#: (key, title) of the nine sections, in the order of Mitchell et al. 2019, Figure 1.
MITCHELL_SECTIONS: tuple[tuple[str, str], ...] = (
    ("model_details", "Model details"),
    ("intended_use", "Intended use"),
    ("factors", "Factors"),
    ("metrics", "Metrics"),
    ("evaluation_data", "Evaluation data"),
    ("training_data", "Training data"),
    ("quantitative_analyses", "Quantitative analyses"),
    ("ethical_considerations", "Ethical considerations"),
    ("caveats_and_recommendations", "Caveats and recommendations"),
)
_NOT_DOCUMENTED = "Not documented by the model owner (add {field!r} to the model details)."
_GROUP_COLUMNS = ("selection_rate", "base_rate", "tpr", "fpr", "ppv")
_EXTRA_METRIC_LISTS = ("score_metrics", "outcome_metrics")


@dataclass(frozen=True)
class CardTable:
    """A table of display strings.

    Attributes
    ----------
    caption : str
        What the table shows.
    columns : tuple of str
        Column headings.
    rows : tuple of tuple of str
        One tuple of cells per row, as long as ``columns``.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "caption": self.caption,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


@dataclass(frozen=True)
class CardSection:
    """One model-card section.

    Attributes
    ----------
    key : str
        Section key (see :data:`MITCHELL_SECTIONS`).
    title : str
        Heading.
    paragraphs : tuple of str
        Plain-text paragraphs.
    facts : tuple of (str, str)
        Label/value pairs.
    items : tuple of str
        Bullet points.
    tables : tuple of CardTable
        Tables.
    """

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()
    tables: tuple[CardTable, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "facts": [{"label": k, "value": v} for k, v in self.facts],
            "items": list(self.items),
            "tables": [t.to_dict() for t in self.tables],
        }


def _cell(cell: Any) -> str:
    return f"{cell.text} ({cell.ci})" if getattr(cell, "ci", "") else str(cell.text)


def _name(key: str) -> str:
    entry = glossary().get(key)
    return entry.name if entry is not None else key.replace("_", " ")


class _Sections:
    def __init__(self, doc: Mapping[str, Any], view: ReportView, details: ModelDetails) -> None:
        self.doc, self.view, self.details = doc, view, details
        self.model_name = details.name or doc.get("system_name") or "Unnamed model"

    def _say(self, text: str | None, field_name: str) -> str:
        return text if text else _NOT_DOCUMENTED.format(field=field_name)

    def model_details(self) -> CardSection:
        d, doc = self.details, self.doc
        facts = [
            ("Model", self.model_name),
            ("Version", self._say(d.version, "version")),
            ("Type", self._say(d.model_type, "model_type")),
            ("Owner", self._say(d.owner, "owner")),
            ("Date", d.date or "not documented"),
            ("Licence", d.license or "not documented"),
        ]
        if d.contact:
            facts.append(("Contact", d.contact))
        if d.citation:
            facts.append(("Citation", d.citation))
        facts += [
            ("Audit run", str(doc["run_id"])),
            ("Audited on", str(doc["created_at"])),
            (
                "Audit tool",
                f"fairmark {doc['tool_version']} (report schema {doc['schema_version']})",
            ),
        ]
        paragraphs = (
            [d.description] if d.description else [_NOT_DOCUMENTED.format(field="description")]
        )
        return CardSection("model_details", "Model details", tuple(paragraphs), tuple(facts))

    def intended_use(self) -> CardSection:
        d = self.details
        paragraphs = [f"The audit examined this decision: {self.view_decision()}."]
        items = [f"Intended use: {u}" for u in d.intended_use] or [
            _NOT_DOCUMENTED.format(field="intended_use")
        ]
        items += [f"Intended users: {u}" for u in d.intended_users]
        items += [f"Out of scope: {u}" for u in d.out_of_scope] or [
            "Out-of-scope uses: " + _NOT_DOCUMENTED.format(field="out_of_scope")
        ]
        return CardSection("intended_use", "Intended use", tuple(paragraphs), items=tuple(items))

    def view_decision(self) -> str:
        return dict(self.view.facts).get("Decision audited", "not recorded")

    def factors(self) -> CardSection:
        spec = self.doc["spec"]
        paragraphs = [
            "Groups compared (relevant factors evaluated): "
            + (", ".join(f.name for f in self.view.features) or "none")
            + ".",
        ]
        items = []
        for feature in self.view.features:
            items.append(
                f"{feature.name}: {len(feature.groups)} groups; reference group "
                f"{feature.reference or 'none'} ({feature.reference_chosen_by})"
                + (f"; {feature.n_suppressed} too small to show" if feature.n_suppressed else "")
            )
        if spec.get("intersections"):
            paragraphs.append(
                "Intersections of features are audited as groups of their own, so that a "
                "disadvantage of, for example, older single customers is not averaged away."
            )
        items += [f"Further factor (owner): {f}" for f in self.details.factors]
        return CardSection("factors", "Factors", tuple(paragraphs), items=tuple(items))

    def metrics(self) -> CardSection:
        view = self.view
        rows = []
        for key in view.glossary_keys:
            entry = glossary().get(key)
            if entry is not None:
                rows.append((entry.name, entry.what_it_means))
        threshold = self.doc["summary"].get("selected_threshold")
        paragraphs = [
            f"Decision audited: {self.view_decision()}"
            + (f"; resulting score cut-off {threshold:g}." if threshold is not None else "."),
            f"Uncertainty is shown as {view.ci_label.replace(' CI', '')} confidence "
            "intervals. Methods used: " + ", ".join(_name(m) for m in view.method_keys) + ".",
        ]
        table = CardTable("Metrics reported", ("Metric", "What it means"), tuple(rows))
        return CardSection("metrics", "Metrics", tuple(paragraphs), tables=(table,))

    def evaluation_data(self) -> CardSection:
        doc = self.doc
        fp = doc["data_fingerprint"]
        facts = list(self.view.facts[:4])
        facts.append(("Columns", ", ".join(map(str, fp.get("columns", []))) or "not recorded"))
        facts.append(("Fingerprint", f"{fp.get('algorithm', 'sha256')} {fp.get('value', '')}"))
        facts += [(f"Left out: {k}", v) for k, v in self.view.excluded]
        paragraphs = [
            "The evaluation data is the data of the audit run; the fingerprint identifies it "
            "without storing any row."
        ]
        if self.details.evaluation_data:
            paragraphs.append(self.details.evaluation_data)
        return CardSection("evaluation_data", "Evaluation data", tuple(paragraphs), tuple(facts))

    def training_data(self) -> CardSection:
        text = self.details.training_data or (
            "The audit record does not describe the training data. "
            + _NOT_DOCUMENTED.format(field="training_data")
        )
        return CardSection("training_data", "Training data", (text,))

    def quantitative(self) -> CardSection:
        tables = []
        hidden = {(g["feature"], g["group"]) for g in self.doc["groups"] if g["suppressed"]}
        for feature in self.view.features:
            rows = []
            for g in feature.groups:
                name = g.name + (" (reference)" if g.is_reference else "")
                rows.append((name, _cell(g.n), *(_cell(g.metrics[m]) for m in _GROUP_COLUMNS)))
            tables.append(
                CardTable(
                    f"{feature.name}: rates by group ({self.view.ci_label})",
                    ("Group", "Rows", *(_name(m) for m in _GROUP_COLUMNS)),
                    tuple(rows),
                )
            )
            disp = [
                (d.metric_name, d.group, d.reference, _cell(d.value), d.p_value_holm)
                for d in feature.disparities
            ]
            if disp:
                tables.append(
                    CardTable(
                        f"{feature.name}: comparisons with the reference group",
                        ("Metric", "Group", "Reference", "Value", "p (Holm)"),
                        tuple(disp),
                    )
                )
        tables += self._extra_metrics(hidden)
        rules = tuple(
            (r.rule_id, r.check_title, r.verdict_word, str(r.n_findings)) for r in self.view.rules
        )
        if rules:
            tables.append(
                CardTable("Policy rules", ("Rule", "Check", "Verdict", "Findings"), rules)
            )
        paragraphs = [
            f"Overall verdict against the policy: {self.view.verdict_word}. "
            f"{self.view.verdict_counts}",
            f"Groups with fewer than {self.view.min_group_size} rows are not estimated and "
            "their counts are not shown.",
        ]
        return CardSection(
            "quantitative_analyses",
            "Quantitative analyses",
            tuple(paragraphs),
            tables=tuple(tables),
        )

    def _extra_metrics(self, hidden: set[tuple[str, str]]) -> list[CardTable]:
        out = []
        for key in _EXTRA_METRIC_LISTS:
            entries = self.doc.get(key)
            if not isinstance(entries, Sequence) or not entries:
                continue
            rows = []
            for e in entries:
                if not isinstance(e, Mapping):
                    continue
                feature, group = str(e.get("feature", "")), str(e.get("group", ""))
                if (feature, group) in hidden or e.get("reason") == "below_min_group_size":
                    value = self.view.suppressed_text
                elif isinstance(e.get("value"), int | float) and not isinstance(
                    e.get("value"), bool
                ):
                    value = f"{e['value']:.4g}"
                else:
                    value = f"undefined — {_name(str(e.get('reason')))}"
                rows.append((feature, group, _name(str(e.get("metric", ""))), value))
            out.append(
                CardTable(
                    key.replace("_", " ").capitalize(),
                    ("Feature", "Group", "Metric", "Value"),
                    tuple(rows),
                )
            )
        return out

    def ethical(self) -> CardSection:
        paragraphs = [
            "Sensitive characteristics audited: "
            + (", ".join(f.name for f in self.view.features if not f.is_intersection) or "none")
            + ". The audit compares decisions between these groups; it cannot show whether "
            "the model uses these characteristics or stand-ins for them (proxies).",
        ]
        items = []
        for rule in self.view.rules:
            if rule.verdict in ("fail", "warn", "insufficient_evidence"):
                items.append(
                    f"{rule.verdict_word}: {rule.check_title} — {rule.rationale}".strip(" —")
                )
                for f in rule.findings:
                    if f.verdict == rule.verdict:
                        ref = f" vs {f.reference}" if f.reference else ""
                        items.append(
                            f"  {f.feature} = {f.group}{ref}: {_cell(f.value)} (required {f.bound})"
                        )
        items += self.details.ethical_considerations
        if not items:
            items.append("No policy rule failed or warned in this audit.")
        return CardSection(
            "ethical_considerations",
            "Ethical considerations",
            tuple(paragraphs),
            items=tuple(items),
        )

    def caveats(self) -> CardSection:
        view = self.view
        items = []
        n_hidden = sum(f.n_suppressed for f in view.features)
        if n_hidden:
            items.append(
                f"{n_hidden} group(s) had fewer than {view.min_group_size} rows: they were not "
                "estimated, so nothing can be said about how the model treats them."
            )
        for reason in view.reason_keys:
            if reason != "below_min_group_size":
                items.append(f"Some values are undefined: {_name(reason)}.")
        excluded = self.doc["summary"].get("n_excluded") or 0
        if excluded:
            items.append(
                f"{fmt_count(excluded)} rows were left out of the audit (see Evaluation data)."
            )
        items.append(
            "The figures describe the audited data only; a different population, period or "
            "cut-off can give different results. Re-audit after retraining or when the "
            "customer base changes."
        )
        items.append(
            "Differences between groups are associations, not proof of their cause; "
            "investigate before acting."
        )
        if self.doc["verdict"] in ("fail", "insufficient_evidence"):
            items.append(
                "Recommendation: do not rely on this model for the audited decision until the "
                "failing or undecided policy rules are resolved."
            )
        items += self.details.caveats
        return CardSection(
            "caveats_and_recommendations", "Caveats and recommendations", items=tuple(items)
        )


def build_sections(
    doc: Mapping[str, Any], view: ReportView, details: ModelDetails
) -> tuple[CardSection, ...]:
    """Build the nine sections, in :data:`MITCHELL_SECTIONS` order.

    Parameters
    ----------
    doc : Mapping
        A validated ``report.json`` document.
    view : ReportView
        Its display model (:func:`fairmark.report._view.build_view`).
    details : ModelDetails
        Owner-supplied facts.

    Returns
    -------
    tuple of CardSection
    """
    s = _Sections(doc, view, details)
    return (
        s.model_details(),
        s.intended_use(),
        s.factors(),
        s.metrics(),
        s.evaluation_data(),
        s.training_data(),
        s.quantitative(),
        s.ethical(),
        s.caveats(),
    )
