"""Rules are judged only by runs of their check's kind (Check.input)."""

from __future__ import annotations

import importlib
from dataclasses import replace

from fairmark.checks.base import Measurement
from fairmark.checks.registry import get_registry
from fairmark.policy import evaluate, load_policy

ev = importlib.import_module("fairmark.policy.evaluate")


def test_rules_of_another_run_kind_are_left_out(monkeypatch, tmp_path):
    registry = dict(get_registry())
    registry["fairness.small_groups"] = replace(registry["fairness.small_groups"], input="delivery")
    monkeypatch.setattr(ev, "get_registry", lambda: registry)
    policy = load_policy("default")
    m = Measurement("fairness.disparate_impact", "g", "a", "b", 0.9, 0.8, 1.0)
    audit_outcome = evaluate(policy, [m], run_kind="audit")
    assert [r.check for r in audit_outcome.rules] == [
        "fairness.disparate_impact",
        "fairness.equal_opportunity_difference",
        "privacy.pii_in_features",
        "privacy.data_minimisation",
    ]
    everything = evaluate(policy, [m])
    assert "fairness.small_groups" in [r.check for r in everything.rules]
    delivery = evaluate(policy, [], run_kind="delivery")
    assert [r.check for r in delivery.rules] == ["fairness.small_groups", "fairness.delivery_skew"]
    assert delivery.verdict == "warn"  # no measurement for a warn rule: warn, never pass


def test_bounds_outside_the_checks_range_are_errors(tmp_path):
    from fairmark.policy import lint_policy

    path = tmp_path / "pct.yaml"
    path.write_text(
        "id: pct\nversion: '1'\nowner: me\nreview_by: 2099-01-01\nrules:\n"
        "  - {id: a, check: fairness.disparate_impact, min: 80, severity: block,"
        " principle: fairness, rationale: x}\n"
        "  - {id: b, check: fairness.equal_opportunity_difference, max: 10, severity: block,"
        " principle: fairness, rationale: x}\n"
        "  - {id: c, check: fairness.disparate_impact, max: 1.25, severity: warn,"
        " principle: fairness, rationale: two-sided four-fifths}\n"
    )
    errors = [m for m in lint_policy(path) if m.level == "error"]
    assert [m.line for m in errors] == [6, 7]  # the two flow-style rule lines
    assert "did you mean 0.8?" in errors[0].message
    assert "did you mean 0.1?" in errors[1].message
