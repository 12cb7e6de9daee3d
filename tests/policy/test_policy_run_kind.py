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
    ]
    everything = evaluate(policy, [m])
    assert "fairness.small_groups" in [r.check for r in everything.rules]
    delivery = evaluate(policy, [], run_kind="delivery")
    assert [r.check for r in delivery.rules] == ["fairness.small_groups", "fairness.delivery_skew"]
    assert delivery.verdict == "warn"  # no measurement for a warn rule: warn, never pass
