"""Markdown section of an audit's personal data: "Personal data in the model's inputs"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.report._markdown_util import md_escape, md_table
from fairmark.report._view_privacy import build_privacy_view

__all__ = ["privacy_section"]


def privacy_section(doc: Mapping[str, Any]) -> list[str]:
    """Return the lines of the privacy section (empty when the document has no ``privacy``).

    Parameters
    ----------
    doc : Mapping
        A validated audit ``report.json``.

    Returns
    -------
    list of str
        A heading, the plain-language summary, and the columns one by one (folded away),
        flagged and unneeded columns in bold.
    """
    view = build_privacy_view(doc)
    if view is None:
        return []
    out = ["### Personal data in the model's inputs", ""]
    out += [" ".join(md_escape(line) for line in view.summary), ""]
    if view.rows:
        header = [
            "Column",
            "Use",
            "Data category",
            "Identifier or special category",
            "For the purpose",
        ]
        rows = []
        for r in view.rows:
            name = md_escape(r.column)
            rows.append(
                [
                    f"**{name}**" if r.flagged or r.unneeded else name,
                    md_escape(r.use) + (" (not needed)" if r.unneeded else ""),
                    md_escape(r.category),
                    md_escape(r.special),
                    md_escape(r.for_purpose),
                ]
            )
        n = len(rows)
        out += [
            f"<details><summary>{n} column{'s' if n != 1 else ''}, one by one</summary>",
            "",
            *md_table(header, rows, right=[]),
            "",
            md_escape(view.note),
            "",
            "</details>",
            "",
        ]
    return out
