"""Validation of the issue-3 documents: schemas, kinds, and small-cell suppression.

A producer bug that writes a suppressed group's number into ``score_metrics[]``,
``outcome_metrics[]``, a delivery group or paired comparison, or a representation group is
refused by every renderer, and the message never repeats the number.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.fairness.outcome_result import OUTCOME_METRICS
from fairmark.fairness.score_result import SCORE_METRICS
from fairmark.report import (
    document_kind,
    render_html,
    render_json,
    render_junit,
    render_markdown,
    validate_report,
)
from fairmark.report.validate import report_schema, run_schema

RENDERERS = [render_json, render_html, render_markdown, render_junit]
LEAK = 4321.987  # a distinctive planted number


def _first(items: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(m for m in items if all(m.get(k) == v for k, v in match.items()))


def test_schema_lists_every_metric_the_results_write() -> None:
    defs = report_schema()["$defs"]
    assert tuple(defs["score_metric"]["properties"]["metric"]["enum"]) == SCORE_METRICS
    assert tuple(defs["outcome_metric"]["properties"]["metric"]["enum"]) == OUTCOME_METRICS


@pytest.mark.parametrize("kind", ["audit", "delivery", "representation", "proxies"])
def test_real_documents_are_valid(i3: SimpleNamespace, kind: str) -> None:
    assert validate_report(i3.doc(kind)) == kind
    assert run_schema(kind)["$schema"].endswith("2020-12/schema")


def test_audit_kind_is_the_default_and_may_be_explicit(i3: SimpleNamespace) -> None:
    doc = i3.doc("audit")
    assert doc["kind"] == "audit" and validate_report(doc) == "audit"
    del doc["kind"]  # documents written before the field existed are audits
    assert document_kind(doc) == "audit"


@pytest.mark.parametrize(
    ("value", "message"),
    [("proxy", r"report document has kind 'proxy'; expected one of audit, delivery"),
     (3, r"report document has kind 3; expected one of")],
)  # fmt: skip
def test_unknown_kind_is_refused(i3: SimpleNamespace, value: Any, message: str) -> None:
    doc = i3.doc("proxies")
    doc["kind"] = value
    for render in RENDERERS:
        with pytest.raises(UsageError, match=message):
            render(doc)


def test_a_document_of_one_kind_with_fields_of_another_is_refused(i3: SimpleNamespace) -> None:
    doc = i3.doc("delivery")
    doc["kind"] = "representation"
    with pytest.raises(UsageError, match=r"^report: '.*' is a required property; expected a "
                                         r"representation document"):  # fmt: skip
        validate_report(doc)


def _leak_score(doc: dict[str, Any]) -> None:
    m = _first(doc["score_metrics"], group="tiny", metric="roc_auc")
    m.update(value=LEAK, n=10)


def _leak_score_without_reason(doc: dict[str, Any]) -> None:
    m = _first(doc["score_metrics"], group="tiny", metric="ece")
    m.update(value=LEAK, reason=None, curve=[])


def _leak_outcome(doc: dict[str, Any]) -> None:
    _first(doc["outcome_metrics"], group="tiny", metric="outcome_total").update(value=LEAK)


def _leak_outcome_without_reason(doc: dict[str, Any]) -> None:
    m = _first(doc["outcome_metrics"], group="tiny", metric="outcome_mean")
    m.update(value=LEAK, reason=None)


LEAKS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "score": (_leak_score, r"report\.score_metrics\[\d+\]: group 'tiny' of 'region' is suppressed"),
    "score-no-reason": (_leak_score_without_reason, r"report\.score_metrics\[\d+\]: group 'tiny'"),
    "outcome": (_leak_outcome, r"report\.outcome_metrics\[\d+\]: group 'tiny' of 'region'"),
    "outcome-no-reason": (_leak_outcome_without_reason, r"report\.outcome_metrics\[\d+\]: group"),
}


@pytest.mark.parametrize("leak", list(LEAKS))
@pytest.mark.parametrize("render", RENDERERS, ids=lambda f: f.__name__)
def test_leaking_audit_is_refused(i3: SimpleNamespace, leak: str, render: Any) -> None:
    doc = i3.doc("audit")
    plant, message = LEAKS[leak]
    plant(doc)
    with pytest.raises(UsageError, match=message) as info:
        render(doc)
    assert str(LEAK) not in str(info.value) and "4321" not in str(info.value)
    assert "(below min_group_size); expected" in str(info.value)


def test_comparison_naming_a_suppressed_reference_is_refused(i3: SimpleNamespace) -> None:
    doc = i3.doc("audit")
    m = _first(doc["score_metrics"], group="south", metric="ks")
    m["reference"] = "tiny"
    with pytest.raises(UsageError, match=r"group 'tiny' of 'region' is suppressed"):
        validate_report(doc)


def _leak_delivery_group(doc: dict[str, Any]) -> None:
    _first(doc["groups"], group="<i>x</i>", ad="A")["eligible"] = LEAK


def _leak_delivery_share(doc: dict[str, Any]) -> None:
    g = _first(doc["groups"], group="<i>x</i>", ad="B")
    g["delivered_share"] = {"value": 0.4321, "ci_low": 0.1, "ci_high": 0.9, "reason": None}


def _leak_pair(doc: dict[str, Any]) -> None:
    g = _first(doc["pairs"][0]["groups"], group="<i>x</i>")
    g.update(share_a=0.4321, difference={"value": 0.1, "ci_low": 0, "ci_high": 0.2,
                                         "reason": None})  # fmt: skip


def _leak_representation(doc: dict[str, Any]) -> None:
    _first(doc["groups"], group="X")["n"] = 4321


RUN_LEAKS = [
    ("delivery", _leak_delivery_group, r"report\.groups\[\d+\]: group '<i>x</i>' of 'gender'"),
    ("delivery", _leak_delivery_share, r"report\.groups\[\d+\]: group '<i>x</i>' of 'gender'"),
    ("delivery", _leak_pair, r"report\.pairs\[0\]\.groups\[\d+\]: group '<i>x</i>'"),
    ("representation", _leak_representation, r"report\.groups\[\d+\]: group 'X' of 'sex'"),
]


@pytest.mark.parametrize(("kind", "plant", "message"), RUN_LEAKS)
@pytest.mark.parametrize("render", RENDERERS, ids=lambda f: f.__name__)
def test_leaking_run_document_is_refused(
    i3: SimpleNamespace, kind: str, plant: Any, message: str, render: Any
) -> None:
    doc = i3.doc(kind)
    plant(doc)
    with pytest.raises(UsageError, match=message) as info:
        render(doc)
    assert "4321" not in str(info.value)


def test_finding_value_of_a_suppressed_group_is_refused(i3: SimpleNamespace) -> None:
    doc = i3.doc("representation")
    finding = _first(doc["findings"], group="X")
    finding["value"] = 0.4321
    with pytest.raises(UsageError, match=r"report\.findings\[\d+\]: group 'X' of 'sex'"):
        validate_report(doc)


@pytest.mark.parametrize(
    ("kind", "edit", "message"),
    [
        ("audit", lambda d: d["score_metrics"][0].update(metric="gini"),
         r"report\.score_metrics\[0\]\.metric: 'gini' is not one of"),
        ("audit", lambda d: d["outcome_metrics"][0].pop("p_value"),
         r"report\.outcome_metrics\[0\]: 'p_value' is a required property"),
        ("audit", lambda d: _first(d["score_metrics"], metric="selection_rate_at").pop("cutoff"),
         r"'cutoff' is a required property"),
        ("audit", lambda d: _first(d["score_metrics"], metric="ece", group="north")["curve"][0]
         .update(share=1.5), r"curve\[0\]\.share: 1\.5 is greater than the maximum of 1"),
        ("delivery", lambda d: d["ads"][0].update(tvd="much"),
         r"report\.ads\[0\]\.tvd: 'much' is not of type 'number', 'null'; expected a delivery"),
        ("representation", lambda d: d["summary"].pop("flag_bound"),
         r"report\.summary: 'flag_bound' is a required property"),
        ("proxies", lambda d: d["proxies"][0].update(measure="pearson"),
         r"report\.proxies\[0\]\.measure: 'pearson' is not one of"),
    ],
)  # fmt: skip
def test_malformed_items_name_the_field(
    i3: SimpleNamespace, kind: str, edit: Any, message: str
) -> None:
    doc = i3.doc(kind)
    edit(doc)
    with pytest.raises(UsageError, match=message):
        validate_report(doc)


def test_old_audit_documents_without_the_new_arrays_stay_valid(
    sample_doc: dict[str, Any],
) -> None:
    assert "score_metrics" not in sample_doc
    assert validate_report(copy.deepcopy(sample_doc)) == "audit"
