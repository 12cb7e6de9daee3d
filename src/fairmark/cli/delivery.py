"""``fairmark delivery``: who actually saw the ad, against who was eligible to see it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import (
    PolicyOption,
    ReportsOutOption,
    check_choice,
    console,
    fail,
    handle_errors,
    write_run_reports,
)

FORMATS = ("text", "json")
KINDS = ("impressions", "reach")
INTERVALS = ("wilson", "agresti_coull")
MAX_GROUP_TABLES = 10

EPILOG = (
    "Example: fairmark delivery impressions.csv --group gender --eligible eligible "
    "--delivered impressions --ad ad_id --person-id user_id --pair job_a,job_b "
    "--policy policy.yaml. With --delivered-data FILE, DATA holds the eligible audience and "
    "FILE the deliveries."
)


def _pct(est: dict[str, Any], signed: bool = False) -> str:
    """``70.5% (67.0–73.9%)`` for a share; ``+23.3 pp (+19.7 to +26.6)`` for a difference."""
    if est["value"] is None:
        return f"[dim]undefined ({est['reason']})[/]"
    lo, hi = est["ci_low"], est["ci_high"]
    if signed:
        text = f"{est['value'] * 100:+.1f} pp"
        return text if lo is None else text + f" [dim]({lo * 100:+.1f} to {hi * 100:+.1f})[/]"
    text = f"{est['value']:.1%}"
    return text if lo is None else text + f" [dim]({lo:.1%}–{hi:.1%})[/]"


def _ads_table(doc: dict[str, Any]) -> Table:
    table = Table(title="Delivery skew per ad (total variation distance)", title_justify="left")
    for col in ("ad", "view", "eligible people", "delivered", "skew (TVD)", "chi-square p"):
        table.add_column(col, justify="left" if col in {"ad", "view"} else "right")
    for a in doc["ads"]:
        tvd = (
            f"{a['tvd']:.3f}" if a["tvd"] is not None else f"[dim]undefined ({a['tvd_reason']})[/]"
        )
        p = "—" if a["chi_square_p_value"] is None else f"{a['chi_square_p_value']:.2g}"
        table.add_row(
            escape(str(a["ad"] if a["ad"] is not None else "—")),
            a["view"],
            "not shown" if a["eligible_total"] is None else f"{a['eligible_total']:,.0f}",
            "not shown" if a["delivered_total"] is None else f"{a['delivered_total']:,.0f}",
            tvd,
            p,
        )
    return table


def _groups_table(doc: dict[str, Any], ad: Any, view: str) -> Table:
    min_n = doc["summary"]["min_group_size"]
    title = f"{'ad ' + str(ad) + ', ' if ad is not None else ''}{view}"
    table = Table(title=escape(title), title_justify="left")
    for col in ("group", "eligible share", "delivered share (CI)", "difference (CI)", "ratio"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for g in (g for g in doc["groups"] if g["ad"] == ad and g["view"] == view):
        if g["suppressed"]:
            why = (
                f"eligible audience below {min_n}"
                if g.get("suppressed_reason") in (None, "below_min_group_size")
                else "disclosure control"
            )
            table.add_row(
                escape(g["group"]),
                f"[dim]{why}: not shown[/]",
                "",
                "",
                "",
            )
            continue
        ratio = g["share_ratio"]["value"]
        table.add_row(
            escape(g["group"]),
            f"{g['eligible_share']:.1%}",
            _pct(g["delivered_share"]),
            _pct(g["share_difference"], signed=True),
            "—" if ratio is None else f"{ratio:.2f}",
        )
    return table


def print_delivery(doc: dict[str, Any]) -> None:
    """Print the per-ad skew, per-group shares, paired ads, findings and verdict."""
    console.print(_ads_table(doc))
    keys = [(a["ad"], a["view"]) for a in doc["ads"]]
    if len(keys) <= MAX_GROUP_TABLES:
        for ad, view in keys:
            console.print(_groups_table(doc, ad, view))
    else:
        console.print(
            f"[dim]{len(keys)} ads and views: the per-group shares are in --format json.[/]"
        )
    for pair in doc["pairs"]:
        parts = []
        for g in pair["groups"]:
            d = g["difference"]
            if d["value"] is None:
                parts.append(f"{escape(g['group'])} undefined ({d['reason']})")
            else:
                p = g["p_value_holm"]
                parts.append(
                    f"{escape(g['group'])} {d['value'] * 100:+.1f} pp"
                    + ("" if p is None else f" (Holm p {p:.2g})")
                )
        tvd = pair["delivered_tvd"]
        console.print(
            f"Paired ads {escape(pair['ad_a'])} vs {escape(pair['ad_b'])} ({pair['view']}): "
            f"delivered audiences differ by TVD "
            f"{'undefined' if tvd is None else f'{tvd:.3f}'}; eligible audiences by "
            f"{pair['eligible_tvd']:.3f}; " + "; ".join(parts)
        )
    if not doc["rules"]:
        console.print(
            "[dim]No rule of the policy judges ad delivery: add a fairness.delivery_skew rule "
            "(e.g. max: 0.1) to gate on it.[/]"
        )
    for f in doc["findings"]:
        if f["verdict"] != "pass":
            console.print(f"[bold]{f['verdict']}[/] {escape(f['rule_id'])}: {escape(f['message'])}")
    policy = doc.get("policy") or {}
    console.print(
        f"Verdict: [bold]{doc['verdict'].upper()}[/]  (policy {escape(str(policy.get('id')))} "
        f"v{escape(str(policy.get('version')))})"
    )


def _parse_pairs(items: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        a, sep, b = item.partition(",")
        if not sep or not a.strip() or not b.strip() or "," in b:
            fail(f"--pair {item!r}: expected two ad ids separated by a comma, e.g. ad_1,ad_2")
        out.append((a.strip(), b.strip()))
    return out


@handle_errors
def delivery_command(
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA",
            show_default=False,
            help="Impressions or audience table: CSV or Parquet file, folder or "
            "quoted glob. With --delivered-data: the eligible audience.",
        ),
    ],
    group: Annotated[
        str,
        typer.Option(
            "--group",
            metavar="COLUMN",
            show_default=False,
            help="Demographic column (gender, age band, estimated ethnicity).",
        ),
    ],
    eligible: Annotated[
        str,
        typer.Option(
            "--eligible",
            metavar="COLUMN",
            show_default=False,
            help="true/false (or 0/1): in the ad's eligible audience; or a count of "
            "eligible people on aggregated rows.",
        ),
    ],
    delivered: Annotated[
        str,
        typer.Option(
            "--delivered",
            metavar="COLUMN",
            show_default=False,
            help="Impressions shown (a count) or a true/false flag; see --delivered-kind.",
        ),
    ],
    ad: Annotated[
        str | None,
        typer.Option(
            "--ad", metavar="COLUMN", help="Ad or campaign column: each ad is measured separately."
        ),
    ] = None,
    person_id: Annotated[
        str | None,
        typer.Option(
            "--person-id",
            metavar="COLUMN",
            help="Person column: adds the unique-reach view next to impressions.",
        ),
    ] = None,
    delivered_data: Annotated[
        Path | None,
        typer.Option(
            "--delivered-data",
            metavar="FILE",
            help="Second table with the deliveries (group, delivered, ad, person id); "
            "DATA then holds the eligible audience.",
        ),
    ] = None,
    delivered_kind: Annotated[
        str,
        typer.Option(
            "--delivered-kind",
            metavar="impressions|reach",
            help="What --delivered counts: impressions (default) or people reached "
            "(then it may not exceed the eligible audience).",
        ),
    ] = "impressions",
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair",
            metavar="AD_A,AD_B",
            help="Two ads with the same targeting and different creatives to compare "
            "group by group (repeat).",
        ),
    ] = None,
    interval: Annotated[
        str,
        typer.Option(
            "--interval",
            metavar="wilson|agresti_coull",
            help="Interval of the delivered shares. Default: wilson.",
        ),
    ] = "wilson",
    policy: PolicyOption = None,
    min_group_size: Annotated[
        int | None,
        typer.Option(
            "--min-group-size",
            metavar="N",
            help="Groups with a smaller eligible audience are not estimated and their "
            "counts not shown. Default: the policy's setting, else 30.",
        ),
    ] = None,
    out: ReportsOutOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="text|json",
            help="text (tables) or json (the document fairmark.delivery_skew returns, "
            "on standard output).",
        ),
    ] = "text",
) -> None:
    """Compare who saw each ad with who was eligible to see it, group by group.

    Exit code 0 for pass or warn, 1 for fail or insufficient evidence, 2 for bad input.
    """
    from fairmark.fairness.delivery import delivery_skew

    fmt = check_choice("--format", fmt, FORMATS)
    delivered_kind = check_choice("--delivered-kind", delivered_kind, KINDS)
    interval = check_choice("--interval", interval, INTERVALS)
    result = delivery_skew(
        str(data),
        group=group,
        eligible=eligible,
        delivered=delivered,
        ad=ad,
        person_id=person_id,
        delivered_data=None if delivered_data is None else str(delivered_data),
        delivered_kind=delivered_kind,
        pairs=_parse_pairs(pair or []),
        interval=interval,
        policy=policy,
        min_group_size=min_group_size,
    )
    write_run_reports(result.to_dict(), out)
    if fmt == "json":
        typer.echo(result.to_json())
    else:
        print_delivery(result.to_dict())
    raise typer.Exit(result.exit_code)
