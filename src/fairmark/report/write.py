"""Write the report files of one run (audit, delivery, representation, proxies), all-or-nothing.

Every format is rendered in memory first; only then is each file written to a temporary
file in the output folder and renamed into place (an atomic replace on POSIX and
Windows), so a failing renderer leaves no file at all and a crash never leaves a
half-written report.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from fairmark.errors import UsageError
from fairmark.report.render_html import render_html
from fairmark.report.render_json import render_json
from fairmark.report.render_junit import render_junit
from fairmark.report.render_markdown import render_markdown

__all__ = ["FILE_NAMES", "RENDERERS", "write_reports"]

FILE_NAMES: Mapping[str, str] = {
    "json": "report.json",
    "html": "report.html",
    "md": "report.md",
    "junit": "junit.xml",
}


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_json,
    "html": render_html,
    "md": render_markdown,
    "junit": render_junit,
}
"""``format -> renderer``; :func:`write_reports` looks renderers up here at call time."""


def write_reports(
    doc: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    formats: Iterable[str] = ("json", "html", "md", "junit"),
) -> dict[str, Path]:
    """Render a fairmark document in each format and write the files into ``out_dir``.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` document (schema 1.x, ``docs/report-schema.md``), or
        the document of a delivery, representation or proxies run (``.to_dict()`` of
        their results; recognised by its ``kind`` field). The file names are the same
        for every kind.
    out_dir : str or path-like
        Folder to write into; created (with parents) if missing. Existing report files
        of the same names are replaced.
    formats : iterable of {"json", "html", "md", "junit"}
        Which files to write: ``report.json``, ``report.html``, ``report.md``,
        ``junit.xml``. Duplicates are ignored.

    Returns
    -------
    dict of str to pathlib.Path
        ``format -> path written``, in the order requested.

    Raises
    ------
    UsageError
        If a format is unknown (the message lists the valid ones), ``formats`` is empty,
        ``out_dir`` exists but is not a folder, or ``doc`` is not a valid document of a
        known kind (:func:`fairmark.report.validate_report`).
    OSError
        If the folder cannot be created or a file cannot be written; temporary files are
        removed and no report file is left half-written.
    """
    if isinstance(formats, str):
        formats = (formats,)
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FILE_NAMES]
    if unknown:
        raise UsageError(
            f"unknown report format {unknown[0]!r}; expected any of {', '.join(FILE_NAMES)}"
        )
    if not wanted:
        raise UsageError(f"no report format requested; expected any of {', '.join(FILE_NAMES)}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"report output {str(out)!r} exists and is not a folder; expected a folder"
        )

    texts = {fmt: RENDERERS[fmt](doc) for fmt in wanted}

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot write reports to {str(out)!r}: {exc.strerror or exc}; "
            "expected a writable folder (--out)"
        ) from None
    temps: dict[str, Path] = {}
    try:
        for fmt, text in texts.items():
            # A fresh name opened with "x" (never an existing file); unlike mkstemp the
            # file gets the usual permissions of the user's umask.
            temp = out / f".{FILE_NAMES[fmt]}.{uuid.uuid4().hex}.tmp"
            temps[fmt] = temp
            with temp.open("x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        written: dict[str, Path] = {}
        for fmt, temp in temps.items():
            target = out / FILE_NAMES[fmt]
            os.replace(temp, target)
            written[fmt] = target
        return written
    except OSError as exc:
        raise UsageError(
            f"cannot write reports to {str(out)!r}: {exc.strerror or exc}; "
            "expected a writable folder (--out)"
        ) from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
