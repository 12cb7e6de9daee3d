"""``fairmark proxies``: which features stand in for a sensitive attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, fail, handle_errors, write_run_reports

FORMATS = ("text", "json")
_GROUPS = "Sensitive features and candidates"
_METHOD = "Method"
_OUTPUT = "Policy and output"

EPILOG = (
    "Example: fairmark proxies adult.csv -s sex --exclude income --format json "
    "(or -s age --bin age=age for age bands)"
)

_MEASURE = {"cramers_v": "Cramér's V", "correlation_ratio": "η (corr. ratio)"}
_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
}


def _num(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}"


def _sampled(joint: dict[str, Any]) -> str:
    n = joint["n_sample"]
    return "not shown" if n is None else f"{n:,}"


def print_proxies(doc: dict[str, Any], out: Console, *, top: int) -> None:
    """Print the ranked proxies, the joint test and the verdict of a result document.

    Parameters
    ----------
    doc : dict
        :meth:`fairmark.fairness.proxies.ProxyResult.to_dict`.
    out : rich.console.Console
    top : int
        Rows shown per sensitive feature (the rest are counted).
    """
    summary = doc["summary"]
    out.print(
        f"[bold]fairmark proxies[/]  "
        f"{'not shown' if summary['n_rows'] is None else format(summary['n_rows'], ',')} rows, "
        f"{len(summary['features'])} candidate features"
    )
    for name in summary["sensitive_features"]:
        rows = [p for p in doc["proxies"] if p["sensitive_feature"] == name]
        bound = summary["bounds"][name]
        table = Table(
            title=f"Proxies for {escape(name)} (flagged above {bound:g})", title_justify="left"
        )
        for col in ("rank", "feature", "measure", "association", "NMI", "flag"):
            left = col in {"feature", "measure", "flag"}
            table.add_column(col, justify="left" if left else "right")
        for p in rows[:top]:
            value = (
                _num(p["association"])
                if p["association"] is not None
                else f"[dim]undefined ({p['reason']})[/]"
            )
            flag = "[bold yellow]proxy[/]" if p["flagged"] else ""
            table.add_row(
                str(p["rank"]), escape(p["feature"]), _MEASURE[p["measure"]], value,
                _num(p["nmi"]), flag,
            )  # fmt: skip
        out.print(table)
        if len(rows) > top:
            out.print(f"[dim]… {len(rows) - top} more (see --format json)[/]")
        joint = doc["redundant_encoding_auc"].get(name)
        if joint is not None:
            if joint["value"] is None:
                out.print(f"All features together: undefined ({joint['reason']})")
            else:
                out.print(
                    f"All features together predict {escape(name)} with ROC AUC "
                    f"{joint['value']:.3f} ({joint['cv_folds']}-fold CV, {joint['model']}, "
                    f"{_sampled(joint)} sampled rows; 0.5 = not at all, 1 = exactly)"
                )
    shown = [f for f in doc["findings"] if f["verdict"] != "pass"]
    if shown:
        ft = Table(title="Findings that need attention", title_justify="left")
        for col in ("verdict", "rule", "message"):
            ft.add_column(col)
        for f in shown:
            style = _VERDICT_STYLE.get(f["verdict"], "")
            ft.add_row(f"[{style}]{f['verdict']}[/]", escape(f["rule_id"]), escape(f["message"]))
        out.print(ft)
    verdict = doc["verdict"]
    policy = doc.get("policy") or {}
    pid, version = escape(str(policy.get("id", "—"))), escape(str(policy.get("version", "—")))
    out.print(
        f"Verdict: [{_VERDICT_STYLE.get(verdict, '')}]{verdict.upper()}[/]"
        f"  (policy {pid} v{version})"
    )


@handle_errors
def proxies_command(
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA",
            help="CSV or Parquet file, a folder of Parquet files or a quoted glob.",
            show_default=False,
        ),
    ],
    sensitive_feature: Annotated[
        list[str] | None,
        typer.Option("--sensitive-feature", "-s", metavar="COLUMN", rich_help_panel=_GROUPS,
                     help="Sensitive column; repeat for several (-s sex -s race)."),
    ] = None,
    bins: Annotated[
        list[str] | None,
        typer.Option("--bin", metavar="COLUMN=EDGES", rich_help_panel=_GROUPS,
                     help="Cut a numeric sensitive feature into bands: age=25,35,45 or "
                     "age=age (<25 … 65+)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", "-x", metavar="COLUMN", rich_help_panel=_GROUPS,
                     help="Column that is not a candidate (customer id, label, score); "
                     "repeat."),
    ] = None,
    categorical: Annotated[
        list[str] | None,
        typer.Option("--categorical", metavar="COLUMN", rich_help_panel=_GROUPS,
                     help="Numeric column to treat as categories (a region code); repeat."),
    ] = None,
    quantile_bins: Annotated[
        int,
        typer.Option("--quantile-bins", metavar="N", rich_help_panel=_METHOD,
                     help="Quantile bins of numeric features for mutual information."),
    ] = 10,
    joint: Annotated[
        bool,
        typer.Option("--joint/--no-joint", rich_help_panel=_METHOD,
                     help="Also predict each sensitive feature from all features together "
                     "(cross-validated ROC AUC on a bounded sample)."),
    ] = True,
    sample_size: Annotated[
        int,
        typer.Option("--sample-size", metavar="N", rich_help_panel=_METHOD,
                     help="Most rows drawn for the joint test."),
    ] = 20_000,
    random_state: Annotated[
        int,
        typer.Option("--random-state", metavar="N", rich_help_panel=_METHOD,
                     help="Seed of the sample, folds and model."),
    ] = 0,
    cv_folds: Annotated[
        int,
        typer.Option("--cv-folds", metavar="N", rich_help_panel=_METHOD,
                     help="Cross-validation folds of the joint test."),
    ] = 5,
    max_levels: Annotated[
        int,
        typer.Option("--max-levels", metavar="N", rich_help_panel=_METHOD,
                     help="Refuse a text feature with more distinct values (an id)."),
    ] = 1000,
    min_group_size: Annotated[
        int | None,
        typer.Option("--min-group-size", metavar="N", rich_help_panel=_METHOD,
                     help="Smaller groups are left out of the joint test. Default: the "
                     "policy's setting, else 30."),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", metavar="FILE", rich_help_panel=_OUTPUT,
                     help="Policy YAML file; its fairness.proxy_association rules set the "
                     "flagging bound. Default: the built-in policy (0.3)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="text|json", rich_help_panel=_OUTPUT,
                     help="text: ranked tables on the terminal; json: the result document "
                     "on standard output."),
    ] = "text",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FOLDER", rich_help_panel=_OUTPUT,
                     help="Also write report.json, report.html, report.md and junit.xml "
                     "here."),
    ] = None,
    top: Annotated[
        int,
        typer.Option("--top", metavar="N", rich_help_panel=_OUTPUT,
                     help="Rows shown per sensitive feature in the table."),
    ] = 20,
) -> None:
    """Find the features that stand in for a sensitive attribute (proxy detection).

    Ranks every other column by its association with each sensitive feature
    (bias-corrected Cramér's V for text, correlation ratio for numbers), flags those
    above the policy's bound and judges them with the policy. Exit code 0 for pass or
    warn, 1 for fail or insufficient evidence, 2 for bad input.
    """
    from fairmark.cli.audit import _parse_bins
    from fairmark.fairness.proxies import proxies
    from fairmark.policy import exit_code

    fmt = check_choice("--format", fmt, FORMATS)
    if top < 1:
        fail(f"--top must be a whole number >= 1, got {top}")
    if not sensitive_feature:
        fail("missing --sensitive-feature: name the sensitive column(s), e.g. -s sex")
    bin_map = _parse_bins(bins or [])
    unknown = set(bin_map) - set(sensitive_feature)
    if unknown:
        fail(f"--bin names {', '.join(sorted(unknown))}, which is not among the "
             f"--sensitive-feature columns {', '.join(sensitive_feature)}")
    features: list[Any] = [
        {"column": c, "bins": bin_map[c]} if c in bin_map else c for c in sensitive_feature
    ]
    result = proxies(
        str(data),
        sensitive_features=features,
        exclude=exclude or [],
        categorical=categorical or [],
        bins=quantile_bins,
        sample_size=sample_size,
        random_state=random_state,
        policy=policy,
        joint=joint,
        cv_folds=cv_folds,
        max_levels=max_levels,
        min_group_size=min_group_size,
    )
    write_run_reports(result.to_dict(), out)
    if fmt == "json":
        typer.echo(result.to_json())
    else:
        print_proxies(result.to_dict(), console, top=top)
    raise typer.Exit(exit_code(result.verdict))
