"""The audit of a model fails when its data includes subjects without consent for its purpose.

Issue #5: "Policy check privacy.consent_coverage makes the audit of a model fail when its
training or scoring data includes subjects without consent for the model's declared
purpose." Expected counts are worked out by hand from the ledger written here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import fairmark
from fairmark.errors import UsageError
from fairmark.privacy.consent import ConsentEvent, ConsentLedger

PURPOSE = "marketing.communications"
POLICY = """\
id: consent-gated
version: '1'
owner: tests
review_by: 2099-01-01
settings:
  purposes:
    marketing.communications:
      data_categories: [user.demographic]
rules:
  - id: consent
    check: privacy.consent_coverage
    max: 0
    severity: block
    principle: privacy
    rationale: every subject needs consent for the purpose (GDPR Art. 6(1)(a))
"""


def _data() -> pd.DataFrame:
    # 40 subjects in two groups; every subject selected or not, with an outcome.
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:02d}" for i in range(40)],
            "g": ["a"] * 20 + ["b"] * 20,
            "y": [i % 2 for i in range(40)],
            "sel": [int(i % 3 == 0) for i in range(40)],
        }
    )


@pytest.fixture
def setup(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    when = datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        ConsentEvent(
            subject_id=f"c{i:02d}", purpose=PURPOSE, state="granted", occurred_at=when,
            lawful_basis="consent",
        )
        for i in range(40)
        if i not in (3, 7)  # c03 has no record at all
    ]
    events.append(
        ConsentEvent(
            subject_id="c07", purpose=PURPOSE, state="denied", occurred_at=when,
            lawful_basis="consent",
        )
    )
    with ConsentLedger(url) as ledger:
        ledger.append(events)
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    return url, policy


def _audit(url: str, policy: Path, **kw):
    return fairmark.audit(
        _data(), y_true="y", y_pred="sel", sensitive_features="g", policy=policy,
        min_group_size=10, store_url=url, **kw,
    )


def test_subjects_without_consent_fail_the_audit(setup):
    url, policy = setup
    result = _audit(url, policy, purpose=PURPOSE, subject_column="customer_id",
                    features=["g"])
    coverage = result.metrics.consent
    assert (coverage.n_subjects, coverage.n_subjects_without) == (40, 2)
    assert coverage.by_reason["no_record"] == 1 and coverage.by_reason["denied"] == 1
    [rule] = [r for r in result.outcome.rules if r.check == "privacy.consent_coverage"]
    assert rule.verdict == "fail"
    assert result.verdict == "fail"
    doc = result.to_dict()
    # 2 subjects without consent is below k = 10: the report does not publish the count.
    assert doc["consent"]["subjects_without_consent"] is None
    assert doc["consent"]["share_without_consent"] is None
    assert doc["consent"]["subjects"] == 40


def test_full_coverage_passes(setup, tmp_path: Path):
    url, policy = setup
    with ConsentLedger(url) as ledger:
        later = datetime(2026, 2, 1, tzinfo=UTC)
        ledger.append(
            [
                ConsentEvent(subject_id=s, purpose=PURPOSE, state="granted",
                             occurred_at=later, lawful_basis="consent")
                for s in ("c03", "c07")
            ]
        )
    result = _audit(url, policy, purpose=PURPOSE, subject_column="customer_id",
                    features=["g"])
    assert result.metrics.consent.n_subjects_without == 0
    [rule] = [r for r in result.outcome.rules if r.check == "privacy.consent_coverage"]
    assert rule.verdict == "pass"


def test_undeclared_subject_column_is_not_judged_a_pass(setup):
    url, policy = setup
    result = _audit(url, policy, purpose=PURPOSE, features=["g"])
    [rule] = [r for r in result.outcome.rules if r.check == "privacy.consent_coverage"]
    assert rule.verdict == "insufficient_evidence"


def test_subject_column_without_purpose_is_an_error(setup):
    url, policy = setup
    with pytest.raises(UsageError, match="purpose"):
        _audit(url, policy, subject_column="customer_id")
