"""Report content of an ad-delivery document (``DeliveryResult.to_dict()``, kind ``delivery``).

An overview of every ad (delivery skew, chi-square test), then per ad and view the groups'
delivered share against their eligible share with intervals, then the paired-ad
comparisons. Source of the measures: Ali et al. 2019 (CSCW) on skewed ad delivery; Meta's
Variance Reduction System (2023) for the total variation distance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.report._cells import HIDDEN_REASON, HIDDEN_REASONS, Cell, CellMaker, document_k
from fairmark.report._format import fmt_p, fmt_percent_level
from fairmark.report._run_model import Column, KindContent, RunTable, TableRow

__all__ = ["delivery_content"]

_VIEW_WORDS: Mapping[str, str] = {
    "impressions": "impressions",
    "reach": "unique people reached",
}
_INTRO = (
    "This report compares who actually saw each ad (the delivered audience) with who was "
    "eligible to see it (the audience you targeted), group by group. An ad platform's "
    "delivery algorithm can show an ad mostly to some groups even when the targeting is "
    "neutral."
)


def _ad_name(ad: Any) -> str:
    return "all rows (no ad column)" if ad is None else str(ad)


def _estimate(cells: CellMaker, est: Mapping[str, Any], unit: Any, *, signed: bool) -> Cell:
    return cells.value(
        est["value"], est["ci_low"], est["ci_high"], est["reason"], unit, signed=signed
    )


def _mark(item: Mapping[str, Any], field: str) -> str | None:
    """The disclosure-control reason of a count that is ``null``, if any."""
    return (item.get("suppressed_counts") or {}).get(field)


def _overview(doc: Mapping[str, Any], cells: CellMaker) -> RunTable:
    rows = []
    for a in doc["ads"]:
        rows.append(
            TableRow(
                cells=(
                    Cell(text=_ad_name(a["ad"])),
                    Cell(text=_VIEW_WORDS.get(a["view"], a["view"])),
                    cells.count(a["eligible_total"], _mark(a, "eligible_total")),
                    cells.count(a["delivered_total"], _mark(a, "delivered_total")),
                    Cell(text=str(a["n_groups"])),
                    cells.value(a["tvd"], None, None, a.get("tvd_reason"), "rate", signed=False),
                    Cell(text=fmt_p(a["chi_square_p_value"])),
                )
            )
        )
    return RunTable(
        title="Delivery skew per ad",
        intro=(
            "Delivery skew is the share of the delivered audience that would have to move "
            "between groups to match the eligible audience: 0% is a delivery that follows "
            "the targeting. The chi-square p-value says how likely such a skew is by chance."
        ),
        columns=(
            Column("Ad", numeric=False),
            Column("Counted as", numeric=False),
            Column("Eligible people"),
            Column("Delivered"),
            Column("Groups"),
            Column("Delivery skew", "delivery_skew"),
            Column("Chi-square p", "chi_square"),
        ),
        rows=tuple(rows),
    )


def _groups_table(
    doc: Mapping[str, Any], cells: CellMaker, ad: Any, view: str, ci_label: str
) -> RunTable:
    rows = []
    for g in doc["groups"]:
        if g["ad"] != ad or g["view"] != view:
            continue
        name = Cell(text=str(g["group"]))
        if g["suppressed"]:
            hidden = cells.hidden(g.get("suppressed_reason") or HIDDEN_REASON)
            rows.append(TableRow(cells=(name, *([hidden] * 6)), mark="suppressed"))
            continue
        eligible_share = cells.value(g["eligible_share"], None, None, None, "rate")
        rows.append(
            TableRow(
                cells=(
                    name,
                    cells.count(g["eligible"], _mark(g, "eligible")),
                    cells.count(g["delivered"], _mark(g, "delivered")),
                    eligible_share,
                    _estimate(cells, g["delivered_share"], "rate", signed=False),
                    _estimate(cells, g["share_difference"], "difference", signed=True),
                    _estimate(cells, g["share_ratio"], "ratio", signed=False),
                )
            )
        )
    counted = _VIEW_WORDS.get(view, view)
    return RunTable(
        title=f"Ad {_ad_name(ad)}: who was eligible and who saw it ({counted})",
        intro=(
            "A group whose delivered share is below its eligible share saw the ad less than "
            f"its part of the targeting. Ranges are the {ci_label} of the delivered share."
        ),
        columns=(
            Column("Group", numeric=False),
            Column("Eligible people"),
            Column(counted.capitalize()),
            Column("Share of eligible", "eligible_share"),
            Column(f"Share delivered ({ci_label})", "delivered_share"),
            Column("Delivered − eligible", "delivery_share_difference"),
            Column("Delivered ÷ eligible", "delivery_share_ratio"),
        ),
        rows=tuple(rows),
    )


def _pair_table(pair: Mapping[str, Any], cells: CellMaker, ci_label: str) -> RunTable:
    a, b = str(pair["ad_a"]), str(pair["ad_b"])
    rows = []
    for g in pair["groups"]:
        diff = g["difference"]
        name = Cell(text=str(g["group"]))
        if diff["reason"] in HIDDEN_REASONS:
            hidden = cells.hidden(diff["reason"])
            rows.append(TableRow(cells=(name, hidden, hidden, hidden, hidden, hidden, hidden)))
            continue
        rows.append(
            TableRow(
                cells=(
                    name,
                    cells.value(g["share_a"], None, None, None, "rate"),
                    cells.value(g["share_b"], None, None, None, "rate"),
                    _estimate(cells, diff, "difference", signed=True),
                    Cell(text=fmt_p(g["p_value"])),
                    Cell(text=fmt_p(g["p_value_holm"])),
                    Cell(text={"z": "z-test", "fisher": "Fisher's exact"}.get(g["test"], "—")),
                )
            )
        )
    tvd = cells.value(pair["delivered_tvd"], None, None, None, "rate", signed=False)
    eligible_tvd = cells.value(pair["eligible_tvd"], None, None, None, "rate", signed=False)
    counted = _VIEW_WORDS.get(pair["view"], pair["view"])
    return RunTable(
        title=f"Ads {a} and {b} compared ({counted})",
        intro=(
            f"The two ads target the same audience with different creatives (difference in "
            f"their eligible audiences: {eligible_tvd.text}; 0% means identical targeting). "
            f"Their delivered audiences differ by {tvd.text} (total variation distance). Per "
            f"group: the delivered share under {a} minus under {b}, with its {ci_label}; the "
            "Holm-adjusted p-value corrects for the number of comparisons."
        ),
        columns=(
            Column("Group", numeric=False),
            Column(f"Share of {a}", "delivered_share"),
            Column(f"Share of {b}", "delivered_share"),
            Column(f"{a} − {b}", "paired_ad_share_difference"),
            Column("p-value"),
            Column("Holm-adjusted p", "holm"),
            Column("Test", numeric=False),
        ),
        rows=tuple(rows),
    )


def delivery_content(doc: Mapping[str, Any]) -> KindContent:
    """Return the report content of a delivery document.

    Parameters
    ----------
    doc : Mapping
        A validated document with ``kind: "delivery"``.

    Returns
    -------
    KindContent
    """
    summary = doc["summary"]
    cells = CellMaker(int(summary["min_group_size"]), document_k(doc))
    level = float(summary["confidence_level"])
    ci_label = f"{fmt_percent_level(level)} CI"
    tables = [_overview(doc, cells)]
    for a in doc["ads"]:
        tables.append(_groups_table(doc, cells, a["ad"], a["view"], ci_label))
    for pair in doc["pairs"]:
        tables.append(_pair_table(pair, cells, ci_label))
    facts: list[tuple[str, str]] = [("Data", str(doc["data"]))]
    facts.append(("Groups by", str(summary["group_column"])))
    if summary.get("ad_column"):
        facts.append(("Ads by", f"{summary['ad_column']} ({summary['n_ads']} ads)"))
    if summary.get("person_id"):
        facts.append(("People identified by", str(summary["person_id"])))
    facts.append(
        ("Delivery counted as", ", ".join(_VIEW_WORDS.get(v, v) for v in summary["views"]))
    )
    facts.append(("Minimum group size", f"{cells.min_group_size} eligible people"))
    facts.append(("Confidence level", fmt_percent_level(level)))
    interval = str(summary["interval"])
    methods = [interval, "chi_square"]
    keys = ["delivery_skew", "eligible_share", "delivered_share"]
    keys += ["delivery_share_difference", "delivery_share_ratio"]
    if doc["pairs"]:
        keys.append("paired_ad_share_difference")
        methods += ["newcombe"]
        tests = {g["test"] for p in doc["pairs"] for g in p["groups"] if g["test"]}
        methods += sorted(tests, key=lambda t: t != "z")
        methods.append("holm")
    hidden = {
        (str(summary["group_column"]), str(g["group"])) for g in doc["groups"] if g["suppressed"]
    }
    return KindContent(
        title="Ad delivery audit",
        intro=_INTRO,
        facts=tuple(facts),
        tables=tuple(tables),
        cells=cells,
        confidence_level=level,
        hidden=hidden,
        feature_label="Demographic",
        group_label="Group",
        glossary_keys=tuple(keys),
        method_keys=tuple(methods),
    )
