"""Regression tests for the QA findings of issue #6 (items 2-9, 11, 12)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fairmark.cli.content import app
from fairmark.content import scan
from fairmark.content.match import PhraseIndex
from fairmark.content.rules import resolve_packs
from fairmark.content.targeting import lint_targeting
from fairmark.errors import UsageError

AD_LINES = (
    "Hurry, only 2 left in stock! Limited time offer ends tonight. Guaranteed results.\n"
    "Limited liability company. 1,000 people bought this today. Clinically proven.\n"
)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def _one_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- #2: exception spans once per chunk (linear work) -----------------------------------


def _tokens_seen(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[int, int]:
    seen = [0, 0]  # tokens given to PhraseIndex.find, number of findings
    real = PhraseIndex.find

    def counting(self, tokens):
        seen[0] += len(tokens)
        return real(self, tokens)

    monkeypatch.setattr(PhraseIndex, "find", counting)
    seen[1] = len(scan(text))
    monkeypatch.setattr(PhraseIndex, "find", real)
    return seen[0], seen[1]


def test_many_hits_cost_linear_matcher_work(monkeypatch: pytest.MonkeyPatch) -> None:
    small = AD_LINES * (20_000 // len(AD_LINES))
    large = AD_LINES * (80_000 // len(AD_LINES))
    work_s, hits_s = _tokens_seen(monkeypatch, small)
    work_l, hits_l = _tokens_seen(monkeypatch, large)
    assert hits_s > 500 and hits_l > 4 * hits_s * 0.9  # many findings, all kept
    # Quadratic (one exception pass per hit) would make the ratio about 16; linear about 4.
    assert 3.5 <= work_l / work_s <= 5.0


def test_200k_text_of_ad_lines_scans_with_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    text = AD_LINES * (200_000 // len(AD_LINES))
    work, hits = _tokens_seen(monkeypatch, text)
    n_tokens = len(text.split())
    assert hits > 5_000
    # One main pass plus one pass per rule with exceptions per chunk: a few times the
    # token count, never hits x tokens.
    assert work < 10 * n_tokens


def test_exception_still_cancels_a_covered_match() -> None:
    found = scan("Limited liability company formed in 2001.")
    assert not [f for f in found if f.evidence.lower().startswith("limited")]
    assert [f for f in scan("Limited time offer.") if f.category == "urgency"]


# --- #3: documents keyed by path relative to the given folder --------------------------


def test_same_file_name_in_two_folders(run, tmp_path: Path) -> None:
    (tmp_path / "d1" / "a").mkdir(parents=True)
    (tmp_path / "d1" / "b").mkdir(parents=True)
    (tmp_path / "d1" / "a" / "copy.txt").write_text("Hurry, only 2 left in stock!\n")
    (tmp_path / "d1" / "b" / "copy.txt").write_text("Lovely flat near the park. Hurry!\n")
    r = run("scan", tmp_path / "d1", "--format", "json")
    assert r.exit_code in (0, 1), r.output
    docs = {d["name"]: d for d in json.loads(r.stdout)["documents"]}
    assert set(docs) == {"a/copy.txt", "b/copy.txt"}
    hurry = [f for f in docs["b/copy.txt"]["findings"] if f["evidence"] == "Hurry"]
    assert hurry and hurry[0]["start"] == 27
    r = run("scan", tmp_path / "d1")
    out = r.stdout
    # Each heading is followed by its own text, not the other file's.
    assert out.index("a/copy.txt") < out.index("only 2 left") < out.index("b/copy.txt")
    assert out.index("b/copy.txt") < out.index("Lovely flat")


# --- #4: [n] footnote markers substantiate claims ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Clinically proven[1] to reduce dryness.\n[1] 12-week study of 84 adults, 2023.",
        "Clinically proven [1] to reduce dryness.\n[1] 12-week study of 84 adults, 2023.",
        "Clinically proven[12] to reduce dryness.\n[12] 12-week study of 84 adults, 2023.",
        "Guaranteed results[1].\n[1] Refund data of 2,000 orders, 2023.",
    ],
)
def test_bracket_footnote_substantiates(text: str) -> None:
    assert not [f for f in scan(text) if f.category == "unsubstantiated_claim"]


def test_footnote_without_reference_line_still_flagged() -> None:
    found = scan("Clinically proven[1] to reduce dryness.")
    assert [f.rule_id for f in found if f.category == "unsubstantiated_claim"]


@pytest.mark.parametrize(
    "md",
    [
        "Clinically proven[1] to reduce dryness.\n\n[1] 12-week study of 84 adults, 2023.\n",
        "Clinically proven* to reduce dryness.\n\n\\* 12-week study of 84 adults, 2023.\n",
    ],
)
def test_markdown_footnotes_substantiate(run, tmp_path: Path, md: str) -> None:
    (tmp_path / "fn.md").write_text(md)
    r = run("scan", tmp_path / "fn.md", "--format", "json")
    (doc,) = json.loads(r.stdout)["documents"]
    assert not [f for f in doc["findings"] if f["category"] == "unsubstantiated_claim"]
    (tmp_path / "bare.md").write_text("Clinically proven to reduce dryness.\n")
    r = run("scan", tmp_path / "bare.md", "--format", "json")
    (doc,) = json.loads(r.stdout)["documents"]
    assert [f for f in doc["findings"] if f["category"] == "unsubstantiated_claim"]


# --- #5: a denial is not a disclosure ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "This text is not AI generated. Great blender, five speeds.",
        "No AI was used. Great blender, five speeds.",
        "Never written by AI. Great blender, five speeds.",
    ],
)
def test_denial_is_not_a_disclosure(text: str) -> None:
    ids = [f.rule_id for f in scan(text, ai_generated=True)]
    assert "ai_disclosure.missing_label" in ids


def test_real_disclosure_still_counts() -> None:
    text = "This description was written with the help of AI. Great blender."
    assert "ai_disclosure.missing_label" not in [f.rule_id for f in scan(text, ai_generated=True)]


# --- #6: wrong platform for the spec ----------------------------------------------------

META_SPEC = {
    "age_min": 25,
    "genders": [2],
    "geo_locations": {"countries": ["US"], "zips": [{"key": "US:10001"}]},
    "custom_audiences": [{"id": "1", "subtype": "LOOKALIKE"}],
}


def test_meta_spec_read_as_google_is_an_error(run, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no field of the spec is a google targeting field"):
        lint_targeting(META_SPEC, platform="google", ad_category="housing")
    (tmp_path / "s.json").write_text(json.dumps(META_SPEC))
    line = _one_line(
        run("lint-targeting", tmp_path / "s.json", "--platform", "tiktok", "--ad-category",
            "housing")
    )  # fmt: skip
    assert "tiktok targeting field" in line and "meta spec" in line
    assert lint_targeting(META_SPEC, platform="meta", ad_category="housing").verdict == "fail"
    assert lint_targeting({}, platform="google", ad_category="housing").verdict == "pass"


# --- #7, #8: pack validation ------------------------------------------------------------


def _pack(path: Path, name: str, rid: str, category: str = "urgency") -> Path:
    path.write_text(
        f"pack: {name}\nversion: '1'\nrules:\n  - id: {rid}\n    category: {category}\n"
        "    severity: info\n    patterns: [now]\n    message: m\n    source: s\n"
    )
    return path


def test_unknown_category_is_a_pack_error(tmp_path: Path) -> None:
    p = _pack(tmp_path / "unk.yaml", "acme", "acme.x", "urgncy")
    with pytest.raises(UsageError) as exc:
        resolve_packs([p])
    msg = exc.value.message
    assert "unk.yaml" in msg and "acme.x" in msg and "field category" in msg
    for cat in ("urgency", "scarcity", "unsubstantiated_claim", "fake_review",
                "special_category_wording", "vulnerability", "ai_disclosure", "gender_coded"):
        assert cat in msg  # fmt: skip


def test_duplicate_rule_id_across_packs(tmp_path: Path) -> None:
    p = _pack(tmp_path / "dup.yaml", "mine", "dark_patterns.countdown")
    with pytest.raises(UsageError) as exc:
        resolve_packs(["dark_patterns", p])
    msg = exc.value.message
    assert "dup.yaml" in msg and "dark_patterns.yaml" in msg and "dark_patterns.countdown" in msg


# --- #9: ai_generated must be a bool ----------------------------------------------------


@pytest.mark.parametrize("value", ["yes", 1, "false", 0.0])
def test_ai_generated_must_be_bool(value: object) -> None:
    with pytest.raises(UsageError, match="ai_generated must be True, False or None"):
        scan("Great product for everyone.", ai_generated=value)  # type: ignore[arg-type]


def test_ai_generated_bool_and_none_accepted() -> None:
    assert scan("Great product for everyone.", ai_generated=False) == []
    assert scan("Great product for everyone.", ai_generated=None) == []


# --- #11: JUnit agrees with the verdict --------------------------------------------------


def test_junit_warn_findings_do_not_fail(run, tmp_path: Path) -> None:
    (tmp_path / "ad.txt").write_text("Hurry, only 2 left in stock! Limited time offer.\n")
    r = run("scan", tmp_path / "ad.txt", "--format", "junit")
    assert r.exit_code == 0, r.output
    assert 'failures="0"' in r.stdout and "<failure" not in r.stdout
    assert "<system-out>" in r.stdout and "[warn]" in r.stdout


def test_junit_block_findings_fail_with_the_cli(run, tmp_path: Path) -> None:
    (tmp_path / "house.txt").write_text("Sunny flat, perfect for singles. No kids.\n")
    r = run("scan", tmp_path / "house.txt", "--ad-category", "housing", "--format", "junit")
    assert r.exit_code == 1, r.output
    assert 'failures="1"' in r.stdout and "[block]" in r.stdout


# --- #12: --out with table, permissions ---------------------------------------------------


def test_out_with_table_format_is_an_error(run, tmp_path: Path) -> None:
    (tmp_path / "ad.txt").write_text("Hurry!\n")
    line = _one_line(run("scan", tmp_path / "ad.txt", "--out", tmp_path / "t.out"))
    assert "table prints to the terminal" in line and "json, html, md or junit" in line
    assert not (tmp_path / "t.out").exists()


def test_report_written_with_normal_permissions(run, tmp_path: Path) -> None:
    (tmp_path / "ad.txt").write_text("Hurry!\n")
    old = os.umask(0o022)
    try:
        r = run("scan", tmp_path / "ad.txt", "--format", "json", "--out", tmp_path / "r.json")
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644
