"""``fairmark explain``: why did the model rate this person as it did, in customer words.

Usage::

    fairmark explain --model out/bank-marketing/model.joblib \\
        --data out/bank-marketing/call_list.csv --row 0 [--id-column ID] \\
        [--labels bank_marketing|FILE.yaml|none] [--top 3] [--decision-column selected] \\
        [--background-rows 500] [--format text|json]

``--model`` is a joblib or pickle file of a fitted scikit-learn-compatible model (see
:func:`fairmark.explain.save_model`). **Loading a pickle runs code from the file: only
load model files you trust.** ``--data`` is read by DuckDB like ``fairmark audit``;
``--row`` is a 0-based row position in file order, or with ``--id-column`` an id value.
The person is compared with a bounded random sample of ``--data`` (``--background-rows``).
``--format json`` writes the document of :meth:`DecisionExplanation.to_dict`.
Exit code 0 on success, 2 on bad input (a model that cannot be loaded or does not accept
the data's columns, a row out of range …).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors
from fairmark.errors import UsageError

__all__ = ["explain_command"]

_FORMATS = ("text", "json")
_TRUE = {"true", "yes", "y", "1", "t", "selected", "offered"}
_FALSE = {"false", "no", "n", "0", "f", "", "none", "nan"}


def _offered(value: Any, column: str) -> bool:
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise UsageError(
        f"--decision-column {column!r} has value {value!r}; expected true/false, yes/no or 1/0"
    )


def _labels_for(model_columns: tuple[str, ...] | None, choice: str | None) -> str | None:
    from fairmark.datasets.bank_marketing import BANK_COLUMNS

    if choice is not None:
        return None if choice.strip().lower() == "none" else choice
    if model_columns and set(model_columns) <= set(BANK_COLUMNS):
        return "bank_marketing"
    return None


@handle_errors
def explain_command(
    model: Annotated[
        Path,
        typer.Option(
            "--model",
            help="Fitted model (joblib/pickle; only load trusted files).",
            show_default=False,
        ),
    ],
    data: Annotated[
        str,
        typer.Option(
            "--data", help="CSV or Parquet file with the person's row.", show_default=False
        ),
    ],
    row: Annotated[
        str,
        typer.Option(
            "--row",
            help="0-based row position, or an id value with --id-column.",
            show_default=False,
        ),
    ],
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column holding the id given as --row.")
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            "--labels",
            help=(
                "Customer words: bank_marketing, a YAML file, or none "
                "(default: bank_marketing for Bank Marketing columns)."
            ),
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Reasons to give.")] = 3,
    decision_column: Annotated[
        str | None,
        typer.Option(
            "--decision-column",
            help="Column saying whether the person got the offer (default: they did).",
        ),
    ] = None,
    background_rows: Annotated[
        int,
        typer.Option("--background-rows", min=1, help="Rows sampled from --data to compare with."),
    ] = 500,
    fmt: Annotated[str, typer.Option("--format", metavar="text|json", help="Output.")] = "text",
) -> None:
    """Explain one decision in words a customer can read ("why am I seeing this offer?")."""
    from fairmark.explain._estimator import split_model
    from fairmark.explain.decision import explain_decision
    from fairmark.explain.model_io import load_model
    from fairmark.explain.sample import bounded_sample, select_row

    fmt = check_choice("--format", fmt, _FORMATS)
    fitted = load_model(model)
    parts = split_model(fitted)
    person = select_row(data, row, id_column=id_column)
    if decision_column is not None and decision_column not in person.columns:
        raise UsageError(f"--decision-column {decision_column!r} is not a column of the data")
    offered = (
        True
        if decision_column is None
        else _offered(person.iloc[0][decision_column], decision_column)
    )
    background = bounded_sample(data, background_rows, 0)
    explanation = explain_decision(
        fitted,
        person,
        background=background,
        feature_labels=_labels_for(parts.input_columns, labels),
        top=top,
        offered=offered,
    )
    doc = explanation.to_dict()
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    console.print(escape(explanation.text), highlight=False)
    table = Table(title="Main reasons", title_justify="left")
    table.add_column("reason")
    table.add_column("effect")
    table.add_column(f"contribution ({doc['output_meaning']})", justify="right")
    for d in explanation.drivers:
        effect = "towards the offer" if d.direction == "raised" else "away from the offer"
        table.add_row(escape(d.phrase), effect, f"{d.contribution:+.3f}")
    console.print(table)
    if explanation.probability is not None:
        console.print(
            f"[dim]model probability {explanation.probability:.1%}; explained with "
            f"{escape(explanation.method)}[/]"
        )
