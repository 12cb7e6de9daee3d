"""``fairmark privacy kanon`` and ``fairmark privacy dp-release``: re-identification risk and
differentially private counts."""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, fail, handle_errors
from fairmark.errors import DataError

__all__ = ["app", "dp_release_command", "kanon_command", "print_dp_table", "print_kanon"]

app = typer.Typer(
    help="Privacy of personal data at rest: re-identification risk and private releases.",
    no_args_is_help=True,
)

FORMATS = ("table", "json")
KANON_EPILOG = (
    "Example: fairmark privacy kanon customers.csv --quasi-identifiers age,sex,postcode "
    "--sensitive segment --k 10"
)
DP_EPILOG = (
    "Example: fairmark privacy dp-release customers.csv --by region,age_band --epsilon 1 "
    "--keys regions.csv --out counts.csv"
)
_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
}
_DATA_HELP = "CSV or Parquet file, a folder of Parquet files or a quoted glob."


def _columns(option: str, value: str | None, example: str) -> list[str]:
    if value is None:
        fail(f"missing {option}: name the columns, e.g. {option} {example}")
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        fail(f"{option} is empty; expected a comma list of columns, e.g. {option} {example}")
    return items


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DataError(f"--out: folder {str(folder)!r} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _check_out(out: Path | None, *inputs: Path | None) -> None:
    """Refuse an ``--out`` in a missing folder, a folder, or one of the input files."""
    if out is not None:
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            fail(f"--out: folder {str(folder)!r} does not exist; create it first")
        if out.is_dir():
            fail(f"--out: {str(out)!r} is a folder; expected a file name")
        for path in inputs:
            if path is not None and out.exists() and path.exists() and out.samefile(path):
                fail(f"--out {str(out)!r} is an input file; expected a different file (the "
                     "input is kept unchanged)")  # fmt: skip


def _changes_text(changes: list[dict[str, Any]]) -> str:
    return "; ".join(c["label"] for c in changes)


def print_kanon(doc: dict[str, Any], out: Console, *, top: int = 5) -> None:
    """Print the summary, class sizes, l-diversity, suggestions and verdict of a document.

    Parameters
    ----------
    doc : dict
        :meth:`fairmark.privacy.kanon_result.KAnonymityResult.to_dict`.
    out : rich.console.Console
    top : int
        Suggestions shown (the rest are counted).
    """
    s, settings = doc["summary"], doc["settings"]
    k = settings["k"]
    qis = ", ".join(settings["quasi_identifiers"])
    out.print(
        f"[bold]fairmark privacy kanon[/]  {s['n_records']:,} records, quasi-identifiers "
        f"{escape(qis)}"
    )
    out.print(
        f"k achieved [bold]{s['k_achieved']:,}[/] (required {k}, from {settings['k_source']}); "
        f"{s['n_classes']:,} equivalence classes, {s['classes_below_k']:,} below k holding "
        f"{s['records_below_k']:,} records ({s['share_below_k']:.1%})"
    )
    if s["records_with_missing_qi"]:
        out.print(
            f"{s['records_with_missing_qi']:,} records have a missing quasi-identifier; a "
            "missing value is a value of its own"
        )
    sizes = Table(title="Class sizes", title_justify="left")
    for col in ("class size", "classes", "records"):
        sizes.add_column(col, justify="right")
    small = [b for b in doc["histogram"] if b["size"] < k]
    large = [b for b in doc["histogram"] if b["size"] >= k]
    for b in small:
        sizes.add_row(str(b["size"]), f"{b['classes']:,}", f"{b['records']:,}")
    if large:
        sizes.add_row(
            f"{k} or more",
            f"{sum(b['classes'] for b in large):,}",
            f"{sum(b['records'] for b in large):,}",
        )
    out.print(sizes)
    ld = doc["l_diversity"]
    if ld is not None:
        out.print(
            f"l-diversity of {escape(ld['sensitive'])}: distinct l = {ld['distinct_l']}, "
            f"entropy l = {ld['entropy_l']:.2f}; {ld['homogeneous_classes']:,} classes where "
            f"everyone shares one value ({ld['records_in_homogeneous_classes']:,} records)"
        )
    if doc["suggestions"]:
        st = Table(title="Suggested generalisations (measured on the data)", title_justify="left")
        for col in ("#", "changes", "k achieved", "records below k", "classes", "reaches k"):
            st.add_column(col, justify="left" if col == "changes" else "right")
        for i, sug in enumerate(doc["suggestions"][:top], start=1):
            st.add_row(
                str(i), escape(_changes_text(sug["changes"])), f"{sug['k_achieved']:,}",
                f"{sug['records_below_k']:,}", f"{sug['n_classes']:,}",
                "[green]yes[/]" if sug["meets_k"] else "no",
            )  # fmt: skip
        out.print(st)
        if len(doc["suggestions"]) > top:
            out.print(f"[dim]… {len(doc['suggestions']) - top} more (see --format json)[/]")
    _print_verdict(doc, out)


def _print_verdict(doc: dict[str, Any], out: Console) -> None:
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


@app.command("kanon", epilog=KANON_EPILOG, no_args_is_help=True)
@handle_errors
def kanon_command(
    data: Annotated[Path, typer.Argument(metavar="DATA", help=_DATA_HELP, show_default=False)],
    quasi_identifiers: Annotated[
        str | None,
        typer.Option(
            "--quasi-identifiers",
            "-q",
            metavar="A,B",
            help="Columns an outsider could know (age, sex, postcode …), comma list.",
        ),
    ] = None,
    k: Annotated[
        int | None,
        typer.Option(
            "--k",
            metavar="N",
            help="Required k (>= 2). Default: the policy's settings.k_anonymity, else 10.",
        ),
    ] = None,
    sensitive: Annotated[
        str | None,
        typer.Option(
            "--sensitive",
            metavar="COLUMN",
            help="Sensitive column for l-diversity (not a quasi-identifier).",
        ),
    ] = None,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest/--no-suggest",
            help="Suggest generalisations that reach k when it is not met.",
        ),
    ] = True,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="Policy YAML to judge against. Default: the built-in policy.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="table|json",
            help="table: summary on the terminal; json: the document on stdout.",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Also write the JSON document to FILE."),
    ] = None,
) -> None:
    """Measure re-identification risk: k-anonymity and l-diversity of the quasi-identifiers.

    Groups the records by the quasi-identifiers in the data engine, reports the smallest
    group (k achieved), the records in groups below k, l-diversity of a sensitive column,
    and generalisations (age bands, shorter postcodes …) that reach k. Exit code 0 for
    pass or warn, 1 for fail or insufficient evidence, 2 for bad input.
    """
    from fairmark.privacy.kanon import k_anonymity

    fmt = check_choice("--format", fmt, FORMATS)
    qis = _columns("--quasi-identifiers", quasi_identifiers, "age,sex,postcode")
    if k is not None and k < 2:
        fail(f"--k must be a whole number >= 2, got {k}")
    if sensitive is not None and sensitive in qis:
        fail(f"--sensitive {sensitive!r} is also in --quasi-identifiers; a column is one or "
             "the other")  # fmt: skip
    _check_out(out, data)
    result = k_anonymity(
        str(data), quasi_identifiers=qis, k=k, sensitive=sensitive, policy=policy,
        suggest=suggest,
    )  # fmt: skip
    text = result.to_json()
    if out is not None:
        _write_atomic(out, text + "\n")
    if fmt == "json":
        typer.echo(text)
    else:
        print_kanon(result.to_dict(), console)
    raise typer.Exit(result.exit_code)


