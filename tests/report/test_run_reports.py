"""Reports of the standalone runs: delivery, representation and proxies documents.

The documents come from the real functions on synthetic data (see ``conftest.py``). The
numbers shown are recomputed independently: shares and Wilson intervals with pandas and
statsmodels (``proportion_confint(method="wilson")``), the total variation distance and
Pearson's goodness-of-fit test with NumPy and SciPy, the correlation ratio with NumPy,
Cramér's V with the bias correction of Bergsma (2013) from SciPy's chi-square statistic, and
the normalised mutual information with scikit-learn.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from scipy import stats
from sklearn.metrics import normalized_mutual_info_score
from statsmodels.stats.proportion import proportion_confint

from fairmark.report import (
    document_kind,
    glossary_entry,
    render_html,
    render_json,
    render_junit,
    render_markdown,
    write_reports,
)
from fairmark.report._format import fmt_p

KINDS = ("delivery", "representation", "proxies")
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _wilson(count: int, n: int) -> str:
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return f"{_pct(low)} to {_pct(high)}"


def _table(rh: SimpleNamespace, html: str, title: str) -> dict[str, dict[str, str]]:
    section = html.split(f"<h2>{title}</h2>", 1)[1].split("</section>", 1)[0]
    (table,) = rh.html_tables(section)
    header = table[0]
    return {row[0]: dict(zip(header, row, strict=False)) for row in table[1:]}


@pytest.mark.parametrize("kind", KINDS)
def test_kind_is_detected_and_every_format_renders(i3: SimpleNamespace, kind: str) -> None:
    doc = i3.doc(kind)
    assert document_kind(doc) == kind
    assert json.loads(render_json(doc)) == doc
    html = i3.rendered(kind, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert f'class="banner v-{doc["verdict"]}"' in html
    md = i3.rendered(kind, "md")
    assert md.startswith("## ") and f"**Verdict: {md_word(doc['verdict'])}**" in md


def md_word(verdict: str) -> str:
    return {"pass": "PASS", "warn": "WARNING", "fail": "FAIL"}.get(verdict, verdict)


@pytest.mark.parametrize("kind", KINDS)
def test_self_contained_without_network_references(i3: SimpleNamespace, kind: str) -> None:
    html = i3.rendered(kind, "html")
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= SVG_NAMESPACES
    lowered = html.lower()
    for tag in ("<script", "<link", "@import", "<iframe", "<img"):
        assert tag not in lowered
    assert not re.findall(r"https?://", i3.rendered(kind, "md"))


@pytest.mark.parametrize("kind", KINDS)
def test_one_junit_testcase_per_rule(i3: SimpleNamespace, kind: str) -> None:
    doc = i3.doc(kind)
    suite = ET.fromstring(i3.rendered(kind, "junit"))
    cases = suite.findall("testcase")
    assert len(doc["rules"]) == 1
    names = [f"{r['rule_id']} ({r['check']})" for r in doc["rules"]]
    assert [c.get("name") for c in cases] == names
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["kind"] == kind and props["verdict"] == doc["verdict"]
    assert props["policy_id"] == "report-tests-issue3"
    failed = doc["rules"][0]["verdict"] in ("fail", "insufficient_evidence")
    assert (cases[0].find("failure") is not None) == failed
    assert suite.get("failures") == ("1" if failed else "0")


def test_delivery_numbers(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    frame = i3.input("delivery")
    html = i3.rendered("delivery", "html")
    overview = _table(rh, html, "Delivery skew per ad")
    for ad in ("A", "B"):
        part = frame[frame["ad"] == ad]
        eligible = part.groupby("gender")["eligible"].sum()
        delivered = part.groupby("gender")["delivered"].sum()
        p, q = delivered / delivered.sum(), eligible / eligible.sum()
        tvd = 0.5 * float(np.abs(p - q).sum())
        chi = stats.chisquare(delivered.to_numpy(), q.to_numpy() * delivered.sum())
        assert overview[ad]["Delivery skew"] == _pct(tvd)
        assert overview[ad]["Chi-square p"] == fmt_p(float(chi.pvalue))
        assert overview[ad]["Delivered"] == f"{int(delivered.sum()):,}"
        groups = _table(rh, html, f"Ad {ad}: who was eligible and who saw it (impressions)")
        for g in ("women", "men"):
            row = groups[g]
            assert row["Eligible people"] == f"{int(eligible[g]):,}"
            assert row["Share of eligible"] == _pct(q[g])
            wilson = _wilson(int(delivered[g]), int(delivered.sum()))
            assert row["Share delivered (95% CI)"] == f"{_pct(p[g])} {wilson}"
            assert row["Delivered ÷ eligible"].startswith(f"{p[g] / q[g]:.2f} ")
        # the group below the minimum size shows one note, no count
        hidden = groups["<i>x</i>"]
        assert list(hidden.values())[1:] == ["fewer than 30 — not shown"]
    a = frame[frame["ad"] == "A"].groupby("gender")["delivered"].sum()
    b = frame[frame["ad"] == "B"].groupby("gender")["delivered"].sum()
    pair = _table(rh, html, "Ads A and B compared (impressions)")
    diff = (a / a.sum() - b / b.sum())["women"] * 100
    assert pair["women"]["A − B"].startswith(f"{diff:+.1f} pp".replace("-", "−"))


def test_representation_numbers(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    people = i3.input("people")
    html = i3.rendered("representation", "html")
    table = _table(rh, html, "Groups of sex: share of the data against the reference")
    n = len(people)
    reference = {"F": 0.5, "M": 0.46}
    for group, ref in reference.items():
        count = int((people["sex"] == group).sum())
        row = table[group]
        assert row["Rows in the data"] == f"{count:,}"
        assert row["Share of the data (95% CI)"] == f"{_pct(count / n)} {_wilson(count, n)}"
        assert row["Representation ratio"].startswith(f"{count / n / ref:.2f} ")
    assert table["F"]["Flag"] == "under-represented" and table["M"]["Flag"] == ""
    # a group absent from the data has a true zero; one absent from the reference is undefined
    assert table["Z"]["Rows in the data"] == "0"
    assert table["Z"]["Representation ratio"].startswith("0.00 ")
    assert table["Q"]["Share of the reference"] == "not listed"
    assert table["Q"]["Representation ratio"] == (
        f"undefined — {glossary_entry('not_in_reference').name}"
    )
    # the suppressed group: one note for its count and share, its reference share, no ratio
    section = html.split("<h2>Groups of sex", 1)[1].split("</section>", 1)[0]
    row = next(r for r in rh.html_tables(section)[0] if r[0] == "X")
    assert row == ["X", "fewer than 30 — not shown", "2.0%", "fewer than 30 — not shown",
                   "under-represented"]  # fmt: skip
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
    assert facts["Under-represented groups"] == "F, X, Z"
    assert facts["In the data but not listed in the reference"] == "Q"


def _cramers_v_corrected(x: pd.Series, y: pd.Series) -> float:
    """Bias-corrected Cramér's V (Bergsma 2013), from SciPy's chi-square statistic."""
    table = pd.crosstab(x, y).to_numpy()
    chi2 = stats.chi2_contingency(table, correction=False)[0]
    n = table.sum()
    r, k = table.shape
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    rc, kc = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    return float(np.sqrt(phi2 / min(kc - 1, rc - 1)))


def test_proxies_numbers(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    frame = i3.input("proxies")
    html = i3.rendered("proxies", "html")
    table = _table(rh, html, "Possible proxies for sex")
    assert [r["Feature"] for r in table.values()] == ["title", "income", "region"]
    v = _cramers_v_corrected(frame["title"], frame["sex"])
    assert table["1"]["Association"] == f"{v:.2f}"
    assert table["1"]["NMI"] == f"{normalized_mutual_info_score(frame['sex'], frame['title']):.2f}"
    assert table["1"]["Flag"] == "above 0.30"
    means = frame.groupby("sex")["income"].agg(["mean", "count"])
    between = float((means["count"] * (means["mean"] - frame["income"].mean()) ** 2).sum())
    eta = np.sqrt(between / float(((frame["income"] - frame["income"].mean()) ** 2).sum()))
    assert table["2"]["Association"] == f"{eta:.2f}"
    assert table["2"]["Measure"] == "correlation ratio (η)" and table["2"]["Flag"] == ""
    doc = i3.doc("proxies")
    joint = doc["redundant_encoding_auc"]["sex"]
    assert f"ROC AUC {joint['value']:.3f}" in html
    # the finding table names the sensitive and the candidate feature
    assert "<th>Sensitive feature</th><th>Candidate feature</th>" in html


@pytest.mark.parametrize("kind", KINDS)
def test_glossary_explains_each_column(i3: SimpleNamespace, kind: str) -> None:
    html = i3.rendered(kind, "html")
    keys = {
        "delivery": ("delivery_skew", "eligible_share", "delivered_share",
                     "delivery_share_difference", "delivery_share_ratio",
                     "paired_ad_share_difference"),
        "representation": ("observed_share", "reference_share", "representation_ratio"),
        "proxies": ("proxy_association", "cramers_v", "correlation_ratio", "nmi",
                    "redundant_encoding_auc"),
    }[kind]  # fmt: skip
    for key in keys:
        assert f'id="g-{key}"' in html, key
        assert str(escape(glossary_entry(key).what_it_means)) in html, key
    for link in re.findall(r'href="#([^"]+)"', html):
        assert f'id="{link}"' in html, link


def test_group_names_are_escaped(i3: SimpleNamespace) -> None:
    html = i3.rendered("delivery", "html")
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    md = i3.rendered("delivery", "md")
    assert "<i>x</i>" not in md and "&lt;i&gt;x&lt;/i&gt;" in md
    doc = i3.doc("representation")
    doc["groups"][0]["group"] = "<script>alert(1)</script>"
    doc["summary"]["under_represented"][0] = "<script>alert(1)</script>"
    out = render_html(doc)
    assert "<script" not in out.lower() and "&lt;script&gt;alert(1)" in out


def test_suppressed_rows_in_markdown_show_the_note_once(
    i3: SimpleNamespace, rh: SimpleNamespace
) -> None:
    md = i3.rendered("delivery", "md")
    rows = [r for r in rh.md_rows(md) if r[0] == "&lt;i&gt;x&lt;/i&gt;"]
    assert len(rows) == 3  # ad A, ad B, the pair
    for row in rows:
        assert row[1] == "fewer than 30 — not shown" and set(row[2:]) == {""}


def test_no_rule_for_the_kind_is_not_called_a_check(i3: SimpleNamespace) -> None:
    doc = i3.doc("representation")
    doc["rules"], doc["findings"], doc["verdict"] = [], [], "pass"
    html = render_html(doc)
    assert "Nothing was judged: none of the policy's rules applies" in html
    assert str(escape(glossary_entry("pass").what_it_means)) not in html
    md = render_markdown(doc)
    assert "The report contains no policy findings." in md
    assert ET.fromstring(render_junit(doc)).get("tests") == "0"


@pytest.mark.parametrize("kind", KINDS)
def test_write_reports_writes_every_kind(i3: SimpleNamespace, kind: str, tmp_path: Path) -> None:
    doc = i3.doc(kind)
    written = write_reports(doc, tmp_path)
    assert sorted(p.name for p in written.values()) == [
        "junit.xml", "report.html", "report.json", "report.md",
    ]  # fmt: skip
    assert json.loads(written["json"].read_text("utf-8")) == doc
    assert written["md"].read_text("utf-8") == render_markdown(doc)


def test_run_documents_of_other_kinds_are_not_audits(i3: SimpleNamespace) -> None:
    from fairmark.errors import UsageError
    from fairmark.report._view import build_view

    with pytest.raises(UsageError, match="'delivery' document; expected an audit document"):
        build_view(i3.doc("delivery"))
