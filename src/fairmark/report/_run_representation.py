"""Report content of a representation document (``RepresentationResult.to_dict()``).

One table: each group's share of the training data (Wilson interval) against its share of
the reference population, the representation ratio and whether the group is flagged as
under-represented. Source: ISO/IEC TR 24027:2021 (representation of groups in training
data); Suresh & Guttag 2021 (representation bias).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.report._cells import HIDDEN_REASON, Cell, CellMaker, document_k
from fairmark.report._format import fmt_count, fmt_number, fmt_percent_level
from fairmark.report._run_model import Column, KindContent, RunTable, TableRow
from fairmark.report._view_rules import FindingContext

__all__ = ["representation_content"]

_INTRO = (
    "This report compares how often each group appears in the training data with its share "
    "of a reference population (for example the customer base or the census). A group that "
    "is rare in the data is learned poorly by a model trained on it, so the model tends to "
    "work worse for that group."
)
_SOURCE_WORDS: Mapping[str, str] = {
    "argument": "given when the check was run",
    "default": "fairmark's default",
}


def _estimate(cells: CellMaker, est: Mapping[str, Any], unit: Any) -> Cell:
    return cells.value(
        est["value"], est["ci_low"], est["ci_high"], est["reason"], unit, signed=False
    )


def _table(doc: Mapping[str, Any], cells: CellMaker, ci_label: str, bound: str) -> RunTable:
    rows = []
    for g in doc["groups"]:
        name = Cell(text=str(g["group"]))
        flag = Cell(text="under-represented" if g["flagged"] else "")
        if g["suppressed"]:
            hidden = cells.hidden(g.get("suppressed_reason") or HIDDEN_REASON)
            reference = cells.value(g["reference_share"], None, None, None, "rate")
            rows.append(
                TableRow(
                    cells=(name, hidden, hidden, reference, hidden, flag),
                    mark="flagged" if g["flagged"] else "suppressed",
                )
            )
            continue
        if g["in_reference"]:
            reference = cells.value(g["reference_share"], None, None, None, "rate")
        else:
            cells.note_reason("not_in_reference")
            reference = Cell(text="not listed", undefined=True, reason="not_in_reference")
        rows.append(
            TableRow(
                cells=(
                    name,
                    cells.count(g["n"]),
                    _estimate(cells, g["observed_share"], "rate"),
                    reference,
                    _estimate(cells, g["representation_ratio"], "ratio"),
                    flag,
                ),
                mark="flagged" if g["flagged"] else "",
            )
        )
    return RunTable(
        title=f"Groups of {doc['feature']}: share of the data against the reference",
        intro=(
            "The representation ratio is the group's share of the data divided by its share "
            f"of the reference population: 1 means in proportion, below {bound} is flagged "
            f"as under-represented. Ranges are the {ci_label}."
        ),
        columns=(
            Column("Group", numeric=False),
            Column("Rows in the data"),
            Column(f"Share of the data ({ci_label})", "observed_share"),
            Column("Share of the reference", "reference_share"),
            Column("Representation ratio", "representation_ratio"),
            Column("Flag", numeric=False),
        ),
        rows=tuple(rows),
    )


def representation_content(doc: Mapping[str, Any]) -> KindContent:
    """Return the report content of a representation document.

    Parameters
    ----------
    doc : Mapping
        A validated document with ``kind: "representation"``.

    Returns
    -------
    KindContent
    """
    summary = doc["summary"]
    cells = CellMaker(int(summary["min_group_size"]), document_k(doc))
    level = float(summary["confidence_level"])
    ci_label = f"{fmt_percent_level(level)} CI"
    bound = fmt_number(summary["flag_bound"], "ratio") or "—"
    source = str(summary["flag_bound_source"])
    feature = str(doc["feature"])
    column = str(doc["column"])
    described = feature if feature == column else f"{feature} (from column {column})"
    if doc.get("bins"):
        described += ", binned"
    reference = doc["reference"]
    location = reference.get("location")
    ref_text = str(reference.get("description") or reference.get("source") or "")
    if not ref_text:
        ref_text = "shares given in the call" if location == "mapping" else str(location)
    marks = summary.get("suppressed_counts") or {}

    def count(name: str) -> str:
        if summary[name] is not None:
            return fmt_count(summary[name])
        return cells.hidden_text(marks.get(name, HIDDEN_REASON))

    if summary["n_missing"] is not None or "n_missing" in marks:
        missing = count("n_missing")
    elif summary["has_missing"]:
        missing = cells.suppressed_text
    else:
        missing = "0"
    facts = (
        ("Data", str(doc["data"])),
        ("Groups by", described),
        ("Reference population", ref_text),
        ("Rows in the data", count("n_rows")),
        ("Rows with a value", count("n_used")),
        ("Rows without a value", missing),
        (
            "Flagged below ratio",
            f"{bound} ({_SOURCE_WORDS.get(source, source)})",
        ),
        ("Minimum group size", f"{cells.min_group_size} rows"),
        ("Confidence level", fmt_percent_level(level)),
    )
    lists = []
    for key, label in (
        ("under_represented", "Under-represented groups"),
        ("not_in_data", "Listed in the reference but absent from the data"),
        ("not_in_reference", "In the data but not listed in the reference"),
    ):
        names = summary[key]
        if names:
            lists.append((label, ", ".join(str(n) for n in names)))
    reasons = {g["group"]: g["representation_ratio"]["reason"] for g in doc["groups"]}

    def lookup(finding: Mapping[str, Any], metric: str | None) -> FindingContext | None:
        if finding["feature"] != feature or finding["group"] not in reasons:
            return None
        return FindingContext(reference=None, reason=reasons[finding["group"]])

    return KindContent(
        title=f"Training-data representation: {feature}",
        intro=_INTRO,
        facts=facts,
        tables=(_table(doc, cells, ci_label, bound),),
        cells=cells,
        confidence_level=level,
        lists=tuple(lists),
        hidden={(feature, str(g["group"])) for g in doc["groups"] if g["suppressed"]},
        lookup=lookup,
        glossary_keys=("observed_share", "reference_share", "representation_ratio"),
        method_keys=("wilson",),
    )
