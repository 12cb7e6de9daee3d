"""The Markdown report: compact, emoji-free, escaped, and faithful to the document."""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.report import render_markdown
from fairmark.report.render_markdown import md_escape


def _rates_table(rh: SimpleNamespace, md: str, feature: str) -> list[list[str]]:
    section = md.split(f"#### {feature}\n", 1)[1].split("####", 1)[0].split("###", 1)[0]
    return rh.md_rows(section)


def test_verdict_line_is_a_plain_status_word(sample_md: str) -> None:
    lines = sample_md.splitlines()
    assert lines[0] == "## Fairness audit: Spring savings-account campaign propensity model"
    assert lines[2].startswith("**Verdict: FAIL** — At least one blocking rule")
    assert "Policy: **acme-marketing-fairness** version 2.1.0" in sample_md
    assert "9,950 of 10,000 rows audited" in sample_md
    # no emoji or pictographs anywhere
    assert not any(unicodedata.category(ch) == "So" for ch in sample_md)


def test_findings_table_has_every_finding_once(
    sample_doc: dict[str, Any], sample_md: str, rh: SimpleNamespace
) -> None:
    rows = [r for r in rh.md_rows(sample_md) if r[0].startswith("**")]
    words = {"fail": "FAIL", "warn": "WARNING", "pass": "PASS",
             "insufficient_evidence": "INSUFFICIENT EVIDENCE"}  # fmt: skip
    for verdict, word in words.items():
        expected = sum(1 for f in sample_doc["findings"] if f["verdict"] == verdict)
        assert sum(1 for r in rows if r[0] == f"**{word}**") == expected, verdict
    assert len(rows) == len(sample_doc["findings"]) == 36
    # failures come first; passing findings are folded away
    assert rows[0][0] == "**FAIL**"
    assert "<details><summary>16 passing findings</summary>" in sample_md


def test_key_rates_and_reference(sample_md: str, rh: SimpleNamespace) -> None:
    table = _rates_table(rh, sample_md, "age\\_band")
    assert table[0][:3] == ["Group", "Rows", "Share"]
    old = next(r for r in table if r[0] == "55+")
    # 2,650 rows = 26.6 % of 9,950; 271 selected = 10.2 %; 70 of 149 responders = 47.0 %
    assert old[1:5] == ["2,650", "26.6%", "10.2% (9.1% to 11.4%)", "47.0% (39.1% to 55.0%)"]
    assert any(r[0] == "35-54 (reference)" for r in table)
    assert "Reference group: **55+ &amp; widowed** (chosen by the person who ran the audit)" in (
        sample_md
    )


def test_suppressed_and_undefined(sample_md: str, rh: SimpleNamespace) -> None:
    table = _rates_table(rh, sample_md, "age\\_band &amp; marital")
    hidden = next(r for r in table if r[0] == "18-34 &amp; widowed")
    assert hidden[1] == "fewer than 30 — not shown"
    assert all(cell == "" for cell in hidden[2:])
    empty = next(r for r in table if r[0] == "35-54 &amp; widowed")
    assert empty[4] == "undefined — nobody in the group responded"
    assert empty[6] == "undefined — nobody was selected"
    assert empty[3].startswith("0.0% ")  # a real zero
    assert "∞ (reference rate is zero)" in sample_md


def test_disparities_are_listed_with_holm(sample_doc: dict[str, Any], sample_md: str,
                                          rh: SimpleNamespace) -> None:  # fmt: skip
    section = sample_md.split("### Disparities", 1)[1]
    rows = rh.md_rows(section)[1:]
    assert len(rows) == len(sample_doc["disparities"]) == 63
    di = next(r for r in rows if r[1] == "Disparate impact ratio" and r[2] == "55+ vs 35-54")
    assert di[3:] == ["0.43 (0.38 to 0.49)", "Katz log (ratio)", "&lt;0.0001", "&lt;0.0001"]


def test_group_names_are_escaped(sample_doc: dict[str, Any], rh: SimpleNamespace) -> None:
    evil = "a|b <script>x</script> *c*"
    rh.rename_group(sample_doc, "marital", "widowed", evil)
    md = render_markdown(sample_doc)
    assert "<script>" not in md
    escaped = "a\\|b &lt;script&gt;x&lt;/script&gt; \\*c\\*"
    assert escaped in md
    # the pipe does not break the table: every row of the marital table has 7 cells
    for row in _rates_table(rh, md, "marital"):
        assert len(row) == 7


def test_md_escape() -> None:
    assert md_escape("a_b|c") == "a\\_b\\|c"
    assert md_escape("x\ny") == "x y"
    assert md_escape("<&>") == "&lt;&amp;&gt;"
    assert md_escape("[link](http://e)") == "\\[link\\](http://e)"


def test_invalid_document_is_refused(sample_doc: dict[str, Any]) -> None:
    sample_doc["groups"][0]["is_reference"] = "yes"
    with pytest.raises(UsageError, match=r"report\.groups\[0\]\.is_reference"):
        render_markdown(sample_doc)
