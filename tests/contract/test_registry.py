"""Contract over the whole check registry.

Every check: a stable id (never removed or renamed once released: pinned in
``check_ids.txt``), a principle, a glossary entry for the reports, a fixture that makes it
produce measurements, measurements that survive a JSON round trip, and usability in a
policy file.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

import fairmark
from fairmark.checks import get_registry
from fairmark.checks.base import Measurement
from fairmark.fairness.result import json_number
from fairmark.policy import evaluate, load_policy
from fairmark.report import glossary_entry

PINNED = Path(__file__).with_name("check_ids.txt").read_text().split()


def _area_fixtures() -> dict:
    """``check id -> () -> input`` from every ``fixtures_<area>.py`` beside this file."""
    import importlib.util

    found: dict = {}
    for path in sorted(Path(__file__).parent.glob("fixtures_*.py")):
        spec = importlib.util.spec_from_file_location(f"contract_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.update(module.FIXTURES)
    return found


AREA_FIXTURES = _area_fixtures()


def _measure(check, result):
    """Run a check on its fixture: an area fixture, else the default audit fixture."""
    if check.id in AREA_FIXTURES:
        return check.measure(AREA_FIXTURES[check.id]())
    assert check.input == "audit", f"{check.id} ({check.input}) needs a fixture in fixtures_*.py"
    return check.measure(result.metrics)


ID_PATTERN = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*$")


def _fixture_result():
    """A small audit where every fairness check has something to measure."""
    rows = []
    for group, n, sel, pos in (
        ("a", 60, 30, 20),
        ("b", 50, 10, 25),
        ("c", 40, 20, 10),
        ("d", 5, 1, 1),
    ):
        for i in range(n):
            rows.append({"g": group, "y": int(i < pos), "sel": int((i * 7) % n < sel)})
    return fairmark.audit(pd.DataFrame(rows), y_true="y", y_pred="sel", sensitive_features="g")


@pytest.fixture(scope="module")
def result():
    return _fixture_result()


def test_no_released_id_disappears():
    missing = sorted(set(PINNED) - set(get_registry()))
    assert not missing, f"check ids removed or renamed: {missing}"


@pytest.mark.parametrize("check_id", sorted(get_registry()))
def test_check_contract(check_id, result):
    check = get_registry()[check_id]
    assert ID_PATTERN.match(check.id), check.id
    assert check_id in PINNED, f"new check {check_id}: add it to tests/contract/check_ids.txt"
    assert check.principle in {
        "fairness",
        "privacy",
        "transparency",
        "accountability",
        "reliability_and_safety",
        "inclusiveness",
    }
    assert check.source and check.title
    entry = glossary_entry(check.metric)
    assert entry.what_it_means and entry.why_it_matters and entry.what_to_do
    measured = _measure(check, result)
    assert measured, f"{check_id} measured nothing on the fixture"
    for m in measured:
        assert m.check_id == check_id
        doc = {k: json_number(v) if isinstance(v, float) else v for k, v in asdict(m).items()}
        back = json.loads(json.dumps(doc, allow_nan=False))
        value = back["value"]
        restored = math.inf if value == "inf" else value
        assert restored == m.value or (m.value is not None and math.isclose(restored, m.value))
        assert (
            Measurement(**{**back, "value": restored, "ci_low": m.ci_low, "ci_high": m.ci_high})
            == m
        )


@pytest.mark.parametrize("check_id", sorted(get_registry()))
def test_check_usable_in_a_policy(check_id, result, tmp_path):
    check = get_registry()[check_id]
    bound = "min: 0.5" if check.direction == "higher_is_better" else "max: 0.5"
    path = tmp_path / "p.yaml"
    path.write_text(
        "id: contract\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        f"  - id: r1\n    check: {check_id}\n    {bound}\n    severity: warn\n"
        "    principle: fairness\n    rationale: contract test\n"
    )
    policy = load_policy(path)
    outcome = evaluate(policy, _measure(check, result))
    (rule,) = outcome.rules
    assert rule.rule_id == "r1"
    assert rule.n_findings >= 1
    assert rule.verdict in {"pass", "warn"}  # severity warn never fails the audit
