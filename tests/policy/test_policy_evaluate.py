"""Verdict semantics of evaluate(), table-driven over hand-made measurements."""

from __future__ import annotations

import itertools
import json
import math
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.checks import Measurement
from fairmark.errors import UsageError
from fairmark.policy import (
    Finding,
    Policy,
    PolicyOutcome,
    Rule,
    Scope,
    Settings,
    evaluate,
    exit_code,
    load_policy,
    worst,
)

DI = "fairness.disparate_impact"
EO = "fairness.equal_opportunity_difference"
SMALL = "fairness.small_groups"
BEFORE_REVIEW = date(2027, 1, 1)
REPO = Path(__file__).resolve().parents[2]


def _rule(**overrides: object) -> Rule:
    fields: dict[str, object] = {
        "id": "r",
        "check": DI,
        "min": 0.8,
        "severity": "block",
        "principle": "fairness",
        "rationale": "EEOC four-fifths rule",
    }
    fields.update(overrides)
    return Rule(**fields)


def _policy(*rules: Rule, settings: Settings | None = None) -> Policy:
    return Policy(
        id="acme-marketing-fairness",
        version="1.2.0",
        owner="Analytics",
        review_by=date(2027, 6, 30),
        rules=rules,
        settings=settings or Settings(),
        sha256="0" * 64,
        path="test",
    )


def _m(value: float | None, **fields: object) -> Measurement:
    base: dict[str, object] = {
        "check_id": DI,
        "feature": "age_band",
        "group": "65+",
        "reference": "25-34",
        "value": value,
    }
    base.update(fields)
    return Measurement(**base)


def _single(rule: Rule, m: Measurement) -> Finding:
    outcome = evaluate(_policy(rule), [m], today=BEFORE_REVIEW)
    assert len(outcome.findings) == 1
    return outcome.findings[0]


# ---------------------------------------------------------------- judging one value
# (rule bounds and judge, measurement, expected verdict with severity block)
JUDGING = [
    # estimate: inclusive bounds
    ({"min": 0.8}, _m(0.9), "pass"),
    ({"min": 0.8}, _m(0.8), "pass"),
    ({"min": 0.8}, _m(0.7999), "fail"),
    ({"min": None, "max": 0.1, "check": EO}, _m(0.1, check_id=EO), "pass"),
    ({"min": None, "max": 0.1, "check": EO}, _m(0.1000001, check_id=EO), "fail"),
    ({"min": 0.8, "max": 1.25}, _m(1.3), "fail"),
    ({"min": 0.8, "max": 1.25}, _m(1.0), "pass"),
    # estimate ignores the interval
    ({"min": 0.8}, _m(0.85, ci_low=0.5, ci_high=1.2), "pass"),
    # infinity compares as a float
    ({"min": 0.8}, _m(math.inf, reason="reference_rate_zero"), "pass"),
    ({"min": 0.8, "max": 1.25}, _m(math.inf, reason="reference_rate_zero"), "fail"),
    ({"min": 0.8}, _m(-math.inf), "fail"),
    ({"min": None, "max": math.inf}, _m(math.inf), "pass"),
    # undefined values are never a pass
    ({"min": 0.8}, _m(None, reason="below_min_group_size"), "insufficient_evidence"),
    ({"min": 0.8}, _m(math.nan), "insufficient_evidence"),
    ({"min": 0.8, "judge": "ci"}, _m(None, reason="no_selections"), "insufficient_evidence"),
    # ci: the whole interval inside → pass
    ({"min": 0.8, "judge": "ci"}, _m(0.95, ci_low=0.85, ci_high=1.05), "pass"),
    ({"min": 0.8, "judge": "ci"}, _m(0.95, ci_low=0.8, ci_high=1.05), "pass"),
    # ci: estimate outside → fail, whatever the interval
    ({"min": 0.8, "judge": "ci"}, _m(0.7, ci_low=0.5, ci_high=0.9), "fail"),
    ({"min": 0.8, "judge": "ci"}, _m(0.7, ci_low=0.6, ci_high=0.75), "fail"),
    # ci: estimate inside, interval crosses a bound → insufficient
    ({"min": 0.8, "judge": "ci"}, _m(0.9, ci_low=0.7, ci_high=1.1), "insufficient_evidence"),
    (
        {"min": None, "max": 0.1, "judge": "ci", "check": EO},
        _m(0.05, ci_low=0.01, ci_high=0.12, check_id=EO),
        "insufficient_evidence",
    ),
    (
        {"min": 0.8, "max": 1.25, "judge": "ci"},
        _m(1.0, ci_low=0.7, ci_high=1.4),
        "insufficient_evidence",
    ),
    # ci with an infinite upper end and only a min bound
    ({"min": 0.8, "judge": "ci"}, _m(math.inf, ci_low=1.5, ci_high=math.inf), "pass"),
    (
        {"min": 0.8, "judge": "ci"},
        _m(math.inf, ci_low=0.6, ci_high=math.inf),
        "insufficient_evidence",
    ),
    # ci missing (or half missing, or NaN) → the estimate is judged
    ({"min": 0.8, "judge": "ci"}, _m(0.9), "pass"),
    ({"min": 0.8, "judge": "ci"}, _m(0.7), "fail"),
    ({"min": 0.8, "judge": "ci"}, _m(0.9, ci_low=0.7), "pass"),
    ({"min": 0.8, "judge": "ci"}, _m(0.9, ci_low=math.nan, ci_high=1.0), "pass"),
]


