"""A run with no groups, findings or rules (e.g. no sensitive feature) still renders."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from fairmark.report import render_html, render_json, render_junit, render_markdown


def test_empty_run_renders_in_every_format(sample_doc: dict[str, Any]) -> None:
    for key in ("groups", "disparities", "findings", "rules"):
        sample_doc[key] = []
    sample_doc["policy"] = None
    sample_doc["verdict"] = "pass"
    sample_doc["summary"]["reference_groups"] = {}
    sample_doc["summary"]["decision"] = None
    sample_doc["summary"]["excluded_reasons"] = {"missing_label": 0}
    sample_doc["spec"]["sensitive_features"] = ["region", "gender"]
    back = json.loads(render_json(sample_doc))
    assert back.pop("disclosure_control")["n_suppressed_primary"] == 0  # added, nothing hidden
    assert back == sample_doc
    html = render_html(sample_doc)
    assert "No policy was given" in html and "The report contains no policy findings." in html
    assert "<svg" not in html
    # with no decision text, the spec's top_k and score describe it
    assert "top 20% by propensity_score" in html
    assert "<dt>Groups compared by</dt><dd>region, gender</dd>" in html
    assert "Rows left out, and why" not in html  # only reasons that excluded a row
    md = render_markdown(sample_doc)
    assert "**Verdict: PASS**" in md and "The report contains no policy findings." in md
    suite = ET.fromstring(render_junit(sample_doc))
    assert suite.get("tests") == "0" and suite.get("failures") == "0"
