"""Model cards: every Mitchell et al. section, no suppressed counts, valid HF metadata."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import fairmark
from fairmark.errors import UsageError
from fairmark.explain import build_model_card
from fairmark.explain.card_sections import MITCHELL_SECTIONS

SAMPLE = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "sample_report.json"
DETAILS = {
    "name": "spring-propensity",
    "version": "2.3",
    "license": "apache-2.0",
    "owner": "Acme marketing analytics",
    "intended_use": ["rank customers for a savings-account offer"],
    "out_of_scope": "credit decisions",
    "training_data": "Calls of 2025, 40,000 customers.",
    "datasets": ["acme/spring-calls"],
    "caveats": ["Retrain every quarter."],
}


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    return doc


def _suppressed(doc: dict[str, Any]) -> tuple[str, str]:
    g = next(g for g in doc["groups"] if g["suppressed"])
    return g["feature"], g["group"]


def _front_matter(markdown: str) -> dict[str, Any]:
    assert markdown.startswith("---\n")
    block = markdown[4 : markdown.index("\n---\n", 4)]
    meta: dict[str, Any] = yaml.safe_load(block)
    return meta


def test_every_mitchell_section_in_every_format() -> None:
    card = build_model_card(_doc(), model_details=DETAILS)
    assert [s.key for s in card.sections] == [k for k, _ in MITCHELL_SECTIONS]
    md, html, doc = card.to_markdown(), card.to_html(), card.to_dict()
    for i, (key, title) in enumerate(MITCHELL_SECTIONS, start=1):
        assert f"\n## {i}. {title}\n" in md
        assert f'<section id="{key}">' in html and f"{i}. {title}</h2>" in html
    assert [s["key"] for s in doc["sections"]] == [k for k, _ in MITCHELL_SECTIONS]
    assert json.loads(json.dumps(doc)) == doc
    assert "Calls of 2025, 40,000 customers." in card.section("training_data").paragraphs
    assert "Out of scope: credit decisions" in card.section("intended_use").items
    assert "Retrain every quarter." in card.section("caveats_and_recommendations").items
    assert "spring-propensity" in md.splitlines()[md.splitlines().index("---", 1) + 2]


def test_quantitative_analyses_come_from_the_record() -> None:
    doc = _doc()
    card = build_model_card(doc)
    tables = {t.caption: t for t in card.section("quantitative_analyses").tables}
    age = tables["age_band: rates by group (95% CI)"]
    rows = {r[0]: r for r in age.rows}
    # 18-34: n = 3,200, selection rate 0.2325 [0.21819, 0.247452] in the record
    assert rows["18-34"][1] == "3,200"
    assert rows["18-34"][2] == "23.2% (21.8% to 24.7%)"
    assert "35-54 (reference)" in rows
    rules = tables["Policy rules"]
    assert len(rules.rows) == len(doc["rules"])
    assert "FAIL" in card.section("quantitative_analyses").paragraphs[0]


def test_no_suppressed_counts_anywhere() -> None:
    doc = _doc()
    feature, group = _suppressed(doc)
    card = build_model_card(doc, model_details=DETAILS)
    table = next(
        t for t in card.section("quantitative_analyses").tables
        if t.caption.startswith(f"{feature}: rates")
    )  # fmt: skip
    row = next(r for r in table.rows if r[0] == group)
    assert all(cell == "fewer than 30 — not shown" for cell in row[1:])
    for d in card.section("quantitative_analyses").tables:
        for r in d.rows:
            if group in r[1:3]:  # a comparison naming the suppressed group
                assert r[3] == "fewer than 30 — not shown"
    names = [
        m["args"].get("group") for m in card.metadata["model-index"][0]["results"][0]["metrics"]
    ]
    refs = [
        m["args"].get("reference") for m in card.metadata["model-index"][0]["results"][0]["metrics"]
    ]
    assert group not in names and group not in refs
    assert f"= {group})" not in card.to_markdown()
    # a record that leaks a suppressed count is refused, not rendered
    leaky = copy.deepcopy(doc)
    g = next(g for g in leaky["groups"] if g["suppressed"])
    g["n"] = 27
    with pytest.raises(UsageError):
        build_model_card(leaky)


def test_hugging_face_metadata_parses() -> None:
    card = build_model_card(_doc(), model_details=DETAILS)
    meta = _front_matter(card.to_markdown())
    assert meta == card.metadata == yaml.safe_load(card.metadata_yaml())
    assert meta["license"] == "apache-2.0"
    assert meta["datasets"] == ["acme/spring-calls"]
    assert {"fairmark", "fairness-audit", "tabular-classification"} <= set(meta["tags"])
    (entry,) = meta["model-index"]
    assert entry["name"] == "spring-propensity"
    (result,) = entry["results"]
    assert result["task"]["type"] == "tabular-classification"
    assert result["dataset"]["type"] == "acme/spring-calls" and result["dataset"]["name"]
    for m in result["metrics"]:
        assert isinstance(m["type"], str) and isinstance(m["value"], float)
        assert m["verified"] is False
    dpd = next(
        m for m in result["metrics"]
        if m["type"] == "demographic_parity_difference" and m["args"]["feature"] == "age_band"
    )  # fmt: skip
    assert dpd["value"] == 0.135541  # the record's value, unchanged
    bare = build_model_card(_doc()).metadata
    assert "license" not in bare and "datasets" not in bare
    assert bare["model-index"][0]["name"] == _doc()["system_name"]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)


def test_html_is_self_contained_and_escaped() -> None:
    doc = _doc()
    doc["system_name"] = "<script>alert(1)</script>"
    card = build_model_card(doc)
    html = card.to_html()
    parser = _Refs()
    parser.feed(html)
    assert parser.external == [] and "script" not in parser.tags and "link" not in parser.tags
    assert "&lt;script&gt;" in html and "<style>" in html


def test_bad_inputs() -> None:
    with pytest.raises(UsageError):
        build_model_card({"not": "a report"})
    with pytest.raises(UsageError, match="colour"):
        build_model_card(_doc(), model_details={"colour": "red"})
    with pytest.raises(UsageError, match="intended_use"):
        build_model_card(_doc(), model_details={"intended_use": 3})


def test_card_from_a_live_audit() -> None:
    rng = np.random.default_rng(4)
    n = 900
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "islands"], size=n, p=[0.6, 0.38, 0.02]),
            "y": rng.random(n) < 0.3,
            "picked": rng.random(n) < 0.25,
        }
    )
    doc = fairmark.audit(frame, y_true="y", positive_label=True, y_pred="picked",
                         sensitive_features=["region"]).to_dict()  # fmt: skip
    small = [g for g in doc["groups"] if g["suppressed"]]
    assert small and small[0]["group"] == "islands"
    card = build_model_card(doc)
    md = card.to_markdown()
    assert "| islands | fewer than 30 — not shown |" in md
    assert "1 group(s) had fewer than 30 rows" in " ".join(
        card.section("caveats_and_recommendations").items
    )
