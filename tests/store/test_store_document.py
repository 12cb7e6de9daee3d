"""Checking a report document before it is stored, and comparing what comes back."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from fairmark.errors import DataError
from fairmark.store.document import (
    MAX_DEPTH,
    Difference,
    check_plain_json,
    first_difference,
    run_columns,
)

MakeReport = Callable[..., dict[str, Any]]


def test_run_columns_of_a_full_report(make_report: MakeReport):
    report = make_report(created_at="2026-11-30T01:00:00-05:00")
    columns = run_columns(report)
    assert columns == {
        "run_id": report["run_id"],
        "created_at": datetime(2026, 11, 30, 6, 0, tzinfo=UTC),  # 01:00 at UTC-5
        "system_name": report["system_name"],
        "tool_version": "0.1.0",
        "policy_id": "acme-marketing-fairness",
        "policy_version": "2.1.0",
        "data_fingerprint": report["data_fingerprint"]["value"],
        "verdict": "fail",
        "spec": report["spec"],
        "report": report,
        "schema_version": "1.0",
    }


@pytest.mark.parametrize("version", ["1.0", "1.7", "1.12"])
def test_any_minor_version_of_schema_1_is_accepted(make_report: MakeReport, version: str):
    assert run_columns(make_report(schema_version=version))["schema_version"] == version


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"schema_version": "2.0"}, "'schema_version' is '2.0'; expected 1.x"),
        ({"schema_version": "1"}, "'schema_version' is '1'; expected 1.x"),
        ({"run_id": "not-a-uuid"}, "'run_id' is 'not-a-uuid'; expected a UUID"),
        ({"run_id": "0B8E7A52-3C1D-4F6E-9A27-5D4C3B2A1F00"}, "canonical lowercase"),
        ({"run_id": "0b8e7a523c1d4f6e9a275d4c3b2a1f00"}, "canonical lowercase"),
        ({"created_at": "2026-11-30T06:00:00"}, "'created_at' .* with a time zone"),
        ({"created_at": "yesterday"}, "'created_at' is 'yesterday'"),
        ({"created_at": 1764482400}, "'created_at' is 1764482400; expected a non-empty string"),
        ({"verdict": "PASS"}, "'verdict' is 'PASS'; expected one of pass, warn, fail"),
        ({"verdict": None}, "'verdict' is None"),
        ({"spec": []}, "'spec' is \\[\\]; expected an object"),
        ({"system_name": ""}, "'system_name' is ''; expected a non-empty string or null"),
        ({"tool_version": None}, "'tool_version' is None; expected a non-empty string"),
        ({"policy": "acme"}, "'policy' is 'acme'; expected an object or null"),
        ({"policy": {"version": "1"}}, "'policy.id' is None"),
        ({"policy": {"id": "p", "version": True}}, "'policy.version' is True"),
        ({"policy": {"id": "p", "version": 1.5}}, "'policy.version' is 1.5"),
        ({"data_fingerprint": {"algorithm": "sha256"}}, "'data_fingerprint.value' is None"),
        ({"data_fingerprint": "abc"}, "'data_fingerprint.value' is None"),
    ],
)
def test_malformed_fields_are_named(make_report: MakeReport, fields: dict[str, Any], message: str):
    with pytest.raises(DataError, match=message) as exc:
        run_columns(make_report(**fields))
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "field",
    ["run_id", "created_at", "system_name", "tool_version", "policy", "data_fingerprint",
     "verdict", "spec", "schema_version"],
)  # fmt: skip
def test_missing_fields_are_named(make_report: MakeReport, field: str):
    report = make_report()
    del report[field]
    with pytest.raises(DataError, match=f"report has no field '{field}'"):
        run_columns(report)


def test_a_long_value_is_cut_in_the_message(make_report: MakeReport):
    with pytest.raises(DataError) as exc:
        run_columns(make_report(verdict="x" * 500))
    assert len(str(exc.value)) < 200 and "..." in str(exc.value)


def test_not_a_mapping_is_refused():
    with pytest.raises(DataError, match="report is a list; expected a dict"):
        run_columns([])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((1, 2), "report field 'x.y' is a tuple; expected plain JSON"),
        (np.int64(3), "report field 'x.y' is a numpy.int64; expected plain JSON"),
        (np.bool_(True), "report field 'x.y' is a numpy.bool"),
        (math.nan, "report field 'x.y' is nan; expected a finite number or the string 'inf'"),
        (math.inf, "report field 'x.y' is inf; expected a finite number"),
        (-math.inf, "report field 'x.y' is -inf"),
        (datetime(2026, 1, 1), "report field 'x.y' is a datetime.datetime"),
        ({1: "a"}, "report field 'x.y' has the key 1 of type int; expected string keys"),
        ("a\x00b", "report field 'x.y' contains a NUL character"),
        ({"k\x00": 1}, "report field 'x.y' has a key with a NUL character"),
        ([0, [1, {2}]], r"report field 'x.y\[1\]\[1\]' is a set"),
    ],
)
def test_check_plain_json_names_the_offending_path(value: Any, message: str):
    with pytest.raises(DataError, match=message):
        check_plain_json({"x": {"y": value}})


def test_check_plain_json_accepts_plain_json_and_float_subclasses():
    check_plain_json(
        {"a": [None, True, 0, -1, 2.5, np.float64(0.25), "inf", "é"], "b": {"c": {}}, "d": []}
    )


def _nested(levels: int) -> Any:
    deep: Any = 1
    for _ in range(levels):
        deep = [deep]
    return deep


def test_nesting_up_to_the_limit_is_accepted_deeper_is_refused():
    check_plain_json(_nested(MAX_DEPTH))  # the document itself is level 0
    check_plain_json({"a": _nested(MAX_DEPTH - 1)})
    with pytest.raises(DataError, match=f"nested deeper than {MAX_DEPTH} levels"):
        check_plain_json({"a": _nested(MAX_DEPTH)})
    with pytest.raises(DataError, match="nested deeper"):
        check_plain_json(_nested(5000))  # no RecursionError on absurd depth


@pytest.mark.parametrize(
    ("expected", "actual", "where"),
    [
        ({"a": 1e20}, {"a": 10**20}, "a"),  # what PostgreSQL jsonb does to 1e+20
        ({"a": [1, 2]}, {"a": [1, 2.0]}, "a[1]"),
        ({"a": True}, {"a": 1}, "a"),
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, "a"),
        ({"a": [1]}, {"a": [1, 1]}, "a"),
        ({"a": "x"}, {"a": "y"}, "a"),
        ({"a": None}, {"a": 0}, "a"),
        ([1], {"a": 1}, "<document>"),
    ],
)
def test_first_difference_finds_the_path(expected: Any, actual: Any, where: str):
    diff = first_difference(expected, actual)
    assert diff is not None and diff.path == where


def test_first_difference_reports_the_two_values():
    assert first_difference({"g": [{"v": 1e300}]}, {"g": [{"v": 10**300}]}) == Difference(
        "g[0].v", 1e300, 10**300
    )


def test_first_difference_of_equal_documents(make_report: MakeReport):
    report = make_report()
    assert first_difference(report, report) is None
    assert first_difference({"z": -0.0}, {"z": 0.0}) is None  # numerically equal floats
