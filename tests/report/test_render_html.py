"""The HTML report: self-contained, plain-language, escaped, and faithful to the document."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from markupsafe import escape

from fairmark.checks import get_registry
from fairmark.errors import UsageError
from fairmark.report import glossary_entry, render_html
from fairmark.report.glossary import GROUP_METRIC_KEYS

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _feature_table(rh: SimpleNamespace, html: str, first_group: str) -> list[list[str]]:
    """The main rates table whose first data row starts with ``first_group``."""
    for table in rh.html_tables(html):
        if table[0][:2] == ["Group", "Rows"] and table[1][0].startswith(first_group):
            return table
    raise AssertionError(f"no rates table starting with {first_group!r}")


def _row(table: list[list[str]], group: str) -> dict[str, str]:
    header = table[0]
    for row in table[1:]:
        if row[0] == group or row[0] == f"{group} reference":
            return dict(zip(header, row, strict=False))
    raise AssertionError(f"no row {group!r}")


def test_self_contained(sample_html: str) -> None:
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", sample_html))
    assert urls <= SVG_NAMESPACES
    lowered = sample_html.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "@import" not in lowered
    assert "<iframe" not in lowered and "<img" not in lowered
    assert lowered.startswith("<!doctype html>")


def test_verdict_banner_in_words_and_colour(sample_html: str) -> None:
    banner = re.search(r'<section class="banner v-fail".*?</section>', sample_html, re.S)
    assert banner is not None
    text = banner.group(0)
    assert ">FAIL<" in text
    assert str(escape(glossary_entry("fail").why_it_matters)) in text  # what it means for launch
    assert "6 policy rules: 2 failed, 1 could not be judged, 2 warned, 1 passed." in text


@pytest.mark.parametrize(
    ("verdict", "word"),
    [("pass", "PASS"), ("warn", "WARNING"), ("insufficient_evidence", "INSUFFICIENT EVIDENCE")],
)
def test_each_verdict_has_its_banner(
    sample_doc: dict[str, Any], rh: SimpleNamespace, verdict: str, word: str
) -> None:
    sample_doc["verdict"] = verdict
    sample_doc["groups"] = sample_doc["groups"][:3]  # one feature keeps this test quick
    sample_doc["disparities"] = []
    html = render_html(sample_doc)
    assert f'class="banner v-{verdict}"' in html
    assert f'<div class="word">{word}</div>' in html
    assert str(escape(glossary_entry(verdict).what_to_do)) in html


def test_summary_and_policy(sample_html: str) -> None:
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", sample_html))
    assert facts["Rows in the data"] == "10,000"
    assert facts["Rows audited"] == "9,950"
    assert facts["Rows left out"] == "50"
    assert facts["Decision audited"] == "top 20% by propensity_score"
    assert facts["Minimum group size"] == "30 rows"
    assert facts["Data"] == "campaign_2026_spring.parquet"
    assert facts["Groups compared by"] == "age_band (from column age), binned, marital"
    assert facts["Policy"] == "acme-marketing-fairness"
    assert facts["Version"] == "2.1.0"
    assert facts["Owner"] == "Responsible AI Office (rai@acme.example)"
    assert facts["Review by"] == "2027-06-30"
    assert "missing sensitive feature: 38" in sample_html


def test_group_table_values_and_reference(sample_html: str, rh: SimpleNamespace) -> None:
    table = _feature_table(rh, sample_html, "18-34")
    assert table[0] == [
        "Group", "Rows", "Share", "Response rate", "Selection rate", "TPR", "FPR", "Precision",
    ]  # fmt: skip
    old = _row(table, "55+")
    assert old["Rows"] == "2,650"
    # 271 of 2,650 selected = 10.23 %; Wilson 95 % interval 9.1 % to 11.4 % (hand-checked)
    assert old["Selection rate"] == "10.2% 9.1% to 11.4%"
    # 70 of 149 responders selected = 46.98 %
    assert old["TPR"].startswith("47.0% ")
    ref = _row(table, "35-54")
    assert ref["Group"] == "35-54 reference"
    assert "chosen automatically: the group with the highest selection rate" in sample_html
    assert "chosen by the person who ran the audit" in sample_html


def test_suppressed_group_shows_only_the_note(sample_html: str, rh: SimpleNamespace) -> None:
    table = _feature_table(rh, sample_html, "18-34 &")
    row = next(r for r in table if r[0] == "18-34 & widowed")
    assert row == ["18-34 & widowed", "fewer than 30 — not shown"]
    assert "1 group with fewer than 30 rows is listed but not shown" in sample_html


def test_undefined_is_never_zero(sample_html: str, rh: SimpleNamespace) -> None:
    table = _feature_table(rh, sample_html, "18-34 &")
    row = _row(table, "35-54 & widowed")
    assert row["TPR"] == "undefined — nobody in the group responded"
    assert row["Precision"] == "undefined — nobody was selected"
    # a real zero stays a zero: nobody of the 41 was selected
    assert row["Selection rate"].startswith("0.0% ")


def test_undefined_group_metrics_all_say_undefined(
    sample_doc: dict[str, Any], sample_html: str, rh: SimpleNamespace
) -> None:
    tables = rh.html_tables(sample_html)
    cells = [cell for t in tables for row in t for cell in row]
    n_undefined_in_doc = sum(
        1
        for g in sample_doc["groups"]
        if not g["suppressed"]
        for k in GROUP_METRIC_KEYS
        if g[k]["value"] is None
    )
    assert n_undefined_in_doc == 4  # 35-54 & widowed: tpr, fnr, ppv; 55+ & widowed: ppv
    assert sum(1 for c in cells if c.startswith("undefined — ")) >= n_undefined_in_doc


def test_infinite_ratio_is_explained(sample_html: str) -> None:
    assert "∞ (reference rate is zero)" in sample_html
    assert str(escape(glossary_entry("reference_rate_zero").what_it_means)) in sample_html


def test_disparity_table(sample_html: str, rh: SimpleNamespace) -> None:
    rows = [r for t in rh.html_tables(sample_html) for r in t]
    di_55 = next(r for r in rows if r[:3] == ["Disparate impact ratio", "55+", "35-54"])
    # 10.226 % / 23.780 % = 0.430; Katz 95 % interval 0.38 to 0.49
    assert di_55[3:] == ["0.43 0.38 to 0.49", "Katz log (ratio)", "<0.0001", "<0.0001", "z-test"]
    ppv_gap = next(r for r in rows if r[:3] == ["Largest precision gap", "55+", "18-34"])
    assert ppv_gap[3:] == [
        "5.2 pp −1.2 pp to 11.1 pp", "Newcombe (difference)", "0.107", "1.000", "z-test",
    ]  # fmt: skip
    fisher = next(r for r in rows if r[:2] == ["Selection rate gap to the reference group",
                                               "35-54 & widowed"])  # fmt: skip
    assert fisher[-1] == "Fisher's exact test"
    hidden = [r for r in rows if len(r) == 8 and r[1] == "18-34 & widowed"]
    assert len(hidden) == 4
    assert all(r[3] == "fewer than 30 — not shown" and r[5:7] == ["—", "—"] for r in hidden)


def test_every_metric_shown_and_every_check_is_explained(
    sample_doc: dict[str, Any], sample_html: str
) -> None:
    keys = set(GROUP_METRIC_KEYS) | {d["metric"] for d in sample_doc["disparities"]}
    keys |= {get_registry()[f["check"]].metric for f in sample_doc["findings"]}
    for key in keys:
        entry = glossary_entry(key)
        for text in (entry.what_it_means, entry.why_it_matters, entry.what_to_do):
            assert str(escape(text)) in sample_html, key
        assert f'id="g-{key}"' in sample_html
    for method in ("wilson", "newcombe", "katz_log", "z", "fisher", "holm"):
        assert f'id="m-{method}"' in sample_html


def test_every_rule_has_a_card_and_every_finding_a_row(
    sample_doc: dict[str, Any], sample_html: str
) -> None:
    assert sample_html.count('<article class="rule') == len(sample_doc["rules"])
    for f in sample_doc["findings"]:
        assert str(escape(f["message"])) in sample_html


def test_two_charts_per_feature_with_unique_ids(sample_html: str) -> None:
    assert sample_html.count("<svg") == 6  # selection rate and TPR for 3 features
    ids = re.findall(r'\bid="([^"]+)"', sample_html)
    assert len(ids) == len(set(ids))
    assert "Selection rate by group" in sample_html
    assert "Interested customers reached (TPR) by group" in sample_html


def test_group_names_are_escaped(sample_doc: dict[str, Any], rh: SimpleNamespace) -> None:
    evil = '<script>alert("x")</script>&'
    rh.rename_group(sample_doc, "marital", "widowed", evil)
    sample_doc["groups"] = [g for g in sample_doc["groups"] if g["feature"] == "marital"]
    sample_doc["disparities"] = [d for d in sample_doc["disparities"] if d["feature"] == "marital"]
    sample_doc["findings"] = [f for f in sample_doc["findings"] if f["feature"] == "marital"]
    sample_doc["system_name"] = "<b>bold</b>"
    html = render_html(sample_doc)
    assert "<script" not in html.lower()
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_without_policy(sample_doc: dict[str, Any]) -> None:
    sample_doc["policy"] = None
    sample_doc["groups"] = sample_doc["groups"][:3]
    sample_doc["disparities"] = []
    html = render_html(sample_doc)
    assert "No policy was given" in html


def test_invalid_document_is_refused(sample_doc: dict[str, Any]) -> None:
    sample_doc["spec"]["min_group_size"] = "thirty"
    with pytest.raises(UsageError, match=r"report\.spec\.min_group_size"):
        render_html(sample_doc)
