"""Checks ``privacy.pii_in_features`` and ``privacy.data_minimisation`` judged by an audit.

Each case is a small table whose expected verdict follows from the definitions (GDPR
Art. 5(1)(c), Art. 9(1); ISO/IEC 20889 direct identifiers): an e-mail column among the
model's inputs must fail the blocking rule, a race column must fail it with the Art. 9
wording, an undeclared religion column must make the minimisation rule warn.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import fairmark
from fairmark.checks import get_registry
from fairmark.errors import UsageError
from fairmark.fairness.result import AuditMetrics
from fairmark.policy import load_policy
from fairmark.privacy.checks import _audit_checks, data_minimisation, pii_in_features
from fairmark.privacy.entities import SPECIAL_CATEGORY_PREFIXES, is_special_category
from fairmark.report import glossary_entry

PURPOSE = "marketing.communications"
POLICY = f"""\
id: privacy-audit-test
version: "1"
owner: tests
review_by: 2099-01-01
settings:
  min_group_size: 5
  purposes:
    {PURPOSE}:
      data_categories: [user.demographic.age_range, user.financial]
rules:
  - id: pii-in-features
    check: privacy.pii_in_features
    max: 0
    severity: block
    principle: privacy
    rationale: GDPR Art. 9(1)
  - id: data-minimisation
    check: privacy.data_minimisation
    max: 0
    severity: warn
    principle: privacy
    rationale: GDPR Art. 5(1)(c)
