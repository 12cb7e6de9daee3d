"""Display model of a document's policy part: verdict, rules and findings.

Every kind of fairmark document (audit, delivery, representation, proxies) carries the same
``policy``, ``verdict``, ``findings[]`` and ``rules[]`` (``docs/report-schema.md``); this
module turns them into display strings once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.checks import get_registry
from fairmark.report._cells import (
    HIDDEN_REASON,
    HIDDEN_REASONS,
    Cell,
    CellMaker,
    display_unit,
    words,
)
from fairmark.report._format import fmt_number
from fairmark.report.glossary import GlossaryEntry, Unit, glossary

__all__ = [
    "JUDGE_WORDS",
    "SEVERITY_WORDS",
    "UNSIGNED_METRICS",
    "VERDICT_ORDER",
    "VERDICT_WORDS",
    "FindingContext",
    "FindingRow",
    "RuleView",
    "RulesBuilder",
    "policy_facts",
    "verdict_counts",
    "verdict_word",
]

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
#: Metrics that are a spread (highest minus lowest, never negative): shown without a sign.
UNSIGNED_METRICS: frozenset[str] = frozenset(
    {
        "demographic_parity_difference",
        "equal_opportunity_difference",
        "equalized_odds_difference",
        "predictive_parity_difference",
        "auc_difference",
        "calibration_difference",
    }
)


def verdict_word(verdict: str) -> str:
    """Return the status word of a verdict, e.g. ``"fail"`` → ``"FAIL"``."""
    return VERDICT_WORDS.get(verdict, verdict.upper())


@dataclass(frozen=True)
class FindingContext:
    """What a report knows about the number behind a finding.

    Attributes
    ----------
    reference : str or None
        The group the finding's group was compared with.
    reason : str or None
        Why the value is undefined or infinite.
    """

    reference: str | None
    reason: str | None


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


def policy_facts(policy: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...] | None:
    """Return the ``(label, value)`` lines describing the policy, or ``None`` without one."""
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


def verdict_counts(
    rules: Sequence[Mapping[str, Any]], policy: Mapping[str, Any] | None = None
) -> str:
    """Return e.g. ``"6 policy rules: 2 failed, 1 could not be judged, 2 warned, 1 passed."``.

    Parameters
    ----------
    rules : sequence of mapping
        The document's ``rules[]``.
    policy : mapping or None
        The document's ``policy``; with a policy but no rule, the text says that none of
        its rules applies, so that a "pass" is not read as a check that was made.
    """
    if not rules:
        if policy is not None:
            return (
                "None of the policy's rules applies to this kind of run, so nothing was "
                "judged: the numbers below are for information only."
            )
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


Lookup = Callable[[Mapping[str, Any], str | None], FindingContext | None]


class RulesBuilder:
    """Turn ``findings[]`` and ``rules[]`` into :class:`FindingRow` and :class:`RuleView`.

    Parameters
    ----------
    doc : Mapping
        A validated document of any kind.
    cells : CellMaker
        The document's cell maker (it records the reasons shown).
    hidden : set of (str, str)
        ``(feature, group)`` of suppressed groups: their finding values are never shown.
    lookup : callable, optional
        ``lookup(finding, metric) -> FindingContext or None``: the reference group and
        reason of the number behind a finding.
    """

    def __init__(
        self,
        doc: Mapping[str, Any],
        cells: CellMaker,
        hidden: set[tuple[str, str]],
        lookup: Lookup | None = None,
    ) -> None:
        self.doc = doc
        self.cells = cells
        self.hidden = hidden
        self.lookup: Lookup = lookup or (lambda finding, metric: None)
        self.registry = get_registry()

    def check_info(self, check_id: str) -> tuple[str, str | None]:
        """Return ``(title, metric key)`` of a check; ``(check_id, None)`` when unknown."""
        check = self.registry.get(check_id)
        if check is None:
            return check_id, None
        return check.title, check.metric

    @staticmethod
    def unit_of(metric: str | None) -> Unit:
        """Return the display unit of a metric key (``"none"`` when it has no entry)."""
        return display_unit(metric)

    @staticmethod
    def bound_text(bound: Any, unit: Unit) -> str:
        """Return a policy bound in words in the metric's unit, e.g. ``"at least 0.80"``."""
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

    def finding_row(self, finding: Mapping[str, Any]) -> FindingRow:
        """Return the display row of one finding."""
        _, metric = self.check_info(finding["check"])
        unit = self.unit_of(metric)
        context = self.lookup(finding, metric)
        reason = context.reason if context is not None else None
        if (finding["feature"], finding["group"]) in self.hidden:
            value = self.cells.hidden(reason if reason in HIDDEN_REASONS else HIDDEN_REASON)
        else:
            value = self.cells.value(
                finding["value"], None, None, reason, unit, signed=metric not in UNSIGNED_METRICS
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
            reference=context.reference if context is not None else None,
            value=value,
            bound=self.bound_text(finding["bound"], unit),
            judge=JUDGE_WORDS.get(judge, judge) if judge else "—",
            message=finding["message"],
        )

    def findings(self) -> tuple[FindingRow, ...]:
        """Every finding, worst verdict first."""
        return tuple(
            sorted(
                (self.finding_row(f) for f in self.doc["findings"]),
                key=lambda f: VERDICT_ORDER.get(f.verdict, 9),
            )
        )

    def rules(self, findings: Sequence[FindingRow]) -> tuple[RuleView, ...]:
        """Every rule with its findings, worst verdict first; findings of unlisted rules too."""
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
        """Return the display of one rule and its findings."""
        title, metric = self.check_info(rule["check"])
        entry = glossary().get(metric) if metric is not None else None
        return RuleView(
            rule_id=rule["rule_id"],
            check=rule["check"],
            check_title=title,
            severity=SEVERITY_WORDS.get(rule["severity"], rule["severity"]),
            verdict=rule["verdict"],
            verdict_word=verdict_word(rule["verdict"]),
            principle=words(rule["principle"]) if rule["principle"] else "—",
            rationale=rule["rationale"] or "",
            n_findings=rule["n_findings"],
            judge=", ".join(dict.fromkeys(f.judge for f in findings)) or "—",
            findings=tuple(sorted(findings, key=lambda f: VERDICT_ORDER.get(f.verdict, 9))),
            entry=entry,
            glossary_key=metric if entry is not None else None,
        )
