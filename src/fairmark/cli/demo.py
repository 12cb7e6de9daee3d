"""``fairmark demo``: the Bank Marketing call-list audit (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fairmark.cli._common import console, handle_errors

DEFAULT_OUT = Path("out/bank-marketing")


@handle_errors
def demo_command(
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FOLDER", help="Folder for the reports."),
    ] = DEFAULT_OUT,
    data_home: Annotated[
        Path | None,
        typer.Option(
            "--data-home",
            metavar="FOLDER",
            help="Folder holding uci-bank-marketing/. Default: $FAIRMARK_DATA_HOME, "
            "else the official UCI archive is downloaded and checksummed.",
        ),
    ] = None,
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db-url",
            metavar="URL",
            help="Run store. Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db.",
        ),
    ] = None,
) -> None:
    """Audit a propensity model's call list on the UCI Bank Marketing campaign.

    Trains a model on the first 80% of the 41,188 calls, takes the top 20% of the later
    calls as the call list, audits it by age band and marital status, writes the reports
    and records the run. Exits 0 whatever the verdict: it demonstrates (2 on bad input).
    """
    from fairmark.cli._summary import print_summary
    from fairmark.demo import run_demo

    console.print(
        "[bold]fairmark demo[/]: UCI Bank Marketing (Moro, Cortez & Rita 2014), 41,188 calls"
    )
    import os

    from fairmark.governance.identity import resolve_principal
    from fairmark.store import RunStore

    with RunStore(db_url) as store:  # who records the run (run.write), before any work
        principal = resolve_principal(store.engine, token=os.environ.get("FAIRMARK_TOKEN") or None)
    run = run_demo(
        out, data_home=data_home, store_url=db_url, governance=False, principal=principal
    )
    cl = run.call_list
    console.print(
        f"Model trained on the first {cl.n_train:,} calls (date order, no 'duration'); "
        f"held-out ROC AUC {cl.roc_auc:.3f}. "
        f"Call list: top 20% of {cl.n_test:,} later calls by score."
    )
    print_summary(run.job.document, console, title="Call-list audit by age band and marital status")
    for fmt_name, path in run.job.paths.items():
        console.print(f"[dim]{fmt_name:>5}[/] {escape(str(path))}", highlight=False)
    console.print(f"[dim]run {run.job.document['run_id']} recorded[/]")
    if run.mitigation is not None:
        from fairmark.cli.mitigate import print_mitigation_table

        print_mitigation_table(
            run.mitigation,
            console,
            title=(
                "Mitigation by age band (ThresholdOptimizer, demographic parity): "
                "before and after"
            ),
        )
    elif run.mitigation_note:
        console.print(f"[dim]{escape(run.mitigation_note)}[/]")
    if run.mitigation is not None:
        from fairmark.governance.walkthrough import run_governance_demo

        console.print(
            "\n[bold]Accountability[/]: the mitigated list goes through the ethics committee"
        )
        walk = run_governance_demo(
            out,
            call_list=run.call_list,
            frame=run.frame,
            mitigation=run.mitigation,
            echo=lambda line: console.print(f"  • {escape(line)}", highlight=False),
        )
        db = walk.store_url
        console.print(
            f"Explore it: [bold]fairmark system show[/] {walk.system.name} --db-url {escape(db)}"
            f"\n            [bold]fairmark gate[/] {walk.system.name} --db-url {escape(db)}"
            f"\n            [bold]fairmark evidence verify[/] {escape(str(walk.bundle.path))}"
            f"\n            [bold]fairmark log verify[/] --db-url {escape(db)}",
            highlight=False,
        )
    console.print(
        "Try: [bold]fairmark explain[/] --model "
        f"{escape(str(run.model_path))} --data {escape(str(run.call_list_path))} "
        "--row 0 --decision-column selected"
    )
