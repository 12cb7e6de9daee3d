"""Ten marketing texts written independently of the rule packs, judged by a reviewer.

``new_user/judgement.yaml`` says, for each text, what a careful compliance reviewer flags
(rule and exact evidence), what is acceptable either way, and what must not be flagged.
The texts are scanned as a new user would: through ``scan_files`` (what the CLI calls) and
through the ``fairmark content scan`` command in JSON and HTML. See
``docs/content-new-user-review.md``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fairmark.cli.content import app
from fairmark.content.finding import SEVERITY_RANK
from fairmark.content.inputs import read_documents
from fairmark.content.run import scan_files

FOLDER = Path(__file__).parent / "new_user"
JUDGEMENT: dict[str, dict[str, Any]] = yaml.safe_load(
    (FOLDER / "judgement.yaml").read_text(encoding="utf-8")
)["texts"]
NAMES = sorted(JUDGEMENT)


def _scan(name: str) -> tuple[str, list[Any]]:
    args = JUDGEMENT[name].get("args") or {}
    result = scan_files([FOLDER / name], **args)
    (doc,) = result.documents
    (read,) = read_documents(FOLDER / name)
    assert doc.n_chars == len(read.text)
    return read.text, list(doc.findings)


def _spans(text: str, phrase: str) -> list[tuple[int, int]]:
    out, i = [], text.find(phrase)
    assert i >= 0, f"judged phrase {phrase!r} is not in the scanned text"
    while i >= 0:
        out.append((i, i + len(phrase)))
        i = text.find(phrase, i + 1)
    return out


def test_every_text_is_judged() -> None:
    files = {p.name for p in FOLDER.iterdir() if p.name != "judgement.yaml"}
    assert files == set(JUDGEMENT)
    # ten texts; the AI product description comes with and without its disclosure
    assert len({n.split("_")[0] for n in files}) == 10


@pytest.mark.parametrize("name", NAMES)
def test_judged_findings_present_with_exact_offsets(name: str) -> None:
    text, findings = _scan(name)
    got = [(f.rule_id, f.evidence) for f in findings]
    for f in findings:
        assert text[f.start : f.end] == f.evidence, (f.rule_id, f.start, f.end, f.evidence)
    for item in JUDGEMENT[name].get("flag") or []:
        assert (item["rule"], item["evidence"]) in got, (name, item, got)


@pytest.mark.parametrize("name", NAMES)
def test_no_unjudged_finding_and_nothing_on_the_negatives(name: str) -> None:
    text, findings = _scan(name)
    judged = JUDGEMENT[name]
    if judged.get("no_findings"):
        assert findings == [], [(f.rule_id, f.evidence) for f in findings]
    allowed = {
        (i["rule"], i["evidence"]) for i in [*(judged.get("flag") or []),
                                             *(judged.get("acceptable") or [])]
    }  # fmt: skip
    serious = [f for f in findings if SEVERITY_RANK[f.severity] >= 1]
    unjudged = [(f.rule_id, f.evidence) for f in serious if (f.rule_id, f.evidence) not in allowed]
    assert unjudged == [], f"{name}: findings the reviewer did not ask for: {unjudged}"
    for phrase in judged.get("not_flag") or []:
        for s, e in _spans(text, phrase):
            hits = [(f.rule_id, f.evidence) for f in serious if f.start < e and f.end > s]
            assert hits == [], f"{name}: {phrase!r} must not be flagged, got {hits}"
    source = (FOLDER / name).read_text(encoding="utf-8")
    for phrase in judged.get("not_scanned") or []:
        assert phrase in source and phrase not in text, phrase


def test_ai_description_without_disclosure_is_only_flagged_when_marked() -> None:
    path = FOLDER / "09_ai_product_description.txt"
    assert scan_files([path]).documents[0].findings == ()
    (f,) = scan_files([path], ai_generated=True).documents[0].findings
    assert (f.rule_id, f.severity, f.start, f.end) == ("ai_disclosure.missing_label", "warn", 0, 0)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["scan", *args])


@pytest.mark.parametrize("name", NAMES)
def test_cli_json_and_html_report_the_same_findings(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    argv = [str(FOLDER / name)]
    args = JUDGEMENT[name].get("args") or {}
    if args.get("ad_category"):
        argv += ["--ad-category", args["ad_category"]]
    if args.get("ai_generated"):
        argv.append("--ai-generated")
    res = _cli(*argv, "--format", "json")
    doc = json.loads(res.stdout)
    # The default policy fails block findings (exit 1) since it has content.* rules.
    assert res.exit_code == (1 if doc["verdict"] == "fail" else 0), res.output
    (d,) = doc["documents"]
    _, findings = _scan(name)
    assert [(f["rule_id"], f["start"], f["end"]) for f in d["findings"]] == [
        (f.rule_id, f.start, f.end) for f in findings
    ]
    page = _cli(*argv, "--format", "html")
    assert page.exit_code == res.exit_code, page.output
    assert page.stdout.lstrip().lower().startswith("<!doctype html")
    shown = html.unescape(page.stdout)
    for item in JUDGEMENT[name].get("flag") or []:
        assert item["rule"] in shown and item["evidence"] in shown, item
