"""``fairmark content scan`` on the CLI app of fairmark.cli.content: outputs and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fairmark.cli.content import app

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["scan", *[str(a) for a in args]])


def _one_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_json_output_is_the_result_document(run) -> None:
    result = run(SAMPLES / "flash_sale_email.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "content_scan" and doc["schema_version"] == "1.0"
    text = (SAMPLES / "flash_sale_email.txt").read_text()
    for f in doc["documents"][0]["findings"]:
        assert text[f["start"] : f["end"]] == f["evidence"]
    import jsonschema

    schema = json.loads(
        (Path(__file__).parents[2] / "src/fairmark/content/content_scan.schema.json").read_text()
    )
    jsonschema.validate(doc, schema)


def test_table_view_and_reports(run, tmp_path: Path) -> None:
    result = run(SAMPLES / "flash_sale_email.txt")
    assert result.exit_code == 0, result.output
    assert "Hurry" in result.stdout and "dark_patterns.countdown" in result.stdout
    for fmt, name in (("html", "report.html"), ("md", "report.md"), ("junit", "report.xml")):
        (tmp_path / "out").mkdir(exist_ok=True)
        r = run(SAMPLES / "flash_sale_email.txt", "--format", fmt, "--out", tmp_path / "out")
        assert r.exit_code == 0, r.output
        body = (tmp_path / "out" / name).read_text()
        assert "dark_patterns.countdown" in body
    assert "<mark class=\"warn\">Hurry</mark>" in (tmp_path / "out/report.html").read_text()
    # Warn findings only (exit 0): JUnit must not fail the CI step either (issue #6 QA 11).
    assert 'failures="0"' in (tmp_path / "out/report.xml").read_text()


def test_policy_fail_exits_1(run, tmp_path: Path) -> None:
    from fairmark.checks.registry import get_registry

    if "content.dark_pattern" not in get_registry():
        pytest.skip("content checks not registered yet (lead registers them)")
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "id: content-test\nversion: '1'\nowner: tests\nreview_by: 2099-01-01\nrules:\n"
        "  - id: no-dark\n    check: content.dark_pattern\n    severity: block\n    max: 0\n"
        "    principle: transparency\n    rationale: no manipulative copy\n"
    )
    assert run(SAMPLES / "flash_sale_email.txt", "--policy", policy).exit_code == 1
    assert run(SAMPLES / "clean_newsletter.txt", "--policy", policy).exit_code == 0


def test_empty_file(run, tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("  \n")
    assert "file is empty" in _one_line(run(tmp_path / "e.txt"))


def test_binary_file(run, tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"GIF89a\x00\x01\x02")
    assert "binary" in _one_line(run(tmp_path / "b.txt"))


def test_undecodable_file(run, tmp_path: Path) -> None:
    (tmp_path / "l.txt").write_bytes("Préférez".encode("latin-1"))
    assert "not UTF-8" in _one_line(run(tmp_path / "l.txt"))


def test_html_with_only_script(run, tmp_path: Path) -> None:
    (tmp_path / "s.html").write_text("<script>alert('hurry only 1 left')</script>")
    assert "no visible text" in _one_line(run(tmp_path / "s.html"))


def test_unknown_ad_category(run) -> None:
    line = _one_line(run(SAMPLES / "job_ad.md", "--ad-category", "jobs"))
    assert "unknown ad category 'jobs'" in line and "employment" in line


def test_malformed_pack_names_file_rule_field(run, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "pack: mine\nversion: '1'\nrules:\n  - id: mine.loud\n    category: urgency\n"
        "    severity: high\n    patterns: [now]\n    message: m\n    source: s\n"
    )
    line = _one_line(run(SAMPLES / "job_ad.md", "--packs", pack))
    assert "mine.yaml" in line and "rule mine.loud" in line and "field severity" in line


def test_custom_pack_is_used(run, tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "pack: mine\nversion: '1'\nrules:\n  - id: mine.linen\n    category: social_proof\n"
        "    severity: info\n    patterns: [linen shirt]\n    message: m\n    source: s\n"
    )
    r = run(SAMPLES / "clean_newsletter.txt", "--packs", pack, "--format", "json")
    assert r.exit_code == 0, r.output
    (doc,) = json.loads(r.stdout)["documents"]
    assert [f["rule_id"] for f in doc["findings"]] == ["mine.linen"]


def test_missing_text_column(run) -> None:
    line = _one_line(run(SAMPLES / "variants.csv", "--text-column", "copy"))
    assert "copy" in line


def test_huge_text_is_chunked_and_offsets_hold() -> None:
    from fairmark.content import scan

    filler = "Plain words about linen shirts and delivery. " * 4000  # ~184k characters
    text = filler + "Hurry, only 2 left in stock!" + filler
    found = [f for f in scan(text) if f.category in {"urgency", "scarcity"}]
    assert {f.evidence for f in found} == {"Hurry", "only 2 left in stock"}
    for f in found:
        assert text[f.start : f.end] == f.evidence