@pytest.mark.parametrize(("bounds", "measurement", "expected"), JUDGING)
def test_judging(bounds: dict, measurement: Measurement, expected: str) -> None:
    finding = _single(_rule(**bounds), measurement)
    assert finding.verdict == expected


def test_missing_interval_is_said_in_the_message() -> None:
    finding = _single(_rule(judge="ci"), _m(0.9))
    assert "no confidence interval is available, so the estimate was judged" in finding.message


def test_interval_crossing_a_bound_is_explained() -> None:
    finding = _single(_rule(judge="ci"), _m(0.9, ci_low=0.7, ci_high=1.1))
    assert "cannot rule out a violation at this sample size" in finding.message


def test_undefined_value_message_carries_the_reason_code() -> None:
    finding = _single(_rule(), _m(None, reason="below_min_group_size"))
    assert "reason below_min_group_size" in finding.message
    assert "could not be computed" in finding.message
    assert finding.to_dict()["value"] is None


# ---------------------------------------------------------------- severities
# outcome x severity → verdict, exactly the table of the brief
SEVERITY_TABLE = {
    ("pass", "block"): "pass",
    ("pass", "warn"): "pass",
    ("pass", "info"): "pass",
    ("fail", "block"): "fail",
    ("fail", "warn"): "warn",
    ("fail", "info"): "pass",
    ("insufficient", "block"): "insufficient_evidence",
    ("insufficient", "warn"): "warn",
    ("insufficient", "info"): "pass",
    ("empty", "block"): "insufficient_evidence",
    ("empty", "warn"): "warn",
    ("empty", "info"): "pass",
}
OUTCOME_INPUT = {
    "pass": [_m(0.9)],
    "fail": [_m(0.5)],
    "insufficient": [_m(None, reason="empty_group")],
    "empty": [],
}


@pytest.mark.parametrize(("outcome", "severity"), list(SEVERITY_TABLE))
def test_severity_maps_outcomes_to_verdicts(outcome: str, severity: str) -> None:
    result = evaluate(
        _policy(_rule(severity=severity)), OUTCOME_INPUT[outcome], today=BEFORE_REVIEW
    )
    expected = SEVERITY_TABLE[(outcome, severity)]
    assert [f.verdict for f in result.findings] == [expected]
    assert [f.severity for f in result.findings] == [severity]
    assert result.rules[0].verdict == expected
    assert result.verdict == expected


def test_info_failure_is_kept_as_a_finding() -> None:
    finding = _single(_rule(severity="info"), _m(0.5))
    assert (finding.verdict, finding.severity) == ("pass", "info")
    assert "the policy requires at least 0.8" in finding.message


# ---------------------------------------------------------------- scope
def test_no_measurement_in_scope() -> None:
    rule = _rule(scope=Scope(features=("region",)))
    result = evaluate(_policy(rule), [_m(0.5)], today=BEFORE_REVIEW)
    (finding,) = result.findings
    assert finding.verdict == "insufficient_evidence"
    assert finding.message.startswith(
        "no measurement for fairness.disparate_impact in scope feature region"
    )
    assert (finding.feature, finding.group, finding.value) == (None, None, None)
    assert result.rules[0].n_findings == 1


