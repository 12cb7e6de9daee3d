"""Judge measurements against a policy: :func:`evaluate`, :func:`exit_code`.

Per measurement in a rule's scope the *outcome* is ``pass``, ``fail`` or
``insufficient``:

* ``value is None`` → insufficient (the reason code is in the message);
* ``judge: estimate`` → pass iff ``min <= value <= max`` (``+inf`` meets any ``min`` and
  violates any finite ``max``);
* ``judge: ci`` → pass iff the whole interval ``[ci_low, ci_high]`` is within the bounds,
  fail iff the estimate is outside them, otherwise insufficient (the interval crosses a
  bound: a violation cannot be ruled out at this sample size). Without an interval the
  estimate is judged and the message says so.

The rule's severity turns an outcome into a finding verdict::

    outcome        block                   warn   info
    pass           pass                    pass   pass
    fail           fail                    warn   pass
    insufficient   insufficient_evidence   warn   pass

A rule with no measurement in scope gets one ``insufficient`` finding. A rule's verdict is
the worst of its findings and the overall verdict the worst over the rules and the
review-date finding, in the order ``fail > insufficient_evidence > warn > pass``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from fairmark.checks.base import Check, Measurement, Principle
from fairmark.checks.registry import get_registry
from fairmark.errors import UsageError
from fairmark.fairness.result import json_number
from fairmark.policy.model import Policy, Rule
from fairmark.policy.wording import (
    bounds_text,
    measurement_sentence,
    undefined_sentence,
)

__all__ = [
    "REVIEW_BY_RULE_ID",
    "Finding",
    "PolicyOutcome",
    "RuleResult",
    "Verdict",
    "evaluate",
    "exit_code",
    "worst",
]

Verdict = Literal["pass", "warn", "fail", "insufficient_evidence"]
Outcome = Literal["pass", "fail", "insufficient"]

REVIEW_BY_RULE_ID = "policy.review_by"
DEFAULT_CONFIDENCE_LEVEL = 0.95

_RANK: dict[str, int] = {"pass": 0, "warn": 1, "insufficient_evidence": 2, "fail": 3}

_VERDICT: dict[tuple[Outcome, str], Verdict] = {
    ("pass", "block"): "pass",
    ("pass", "warn"): "pass",
    ("pass", "info"): "pass",
    ("fail", "block"): "fail",
    ("fail", "warn"): "warn",
    ("fail", "info"): "pass",
    ("insufficient", "block"): "insufficient_evidence",
    ("insufficient", "warn"): "warn",
    ("insufficient", "info"): "pass",
}


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    """Return the worst verdict: ``fail > insufficient_evidence > warn > pass``.

    An empty sequence gives ``pass``.
    """
    return max(verdicts, key=_RANK.__getitem__, default="pass")


def exit_code(verdict: Verdict) -> int:
    """Return the CI exit code of a verdict.

    ``pass`` and ``warn`` → 0; ``fail`` and ``insufficient_evidence`` → 1 (bad input is
    exit code 2, carried by :class:`fairmark.errors.FairmarkError`).

    Raises
    ------
    UsageError
        For anything that is not one of the four verdicts.
    """
    if verdict in ("pass", "warn"):
        return 0
    if verdict in ("fail", "insufficient_evidence"):
        return 1
    raise UsageError(
        f"unknown verdict {verdict!r}; expected pass, warn, fail or insufficient_evidence"
    )


@dataclass(frozen=True)
class Finding:
    """One judged measurement (or a rule with nothing to judge, or the review date).

    Attributes
    ----------
    rule_id, check : str
        The rule and its check id (both ``"policy.review_by"`` for the review-date finding).
    severity : {"block", "warn", "info"}
    verdict : Verdict
        After applying the severity (see the module docstring).
    principle : Principle
    feature, group, reference : str or None
        What was measured (``None`` for run-level findings).
    value, ci_low, ci_high : float or None
        The measurement, in the check's units.
    reason : str or None
        :class:`fairmark.errors.Reason` code of an undefined or infinite value.
    bound_min, bound_max : float or None
        The rule's bounds.
    judge : {"estimate", "ci"} or None
        How the rule judges (``None`` for the review-date finding).
    message : str
        Plain-language sentence; never contains counts of people.
    """

    rule_id: str
    check: str
    severity: str
    verdict: Verdict
    principle: Principle
    feature: str | None
    group: str | None
    value: float | None
    judge: str | None
    message: str
    reference: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None
    bound_min: float | None = None
    bound_max: float | None = None
    has_bound: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the ``findings[]`` object of ``report.json`` (see docs/report-schema.md).

        ``value`` is a number, ``"inf"`` or ``null``; ``bound`` is ``{"min", "max"}``
        (each a number, ``"inf"``/``"-inf"`` or ``null``), or ``null`` for the review-date
        finding.
        """
        bound = (
            {"min": json_number(self.bound_min), "max": json_number(self.bound_max)}
            if self.has_bound
            else None
        )
        return {
            "rule_id": self.rule_id,
            "check": self.check,
            "severity": self.severity,
            "verdict": self.verdict,
            "principle": self.principle,
            "feature": self.feature,
            "group": self.group,
            "value": json_number(self.value),
            "bound": bound,
            "judge": self.judge,
            "message": self.message,
        }


