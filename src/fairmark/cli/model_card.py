"""``fairmark model-card RUN_ID``: a model card (Mitchell et al. 2019) from a recorded audit.

Usage::

    fairmark model-card RUN_ID [--out DIR] [--format md,html,json] [--details FILE.yaml] \\
        [--db-url URL]

Writes ``model_card.md`` (with Hugging Face metadata as YAML front matter),
``model_card.html`` (self-contained) and ``model_card.json`` (the document of
:meth:`fairmark.explain.ModelCard.to_dict`) into ``--out``. ``--details`` is a YAML file of
:class:`fairmark.explain.model_details.ModelDetails` (name, licence, intended use, training
data, caveats …). Exit code 0 on success, 2 on bad input.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from fairmark.cli._common import console, handle_errors, parse_formats
from fairmark.errors import DataError

__all__ = ["CARD_FORMATS", "model_card_command"]

CARD_FORMATS = ("md", "html", "json")
_DB_HELP = "Run store. Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db."


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".model-card-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@handle_errors
def model_card_command(
    run_id: Annotated[
        str, typer.Argument(metavar="RUN_ID", help="Run id or unique prefix.", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "fairmark-model-card"
    ),
    fmt: Annotated[
        str, typer.Option("--format", metavar="md,html,json", help="Files to write.")
    ] = "md,html,json",
    details: Annotated[
        Path | None,
        typer.Option(
            "--details", help="YAML file with model details (name, licence, intended use …)."
        ),
    ] = None,
    db_url: Annotated[str | None, typer.Option("--db-url", metavar="URL", help=_DB_HELP)] = None,
) -> None:
    """Write a model card (Markdown, HTML, JSON) for a recorded audit run."""
    from fairmark.explain.model_card import build_model_card
    from fairmark.store import get_run

    formats = parse_formats(fmt, CARD_FORMATS)
    card = build_model_card(get_run(run_id, url=db_url), model_details=details)
    texts = {
        "md": card.to_markdown,
        "html": card.to_html,
        "json": lambda: json.dumps(card.to_dict(), indent=2, ensure_ascii=False) + "\n",
    }
    rendered = {f: texts[f]() for f in formats}  # render everything before writing anything
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for f, text in rendered.items():
            path = out / f"model_card.{f}"
            _write(path, text)
            paths.append(path)
    except OSError as exc:
        raise DataError(
            f"cannot write the model card to {str(out)!r}: {exc.strerror or exc}"
        ) from None
    console.print(
        f"{card.title} (run {card.run_id}, verdict {card.verdict})", markup=False, highlight=False
    )
    for path in paths:
        console.print(f"[dim]{path.suffix[1:]:>5}[/] {path}", highlight=False)
