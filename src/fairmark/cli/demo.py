"""``fairmark demo``: the Bank Marketing call-list audit (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fairmark.cli._common import console, handle_errors


@handle_errors
def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder for the reports.")] = Path("out/bank-marketing"),
    data_home: Annotated[Path | None, typer.Option("--data-home", help="Folder with uci-bank-marketing/ (default FAIRMARK_DATA_HOME).")] = None,
    db_url: Annotated[str | None, typer.Option("--db-url", help="Store URL.")] = None,
) -> None:
    """Audit a propensity model's call list on the UCI Bank Marketing campaign.

    Exits 0 whatever the verdict: it demonstrates.
    """
    from fairmark.cli._summary import print_summary
    from fairmark.demo import run_demo

    console.print("[bold]fairmark demo[/]: UCI Bank Marketing (Moro, Cortez & Rita 2014), 41,188 calls")
    run = run_demo(out, data_home=data_home, store_url=db_url)
    cl = run.call_list
    console.print(
        f"Model trained on the first {cl.n_train:,} calls (date order, no 'duration'); "
        f"held-out ROC AUC {cl.roc_auc:.3f}. Call list: top 20% of {cl.n_test:,} later calls by score."
    )
    print_summary(run.job.document, console, title="Call-list audit by age band and marital status")
    for fmt_name, path in run.job.paths.items():
        console.print(f"[dim]{fmt_name:>5}[/] {path}")
    console.print(f"[dim]run {run.job.document['run_id']} recorded[/]")
