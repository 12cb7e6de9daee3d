"""``fairmark audit --features/--purpose/--data-category``: the privacy checks from the CLI.

Bad declarations are one line and exit 2 with nothing written or recorded; good ones put
the privacy profile in ``report.json`` and a "Personal data in the model's inputs"
section in the Markdown report (the HTML section: ``tests/report/test_privacy_section.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

FLAGS = ["--y-true", "y", "--positive-label", "1", "--y-pred", "sel", "-s", "g"]
PURPOSE = "marketing.communications"  # declared by the built-in policy


@pytest.fixture
def customers(cli_env: Path) -> Path:
    """``customers.csv``: two audit columns, one group column and five candidate columns."""
    n = 60
    frame = pd.DataFrame(
        {
            "y": [i % 2 for i in range(n)],
            "sel": [(i // 2) % 2 for i in range(n)],
            "g": ["a" if i < n // 2 else "b" for i in range(n)],
            "age": [20 + i for i in range(n)],
            "balance": [100.0 * i for i in range(n)],
            "email": [f"c{i}@example.net" for i in range(n)],
            "religion": ["none", "christian", "muslim"] * (n // 3),
            "euribor3m": [4.86] * n,
        }
    )
    path = cli_env / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def _report(cli_env: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((cli_env / "out" / "report.json").read_text())
    return doc


def _rule(doc: dict[str, Any], rule_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    (rule,) = [r for r in doc["rules"] if r["rule_id"] == rule_id]
    (finding,) = [f for f in doc["findings"] if f["rule_id"] == rule_id]
    return rule, finding


def test_declared_features_and_purpose_reach_the_reports(
    invoke: Callable[..., Any], customers: Path, cli_env: Path
) -> None:
    result = invoke(
        "audit", customers, *FLAGS, "--features", "age,balance", "--purpose", PURPOSE,
        "--data-category", "euribor3m=none", "--out", "out", "--format", "json,md",
    )  # fmt: skip
    doc = _report(cli_env)
    assert result.exit_code == 0, result.output  # a warning: religion is not needed
    privacy = doc["privacy"]
    assert privacy["features_declared"] and privacy["purpose"] == PURPOSE
    assert privacy["examined"] == ["age", "balance"]
    # email is not a model input, but the purpose declares user.contact (to send messages)
    assert privacy["data_minimisation"]["columns"] == ["religion", "euribor3m"]
    email = {c["column"]: c for c in privacy["columns"]}["email"]
    assert (email["role"], email["declared_for_purpose"]) == ("unused", True)
    assert {c["column"]: c["category_source"] for c in privacy["columns"]}["euribor3m"] == (
        "declared"
    )
    rule, finding = _rule(doc, "data-minimisation")
    assert rule["verdict"] == "warn" and finding["value"] == 2
    assert _rule(doc, "pii-in-features")[0]["verdict"] == "pass"
    md = (cli_env / "out" / "report.md").read_text()
    assert "### Personal data in the model's inputs" in md
    assert "Columns the model does not need and the purpose does not declare: religion, " in md
    # the HTML section is checked in tests/report/test_privacy_section.py


def test_features_from_a_file_and_an_email_input_fail(
    invoke: Callable[..., Any], customers: Path, cli_env: Path
) -> None:
    (cli_env / "features.txt").write_text("# model inputs\nage\nemail  # the contact key\n\n")
    result = invoke("audit", customers, *FLAGS, "--features", "@features.txt", "--out", "out",
                    "--format", "json")  # fmt: skip
    doc = _report(cli_env)
    assert result.exit_code == 1, result.output
    assert doc["privacy"]["examined"] == ["age", "email"]
    rule, finding = _rule(doc, "pii-in-features")
    assert (rule["verdict"], finding["value"]) == ("fail", 1)
    assert "'email' (user.contact.email: a direct identifier)" in finding["message"]


def test_without_declarations_minimisation_warns_not_declared(
    invoke: Callable[..., Any], customers: Path, cli_env: Path
) -> None:
    frame = pd.read_csv(customers)[["y", "sel", "g", "age", "balance"]]
    frame.to_csv(customers, index=False)
    result = invoke("audit", customers, *FLAGS, "--out", "out", "--format", "json,md")
    doc = _report(cli_env)
    rule, finding = _rule(doc, "data-minimisation")
    assert rule["verdict"] == "warn" and finding["value"] is None
    judged = "could not be judged: declare the model's features (--features) or its purpose "
    assert judged in finding["message"]
    assert (doc["verdict"], result.exit_code) == ("warn", 0), result.output
    md = (cli_env / "out" / "report.md").read_text()
    assert "undefined — model's inputs and purpose not declared" in md


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--purpose", "sales"], ["purpose 'sales' is not declared in policy fairmark-default",
                                  "declared purposes: analytics.reporting.campaign_insights"]),
        (["--features", "age,salary"], ["features: column 'salary' not found",
                                        "available columns: y, sel, g"]),
        (["--features", "age,y"], ["features names 'y', the audit's y_true column"]),
        (["--features", " , "], ["--features ' , ': no column names"]),
        (["--features", "@missing.txt"], ["--features @missing.txt: cannot read"]),
        (["--data-category", "balance"], ["--data-category 'balance': expected COLUMN=CATEGORY"]),
        (["--data-category", "balance=Money"], ["data category 'Money' of column 'balance'"]),
        (["--data-category", "salary=user.financial"], ["data_categories: column 'salary'"]),
    ],
)  # fmt: skip
def test_bad_declarations_are_one_line_and_write_nothing(
    assert_bad_input: Callable[..., str], customers: Path, extra: list[str], expected: list[str]
) -> None:
    assert_bad_input(["audit", customers, *FLAGS, *extra], expected)


def test_help_lists_the_privacy_options(invoke: Callable[..., Any]) -> None:
    result = invoke("audit", "--help")
    for flag in ("--features", "--purpose", "--data-category"):
        assert flag in result.stdout