@pytest.mark.parametrize(
    ("scope", "judged_features"),
    [
        (Scope(), ["age_band", "marital", "age_band & marital", None]),
        (Scope(include_intersections=False), ["age_band", "marital", None]),
        (Scope(features=("age_band",)), ["age_band", None]),
        (
            Scope(features=("age_band", "marital")),
            ["age_band", "marital", "age_band & marital", None],
        ),
        (
            Scope(features=("age_band", "marital"), include_intersections=False),
            ["age_band", "marital", None],
        ),
        (Scope(features=("age_band & marital",)), ["age_band & marital", None]),
        (Scope(features=("age",)), [None]),
    ],
)
def test_scope_selects_measurements(scope: Scope, judged_features: list[str | None]) -> None:
    measurements = [
        _m(0.9, feature="age_band"),
        _m(0.9, feature="marital", group="single", reference="married"),
        _m(0.9, feature="age_band & marital", group="65+ & single", reference="25-34 & married"),
        _m(0.9, feature=None, group=None, reference=None),
        _m(0.9, feature="age_band", check_id=EO),  # another check: never judged by this rule
    ]
    result = evaluate(_policy(_rule(scope=scope)), measurements, today=BEFORE_REVIEW)
    assert [f.feature for f in result.findings] == judged_features
    assert result.rules[0].n_findings == len(judged_features)


def test_measurements_of_unreferenced_checks_are_ignored() -> None:
    result = evaluate(
        _policy(_rule()), [_m(0.9), _m(0.0, check_id="fairness.other")], today=BEFORE_REVIEW
    )
    assert len(result.findings) == 1
    assert result.verdict == "pass"


# ---------------------------------------------------------------- aggregation
def test_rule_verdict_is_the_worst_of_its_findings() -> None:
    rule = _rule(judge="ci")
    measurements = [
        _m(0.9, group="a", ci_low=0.85, ci_high=0.95),  # pass
        _m(0.9, group="b", ci_low=0.7, ci_high=1.1),  # insufficient
        _m(0.5, group="c", ci_low=0.4, ci_high=0.6),  # fail
    ]
    result = evaluate(_policy(rule), measurements, today=BEFORE_REVIEW)
    assert [f.verdict for f in result.findings] == ["pass", "insufficient_evidence", "fail"]
    assert result.rules[0].verdict == "fail"
    assert result.rules[0].n_findings == 3
    result = evaluate(_policy(rule), measurements[:2], today=BEFORE_REVIEW)
    assert result.rules[0].verdict == "insufficient_evidence"


def test_overall_verdict_is_the_worst_over_rules() -> None:
    rules = (
        _rule(id="di", severity="warn"),  # fails → warn
        _rule(id="eo", check=EO, min=None, max=0.1),  # passes
        _rule(id="sg", check=SMALL, min=None, max=0.0, severity="block"),  # none → insufficient
    )
    measurements = [_m(0.5), _m(0.05, check_id=EO)]
    result = evaluate(_policy(*rules), measurements, today=BEFORE_REVIEW)
    assert [r.verdict for r in result.rules] == ["warn", "pass", "insufficient_evidence"]
    assert result.verdict == "insufficient_evidence"
    assert result.exit_code == 1


def test_worst_order() -> None:
    order = ["pass", "warn", "insufficient_evidence", "fail"]  # from best to worst
    assert worst([]) == "pass"
    for size in range(1, 5):
        for combo in itertools.product(order, repeat=size):
            assert worst(list(combo)) == max(combo, key=order.index)


@pytest.mark.parametrize(
    ("verdict", "code"),
    [("pass", 0), ("warn", 0), ("fail", 1), ("insufficient_evidence", 1)],
)
def test_exit_code(verdict: str, code: int) -> None:
    assert exit_code(verdict) == code  # type: ignore[arg-type]


def test_exit_code_rejects_unknown_verdict() -> None:
    with pytest.raises(UsageError, match="unknown verdict 'ok'"):
        exit_code("ok")  # type: ignore[arg-type]


