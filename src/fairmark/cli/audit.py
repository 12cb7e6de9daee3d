"""``fairmark audit``: audit a decision, judge it against a policy, write the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fairmark.cli._common import console, fail, handle_errors, parse_formats
from fairmark.pipeline import ALL_FORMATS


def _parse_bins(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        col, sep, edges = item.partition("=")
        if not sep or not col or not edges:
            fail(f"--bin {item!r}: expected COLUMN=EDGES, e.g. age=25,35,45,55,65 or age=age")
        out[col] = "age" if edges.strip() == "age" else [e.strip() for e in edges.split(",")]
    return out


def _parse_refs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        feat, sep, group = item.partition("=")
        if not sep or not feat or not group:
            fail(f"--reference-group {item!r}: expected FEATURE=GROUP, e.g. marital=married")
        out[feat] = group
    return out


@handle_errors
def audit_command(
    data: Annotated[Path | None, typer.Argument(help="CSV or Parquet file, folder or glob of Parquet files.", show_default=False)] = None,
    y_true: Annotated[str | None, typer.Option("--y-true", help="Column with the actual outcome.")] = None,
    positive_label: Annotated[str | None, typer.Option("--positive-label", help="Value of --y-true counted as positive (text, number or true).")] = None,
    y_pred: Annotated[str | None, typer.Option("--y-pred", help="Column with the binary decision.")] = None,
    pred_positive_label: Annotated[str | None, typer.Option("--pred-positive-label", help="Value of --y-pred meaning selected.")] = None,
    score: Annotated[str | None, typer.Option("--score", help="Column with a model score.")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Select rows with score >= T.")] = None,
    top_k: Annotated[float | None, typer.Option("--top-k", help="Select the top fraction (0<K<1) or count (K>=1) by score.")] = None,
    sensitive_feature: Annotated[list[str] | None, typer.Option("--sensitive-feature", "-s", help="Column to audit by (repeat).")] = None,
    bins: Annotated[list[str] | None, typer.Option("--bin", help="Bin a numeric feature: COLUMN=25,35,45 or COLUMN=age.")] = None,
    intersections: Annotated[str | None, typer.Option("--intersections", help="pairs (default), all or none.")] = None,
    reference_group: Annotated[list[str] | None, typer.Option("--reference-group", help="FEATURE=GROUP (repeat).")] = None,
    sample_weight: Annotated[str | None, typer.Option("--sample-weight", help="Column of row weights.")] = None,
    min_group_size: Annotated[int | None, typer.Option("--min-group-size", help="Smaller groups are not estimated (default 30).")] = None,
    max_groups: Annotated[int | None, typer.Option("--max-groups", help="Refuse features with more levels (default 1000).")] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="Policy file (default: the built-in policy).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder for the reports.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Reports to write: json,html,md,junit.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="audit.yaml with any of these settings.")] = None,
    system: Annotated[str | None, typer.Option("--system", help="Name of the AI system audited.")] = None,
    record: Annotated[bool, typer.Option("--record/--no-record", help="Record the run in the store.")] = True,
    db_url: Annotated[str | None, typer.Option("--db-url", help="Store URL (default FAIRMARK_DB_URL or .fairmark/fairmark.db).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")] = False,
) -> None:
    """Audit a binary marketing decision by group and judge it against a policy.

    Exit code 0 for pass or warn, 1 for fail or insufficient evidence, 2 for bad input.
    """
    from fairmark.cli._summary import print_summary
    from fairmark.fairness.spec import load_audit_config
    from fairmark.pipeline import run_audit_job
    from fairmark.policy import exit_code

    cfg: dict[str, Any] = load_audit_config(config) if config else {}
    flags = {
        "y_true": y_true,
        "positive_label": positive_label,
        "y_pred": y_pred,
        "pred_positive_label": pred_positive_label,
        "score": score,
        "threshold": threshold,
        "top_k": top_k,
        "intersections": intersections,
        "sample_weight": sample_weight,
        "min_group_size": min_group_size,
        "max_groups": max_groups,
        "policy": policy,
        "system": system,
    }
    settings = {**cfg, **{k: v for k, v in flags.items() if v is not None}}
    source = str(data) if data is not None else settings.pop("data", None)
    settings.pop("data", None)
    if source is None:
        fail("no data given: pass a file as the first argument or set 'data' in --config")
    if sensitive_feature:
        bin_map = _parse_bins(bins or [])
        unknown = set(bin_map) - set(sensitive_feature)
        if unknown:
            fail(f"--bin names {sorted(unknown)} which are not among --sensitive-feature")
        settings["sensitive_features"] = [
            {"column": c, "bins": bin_map[c]} if c in bin_map else c for c in sensitive_feature
        ]
    elif bins:
        fail("--bin needs the column also given as --sensitive-feature")
    if reference_group:
        settings["reference_groups"] = {**settings.get("reference_groups", {}), **_parse_refs(reference_group)}
    for required in ("y_true", "positive_label", "sensitive_features"):
        if settings.get(required) in (None, [], ""):
            flag = "--" + required.replace("_", "-").replace("sensitive-features", "sensitive-feature")
            fail(f"missing {flag} (or '{required}' in --config)")
    formats_value = fmt if fmt is not None else settings.pop("format", None)
    settings.pop("format", None)
    if isinstance(formats_value, list):
        formats_value = ",".join(formats_value)
    formats = parse_formats(formats_value, ALL_FORMATS) if formats_value else ALL_FORMATS
    out_dir = out if out is not None else Path(settings.pop("out", None) or "fairmark-report")
    settings.pop("out", None)
    system_name = settings.pop("system", None)

    job = run_audit_job(
        source,
        out_dir=out_dir,
        formats=formats,
        store_url=db_url,
        record=record,
        system_name=system_name,
        **settings,
    )
    doc = job.document
    if not quiet:
        print_summary(doc, console)
        for fmt_name, path in job.paths.items():
            console.print(f"[dim]{fmt_name:>5}[/] {path}")
        if job.recorded:
            console.print(f"[dim]run {doc['run_id']} recorded[/]")
    else:
        console.print(f"{doc['verdict']} {doc['run_id']}")
    raise typer.Exit(exit_code(doc["verdict"]))
