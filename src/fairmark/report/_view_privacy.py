"""Display model of an audit's ``privacy`` object: personal data in the model's inputs.

Shared by the HTML and Markdown reports. Nothing is computed here: the roles, categories
and flags come from the document (:class:`fairmark.privacy.feature_profile.PrivacyProfile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.report._view_rules import FindingContext

__all__ = ["PrivacyRow", "PrivacyView", "build_privacy_view", "privacy_finding_context"]

_USE: Mapping[str, str] = {
    "feature": "model input",
    "undeclared": "possible model input",
    "unused": "not used by the model",
    "sensitive_feature": "groups compared by",
    "audit": "read by the audit",
}
#: Glossary keys of the privacy checks; each names its part of the ``privacy`` object.
_METRICS: frozenset[str] = frozenset({"pii_in_features", "data_minimisation"})


@dataclass(frozen=True)
class PrivacyRow:
    """One column of the privacy table, as display strings."""

    column: str
    use: str
    category: str
    special: str
    for_purpose: str
    flagged: bool
    unneeded: bool


@dataclass(frozen=True)
class PrivacyView:
    """The "Personal data in the model's inputs" section.

    Attributes
    ----------
    summary : tuple of str
        Plain-language sentences: what was examined, the purpose, what was found.
    rows : tuple of PrivacyRow
        Examined, unused and groups-compared-by columns, in table order (the audit's own
        columns are named in ``summary``).
    note : str
        How the categories were recognised.
    """

    summary: tuple[str, ...]
    rows: tuple[PrivacyRow, ...]
    note: str


def _names(columns: Sequence[str]) -> str:
    return ", ".join(columns)


def _category(c: Mapping[str, Any]) -> str:
    if c["category"] is not None:
        return str(c["category"]) + (" (declared)" if c["category_source"] == "declared" else "")
    if c["category_source"] == "declared":
        return "declared not personal"
    if c["role"] in ("feature", "undeclared", "unused"):
        return "none recognised"
    return "not examined"


def _special(c: Mapping[str, Any]) -> str:
    notes = []
    if c["direct_identifier"]:
        notes.append("identifies a person on its own")
    if c["special_category"]:
        notes.append(f"special category: {c['special_category']}")
    return "; ".join(notes) or "—"


def _for_purpose(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _summary(p: Mapping[str, Any]) -> list[str]:
    examined = list(p["examined"])
    lines = []
    if p["features_declared"]:
        lines.append(
            f"The model's {len(examined)} declared input column"
            f"{'s were' if len(examined) != 1 else ' was'} checked for data that identifies a "
            "person on its own and for special categories of personal data (GDPR Art. 9)."
        )
    elif examined:
        lines.append(
            "The model's input columns were not declared, so every column the audit does not "
            f"use was examined as a possible input ({_names(examined)}). Declare the inputs "
            "with --features to judge only those."
        )
    else:
        lines.append("Every column of the data is used by the audit itself; none was examined.")
    if p["sensitive_features"]:
        lines.append(
            f"The columns the groups are compared by ({_names(p['sensitive_features'])}) are "
            "there to audit by and are not judged as model inputs."
        )
    pii = p["pii_in_features"]["columns"]
    lines.append(
        f"Identifying or special-category data among the inputs: {_names(pii)}."
        if pii
        else "No input column identifies a person on its own or holds special-category data."
    )
    if p["purpose"]:
        declared = _names(p["purpose_categories"]) or "none"
        lines.append(
            f"Purpose: {p['purpose']}; the policy declares these data categories for it: "
            f"{declared}."
        )
    minimisation = p["data_minimisation"]
    if minimisation["value"] is None:
        lines.append(
            "Data the model does not need could not be judged: declare the model's features "
            "(--features) or its purpose (--purpose)."
        )
    elif minimisation["columns"]:
        lines.append(
            "Columns the model does not need and the purpose does not declare: "
            f"{_names(minimisation['columns'])}."
        )
    else:
        lines.append("Every column present is needed by the model, the audit or the purpose.")
    outside = [
        c["column"]
        for c in p["columns"]
        if c["role"] == "feature" and c["category"] and c["declared_for_purpose"] is False
    ]
    if outside:
        lines.append(
            "Model inputs whose data category the purpose does not declare (review the "
            f"purpose): {_names(outside)}."
        )
    return lines


def build_privacy_view(doc: Mapping[str, Any]) -> PrivacyView | None:
    """Return the privacy section of an audit document, or ``None`` when it has none.

    Parameters
    ----------
    doc : Mapping
        A validated audit ``report.json``; its optional ``privacy`` object is described in
        ``docs/report-schema.md``.
    """
    p = doc.get("privacy")
    if not p:
        return None
    rows = tuple(
        PrivacyRow(
            column=str(c["column"]),
            use=_USE.get(c["role"], str(c["role"])),
            category=_category(c),
            special=_special(c),
            for_purpose=_for_purpose(c["declared_for_purpose"]),
            flagged=bool(c["examined"] and (c["direct_identifier"] or c["special_category"])),
            unneeded=bool(c["minimisation_issue"]),
        )
        for c in p["columns"]
        if c["role"] != "audit"
    )
    scan = p.get("scan") or {}
    note = (
        "Data categories (fideslang) were recognised from each column's name and a sample of "
        f"{scan.get('sample_size', 'some')} of its values"
        + (f" among the first {scan['max_rows']:,} rows" if scan.get("max_rows") else "")
        + ", unless declared (--data-category)."
    )
    return PrivacyView(summary=tuple(_summary(p)), rows=rows, note=note)


def privacy_finding_context(doc: Mapping[str, Any], metric: str | None) -> FindingContext | None:
    """Return the reason behind a privacy check's finding (e.g. ``not_declared``), if any.

    Parameters
    ----------
    doc : Mapping
        An audit document.
    metric : str or None
        The glossary key of the finding's check (``pii_in_features``,
        ``data_minimisation``); other metrics give ``None``.
    """
    p = doc.get("privacy")
    if not p or metric not in _METRICS:
        return None
    part = p.get(metric) or {}
    return FindingContext(reference=None, reason=part.get("reason"))