# ---------------------------------------------------------------- review date
@pytest.mark.parametrize(
    ("today", "past"),
    [(date(2027, 6, 29), False), (date(2027, 6, 30), False), (date(2027, 7, 1), True)],
)
def test_review_by(today: date, past: bool) -> None:
    result = evaluate(_policy(_rule()), [_m(0.9)], today=today)
    review = [f for f in result.findings if f.rule_id == "policy.review_by"]
    if not past:
        assert review == []
        assert result.verdict == "pass"
        return
    (finding,) = review
    assert finding is result.findings[-1]
    assert finding.to_dict() == {
        "rule_id": "policy.review_by",
        "check": "policy.review_by",
        "severity": "warn",
        "verdict": "warn",
        "principle": "accountability",
        "feature": None,
        "group": None,
        "value": None,
        "bound": None,
        "judge": None,
        "message": "Policy acme-marketing-fairness v1.2.0 was due for review on 2027-06-30",
    }
    assert result.verdict == "warn"
    assert result.exit_code == 0
    assert [r.rule_id for r in result.rules] == ["r"]  # not a rule


def test_review_warning_does_not_hide_a_failure() -> None:
    result = evaluate(_policy(_rule()), [_m(0.5)], today=date(2030, 1, 1))
    assert result.verdict == "fail"


# ---------------------------------------------------------------- messages
def test_message_in_plain_language() -> None:
    finding = _single(_rule(), _m(0.62, ci_low=0.48, ci_high=0.80))
    assert finding.message == (
        "Selection rate of group '65+' (age_band) is 0.62 of the reference group '25-34' "
        "(95% CI 0.48–0.80); the policy requires at least 0.8."
    )


def test_message_uses_the_confidence_level() -> None:
    m = _m(0.62, ci_low=0.48, ci_high=0.80)
    by_policy = evaluate(
        _policy(_rule(), settings=Settings(confidence_level=0.9)), [m], today=BEFORE_REVIEW
    )
    assert "(90% CI 0.48–0.80)" in by_policy.findings[0].message
    by_argument = evaluate(
        _policy(_rule(), settings=Settings(confidence_level=0.9)),
        [m],
        today=BEFORE_REVIEW,
        confidence_level=0.99,
    )
    assert "(99% CI 0.48–0.80)" in by_argument.findings[0].message


def test_value_close_to_the_bound_is_not_rounded_onto_it() -> None:
    finding = _single(_rule(), _m(0.796))
    assert "is 0.796 of the reference group" in finding.message
    assert finding.verdict == "fail"


def test_infinite_ratio_message() -> None:
    finding = _single(_rule(), _m(math.inf, reason="reference_rate_zero"))
    assert "is infinitely larger than that of the reference group '25-34'" in finding.message
    assert "the reference group's rate is zero" in finding.message


def test_small_groups_message_names_groups_not_counts() -> None:
    rule = _rule(check=SMALL, min=None, max=0.0, severity="warn")
    m = Measurement(
        check_id=SMALL,
        feature="age_band",
        group=None,
        reference=None,
        value=2.0,
        detail="groups below the minimum size of 30: 18-24, 75+",
    )
    finding = _single(rule, m)
    assert finding.verdict == "warn"
    assert finding.message == (
        "Number of groups of age_band too small to audit is 2 (groups below the minimum "
        "size of 30: 18-24, 75+); the policy requires at most 0."
    )


def test_every_check_gets_a_readable_sentence() -> None:
    from fairmark.checks import get_registry

    for check_id, check in get_registry().items():
        m = _m(0.5, check_id=check_id, ci_low=0.4, ci_high=0.6)
        finding = _single(_rule(check=check_id, min=None, max=1.0), m)
        assert finding.verdict == "pass"
        assert "'65+'" in finding.message or check.scope != "group", finding.message
        assert "0.50" in finding.message, finding.message
        assert not re.search(r"\bNone\b", finding.message), finding.message


def test_unknown_check_and_run_level_measurement_fall_back_to_the_id() -> None:
    rule = _rule(check="governance.not_registered", min=5.0)
    m = Measurement(
        check_id="governance.not_registered", feature=None, group=None, reference=None, value=3.0
    )
    finding = _single(rule, m)
    assert finding.message == "governance.not_registered is 3.00; the policy requires at least 5."


# ---------------------------------------------------------------- to_dict
def _doc_fields(name: str) -> list[str]:
    """Field names of ``findings[]`` / ``rules[]`` as listed in docs/report-schema.md."""
    text = (REPO / "docs" / "report-schema.md").read_text("utf-8")
    match = re.search(rf"`{re.escape(name)}`: `\{{([^}}]*)\}}`", text)
    assert match, name
    return [field.strip() for field in match.group(1).split(",")]


