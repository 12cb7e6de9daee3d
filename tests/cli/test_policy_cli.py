"""``fairmark policy schema`` and ``fairmark policy lint`` as a new user meets them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEFAULT_POLICY = REPO / "policies" / "default.yaml"


def test_schema_is_valid_json_schema_that_accepts_the_default_policy(
    invoke: Callable[..., Any],
) -> None:
    result = invoke("policy", "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    policy = yaml.safe_load(DEFAULT_POLICY.read_text())
    policy["review_by"] = str(policy["review_by"])  # YAML reads the date as a date
    jsonschema.Draft202012Validator(schema).validate(policy)
    broken = {**policy, "rules": "not a list"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_lint_default_policy_is_ok(invoke: Callable[..., Any]) -> None:
    result = invoke("policy", "lint", DEFAULT_POLICY)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(f"{DEFAULT_POLICY}: ok")
    assert result.stderr == ""


def test_lint_json_format_of_the_default_policy(invoke: Callable[..., Any]) -> None:
    result = invoke("policy", "lint", DEFAULT_POLICY, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [m for m in json.loads(result.stdout) if m["level"] == "error"] == []


@pytest.fixture
def broken_policy(cli_env: Path) -> Callable[[str, str], Path]:
    """Write the default policy with one text replaced; return its path."""

    def _write(old: str, new: str) -> Path:
        text = DEFAULT_POLICY.read_text()
        assert old in text
        path = cli_env / "policy.yaml"
        path.write_text(text.replace(old, new, 1))
        return path

    return _write


def test_lint_unknown_check_id_suggests_the_nearest(
    invoke: Callable[..., Any], broken_policy: Callable[[str, str], Path]
) -> None:
    # the rule's check line (the id also stands in settings.governance.tiers)
    path = broken_policy("check: fairness.disparate_impact", "check: fairness.disparate_impakt")
    line_no = path.read_text().splitlines().index("    check: fairness.disparate_impakt") + 1
    result = invoke("policy", "lint", "policy.yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = result.stderr.splitlines()
    assert len(errors) == 1
    assert errors[0].startswith(f"policy.yaml:{line_no}:")
    assert "error: rules[0].check: unknown check id 'fairness.disparate_impakt'" in errors[0]
    assert "did you mean fairness.disparate_impact" in errors[0]
    assert ": ok" not in result.stdout


def test_lint_yaml_syntax_error_gives_the_line(
    invoke: Callable[..., Any], broken_policy: Callable[[str, str], Path]
) -> None:
    path = broken_policy("  min_group_size: 30", "  min_group_size: 30: 40")
    line_no = path.read_text().splitlines().index("  min_group_size: 30: 40") + 1
    result = invoke("policy", "lint", "policy.yaml", "--format", "json")
    assert result.exit_code == 2
    messages = json.loads(result.stdout)
    assert [(m["level"], m["line"]) for m in messages] == [("error", line_no)]
    assert "invalid YAML" in messages[0]["message"]


def test_lint_missing_file(invoke: Callable[..., Any], error_line: Callable[..., str]) -> None:
    line = error_line(invoke("policy", "lint", "missing.yaml"))
    assert "policy file not found: missing.yaml" in line


def test_lint_folder(
    invoke: Callable[..., Any], error_line: Callable[..., str], cli_env: Path
) -> None:
    (cli_env / "policies").mkdir()
    line = error_line(invoke("policy", "lint", "policies"))
    assert "not a file: policies" in line


def test_lint_unknown_format(invoke: Callable[..., Any], error_line: Callable[..., str]) -> None:
    line = error_line(invoke("policy", "lint", DEFAULT_POLICY, "--format", "yaml"))
    assert line == "error: --format: unknown value 'yaml'; expected one of text, json"