"""
NOT_JUDGED = (
    "could not be judged: declare the model's features (--features) or its purpose (--purpose)"
)


@pytest.fixture(scope="module")
def policy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY)
    return path


def _frame(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "y": [i % 2 for i in range(n)],
            "sel": [(i // 2) % 2 for i in range(n)],
            "g": ["a" if i < n // 2 else "b" for i in range(n)],
            "age": [20 + i for i in range(n)],
            "income": [1000.0 + 25 * i for i in range(n)],
            "email": [f"customer{i}@example.com" for i in range(n)],
            "race": ["white", "black", "asian", "mixed"] * (n // 4),
            "religion": ["none", "christian", "muslim", "jewish"] * (n // 4),
        }
    )


def _audit(frame: pd.DataFrame, policy: Path, **kwargs):
    return fairmark.audit(
        frame, y_true="y", y_pred="sel", sensitive_features="g", policy=str(policy), **kwargs
    )


def _rule(result, rule_id: str):
    (rule,) = [r for r in result.outcome.rules if r.rule_id == rule_id]
    (finding,) = [f for f in result.outcome.findings if f.rule_id == rule_id]
    return rule, finding


def test_an_email_column_among_the_features_fails_the_blocking_rule(policy_path) -> None:
    r = _audit(_frame(), policy_path, features=["age", "email"], purpose=PURPOSE,
               data_categories={"race": "user.demographic.race_ethnicity"})  # fmt: skip
    rule, finding = _rule(r, "pii-in-features")
    assert rule.verdict == "fail" and r.verdict == "fail" and r.exit_code == 1
    assert finding.value == 1
    assert "'email' (user.contact.email: a direct identifier)" in finding.message
    assert finding.message.startswith(
        "Number of the model's input columns that are direct identifiers or special-category "
        "data is 1 ("
    )


def test_race_among_the_features_fails_with_the_article_9_wording(policy_path) -> None:
    r = _audit(_frame()[["y", "sel", "g", "age", "race"]], policy_path, features=["age", "race"])
    rule, finding = _rule(r, "pii-in-features")
    assert rule.verdict == "fail" and finding.value == 1
    assert (
        "'race' (user.demographic.race_ethnicity: racial or ethnic origin (GDPR Art. 9(1)))"
        in finding.message
    )


def test_nothing_declared_warns_that_minimisation_could_not_be_judged(policy_path) -> None:
    frame = _frame()[["y", "sel", "g", "age", "income"]]
    r = _audit(frame, policy_path)
    rule, finding = _rule(r, "data-minimisation")
    assert rule.verdict == "warn" and finding.value is None and finding.reason == "not_declared"
    assert NOT_JUDGED in finding.message
    pii_rule, pii = _rule(r, "pii-in-features")
    assert pii_rule.verdict == "pass" and pii.value == 0  # age and income were examined
    assert "2 columns examined, none a direct identifier or special category" in pii.message
    assert r.verdict == "warn" and r.exit_code == 0


def test_an_undeclared_religion_column_present_warns_naming_it(policy_path) -> None:
    r = _audit(_frame()[["y", "sel", "g", "age", "income", "religion"]], policy_path,
               features=["age", "income"], purpose=PURPOSE)  # fmt: skip
    rule, finding = _rule(r, "data-minimisation")
    assert rule.verdict == "warn" and finding.value == 1
    assert (
        "'religion' (not a model feature, user.demographic.religious_belief not declared "
        "for the purpose)" in finding.message
    )
    assert _rule(r, "pii-in-features")[0].verdict == "pass"  # religion is not an input
    assert r.verdict == "warn"


def test_only_needed_columns_pass_both_rules(policy_path) -> None:
    r = _audit(_frame()[["y", "sel", "g", "age", "income"]], policy_path,
               features=["age"], purpose=PURPOSE)  # fmt: skip
    assert [(x.rule_id, x.verdict) for x in r.outcome.rules] == [
        ("pii-in-features", "pass"),
        ("data-minimisation", "pass"),
    ]
    assert r.to_dict()["privacy"]["data_minimisation"] == {
        "value": 0,
        "reason": None,
        "columns": [],
    }


def test_an_undeclared_purpose_is_a_usage_error_naming_the_declared_ones(policy_path) -> None:
    with pytest.raises(UsageError) as info:
        _audit(_frame(), policy_path, purpose="marketing.advertising.third_party.targeted")
    assert str(info.value) == (
        "purpose 'marketing.advertising.third_party.targeted' is not declared in policy "
        "privacy-audit-test; declared purposes: marketing.communications"
    )


def test_measure_without_a_profile_measures_nothing() -> None:
    bare = AuditMetrics(features=(), groups=(), disparities=(), reference_groups={},
                        min_group_size=1)  # fmt: skip
    assert pii_in_features.measure(bare) == []
    assert data_minimisation.measure(bare) == []


def test_the_checks_are_registered_run_level_privacy_checks() -> None:
    assert _audit_checks.CHECKS == (pii_in_features.CHECK, data_minimisation.CHECK)
    for check in _audit_checks.CHECKS:
        assert get_registry()[check.id] is check
        assert (check.principle, check.scope, check.input) == ("privacy", "run", "audit")
        assert check.direction == "lower_is_better"
        assert glossary_entry(check.metric).unit == "count"
    assert glossary_entry("not_declared").name


def test_the_default_policy_blocks_pii_and_warns_on_minimisation() -> None:
    policy = load_policy("default")
    rules = {r.id: r for r in policy.rules}
    assert (rules["pii-in-features"].check, rules["pii-in-features"].severity) == (
        "privacy.pii_in_features",
        "block",
    )
    assert (rules["data-minimisation"].check, rules["data-minimisation"].severity) == (
        "privacy.data_minimisation",
        "warn",
    )
    assert rules["pii-in-features"].max == 0 and rules["data-minimisation"].max == 0
    assert policy.settings.k_anonymity == 10
    for purpose in policy.settings.purposes.values():  # never an Art. 9 category
        for category in purpose.data_categories:
            assert is_special_category(category) is None, category
            # nor a parent of one (user.demographic would cover race and religion)
            assert not any(p.startswith(category + ".") for p in SPECIAL_CATEGORY_PREFIXES)
    assert "marketing.communications" in policy.settings.purposes


def test_without_declared_features_every_unused_column_is_a_possible_input(policy_path) -> None:
    r = _audit(_frame()[["y", "sel", "g", "age", "email"]], policy_path)
    rule, finding = _rule(r, "pii-in-features")
    assert rule.verdict == "fail" and finding.value == 1
    assert finding.message.endswith(
        "'email' (user.contact.email: a direct identifier); the model's inputs were not "
        "declared, so every column the audit does not use was examined: declare them with "
        "--features); the policy requires at most 0."
    )