def test_to_dict_matches_the_report_schema_and_is_json() -> None:
    rules = (
        _rule(id="di", min=0.8, max=math.inf, judge="ci"),
        _rule(id="eo", check=EO, min=None, max=0.1),
    )
    measurements = [
        _m(math.inf, ci_low=1.2, ci_high=math.inf, reason="reference_rate_zero"),
        _m(None, group="75+", reason="below_min_group_size"),
    ]
    outcome = evaluate(_policy(*rules), measurements, today=date(2028, 1, 1))
    assert isinstance(outcome, PolicyOutcome)
    doc = outcome.to_dict()
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text) == doc
    assert set(doc) == {"verdict", "rules", "findings"}
    assert doc["verdict"] == "insufficient_evidence"
    finding_fields = _doc_fields("findings[]")
    rule_fields = _doc_fields("rules[]")
    assert all(list(f) == finding_fields for f in doc["findings"])
    assert all(list(r) == rule_fields for r in doc["rules"])
    first = doc["findings"][0]
    assert first["value"] == "inf"
    assert first["bound"] == {"min": 0.8, "max": "inf"}
    assert (first["judge"], first["feature"], first["group"]) == ("ci", "age_band", "65+")
    assert doc["findings"][1]["value"] is None
    assert doc["rules"][0] == {
        "rule_id": "di",
        "check": DI,
        "severity": "block",
        "verdict": "insufficient_evidence",
        "principle": "fairness",
        "rationale": "EEOC four-fifths rule",
        "n_findings": 2,
    }
    assert doc["rules"][1]["n_findings"] == 1  # no measurement
    assert doc["findings"][-1]["rule_id"] == "policy.review_by"


def test_default_policy_end_to_end() -> None:
    policy = load_policy("default")
    measurements = [
        _m(0.85, ci_low=0.7, ci_high=1.0),
        _m(0.05, check_id=EO, group="65+", reference="25-34"),
        Measurement(SMALL, "age_band", None, None, 0.0, detail="every group has at least 30 rows"),
        Measurement("privacy.pii_in_features", None, None, None, 0.0),
        Measurement("privacy.data_minimisation", None, None, None, 0.0),
    ]
    outcome = evaluate(policy, measurements, today=date(2027, 11, 30), run_kind="audit")
    assert [r.verdict for r in outcome.rules] == ["pass"] * 5
    assert outcome.verdict == "pass"
    no_small = [m for m in measurements if m.check_id != SMALL]
    outcome = evaluate(policy, no_small, today=date(2027, 12, 1), run_kind="audit")
    assert [r.verdict for r in outcome.rules] == ["pass", "pass", "warn", "pass", "pass"]
    assert outcome.findings[-1].message == (
        "Policy fairmark-default v1.0.0 was due for review on 2027-11-30"
    )


# ---------------------------------------------------------------- input errors
def test_bad_inputs() -> None:
    with pytest.raises(UsageError, match="expected a Policy"):
        evaluate({"id": "x"}, [])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"measurements\[1\] is a dict; expected a Measurement"):
        evaluate(_policy(_rule()), [_m(0.9), {"value": 1}])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="confidence_level is 95"):
        evaluate(_policy(_rule()), [], confidence_level=95)


# ---------------------------------------------------------------- properties
_values = st.floats(allow_nan=False, min_value=-10, max_value=10) | st.just(math.inf)


@given(
    value=_values,
    spread=st.tuples(
        st.floats(min_value=0, max_value=5, allow_nan=False),
        st.floats(min_value=0, max_value=5, allow_nan=False),
    ),
    low=st.none() | st.floats(min_value=-5, max_value=5, allow_nan=False),
    width=st.none() | st.floats(min_value=0, max_value=5, allow_nan=False),
)
def test_ci_judging_is_never_more_lenient_than_the_estimate(
    value: float, spread: tuple[float, float], low: float | None, width: float | None
) -> None:
    if low is None and width is None:
        low = 0.0
    high = None if width is None else (width if low is None else low + width)
    m = _m(value, ci_low=value - spread[0], ci_high=value + spread[1])
    by_estimate = _single(_rule(min=low, max=high), m).verdict
    by_ci = _single(_rule(min=low, max=high, judge="ci"), m).verdict
    if by_ci == "pass":
        assert by_estimate == "pass"
    if by_estimate == "fail":
        assert by_ci == "fail"
    # with a zero-width interval both judges agree
    point = _m(value, ci_low=value, ci_high=value)
    assert _single(_rule(min=low, max=high, judge="ci"), point).verdict == by_estimate