@dataclass(frozen=True)
class RuleResult:
    """The overall verdict of one policy rule.

    Attributes
    ----------
    rule_id, check, severity, principle, rationale : str
        Copied from the rule.
    verdict : Verdict
        Worst verdict of the rule's findings.
    n_findings : int
        Number of findings of the rule (at least 1).
    """

    rule_id: str
    check: str
    severity: str
    verdict: Verdict
    principle: Principle
    rationale: str
    n_findings: int

    def to_dict(self) -> dict[str, Any]:
        """Return the ``rules[]`` object of ``report.json`` (see docs/report-schema.md)."""
        return {
            "rule_id": self.rule_id,
            "check": self.check,
            "severity": self.severity,
            "verdict": self.verdict,
            "principle": self.principle,
            "rationale": self.rationale,
            "n_findings": self.n_findings,
        }


@dataclass(frozen=True)
class PolicyOutcome:
    """The policy's verdict on one audit.

    Attributes
    ----------
    verdict : Verdict
        Worst over ``rules`` and the review-date finding.
    rules : tuple of RuleResult
        One per policy rule, in policy order.
    findings : tuple of Finding
        Rule by rule in policy order, measurements in input order; the review-date
        finding (if the review date is past) last.
    """

    verdict: Verdict
    rules: tuple[RuleResult, ...]
    findings: tuple[Finding, ...]

    @property
    def exit_code(self) -> int:
        """CI exit code of :attr:`verdict` (see :func:`exit_code`)."""
        return exit_code(self.verdict)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"verdict", "rules": [...], "findings": [...]}``, JSON-serialisable."""
        return {
            "verdict": self.verdict,
            "rules": [rule.to_dict() for rule in self.rules],
            "findings": [finding.to_dict() for finding in self.findings],
        }


def _usable(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def _within(x: float, rule: Rule) -> bool:
    return (rule.min is None or x >= rule.min) and (rule.max is None or x <= rule.max)


def _judge(m: Measurement, rule: Rule) -> tuple[Outcome, str]:
    """Return the outcome and the tail of the message (after the measurement sentence)."""
    required = bounds_text(rule.min, rule.max)
    assert m.value is not None
    inside = _within(m.value, rule)
    if rule.judge == "estimate":
        if inside:
            return "pass", f"this meets the policy requirement of {required}"
        return "fail", f"the policy requires {required}"
    if not (_usable(m.ci_low) and _usable(m.ci_high)):
        note = "no confidence interval is available, so the estimate was judged"
        if inside:
            return "pass", f"{note}; it meets the policy requirement of {required}"
        return "fail", f"{note}; the policy requires {required}"
    if not inside:
        return "fail", f"the policy requires {required}"
    assert m.ci_low is not None and m.ci_high is not None
    if _within(m.ci_low, rule) and _within(m.ci_high, rule):
        return "pass", f"the whole confidence interval meets the policy requirement of {required}"
    return "insufficient", (
        f"the estimate meets the policy requirement of {required} but the confidence "
        "interval crosses the bound: cannot rule out a violation at this sample size"
    )


def _finding(rule: Rule, m: Measurement, check: Check | None, level: float) -> Finding:
    if m.value is None or math.isnan(m.value):
        outcome: Outcome = "insufficient"
        message = (
            f"{undefined_sentence(m, check)}; the policy requires "
            f"{bounds_text(rule.min, rule.max)} and an undefined value never counts as a pass."
        )
        value = None
    else:
        outcome, tail = _judge(m, rule)
        message = f"{measurement_sentence(m, check, level, (rule.min, rule.max))}; {tail}."
        value = m.value
    return Finding(
        rule_id=rule.id,
        check=rule.check,
        severity=rule.severity,
        verdict=_VERDICT[(outcome, rule.severity)],
        principle=rule.principle,
        feature=m.feature,
        group=m.group,
        reference=m.reference,
        value=value,
        ci_low=m.ci_low,
        ci_high=m.ci_high,
        reason=m.reason,
        bound_min=rule.min,
        bound_max=rule.max,
        judge=rule.judge,
        message=message,
    )


def _no_measurement(rule: Rule) -> Finding:
    return Finding(
        rule_id=rule.id,
        check=rule.check,
        severity=rule.severity,
        verdict=_VERDICT[("insufficient", rule.severity)],
        principle=rule.principle,
        feature=None,
        group=None,
        value=None,
        bound_min=rule.min,
        bound_max=rule.max,
        judge=rule.judge,
        message=f"no measurement for {rule.check} in scope {rule.scope.describe()}; "
        "the rule could not be judged.",
    )


def _review_finding(policy: Policy) -> Finding:
    return Finding(
        rule_id=REVIEW_BY_RULE_ID,
        check=REVIEW_BY_RULE_ID,
        severity="warn",
        verdict="warn",
        principle="accountability",
        feature=None,
        group=None,
        value=None,
        judge=None,
        has_bound=False,
        message=f"Policy {policy.id} v{policy.version} was due for review on "
        f"{policy.review_by.isoformat()}",
    )


def evaluate(
    policy: Policy,
    measurements: Sequence[Measurement],
    *,
    today: date | None = None,
    confidence_level: float | None = None,
    run_kind: str | None = None,
) -> PolicyOutcome:
    """Judge an audit's measurements against every rule of ``policy``.

    Parameters
    ----------
    policy : Policy
        From :func:`fairmark.policy.load_policy`.
    measurements : sequence of Measurement
        Everything the audit's checks measured (any order; measurements of checks no
        rule names are ignored).
    today : datetime.date, optional
        Date compared with ``policy.review_by`` (default: today); after it, a ``warn``
        finding ``policy.review_by`` is added.
    confidence_level : float, optional
        Level of the measurements' intervals, only for the wording of messages
        ("95% CI"); default: ``policy.settings.confidence_level``, else 0.95.
    run_kind : str, optional
        The kind of run being judged (``"audit"``, ``"delivery"``, ``"proxies"`` …; see
        :attr:`fairmark.checks.Check.input`). Rules whose check measures another kind of
        run are left out, so a fairness audit is not marked insufficient for a policy's
        ad-delivery rule. ``None`` judges every rule.

    Returns
    -------
    PolicyOutcome

    Raises
    ------
    UsageError
        If ``policy`` is not a :class:`Policy`, an item of ``measurements`` is not a
        :class:`fairmark.checks.Measurement`, or ``confidence_level`` is not in (0, 1).

    Notes
    -----
    The judging rules are in the module docstring. A ``ci`` judgement follows the
    practice of equivalence testing (a difference is shown acceptable only when its whole
    confidence interval is within the margin; Schuirmann 1987, J. Pharmacokin. Biopharm.
    15:657); the four-fifths rule comes from 29 CFR 1607.4(D).
    """
    if not isinstance(policy, Policy):
        raise UsageError(
            f"evaluate() got a {type(policy).__name__} as policy; "
            "expected a Policy from load_policy()"
        )
    for position, m in enumerate(measurements):
        if not isinstance(m, Measurement):
            raise UsageError(
                f"measurements[{position}] is a {type(m).__name__}; expected a Measurement"
            )
    if confidence_level is not None and not 0 < confidence_level < 1:
        raise UsageError(
            f"confidence_level is {confidence_level!r}; expected a number between 0 and 1, "
            "e.g. 0.95"
        )
    level = confidence_level or policy.settings.confidence_level or DEFAULT_CONFIDENCE_LEVEL
    registry = get_registry()
    findings: list[Finding] = []
    results: list[RuleResult] = []
    for rule in policy.rules:
        check = registry.get(rule.check)
        if run_kind is not None and check is not None and check.input != run_kind:
            continue
        rule_findings = [
            _finding(rule, m, check, level)
            for m in measurements
            if m.check_id == rule.check and rule.scope.contains(m.feature)
        ] or [_no_measurement(rule)]
        findings.extend(rule_findings)
        results.append(
            RuleResult(
                rule_id=rule.id,
                check=rule.check,
                severity=rule.severity,
                verdict=worst([f.verdict for f in rule_findings]),
                principle=rule.principle,
                rationale=rule.rationale,
                n_findings=len(rule_findings),
            )
        )
    verdicts = [result.verdict for result in results]
    if (today or date.today()) > policy.review_by:
        review = _review_finding(policy)
        findings.append(review)
        verdicts.append(review.verdict)
    return PolicyOutcome(verdict=worst(verdicts), rules=tuple(results), findings=tuple(findings))
