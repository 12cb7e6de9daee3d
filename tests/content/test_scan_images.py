"""Images in ``fairmark content scan``: C2PA credentials read and judged, bad images exit 2.

Images are signed in the test with the throw-away certificate chain of
``test_c2pa_images.py`` (c2pa-python ships no test images).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from fairmark.cli.content import app
from fairmark.content.inputs import IMAGE_SUFFIXES, read_documents
from fairmark.content.run import scan_files

from .test_c2pa_images import IPTC, _chain, _jpeg

c2pa = pytest.importorskip("c2pa")
Image = pytest.importorskip("PIL.Image")

SCHEMA = Path(__file__).parents[2] / "src/fairmark/content/content_scan.schema.json"


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    chain, private = _chain()
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(b"es256", chain.encode(), private.encode(), None)
    )
    folder = tmp_path_factory.mktemp("scan_images")
    out: dict[str, Path] = {}
    for name, source_type in (("ai", "trainedAlgorithmicMedia"), ("camera", "digitalCapture")):
        manifest = {
            "claim_generator_info": [{"name": "fairmark-test", "version": "1.0"}],
            "title": f"{name}.jpg",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": IPTC + source_type}]}}],
        }  # fmt: skip
        dest = io.BytesIO()
        with c2pa.Builder(manifest) as builder:
            builder.sign(signer, "image/jpeg", _jpeg(), dest)
        out[name] = folder / f"{name}_ad.jpg"
        out[name].write_bytes(dest.getvalue())
    out["plain"] = folder / "plain_ad.jpg"
    out["plain"].write_bytes(_jpeg().getvalue())
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(png, "PNG")
    out["plain_png"] = folder / "banner.PNG"  # upper-case suffix is still an image
    out["plain_png"].write_bytes(png.getvalue())
    out["garbage"] = folder / "broken.jpg"
    out["garbage"].write_bytes(b"this is not a JPEG at all, just text with a .jpg name\n")
    out["empty"] = folder / "empty.png"
    out["empty"].write_bytes(b"")
    return out


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["scan", *[str(a) for a in args]])


def _rules(result) -> dict[str, list[tuple[str, str]]]:
    return {d.name: [(f.rule_id, f.severity) for f in d.findings] for d in result.documents}


def test_suffixes_are_the_task_list() -> None:
    for ext in ("jpg", "jpeg", "png", "webp", "gif", "tiff", "avif", "heic"):
        assert f".{ext}" in IMAGE_SUFFIXES


def test_ai_generated_image_with_ai_assertion_is_declared(images) -> None:
    result = scan_files([images["ai"]], ai_generated=True)
    (doc,) = result.documents
    assert (doc.kind, doc.n_chars) == ("image", 0)
    assert _rules(result) == {"ai_ad.jpg": [("ai_disclosure.image_ai_declared", "info")]}
    (f,) = doc.findings
    assert (f.start, f.end, f.evidence) == (0, 0, str(images["ai"]))
    assert "fairmark-test/1.0" in f.message


def test_ai_generated_image_without_credentials_is_a_warning(images) -> None:
    result = scan_files([images["plain"], images["plain_png"]], ai_generated=True)
    assert _rules(result) == {
        "plain_ad.jpg": [("ai_disclosure.image_no_credentials", "warn")],
        "banner.PNG": [("ai_disclosure.image_no_credentials", "warn")],
    }
    assert result.to_dict()["summary"]["by_category_warn_or_above"] == {"ai_disclosure": 2}


def test_credentials_that_do_not_declare_ai(images) -> None:
    assert _rules(scan_files([images["camera"]], ai_generated=True)) == {
        "camera_ad.jpg": [("ai_disclosure.image_credentials_silent", "warn")]
    }
    # not marked AI-generated: a camera image with credentials raises nothing
    assert _rules(scan_files([images["camera"]])) == {"camera_ad.jpg": []}
    # an AI assertion is reported even when the campaign did not say AI made it
    assert _rules(scan_files([images["ai"]])) == {
        "ai_ad.jpg": [("ai_disclosure.image_ai_declared", "info")]
    }


def test_folder_mixes_images_and_copy(images, tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "ad.jpg").write_bytes(images["plain"].read_bytes())
    (folder / "copy.txt").write_text("Hurry, the sale ends tonight!\n", encoding="utf-8")
    result = scan_files([folder], ai_generated=True)
    kinds = {d.name: d.kind for d in result.documents}
    assert kinds == {"ad.jpg": "image", "copy.txt": "text"}
    rules = {name: {r for r, _ in found} for name, found in _rules(result).items()}
    assert rules["ad.jpg"] == {"ai_disclosure.image_no_credentials"}
    assert {"dark_patterns.countdown", "ai_disclosure.missing_label"} <= rules["copy.txt"]
    jsonschema.validate(result.to_dict(), json.loads(SCHEMA.read_text()))


def test_read_documents_gives_an_empty_image_document(images) -> None:
    (doc,) = read_documents(images["ai"])
    assert (doc.name, doc.kind, doc.text, doc.scan_text) == ("ai_ad.jpg", "image", "", "")


def test_cli_json_and_table(run, images) -> None:
    result = run(images["ai"], "--ai-generated", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    (d,) = doc["documents"]
    assert d["kind"] == "image"
    assert [f["rule_id"] for f in d["findings"]] == ["ai_disclosure.image_ai_declared"]

    table = run(images["plain"], "--ai-generated")
    assert table.exit_code == 0, table.output
    assert "ai_disclosure.image_no_credentials" in table.stdout
    assert "without content credentials" in table.stdout


@pytest.mark.parametrize("which", ["garbage", "empty"])
def test_unreadable_image_is_one_line_exit_2(run, images, which: str) -> None:
    result = run(images[which], "--ai-generated")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot read image")
    assert images[which].name in lines[0]


def test_missing_image_is_one_line_exit_2(run, tmp_path: Path) -> None:
    result = run(tmp_path / "nope.webp")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert "nope.webp" in line and "no such file" in line
