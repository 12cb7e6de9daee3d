"""A report document is checked before rendering; suppressed groups can never carry numbers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest

from fairmark.errors import UsageError
from fairmark.report.validate import report_schema, validate_report


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())


def test_the_sample_is_valid(sample_doc: dict[str, Any]) -> None:
    validate_report(sample_doc)


def test_not_a_mapping() -> None:
    with pytest.raises(UsageError, match="report document is a list; expected a mapping"):
        validate_report([])


def test_missing_field_names_its_path(sample_doc: dict[str, Any]) -> None:
    del sample_doc["summary"]["n_used"]
    with pytest.raises(UsageError, match=r"^report\.summary: 'n_used' is a required property"):
        validate_report(sample_doc)


def test_bad_verdict(sample_doc: dict[str, Any]) -> None:
    sample_doc["findings"][3]["verdict"] = "ok"
    with pytest.raises(UsageError, match=r"report\.findings\[3\]\.verdict: 'ok' is not one of"):
        validate_report(sample_doc)


def test_bad_number(sample_doc: dict[str, Any]) -> None:
    sample_doc["disparities"][0]["value"] = "infinity"
    with pytest.raises(UsageError, match=r"report\.disparities\[0\]\.value"):
        validate_report(sample_doc)


def test_suppressed_group_with_counts_is_refused_without_echoing_them(
    leaky_doc: dict[str, Any], rh: SimpleNamespace
) -> None:
    with pytest.raises(UsageError) as info:
        validate_report(leaky_doc)
    message = str(info.value)
    assert "'18-34 & widowed'" in message and "is suppressed" in message
    assert str(rh.LEAK_N) not in message
    assert "\n" not in message


def test_suppressed_group_with_only_a_rate_is_refused(
    sample_doc: dict[str, Any], rh: SimpleNamespace
) -> None:
    sample_doc["groups"][rh.suppressed_index(sample_doc)]["tpr"]["ci_high"] = 0.9
    with pytest.raises(UsageError, match="is suppressed"):
        validate_report(sample_doc)


def test_disparity_of_a_suppressed_group_with_a_value_is_refused(
    sample_doc: dict[str, Any],
) -> None:
    row = next(d for d in sample_doc["disparities"] if d["group"] == "18-34 & widowed")
    row["value"] = 0.5
    with pytest.raises(UsageError, match=r"disparities\[\d+\]: group '18-34 & widowed'"):
        validate_report(sample_doc)


def test_finding_of_a_suppressed_group_with_a_value_is_refused(
    sample_doc: dict[str, Any],
) -> None:
    finding = next(f for f in sample_doc["findings"] if f["group"] == "18-34 & widowed")
    finding["value"] = 0.5
    with pytest.raises(UsageError, match=r"findings\[\d+\]: group '18-34 & widowed'"):
        validate_report(sample_doc)
