"""The outcome-value section of the audit report, checked against pandas and SciPy.

Averages, totals, shares of people and of value are recomputed with pandas from the
synthetic data the audit ran on; the p-value of each difference with SciPy's Welch test
(``scipy.stats.ttest_ind(equal_var=False)``, Welch 1947).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from markupsafe import escape
from scipy import stats

from fairmark.report import glossary_entry, render_html, render_markdown
from fairmark.report._format import fmt_p
from fairmark.report._view_outcomes import amount_decimals, fmt_amount

OUTCOME_KEYS = (
    "outcome_n",
    "outcome_n_missing",
    "outcome_mean",
    "outcome_median",
    "outcome_total",
    "population_share",
    "value_share",
    "value_share_gap",
    "mean_outcome_difference",
    "mean_outcome_ratio",
)


def _tables(rh: SimpleNamespace, html: str) -> tuple[dict[str, dict[str, str]], ...]:
    rest = html.split('<section id="outcomes">', 1)[1]
    section = rest.split('<section id="privacy">', 1)[0].split('<section id="glossary">', 1)[0]
    out = []
    for table in rh.html_tables(section):
        header = table[0]
        out.append({r[0].removesuffix(" reference"): dict(zip(header, r, strict=False))
                    for r in table[1:]})  # fmt: skip
    return tuple(out)


def test_amounts_match_pandas(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    frame = i3.frame()
    amounts, _ = _tables(rh, i3.rendered("audit", "html"))
    for group in ("north", "south", i3.EVIL, "west"):
        offers = frame.loc[frame["region"] == group, "offer"]
        row = amounts[group]
        assert row["Rows with a value"] == f"{offers.notna().sum():,}"
        assert row["Rows without a value"] == f"{offers.isna().sum():,}"
        assert row["Average"].split(" ")[0] == f"{offers.mean():,.2f}", group
        assert offers.sum() >= 1000
        assert row["Total"] == f"{offers.sum():,.0f}", group
    # 5% of south's offers are missing and are counted, not dropped
    assert amounts["south"]["Rows without a value"] != "0"


def test_shares_and_comparisons_match_pandas_and_scipy(
    i3: SimpleNamespace, rh: SimpleNamespace
) -> None:
    frame = i3.frame()
    _, shares = _tables(rh, i3.rendered("audit", "html"))
    valued = frame[frame["offer"].notna()]
    total = valued["offer"].sum()
    north = valued.loc[valued["region"] == "north", "offer"]
    for group in ("south", i3.EVIL, "west"):
        offers = valued.loc[valued["region"] == group, "offer"]
        row = shares[group]
        people = len(offers) / len(valued)
        value = offers.sum() / total
        assert row["Share of people"].startswith(f"{people * 100:.1f}% "), group
        assert row["Share of the value"] == f"{value * 100:.1f}%", group
        gap = (value - people) * 100
        assert row["Value share − people share"] == f"{gap:+.1f} pp".replace("-", "−"), group
        welch = stats.ttest_ind(offers, north, equal_var=False)
        assert row["p-value"] == fmt_p(float(welch.pvalue)), group
        diff = offers.mean() - north.mean()
        assert row["Average − reference"].split(" ")[0] == fmt_amount(diff, 2, signed=True)
        assert row["Average ÷ reference"].split(" ")[0] == f"{offers.mean() / north.mean():.2f}"
    assert shares["north"]["Average − reference"] == "reference group"


def test_suppressed_group_shows_no_amount(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    frame = i3.frame()
    tiny = frame.loc[frame["region"] == "tiny", "offer"]
    html = i3.rendered("audit", "html")
    md = i3.rendered("audit", "md")
    for table in _tables(rh, html):
        assert list(table["tiny"].values())[1:] == ["fewer than 30 — not shown"]
    for text in (f"{tiny.mean():,.2f}", f"{tiny.sum():,.0f}", f"{tiny.median():,.2f}"):
        assert text not in html and text not in md, text
    md_row = next(r for r in rh.md_rows(md.split("### Value of", 1)[1]) if r[0] == "tiny")
    assert md_row[1] == "fewer than 30 — not shown" and set(md_row[2:]) == {""}


def test_undefined_values_are_never_zero(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    doc = i3.doc("audit")
    for m in doc["outcome_metrics"]:
        if m["group"] == "west" and m["metric"] in ("outcome_mean", "mean_outcome_ratio"):
            m.update(value=None, ci_low=None, ci_high=None, reason="no_outcome_values")
    doc["findings"] = [f for f in doc["findings"] if f["group"] != "west"]
    html = render_html(doc)
    amounts, shares = _tables(rh, html)
    assert amounts["west"]["Average"] == "undefined — no outcome values in the group"
    assert shares["west"]["Average ÷ reference"] == "undefined — no outcome values in the group"
    assert 'id="r-no_outcome_values"' in html
    md = render_markdown(doc)
    row = next(r for r in rh.md_rows(md.split("### Value of", 1)[1]) if r[0] == "west")
    assert row[2] == "undefined — no outcome values in the group"


def test_glossary_and_methods(i3: SimpleNamespace) -> None:
    html = i3.rendered("audit", "html")
    for key in OUTCOME_KEYS:
        assert f'id="g-{key}"' in html, key
        assert str(escape(glossary_entry(key).what_it_means)) in html, key
    for method in ("student_t", "welch", "delta_log", "holm"):
        assert f'id="m-{method}"' in html, method
    assert "How the value of offer is shared between groups" in html


def test_findings_of_outcome_checks(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    html = i3.rendered("audit", "html")
    rows = [r for t in rh.html_tables(html) for r in t if len(r) == 6]
    ratio = next(r for r in rows if r[2].startswith("west vs north")
                 and r[5].startswith("Mean outcome ratio"))  # fmt: skip
    assert ratio[0] == "FAIL" and ratio[3] == "0.69"
    gap = next(r for r in rows if r[4] == "at least −5.0 pp" and r[2] == "north")
    assert gap[0] == "WARNING" and re.fullmatch(r"−\d+\.\d pp", gap[3])


def test_markdown_outcome_table(i3: SimpleNamespace, rh: SimpleNamespace) -> None:
    md = i3.rendered("audit", "md")
    frame = i3.frame()
    section = md.split("### Value of offer by group", 1)[1]
    rows = {r[0]: r for r in rh.md_rows(section)}
    offers = frame.loc[frame["region"] == "south", "offer"]
    assert rows["south"][1] == f"{offers.notna().sum():,}"
    assert rows["south"][2].startswith(f"{offers.mean():,.2f} (")
    assert rows["north (reference)"][-1] == "reference group"


@pytest.mark.parametrize(
    ("scale", "decimals"), [(0, 2), (0.0123, 4), (0.5, 3), (2.3, 2), (999.9, 2), (45_000, 0)]
)
def test_amount_decimals(scale: float, decimals: int) -> None:
    assert amount_decimals(scale) == decimals


def test_fmt_amount() -> None:
    assert fmt_amount(12345.6, 0) == "12,346"
    assert fmt_amount(2.3353) == "2.34"
    assert fmt_amount(-0.104, 2, signed=True) == "−0.10"
    assert fmt_amount(0.144, 2, signed=True) == "+0.14"
    assert fmt_amount(-1.28e-05, 2, signed=True) == "0.00"  # rounds to zero: no sign
    assert fmt_amount(0.0123, 4) == "0.0123"


def test_outcome_only_audit_has_no_score_section(i3: SimpleNamespace) -> None:
    doc = i3.doc("audit")
    doc["score_metrics"] = []
    doc["findings"] = [f for f in doc["findings"] if "auc" not in f["rule_id"]
                       and "calibration" not in f["rule_id"]]  # fmt: skip
    doc["rules"] = [r for r in doc["rules"] if r["rule_id"] not in ("auc-gap", "calibration-gap")]
    html = render_html(doc)
    assert 'id="scores"' not in html and 'id="outcomes"' in html
    assert pd.notna(doc["outcome_metrics"][0]["value"])
