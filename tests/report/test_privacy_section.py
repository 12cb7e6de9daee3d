"""The "Personal data in the model's inputs" section of the HTML and Markdown reports.

Documents written before the section existed have no ``privacy`` object: they still
render, without the section. With one, every value shown comes from the document.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fairmark.report import render_html, render_markdown

SAMPLE = Path(__file__).parent / "fixtures" / "sample_report.json"


def _column(name: str, role: str, category: str | None, **flags: Any) -> dict[str, Any]:
    return {
        "column": name,
        "role": role,
        "examined": role in ("feature", "undeclared"),
        "needed": role in ("feature", "audit", "sensitive_feature"),
        "category": category,
        "category_source": "scan" if category else "none",
        "entity_type": None,
        "direct_identifier": False,
        "special_category": None,
        "declared_for_purpose": None,
        "minimisation_issue": False,
        "evidence": [],
        **flags,
    }


PRIVACY = {
    "purpose": None,
    "purpose_categories": [],
    "features_declared": True,
    "examined": ["phone", "visits"],
    "sensitive_features": ["age_band"],
    "audit_columns": ["y"],
    "columns": [
        _column("y", "audit", None),
        _column("age_band", "sensitive_feature", None),
        _column("phone", "feature", "user.contact.phone_number", direct_identifier=True),
        _column("visits", "feature", None),
        _column(
            "ethnic_origin",
            "unused",
            "user.demographic.race_ethnicity",
            special_category="racial or ethnic origin (GDPR Art. 9(1))",
            minimisation_issue=True,
        ),
    ],
    "pii_in_features": {"value": 1, "columns": ["phone"]},
    "data_minimisation": {"value": 1, "reason": None, "columns": ["ethnic_origin"]},
    "scan": {"sample_size": 200, "max_rows": 10000, "text_engine": {}, "warnings": []},
}


def _doc(privacy: dict[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    if privacy is not None:
        doc["privacy"] = copy.deepcopy(privacy)
    return doc


def test_a_document_without_privacy_renders_without_the_section() -> None:
    doc = _doc(None)
    assert "Personal data in the model's inputs" not in render_markdown(doc)
    html = render_html(doc)
    assert 'id="privacy"' not in html and "#privacy" not in html


def test_the_markdown_section_names_flagged_and_unneeded_columns() -> None:
    md = render_markdown(_doc(PRIVACY))
    section = md[md.index("### Personal data in the model's inputs") :]
    assert "The model's 2 declared input columns were checked" in section
    assert "The columns the groups are compared by (age\\_band) are there to audit by" in section
    assert "Identifying or special-category data among the inputs: phone." in section
    assert "Columns the model does not need and the purpose does not declare: ethnic\\_origin." in (
        section
    )
    assert "| **phone** | model input | user.contact.phone\\_number | identifies a person on " in (
        section
    )
    assert (
        "| **ethnic\\_origin** | not used by the model (not needed) | "
        "user.demographic.race\\_ethnicity | special category: racial or ethnic origin (GDPR "
        "Art. 9(1)) | — |" in section
    )
    assert "| y |" not in section  # the audit's own columns are named, not tabulated
    assert "among the first 10,000 rows" in section


def test_the_html_section_is_listed_and_escaped() -> None:
    privacy = copy.deepcopy(PRIVACY)
    privacy["columns"][3]["column"] = "<b>visits</b>"
    html = render_html(_doc(privacy))
    assert '<li><a href="#privacy">Personal data in the model\'s inputs</a></li>' in html
    section = html[html.index('<section id="privacy">') :]
    assert "&lt;b&gt;visits&lt;/b&gt;" in section and "<b>visits</b>" not in section
    assert '<tr class="flagged">' in section and "not needed</span>" in section