def _csv_text(doc: dict[str, Any]) -> str:
    """The released table as CSV: the ``by`` columns, ``noisy_count, ci_low, ci_high``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*doc["by"], "noisy_count", "ci_low", "ci_high"])
    for row in doc["counts"]:
        keys = ["" if row["key"][c] is None else row["key"][c] for c in doc["by"]]
        writer.writerow([*keys, row["noisy_count"], row["ci_low"], row["ci_high"]])
    return buf.getvalue()


def print_dp_table(doc: dict[str, Any], out: Console, *, top: int = 50) -> None:
    """Print a differentially private count table and its privacy statement.

    Parameters
    ----------
    doc : dict
        :meth:`fairmark.privacy.kanon_result.DPTable.to_dict`.
    out : rich.console.Console
    top : int
        Rows shown (the rest are counted).
    """
    p = doc["privacy"]
    level = f"{doc['confidence_level'] * 100:g}%"
    out.print(
        f"[bold]fairmark privacy dp-release[/]  differentially private counts by "
        f"{escape(', '.join(doc['by']))}"
    )
    table = Table()
    for col in doc["by"]:
        table.add_column(escape(col))
    table.add_column("noisy count", justify="right")
    table.add_column(f"{level} CI", justify="right")
    for row in doc["counts"][:top]:
        keys = ["(missing)" if row["key"][c] is None else escape(row["key"][c]) for c in doc["by"]]
        table.add_row(*keys, f"{row['noisy_count']:,}", f"{row['ci_low']:,}–{row['ci_high']:,}")
    out.print(table)
    if len(doc["counts"]) > top:
        out.print(f"[dim]… {len(doc['counts']) - top} more rows (see --format json or --out)[/]")
    other = doc["outside_keys"]
    if other is not None:
        out.print(
            f"Records outside the listed groups: {other['noisy_count']:,} "
            f"({level} CI {other['ci_low']:,}–{other['ci_high']:,})"
        )
    budget = f"ε = {p['epsilon']:.6g}"
    if p["delta"] is not None:
        budget += f", δ = {p['delta']:g} (ρ = {p['rho']:.4g} zCDP)"
    out.print(
        f"Privacy: {budget}; {p['noise']} noise, scale {p['scale']:.4g} (standard deviation "
        f"{p['noise_std']:.3g}); each count ± {doc['ci_half_width']:,} with {level} "
        "confidence."
    )
    for warning in doc["warnings"]:
        out.print(f"[yellow]note:[/] {escape(warning)}")


@app.command("dp-release", epilog=DP_EPILOG, no_args_is_help=True)
@handle_errors
def dp_release_command(
    data: Annotated[Path, typer.Argument(metavar="DATA", help=_DATA_HELP, show_default=False)],
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="A,B", help="Grouping columns, comma list."),
    ] = None,
    epsilon: Annotated[
        float | None,
        typer.Option(
            "--epsilon",
            metavar="E",
            help="Privacy budget ε of the release (> 0; smaller = more private).",
        ),
    ] = None,
    mechanism: Annotated[
        str,
        typer.Option(
            "--mechanism",
            metavar="laplace|gaussian",
            help="Discrete Laplace (pure ε-DP) or discrete Gaussian ((ε, δ)-DP).",
        ),
    ] = "laplace",
    delta: Annotated[
        float | None,
        typer.Option("--delta", metavar="D", help="δ of the gaussian mechanism, e.g. 1e-6."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            metavar="FILE",
            help="CSV/Parquet with the public list of groups (the --by columns). "
            "Without it the list of groups found in the data is not protected.",
        ),
    ] = None,
    confidence_level: Annotated[
        float,
        typer.Option("--confidence-level", metavar="P", help="Level of the intervals."),
    ] = 0.95,
    max_contributions: Annotated[
        int,
        typer.Option(
            "--max-contributions",
            metavar="N",
            help="Most records any one person has in DATA (the sensitivity).",
        ),
    ] = 1,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            help="Policy YAML whose settings.k_anonymity sets the smallest average group "
            "size allowed without --keys. Default: the built-in policy.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="table|json",
            help="table: the counts on the terminal; json: the document on stdout.",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Also write the release: FILE.csv as a table, else the JSON document.",
        ),
    ] = None,
) -> None:
    """Release counts per group with differential privacy (OpenDP).

    Counts are computed in the data engine; OpenDP adds integer noise calibrated to ε
    (and δ); every count comes with a noise-aware confidence interval. Exact counts are
    never shown. Without --keys the list of groups is published as found, so a --by column
    named like a direct identifier, or groups with fewer than k records on average (k: the
    policy's settings.k_anonymity, default 10), are refused. Exit code 0, or 2 for bad
    input.
    """
    from fairmark.privacy.dp_release import MAX_EPSILON, MECHANISMS, dp_group_counts

    fmt = check_choice("--format", fmt, FORMATS)
    columns = _columns("--by", by, "region,age_band")
    if epsilon is None:
        fail("missing --epsilon: the privacy budget, a number > 0, e.g. --epsilon 1")
    if not math.isfinite(epsilon) or epsilon <= 0:
        fail(f"--epsilon must be a finite number > 0, got {epsilon:g}")
    if epsilon > MAX_EPSILON:
        fail(f"--epsilon {epsilon:g} is too large: epsilon this large gives no privacy; "
             f"expected 0 < epsilon <= {MAX_EPSILON:g}")  # fmt: skip
    mech = check_choice("--mechanism", mechanism, MECHANISMS)
    if mech == "gaussian" and delta is None:
        fail("--mechanism gaussian needs --delta, e.g. --delta 1e-6")
    if mech == "laplace" and delta is not None:
        fail("--delta is only for --mechanism gaussian; laplace is pure epsilon-DP")
    if not 0 < confidence_level < 1:
        fail(f"--confidence-level must be between 0 and 1, got {confidence_level:g}")
    if max_contributions < 1:
        fail(f"--max-contributions must be a whole number >= 1, got {max_contributions}")
    _check_out(out, data, keys)
    table = dp_group_counts(
        str(data), by=columns, epsilon=epsilon, mechanism=mech, delta=delta,
        confidence_level=confidence_level, max_contributions=max_contributions,
        keys=str(keys) if keys is not None else None, policy=policy,
    )  # fmt: skip
    doc = table.to_dict()
    if out is not None:
        _write_atomic(out, _csv_text(doc) if out.suffix.lower() == ".csv" else table.to_json())
    if fmt == "json":
        typer.echo(table.to_json())
    else:
        print_dp_table(doc, console)
