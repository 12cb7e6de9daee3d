"""Building blocks of the Markdown reports: escaping, tables and values with intervals."""

from __future__ import annotations

import re
from collections.abc import Sequence

from fairmark.report._cells import Cell

__all__ = ["md_cell", "md_escape", "md_table", "with_ci"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: object) -> str:
    """Escape text for a GitHub-flavoured Markdown table cell.

    HTML-significant characters become entities (``<script>`` stays visible text),
    Markdown punctuation and the table separator ``|`` are backslash-escaped, and line
    breaks become spaces.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
    """
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


def md_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int]
) -> list[str]:
    """Return the lines of a Markdown table; columns in ``right`` are right-aligned.

    Parameters
    ----------
    header : sequence of str
        Already escaped headings.
    rows : sequence of sequence of str
        Already escaped cells, as many per row as headings.
    right : sequence of int
        Indices of right-aligned columns.
    """
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def with_ci(text: str, ci: str) -> str:
    """Return ``"text (ci)"`` escaped, or only ``text`` when there is no interval."""
    return f"{md_escape(text)} ({md_escape(ci)})" if ci else md_escape(text)


def md_cell(cell: Cell) -> str:
    """Return a display cell as escaped Markdown: value and interval, never a hidden number."""
    if cell.hidden or cell.undefined:
        return md_escape(cell.text)
    return with_ci(cell.text, cell.ci)
