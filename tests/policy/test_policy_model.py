"""The frozen policy models and their invariants."""

from __future__ import annotations

import math
from datetime import date

import pytest
from pydantic import ValidationError

from fairmark.policy import Policy, Rule, Scope


def _rule(**overrides: object) -> Rule:
    fields: dict[str, object] = {
        "id": "r",
        "check": "fairness.disparate_impact",
        "min": 0.8,
        "severity": "block",
        "principle": "fairness",
        "rationale": "why",
    }
    fields.update(overrides)
    return Rule(**fields)


@pytest.mark.parametrize(
    ("scope", "feature", "expected"),
    [
        (Scope(), None, True),
        (Scope(), "age_band", True),
        (Scope(), "age_band & marital", True),
        (Scope(include_intersections=False), "age_band & marital", False),
        (Scope(include_intersections=False), "age_band", True),
        (Scope(include_intersections=False), None, True),
        (Scope(features=("age_band",)), "age_band", True),
        (Scope(features=("age_band",)), "age", False),  # exact match, no prefix
        (Scope(features=("age",)), "age_band", False),
        (Scope(features=("age_band",)), "marital", False),
        (Scope(features=("age_band",)), None, True),
        # an intersection is in scope when every component feature is listed …
        (Scope(features=("age_band", "marital")), "age_band & marital", True),
        (Scope(features=("age_band", "marital")), "marital & age_band", True),
        (Scope(features=("age_band",)), "age_band & marital", False),
        # … or when it is listed itself
        (Scope(features=("age_band & marital",)), "age_band & marital", True),
        (Scope(features=("age_band & marital",)), "age_band", False),
        # include_intersections: false excludes every intersection
        (
            Scope(features=("age_band", "marital"), include_intersections=False),
            "age_band & marital",
            False,
        ),
        (
            Scope(features=("age_band & marital",), include_intersections=False),
            "age_band & marital",
            False,
        ),
    ],
)
def test_scope_contains(scope: Scope, feature: str | None, expected: bool) -> None:
    assert scope.contains(feature) is expected


def test_scope_describe() -> None:
    assert Scope().describe() == "all features"
    assert Scope(features=("age_band",)).describe() == "feature age_band"
    assert (
        Scope(features=("age_band", "marital"), include_intersections=False).describe()
        == "features age_band, marital (intersections excluded)"
    )


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"min": None}, "expected at least one bound"),
        ({"min": math.nan}, "min is NaN"),
        ({"max": math.nan}, "max is NaN"),
        ({"min": 0.9, "max": 0.1}, "min 0.9 is greater than max 0.1"),
        ({"severity": "blocker"}, "severity"),
        ({"judge": "bayes"}, "judge"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_rule_invariants(overrides: dict, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        _rule(**overrides)


def test_rule_accepts_equal_and_infinite_bounds() -> None:
    assert _rule(min=0.8, max=0.8).max == 0.8
    assert _rule(min=None, max=math.inf).max == math.inf


def test_models_are_frozen() -> None:
    rule = _rule()
    with pytest.raises(ValidationError):
        rule.min = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Scope().features = ("x",)  # type: ignore[misc]


def test_policy_rejects_duplicate_rule_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate rule id 'r'"):
        Policy(
            id="p",
            version="1",
            owner="me",
            review_by=date(2027, 1, 1),
            rules=(_rule(), _rule(max=2.0)),
            sha256="0" * 64,
            path="test",
        )
