"""The score section of the audit report, checked against independently computed values.

The document comes from ``fairmark.audit`` on synthetic data (``i3.frame()``); the values
shown in HTML and Markdown are compared with scikit-learn (ROC AUC), SciPy (two-sample
Kolmogorov-Smirnov, Wasserstein-1), NumPy (expected calibration error over ten equal-width
bins, Naeini et al. 2015) and pandas (selection rates at the cut-offs).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from scipy import stats
from sklearn.metrics import roc_auc_score

from fairmark.report import glossary_entry, render_html, render_markdown

SCORE_KEYS = ("roc_auc", "ece", "ks", "wasserstein", "selection_rate_at", "disparate_impact_at")


def _score_table(rh: SimpleNamespace, html: str) -> dict[str, dict[str, str]]:
    """The 'Score quality by group' table: group -> column -> cell text."""
    for table in rh.html_tables(html):
        if table[0][:2] == ["Group", "Scored rows"]:
            header = table[0]
            return {row[0].removesuffix(" reference"): dict(zip(header, row, strict=False))
                    for row in table[1:]}  # fmt: skip
    raise AssertionError("no score table")


def _cutoff_table(rh: SimpleNamespace, html: str) -> list[list[str]]:
    for table in rh.html_tables(html):
        if table[0][0] == "Group" and table[0][1].startswith("Top 10% of scores"):
            return table
    raise AssertionError("no cut-off table")


def _scores(frame: pd.DataFrame, group: str) -> tuple[np.ndarray, np.ndarray]:
    part = frame[frame["region"] == group]
    return part["score"].to_numpy(), (part["y"] == "yes").to_numpy().astype(int)


def _ece(p: np.ndarray, y: np.ndarray) -> float:
    """Expected calibration error over ten equal-width bins (Naeini et al. 2015)."""
    bins = np.minimum((p * 10).astype(int), 9)
    total = 0.0
    for b in np.unique(bins):
        sel = bins == b
        total += sel.mean() * abs(p[sel].mean() - y[sel].mean())
    return float(total)


@pytest.fixture
def html(i3: SimpleNamespace) -> str:
    return str(i3.rendered("audit", "html"))


@pytest.fixture
def md(i3: SimpleNamespace) -> str:
    return str(i3.rendered("audit", "md"))


def test_auc_and_calibration_match_sklearn_and_numpy(
    i3: SimpleNamespace, rh: SimpleNamespace, html: str
) -> None:
    frame = i3.frame()
    table = _score_table(rh, html)
    for group in ("north", "south", i3.EVIL):
        p, y = _scores(frame, group)
        row = table[group]
        assert row["Scored rows"] == f"{len(p):,}"
        assert row["ROC AUC"].split(" ")[0] == f"{roc_auc_score(y, p):.2f}", group
        assert row["Calibration error (ECE)"] == f"{_ece(p, y) * 100:.1f} pp", group
    # the undefined AUC is said in words, and the defined ECE of that group is still shown
    p, y = _scores(frame, "west")
    assert set(y) == {0}
    assert table["west"]["ROC AUC"] == "undefined — only responders or only non-responders"
    assert table["west"]["Calibration error (ECE)"] == f"{_ece(p, y) * 100:.1f} pp"


def test_score_gaps_match_scipy(i3: SimpleNamespace, rh: SimpleNamespace, html: str) -> None:
    frame = i3.frame()
    doc = i3.doc("audit")
    reference = doc["summary"]["reference_groups"]["region"]["group"]
    assert reference == "north"
    table = _score_table(rh, html)
    assert table["north"]["Score gap to reference (KS)"] == "reference group"
    ref_scores, _ = _scores(frame, reference)
    for group in ("south", i3.EVIL, "west"):
        p, _ = _scores(frame, group)
        ks = stats.ks_2samp(p, ref_scores).statistic
        w1 = stats.wasserstein_distance(p, ref_scores)
        row = table[group]
        assert row["Score gap to reference (KS)"].startswith(f"{ks * 100:.1f} pp"), group
        shown = float(row["Score distance to reference"].split(" ")[0])
        assert shown == pytest.approx(w1, abs=0.006), group


def test_selection_rates_at_cutoffs_match_pandas(
    i3: SimpleNamespace, rh: SimpleNamespace, html: str
) -> None:
    frame = i3.frame()
    doc = i3.doc("audit")
    table = _cutoff_table(rh, html)
    header = table[0]
    cutoffs = {}
    for m in doc["score_metrics"]:
        if m["metric"] == "selection_rate_at":
            key = f"Top {m['top_fraction'] * 100:g}% of scores" if m["top_fraction"] else "Score"
            cutoffs[key] = m["cutoff"]
    assert set(cutoffs) == {"Top 10% of scores", "Top 20% of scores", "Top 30% of scores", "Score"}
    assert cutoffs["Score"] == 0.5
    rows = {r[0].removesuffix(" reference"): r for r in table[1:]}
    for i, title in enumerate(header[1:], start=1):
        key = next(k for k in cutoffs if title.startswith(k))
        cutoff = cutoffs[key]
        overall = (frame["score"] >= cutoff).mean()
        assert f"{overall * 100:.1f}% of everyone scored is selected" in title
        for group in ("north", "south", "west"):
            rate = (frame.loc[frame["region"] == group, "score"] >= cutoff).mean()
            assert rows[group][i].startswith(f"{rate * 100:.1f}% "), (group, title)
        north = (frame.loc[frame["region"] == "north", "score"] >= cutoff).mean()
        south = (frame.loc[frame["region"] == "south", "score"] >= cutoff).mean()
        assert rows["south"][i].endswith(f"ratio to reference: {south / north:.2f}")
    # the decision the audit judged (top_k=0.2) is marked
    assert "the decision audited" in header[2] and "the decision audited" not in header[1]


def test_suppressed_group_shows_no_score_number(
    i3: SimpleNamespace, rh: SimpleNamespace, html: str, md: str
) -> None:
    table = _score_table(rh, html)
    assert list(table["tiny"].values())[1:] == ["fewer than 30 — not shown"]
    cut = {r[0]: r for r in _cutoff_table(rh, html)}
    assert cut["tiny"][1:] == ["fewer than 30 — not shown"]
    md_rows = [r for r in rh.md_rows(md) if r[0] == "tiny"]
    assert md_rows and all(r[1] == "fewer than 30 — not shown" and set(r[2:]) <= {""}
                           for r in md_rows)  # fmt: skip
    # in the score section, tiny's rows hold nothing but the note
    section = html.split('<section id="scores">', 1)[1].split('<section id="outcomes">', 1)[0]
    tiny_rows = re.findall(r"<td>tiny</td>(.*?)</tr>", section, re.S)
    assert len(tiny_rows) == 2
    for row in tiny_rows:
        assert re.fullmatch(
            r'\s*<td colspan="\d+"><span class="hidden">fewer than 30 — not shown</span></td>\s*',
            row,
        )
    # and no reliability curve is drawn for it
    assert ">tiny</text>" not in section


def test_spreads_name_their_groups_and_what_is_left_out(i3: SimpleNamespace, html: str) -> None:
    doc = i3.doc("audit")
    auc = next(m for m in doc["score_metrics"] if m["metric"] == "auc_difference")
    # the AUC gap is the highest minus the lowest AUC of the groups it covers (sklearn)
    frame = i3.frame()
    aucs = {g: roc_auc_score(_scores(frame, g)[1], _scores(frame, g)[0])
            for g in ("north", "south", i3.EVIL)}  # fmt: skip
    assert auc["value"] == pytest.approx(max(aucs.values()) - min(aucs.values()), abs=1e-9)
    text = (
        f"<strong>{auc['value']:.2g}</strong> (95% CI {auc['ci_low']:.2g} to "
        f"{auc['ci_high']:.2g})".replace("-", "−")
    )
    assert text in html
    assert (
        "covers 3 groups; left out: tiny (too few customers to show); west (only responders "
        "or only non-responders)"
    ) in html
    assert str(escape(i3.EVIL)) + " (lowest) against south (highest)" in html


def test_reliability_chart_one_panel_per_shown_group(i3: SimpleNamespace, html: str) -> None:
    section = html.split('<section id="scores">', 1)[1].split('<section id="outcomes">', 1)[0]
    assert section.count("<svg") == 1
    svg = section[section.index("<svg") : section.index("</svg>")]
    for label in ("north (reference)", "south", "west"):
        assert f">{label}</text>" in svg, label
    assert ">tiny</text>" not in svg
    assert "&lt;b&gt;east&lt;/b&gt; &amp; " in svg and "<b>east" not in svg
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_glossary_explains_every_score_measure(html: str) -> None:
    for key in (*SCORE_KEYS, "auc_difference", "calibration_difference"):
        entry = glossary_entry(key)
        assert f'id="g-{key}"' in html, key
        assert str(escape(entry.what_it_means)) in html, key
    for method in ("delong", "wilson", "katz_log"):
        assert f'id="m-{method}"' in html
    assert 'id="r-single_class"' in html  # the reason of west's undefined AUC


def test_findings_of_score_checks_use_the_shown_units(rh: SimpleNamespace, html: str) -> None:
    rows = [r for t in rh.html_tables(html) for r in t if len(r) == 6]
    auc = next(r for r in rows if r[4] == "at most 0.02")
    assert auc[0] == "FAIL" and re.fullmatch(r"0\.0\d+", auc[3])  # plain number, like AUCs
    calibration = next(r for r in rows if r[4] == "at most 5.0 pp")
    assert calibration[0] == "WARNING" and calibration[3].endswith(" pp")
    assert calibration[2].startswith("south vs west")


def test_markdown_score_tables(i3: SimpleNamespace, rh: SimpleNamespace, md: str) -> None:
    assert "### Score quality by group (score)" in md
    table = md.split("#### Score by region", 1)[1].split("<details>", 1)[0]
    rows = {r[0]: r for r in rh.md_rows(table)}
    frame = i3.frame()
    p, y = _scores(frame, "south")
    assert rows["south"][2].startswith(f"{roc_auc_score(y, p):.2f} (")
    assert rows["west"][2] == "undefined — only responders or only non-responders"
    assert "Top 20% of scores (audited)" in md
    assert "&lt;b&gt;east&lt;/b&gt; &amp; \"co\"" in md and i3.EVIL not in md


def test_sections_only_when_the_arrays_have_items(sample_doc: dict[str, Any]) -> None:
    sample_doc["groups"] = sample_doc["groups"][:3]
    sample_doc["disparities"] = []
    for value in (None, []):
        if value is None:
            sample_doc.pop("score_metrics", None)
            sample_doc.pop("outcome_metrics", None)
        else:
            sample_doc["score_metrics"] = []
            sample_doc["outcome_metrics"] = []
        html = render_html(sample_doc)
        md = render_markdown(sample_doc)
        assert 'id="scores"' not in html and 'id="outcomes"' not in html
        assert "Score quality" not in md and "### Value of" not in md


def test_junit_one_testcase_per_rule_covers_the_new_checks(i3: SimpleNamespace) -> None:
    import xml.etree.ElementTree as ET

    doc = i3.doc("audit")
    suite = ET.fromstring(i3.rendered("audit", "junit"))
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [f"{r['rule_id']} ({r['check']})" for r in doc["rules"]]
    assert "auc-gap (fairness.auc_difference)" in cases
    assert "offer-ratio (fairness.mean_outcome_ratio)" in cases
    verdicts = {f"{r['rule_id']} ({r['check']})": r["verdict"] for r in doc["rules"]}
    for name, case in cases.items():
        failure = case.find("failure")
        if verdicts[name] in ("fail", "insufficient_evidence"):
            assert failure is not None and failure.get("type") == verdicts[name], name
        else:
            assert failure is None, name
    calibration = cases["calibration-gap (fairness.calibration_difference)"]
    assert verdicts["calibration-gap (fairness.calibration_difference)"] == "warn"
    assert (calibration.findtext("system-out") or "").startswith("WARNING")


def test_audit_with_score_and_outcome_is_self_contained(html: str, md: str) -> None:
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    lowered = html.lower()
    for tag in ("<script", "<link", "@import", "<iframe", "<img"):
        assert tag not in lowered
    assert "<b>east" not in html and "<b>east" not in md
    assert "Fairness audit: Issue 3 &lt;test&gt; system" in html
