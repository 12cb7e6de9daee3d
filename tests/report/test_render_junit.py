"""JUnit XML: one test case per policy rule, failures for fail and insufficient evidence."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.report import render_junit


def _parse(doc: dict[str, Any]) -> ET.Element:
    return ET.fromstring(render_junit(doc).encode("utf-8"))


def test_one_testcase_per_rule_with_correct_counts(sample_doc: dict[str, Any]) -> None:
    suite = _parse(sample_doc)
    assert suite.tag == "testsuite" and suite.get("name") == "fairmark"
    cases = suite.findall("testcase")
    assert len(cases) == len(sample_doc["rules"]) == 6
    # di-four-fifths and equal-opportunity fail; tpr-vs-reference is insufficient evidence
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "3"
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    assert len(suite.findall("testcase/failure")) == 3
    for case, rule in zip(cases, sample_doc["rules"], strict=True):
        assert case.get("classname") == "acme-marketing-fairness"
        assert case.get("name") == f"{rule['rule_id']} ({rule['check']})"


def test_each_verdict_maps_to_its_element(sample_doc: dict[str, Any]) -> None:
    suite = _parse(sample_doc)
    by_rule = {c.get("name", "").split(" ")[0]: c for c in suite.findall("testcase")}
    fail = by_rule["di-four-fifths"].find("failure")
    assert fail is not None and fail.get("type") == "fail"
    assert fail.get("message", "").startswith("2 of 12 findings failed rule di-four-fifths")
    for f in sample_doc["findings"]:
        if f["rule_id"] == "di-four-fifths" and f["verdict"] == "fail":
            assert f["message"] in (fail.text or "")
    unknown = by_rule["tpr-vs-reference"].find("failure")
    assert unknown is not None and unknown.get("type") == "insufficient_evidence"
    warn = by_rule["selection-gap"]
    assert warn.find("failure") is None
    out = warn.find("system-out")
    assert out is not None and (out.text or "").startswith("WARNING")
    assert "demographic_parity_difference = 0.216" in (out.text or "")
    assert list(by_rule["precision-gap"]) == []  # a plain pass


def test_all_pass_and_no_policy(sample_doc: dict[str, Any]) -> None:
    for rule in sample_doc["rules"]:
        rule["verdict"] = "pass"
    sample_doc["policy"] = None
    suite = _parse(sample_doc)
    assert suite.get("failures") == "0"
    assert {c.get("classname") for c in suite.findall("testcase")} == {"fairmark"}


def test_special_characters_still_parse(sample_doc: dict[str, Any]) -> None:
    sample_doc["rules"][0]["rule_id"] = 'r<&>"1'
    for f in sample_doc["findings"]:
        if f["rule_id"] == "di-four-fifths":
            f["rule_id"] = 'r<&>"1'
            f["message"] = "bad \x01 char <script> & ]]>"
    suite = _parse(sample_doc)
    case = suite.findall("testcase")[0]
    assert case.get("name") == 'r<&>"1 (fairness.disparate_impact)'
    failure = case.find("failure")
    assert failure is not None and "<script> & ]]>" in (failure.text or "")


def test_invalid_document_is_refused(sample_doc: dict[str, Any]) -> None:
    sample_doc["rules"][0]["n_findings"] = -1
    with pytest.raises(UsageError, match=r"report\.rules\[0\]\.n_findings"):
        render_junit(sample_doc)
