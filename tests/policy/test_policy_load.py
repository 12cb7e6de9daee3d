"""load_policy: the built-in policy, hashing, and one-line errors with the right line."""

from __future__ import annotations

import hashlib
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from fairmark.errors import PolicyError
from fairmark.policy import Policy, Rule, Scope, Settings, load_policy

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "src" / "fairmark" / "policy" / "builtin" / "default.yaml"

GOOD = """\
id: acme-marketing-fairness
version: "1.2.0"
owner: "Head of Marketing Analytics <analytics@acme.example>"
review_by: 2027-06-30
description: "Marketing fairness standard"
settings:
  min_group_size: 50
  confidence_level: 0.9
rules:
  - id: four-fifths-rule
    check: fairness.disparate_impact
    min: 0.8
    scope: {features: all}
    severity: block
    judge: estimate
    principle: fairness
    rationale: "US EEOC four-fifths rule; our marketing fairness standard §3"
  - id: eo-gap
    check: fairness.equal_opportunity_difference
    max: 0.1
    scope: {features: [age_band, marital], include_intersections: false}
    severity: warn
    judge: ci
    principle: fairness
    rationale: "Hardt et al. 2016"
"""


def _write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_default_policy_loads() -> None:
    policy = load_policy("default")
    assert isinstance(policy, Policy)
    assert (policy.id, policy.version, policy.owner) == (
        "fairmark-default",
        "1.0.0",
        "fairmark maintainers",
    )
    assert policy.review_by == date(2027, 11, 30)
    assert (policy.settings.min_group_size, policy.settings.k_anonymity) == (30, 10)
    assert "marketing.communications" in policy.settings.purposes
    assert [r.id for r in policy.rules] == [
        "four-fifths-rule",
        "equal-opportunity",
        "small-groups",
        "proxy-features",
        "ad-delivery-skew",
        "representative-training-data",
        "pii-in-features",
        "data-minimisation",
        "k-anonymity",
        "audience-minimum-size",
        "no-dark-patterns",
        "substantiated-claims",
        "special-category-wording",
        "ai-disclosure",
        "gender-coded-job-ads",
        "targeting-restrictions",
    ]
    assert policy.path == "builtin:default"
    assert policy.sha256 == hashlib.sha256(BUILTIN.read_bytes()).hexdigest()
    assert policy.to_report_dict() == {
        "id": "fairmark-default",
        "version": "1.0.0",
        "owner": "fairmark maintainers",
        "review_by": "2027-11-30",
        "sha256": hashlib.sha256(BUILTIN.read_bytes()).hexdigest(),
        "path": "builtin:default",
    }


def test_repo_symlink_loads_the_same_policy() -> None:
    builtin = load_policy("default")
    linked = load_policy(REPO / "policies" / "default.yaml")
    assert linked.sha256 == builtin.sha256
    assert linked.rules == builtin.rules
    assert linked.path == str(REPO / "policies" / "default.yaml")


