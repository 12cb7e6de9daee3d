"""render_json writes the document as it is: same content, same key order, strict JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.report import render_json
from fairmark.report.disclosure_control import protect_document


def test_round_trip_keeps_content_and_order(sample_doc: dict[str, Any]) -> None:
    # Documents from to_dict() already carry disclosure control; render_json adds nothing.
    doc = protect_document(sample_doc)
    text = render_json(doc)
    back = json.loads(text)
    assert back == doc
    assert list(back) == list(doc)
    assert list(back["groups"][0]) == list(doc["groups"][0])
    assert text.endswith("}\n")
    assert text.splitlines()[1] == '  "schema_version": "1.0",'


def test_infinity_stays_the_string_inf(sample_doc: dict[str, Any]) -> None:
    back = json.loads(render_json(sample_doc))
    values = [d["value"] for d in back["disparities"] if d["reason"] == "reference_rate_zero"]
    assert values and set(values) == {"inf"}


def test_non_ascii_is_kept(sample_doc: dict[str, Any]) -> None:
    sample_doc["system_name"] = "Campagne d'été — Zoë"
    assert "Campagne d'été — Zoë" in render_json(sample_doc)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_and_float_infinity_are_refused(sample_doc: dict[str, Any], bad: float) -> None:
    sample_doc["summary"]["selected_threshold"] = bad
    with pytest.raises(UsageError, match="cannot be written as JSON"):
        render_json(sample_doc)


def test_invalid_document_is_refused(sample_doc: dict[str, Any]) -> None:
    del sample_doc["rules"]
    with pytest.raises(UsageError, match="'rules' is a required property"):
        render_json(sample_doc)
