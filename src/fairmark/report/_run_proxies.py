"""Report content of a proxy-detection document (``ProxyResult.to_dict()``, kind ``proxies``).

Per sensitive feature: the joint test (redundant encoding: cross-validated ROC AUC of all
candidate features together) and the ranked candidate features with their association
(bias-corrected Cramér's V, Bergsma 2013; correlation ratio η), normalised mutual
information and whether they are flagged. Proxy discrimination: Feldman et al. 2015 (KDD).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairmark.report._cells import Cell, CellMaker, document_k
from fairmark.report._format import fmt_count, fmt_number
from fairmark.report._run_model import Column, KindContent, RunTable, TableRow
from fairmark.report._view_rules import FindingContext

__all__ = ["proxies_content"]

_INTRO = (
    "This report ranks the other columns of the data by how strongly each is associated with "
    "a sensitive feature. A strongly associated column can stand in for the sensitive one (a "
    "proxy): leaving the sensitive column out of a model does not stop the model from using "
    "it through the proxy."
)
_MEASURES: Mapping[str, str] = {
    "cramers_v": "Cramér's V",
    "correlation_ratio": "correlation ratio (η)",
}


def _count(cells: CellMaker, item: Mapping[str, Any], field: str) -> str:
    """A count, or the text saying disclosure control hides it."""
    if item.get(field) is not None:
        return fmt_count(item[field])
    return cells.hidden_text((item.get("suppressed_counts") or {}).get(field, "below_k"))


def _joint_text(joint: Mapping[str, Any] | None, cells: CellMaker) -> str:
    if joint is None:
        return "The joint test was not run."
    if joint["value"] is None:
        cells.note_reason(joint["reason"])
        cell = cells.value(None, None, None, joint["reason"], "ratio")
        return f"Redundant encoding (all features together): {cell.text}."
    value = f"{joint['value']:.3f}"
    spread = f"{joint['std']:.3f}" if joint["std"] is not None else None
    text = f"Redundant encoding (all features together): ROC AUC {value}"
    if spread is not None:
        text += f" (± {spread} over {joint['cv_folds']} folds)"
    text += (
        f", from a {joint['model']} on a sample of {_count(cells, joint, 'n_sample')} rows and "
        f"{joint['n_classes']} groups"
    )
    if joint["groups_left_out"]:
        n = joint["groups_left_out"]
        text += f"; {n} group{'s' if n != 1 else ''} too small to use"
    return text + ". 0.5 means the features reveal nothing about the group, 1 gives it away."


def _table(
    doc: Mapping[str, Any], sensitive: str, cells: CellMaker, bound: float | None
) -> RunTable:
    rows = []
    for p in doc["proxies"]:
        if p["sensitive_feature"] != sensitive:
            continue
        association = cells.value(p["association"], None, None, p["reason"], "ratio")
        nmi = cells.value(p["nmi"], None, None, p["reason"] if p["nmi"] is None else None, "ratio")
        bound_text = fmt_number(p["bound"], "ratio")
        rows.append(
            TableRow(
                cells=(
                    Cell(text=str(p["rank"])),
                    Cell(text=str(p["feature"])),
                    Cell(text=str(p["kind"])),
                    Cell(text=_MEASURES.get(p["measure"], str(p["measure"]))),
                    association,
                    nmi,
                    Cell(text=fmt_count(p["n_levels"])),
                    Cell(text=_count(cells, p, "n_missing")),
                    Cell(text=f"above {bound_text}" if p["flagged"] else ""),
                ),
                mark="flagged" if p["flagged"] else "",
            )
        )
    shown = fmt_number(bound, "ratio") if bound is not None else None
    joint = doc["redundant_encoding_auc"].get(sensitive)
    intro = (
        "Features are ranked by their association with "
        f"{sensitive}, strongest first (0 = none, 1 = gives it away)"
        + (f"; above {shown} they are flagged. " if shown else ". ")
        + _joint_text(joint, cells)
    )
    return RunTable(
        title=f"Possible proxies for {sensitive}",
        intro=intro,
        columns=(
            Column("Rank"),
            Column("Feature", numeric=False),
            Column("Type", numeric=False),
            Column("Measure", numeric=False),
            Column("Association", "proxy_association"),
            Column("NMI", "nmi"),
            Column("Levels"),
            Column("Missing values"),
            Column("Flag", numeric=False),
        ),
        rows=tuple(rows),
    )


def proxies_content(doc: Mapping[str, Any]) -> KindContent:
    """Return the report content of a proxies document.

    Parameters
    ----------
    doc : Mapping
        A validated document with ``kind: "proxies"``.

    Returns
    -------
    KindContent
    """
    summary = doc["summary"]
    settings = doc["settings"]
    cells = CellMaker(int(settings["min_group_size"]), document_k(doc))
    sensitive = [str(s) for s in summary["sensitive_features"]]
    bounds = summary.get("bounds") or {}
    tables = tuple(_table(doc, s, cells, bounds.get(s)) for s in sensitive)
    n_flagged = int(summary["n_flagged"])
    facts = [
        ("Data", str(doc["data"])),
        ("Rows in the data", _count(cells, summary, "n_rows")),
        ("Sensitive features", ", ".join(sensitive)),
        ("Candidate features", f"{len(summary['features'])}"),
        ("Flagged as possible proxies", str(n_flagged)),
        (
            "Joint test",
            f"{settings['cv_folds']}-fold cross-validation on at most "
            f"{fmt_count(settings['sample_size'])} rows"
            if settings.get("joint")
            else "not run",
        ),
        ("Minimum group size", f"{cells.min_group_size} rows (joint test)"),
    ]
    if settings.get("exclude"):
        facts.append(("Columns left out", ", ".join(str(c) for c in settings["exclude"])))
    flagged = [f"{p['feature']} ({p['sensitive_feature']})" for p in doc["proxies"] if p["flagged"]]
    lists = (("Flagged features", ", ".join(flagged)),) if flagged else ()
    reasons = {(p["sensitive_feature"], p["feature"]): p["reason"] for p in doc["proxies"]}

    def lookup(finding: Mapping[str, Any], metric: str | None) -> FindingContext | None:
        key = (finding["feature"], finding["group"])
        return FindingContext(reference=None, reason=reasons[key]) if key in reasons else None

    keys = ["proxy_association"]
    keys += sorted({p["measure"] for p in doc["proxies"]})
    keys += ["nmi"]
    if doc["redundant_encoding_auc"]:
        keys.append("redundant_encoding_auc")
    return KindContent(
        title="Proxy features: " + ", ".join(sensitive),
        intro=_INTRO,
        facts=tuple(facts),
        tables=tables,
        cells=cells,
        confidence_level=None,
        lists=lists,
        lookup=lookup,
        feature_label="Sensitive feature",
        group_label="Candidate feature",
        glossary_keys=tuple(keys),
    )