def test_full_policy_is_read_into_the_models(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    policy = load_policy(str(path))
    assert policy.review_by == date(2027, 6, 30)
    assert policy.description == "Marketing fairness standard"
    assert policy.settings == Settings(min_group_size=50, confidence_level=0.9)
    assert policy.rules[0] == Rule(
        id="four-fifths-rule",
        check="fairness.disparate_impact",
        min=0.8,
        severity="block",
        principle="fairness",
        rationale="US EEOC four-fifths rule; our marketing fairness standard §3",
    )
    second = policy.rules[1]
    assert (second.min, second.max, second.judge, second.severity) == (None, 0.1, "ci", "warn")
    assert second.scope == Scope(features=("age_band", "marital"), include_intersections=False)
    assert policy.sha256 == hashlib.sha256(GOOD.encode("utf-8")).hexdigest()
    assert policy.path == str(path)


def test_sha256_ignores_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    lf = _write(tmp_path, GOOD, "lf.yaml")
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert load_policy(crlf).sha256 == load_policy(lf).sha256
    changed = _write(tmp_path, GOOD.replace("0.8", "0.75"), "changed.yaml")
    assert load_policy(changed).sha256 != load_policy(lf).sha256


def test_quoted_and_unquoted_dates_are_the_same(tmp_path: Path) -> None:
    quoted = _write(tmp_path, GOOD.replace("2027-06-30", '"2027-06-30"'), "q.yaml")
    assert load_policy(quoted).review_by == date(2027, 6, 30)


def test_defaults_for_optional_fields(tmp_path: Path) -> None:
    text = """\
    id: minimal
    version: "1"
    owner: me
    review_by: 2027-01-01
    rules:
      - id: di
        check: fairness.disparate_impact
        min: 0.8
        severity: warn
        principle: fairness
        rationale: r
    """
    policy = load_policy(_write(tmp_path, text))
    assert policy.settings == Settings(min_group_size=None, confidence_level=None)
    assert policy.description is None
    rule = policy.rules[0]
    assert rule.judge == "estimate"
    assert rule.scope == Scope(features="all", include_intersections=True)


def test_lint_warnings_do_not_stop_loading(tmp_path: Path) -> None:
    # only `min` for a lower_is_better check is a warning, not an error
    text = GOOD.replace("    max: 0.1\n", "    min: 0.1\n")
    policy = load_policy(_write(tmp_path, text))
    assert policy.rules[1].min == 0.1


# (name, text, line, column or None, fragments that must all be in the message)
MALFORMED = [
    (
        "yaml syntax",
        GOOD.replace("    check: fairness.disparate_impact\n", "    check: [fairness.x\n"),
        12,
        8,
        ["invalid YAML", "expected ',' or ']'"],
    ),
    (
        "bad indentation",
        GOOD.replace("  - id: eo-gap\n", "  - id: eo-gap\n   oops: 1\n"),
        19,
        4,
        ["invalid YAML", "expected <block end>"],
    ),
    (
        "wrong type",
        GOOD.replace('version: "1.2.0"', "version: 1.2"),
        2,
        10,
        ["version: expected text, got the number 1.2", "quotes"],
    ),
    (
        "wrong type inside a rule",
        GOOD.replace("    min: 0.8\n", "    min: high\n"),
        12,
        10,
        ["rules[0].min: expected a number, got the text 'high'"],
    ),
    (
        "unknown check with suggestion",
        GOOD.replace("check: fairness.disparate_impact", "check: fairness.disparate_impakt"),
        11,
        12,
        [
            "rules[0].check: unknown check id 'fairness.disparate_impakt'",
            "did you mean fairness.disparate_impact",
        ],
    ),
    (
        "unknown check without a close id lists the known ids",
        GOOD.replace("check: fairness.disparate_impact", "check: governance.xyz"),
        11,
        12,
        ["unknown check id 'governance.xyz'", "expected one of:", "fairness.small_groups"],
    ),
    (
        "duplicate rule id",
        GOOD.replace("id: eo-gap", "id: four-fifths-rule"),
        18,
        9,
        ["rules[1].id: duplicate rule id 'four-fifths-rule' (first used on line 10)"],
    ),
    (
        "min greater than max",
        GOOD.replace("    max: 0.1\n", "    min: 0.3\n    max: 0.1\n"),
        20,
        10,
        ["rules[1].min: min 0.3 is greater than max 0.1; expected min <= max"],
    ),
    (
        "no bound",
        GOOD.replace("    max: 0.1\n", ""),
        18,
        5,
        ["rules[1]: expected at least one bound: min or max"],
    ),
    (
        "nan bound",
        GOOD.replace("    max: 0.1\n", "    max: .nan\n"),
        20,
        10,
        ["rules[1].max: bound is NaN"],
    ),
    (
        "missing required field",
        GOOD.replace('owner: "Head of Marketing Analytics <analytics@acme.example>"\n', ""),
        1,
        1,
        ["missing required field 'owner'"],
    ),
    (
        "missing rationale points at the rule",
        GOOD.replace('    rationale: "Hardt et al. 2016"\n', ""),
        18,
        5,
        ["rules[1]: missing required field 'rationale'"],
    ),
    (
        "unknown field with suggestion",
        GOOD.replace("    severity: warn\n", "    severity: warn\n    sevrity: block\n"),
        23,
        5,
        ["rules[1].sevrity: unknown field 'sevrity'; did you mean 'severity'?"],
    ),
    (
        "bad enum value",
        GOOD.replace("severity: warn", "severity: blocker"),
        22,
        15,
        ["rules[1].severity: expected one of: block, warn, info; got the text 'blocker'"],
    ),
    (
        "impossible date",
        GOOD.replace("review_by: 2027-06-30", "review_by: 2027-02-30"),
        4,
        12,
        ["review_by: expected a date written YYYY-MM-DD"],
    ),
    (
        "feature list entry of the wrong type",
        GOOD.replace("[age_band, marital]", "[age_band, no]"),
        21,
        34,
        ["rules[1].scope.features[1]: expected text, got false"],
    ),
    (
        "features neither all nor a list",
        GOOD.replace("{features: all}", "{features: everything}"),
        13,
        23,
        ["rules[0].scope.features: expected 'all' or a list of feature names"],
    ),
    (
        "repeated key",
        GOOD.replace("    min: 0.8\n", "    min: 0.8\n    min: 0.5\n"),
        13,
        5,
        ["duplicate key 'min' (first given on line 12)"],
    ),
    (
        "settings out of range",
        GOOD.replace("confidence_level: 0.9", "confidence_level: 95"),
        8,
        21,
        ["settings.confidence_level: expected a value < 1, got the number 95"],
    ),
    ("empty file", "", 1, 1, ["the policy file is empty"]),
    ("not a mapping", "- a\n- b\n", 1, 1, ["expected a mapping of fields, got a list"]),
    (
        "two documents",
        GOOD + "---\nid: other\n",
        26,
        1,
        ["invalid YAML", "expected a single document"],
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "fragments"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_policy_gives_one_line_error_at_the_right_line(
    tmp_path: Path, text: str, line: int, column: int | None, fragments: list[str]
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    prefix = f"{path}:{line}:" + (f"{column}:" if column is not None else "")
    assert message.startswith(prefix), message
    for fragment in fragments:
        assert fragment in message, message


def test_the_first_error_in_file_order_is_raised(tmp_path: Path) -> None:
    text = GOOD.replace('version: "1.2.0"', "version: 1.2").replace(
        "severity: warn", "severity: blocker"
    )
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError, match=rf"^{re.escape(str(path))}:2:10: version:"):
        load_policy(path)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as info:
        load_policy(missing)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"policy file not found: {missing};")
    assert "default" in message


def test_directory_is_not_a_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy path is not a file"):
        load_policy(tmp_path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("§", "\xa7").encode("latin-1"))
    with pytest.raises(PolicyError, match="is not valid UTF-8; expected a UTF-8 text file"):
        load_policy(path)


def test_only_the_string_default_names_the_builtin(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PolicyError, match="policy file not found: default"):
        load_policy(Path("default"))
