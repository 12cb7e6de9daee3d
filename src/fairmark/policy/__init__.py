"""The organisation's guidelines as code: versioned YAML policies and their verdicts.

A policy (``schema.json``, JSON Schema draft 2020-12) names checks by id and the bounds
their measurements must meet; :func:`evaluate` judges an audit's measurements against it
and its verdict gates CI (:func:`exit_code`: 0 pass/warn, 1 fail or insufficient evidence;
bad input raises :class:`fairmark.errors.PolicyError`, exit code 2).
"""

from fairmark.policy.evaluate import (
    REVIEW_BY_RULE_ID,
    Finding,
    PolicyOutcome,
    RuleResult,
    Verdict,
    evaluate,
    exit_code,
    worst,
)
from fairmark.policy.lint import LintMessage
from fairmark.policy.load import lint_policy, load_policy
from fairmark.policy.model import Judge, Policy, Rule, Scope, Settings, Severity
from fairmark.policy.schema import policy_schema

__all__ = [
    "REVIEW_BY_RULE_ID",
    "Finding",
    "Judge",
    "LintMessage",
    "Policy",
    "PolicyOutcome",
    "Rule",
    "RuleResult",
    "Scope",
    "Settings",
    "Severity",
    "Verdict",
    "evaluate",
    "exit_code",
    "lint_policy",
    "load_policy",
    "policy_schema",
    "worst",
]
