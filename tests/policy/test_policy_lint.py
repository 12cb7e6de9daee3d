"""lint_policy: every error and warning, in file order, with lines."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from fairmark.errors import PolicyError
from fairmark.policy import LintMessage, lint_policy

HEADER = """\
id: acme
version: "1.0.0"
owner: me
review_by: 2027-06-30
rules:
"""


def _rule(check: str, bounds: str, extra: str = "", rule_id: str = "r1") -> str:
    return (
        f"  - id: {rule_id}\n"
        f"    check: {check}\n"
        f"{bounds}"
        "    severity: block\n"
        "    principle: fairness\n"
        "    rationale: because\n"
        f"{extra}"
    )


def _lint(tmp_path: Path, text: str, today: date = date(2027, 1, 1)) -> list[LintMessage]:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lint_policy(path, today=today)


def test_builtin_default_is_clean() -> None:
    assert lint_policy("default", today=date(2027, 11, 30)) == []


def test_repo_default_is_clean() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert lint_policy(repo / "policies" / "default.yaml", today=date(2026, 11, 30)) == []


@pytest.mark.parametrize(
    ("check", "bounds", "expected"),
    [
        # lower_is_better with only min: suspicious
        (
            "fairness.equal_opportunity_difference",
            "    min: 0.1\n",
            ("min", "expected a max bound"),
        ),
        # higher_is_better with only max: suspicious
        ("fairness.disparate_impact", "    max: 1.25\n", ("max", "expected a min bound")),
        # the sensible side, or both sides: no warning
        ("fairness.equal_opportunity_difference", "    max: 0.1\n", None),
        ("fairness.disparate_impact", "    min: 0.8\n", None),
        ("fairness.disparate_impact", "    min: 0.8\n    max: 1.25\n", None),
        ("fairness.equal_opportunity_difference", "    min: 0\n    max: 0.1\n", None),
        ("fairness.statistical_parity_difference", "    min: -0.1\n    max: 0.1\n", None),
    ],
)
def test_bound_against_direction_is_a_warning(
    tmp_path: Path, check: str, bounds: str, expected: tuple[str, str] | None
) -> None:
    messages = _lint(tmp_path, HEADER + _rule(check, bounds))
    if expected is None:
        assert messages == []
        return
    field, fragment = expected
    assert len(messages) == 1
    (message,) = messages
    assert message.level == "warning"
    assert message.line == 8  # the bound is on line 8 (header 5 lines, id 6, check 7)
    assert message.column == 10
    assert message.message.startswith(f"rules[0].{field}: only a {field} bound for {check}")
    assert fragment in message.message


def test_intersection_listed_but_excluded_is_a_warning(tmp_path: Path) -> None:
    scope = '    scope: {features: [age, "age & marital"], include_intersections: false}\n'
    messages = _lint(tmp_path, HEADER + _rule("fairness.disparate_impact", "    min: 0.8\n", scope))
    assert [(m.level, m.line) for m in messages] == [("warning", 12)]
    assert "intersection 'age & marital' is listed but include_intersections is false" in (
        messages[0].message
    )


def test_review_date_in_the_past_is_a_warning_not_on_the_day(tmp_path: Path) -> None:
    text = HEADER + _rule("fairness.disparate_impact", "    min: 0.8\n")
    assert _lint(tmp_path, text, today=date(2027, 6, 30)) == []
    messages = _lint(tmp_path, text, today=date(2027, 7, 1))
    assert [(m.level, m.line, m.column) for m in messages] == [("warning", 4, 12)]
    assert "due for review on 2027-06-30" in messages[0].message


def test_every_error_is_reported_in_file_order(tmp_path: Path) -> None:
    text = (
        HEADER.replace('version: "1.0.0"', "version: 1")
        + _rule("fairness.disparate_impakt", "    min: 0.9\n    max: 0.1\n")
        + _rule("fairness.equal_opportunity_difference", "    min: 0.1\n", rule_id="r1")
    )
    messages = _lint(tmp_path, text)
    assert [(m.level, m.line) for m in messages] == [
        ("error", 2),  # version is a number
        ("error", 7),  # unknown check
        ("error", 8),  # min > max
        ("error", 13),  # duplicate rule id (rule 2 starts on line 13)
        ("warning", 15),  # only min on a lower_is_better check
    ]
    assert all(m.file.endswith("p.yaml") for m in messages)


def test_yaml_syntax_error_is_the_only_message(tmp_path: Path) -> None:
    messages = _lint(tmp_path, "id: [unclosed\nversion: 1\n")
    assert len(messages) == 1
    assert messages[0].level == "error"
    assert messages[0].message.startswith("invalid YAML")
    assert messages[0].line == 2


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy file not found"):
        lint_policy(tmp_path / "missing.yaml")


def test_lint_message_string() -> None:
    message = LintMessage(level="error", line=3, column=7, message="id: bad", file="p.yaml")
    assert str(message) == "p.yaml:3:7: error: id: bad"
    assert message.to_dict() == {
        "level": "error",
        "file": "p.yaml",
        "line": 3,
        "column": 7,
        "message": "id: bad",
    }
    assert str(LintMessage(level="warning", line=None, message="x")) == "<policy>: warning: x"


def test_a_deployable_prohibited_tier_is_an_error(tmp_path: Path) -> None:
    """EU AI Act Art. 5: a prohibited practice is never deployed, whatever a policy says."""
    settings = (
        "settings:\n"
        "  governance:\n"
        "    tiers:\n"
        "      prohibited:\n"
        "        deployable: true\n"
    )
    text = HEADER + _rule("fairness.disparate_impact", "    min: 0.8\n") + settings
    messages = _lint(tmp_path, text)
    assert [(m.level, m.line) for m in messages] == [("error", 16)]
    assert messages[0].message == (
        "settings.governance.tiers.prohibited.deployable: "
        "tier prohibited cannot be deployable: a prohibited practice (EU AI Act Art. 5) is "
        "never deployed; expected 'deployable: false' or no 'deployable' key"
    )
    no = text.replace("deployable: true", "deployable: false")
    assert _lint(tmp_path, no) == []
