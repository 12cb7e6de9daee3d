"""write_reports renders first and writes atomically: all requested files or none."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fairmark.errors import UsageError
from fairmark.report import render_json, render_markdown, write_reports
from fairmark.report import write as write_module


@pytest.fixture
def small_doc(sample_doc: dict[str, Any]) -> dict[str, Any]:
    """The sample with one feature, so that the HTML renders quickly."""
    sample_doc["groups"] = [g for g in sample_doc["groups"] if g["feature"] == "age_band"]
    sample_doc["disparities"] = [d for d in sample_doc["disparities"] if d["feature"] == "age_band"]
    return sample_doc


def test_writes_all_four(small_doc: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    written = write_reports(small_doc, out)
    assert list(written) == ["json", "html", "md", "junit"]
    assert {p.name for p in written.values()} == {
        "report.json", "report.html", "report.md", "junit.xml",
    }  # fmt: skip
    assert sorted(os.listdir(out)) == ["junit.xml", "report.html", "report.json", "report.md"]
    assert written["json"].read_text("utf-8") == render_json(small_doc)
    assert written["md"].read_text("utf-8") == render_markdown(small_doc)
    assert written["html"].read_text("utf-8").startswith("<!DOCTYPE html>")


def test_subset_and_duplicates(small_doc: dict[str, Any], tmp_path: Path) -> None:
    written = write_reports(small_doc, tmp_path, formats=["md", "md", "junit"])
    assert list(written) == ["md", "junit"]
    assert sorted(os.listdir(tmp_path)) == ["junit.xml", "report.md"]


def test_unknown_format_lists_valid_ones(small_doc: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(UsageError, match=r"unknown report format 'pdf'; expected any of "
                       r"json, html, md, junit"):  # fmt: skip
        write_reports(small_doc, out, formats=("json", "pdf"))
    assert not out.exists()
    with pytest.raises(UsageError, match="no report format requested"):
        write_reports(small_doc, out, formats=())


def test_out_dir_that_is_a_file(small_doc: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(UsageError, match="exists and is not a folder"):
        write_reports(small_doc, target)


def test_failing_renderer_leaves_nothing(
    small_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "report.json"
    old.write_text("previous report", "utf-8")

    def boom(doc: Any) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setitem(write_module.RENDERERS, "md", boom)
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_reports(small_doc, tmp_path)
    assert os.listdir(tmp_path) == ["report.json"]
    assert old.read_text("utf-8") == "previous report"


def test_failing_write_leaves_no_temporary_file(
    small_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", no_replace)
    with pytest.raises(UsageError, match="disk full"):  # one line for the user, never a crash
        write_reports(small_doc, tmp_path, formats=("json", "md"))
    assert os.listdir(tmp_path) == []


def test_invalid_document_writes_nothing(small_doc: dict[str, Any], tmp_path: Path) -> None:
    small_doc["verdict"] = "maybe"
    with pytest.raises(UsageError, match=r"report\.verdict"):
        write_reports(small_doc, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unwritable_out_folder_is_one_line_usage_error(tmp_path):
    import json as _json

    from fairmark.errors import UsageError
    from fairmark.report import write_reports

    blocker = tmp_path / "file"
    blocker.write_text("x")
    doc = _json.loads(
        (Path(__file__).parent / "fixtures" / "sample_report.json").read_text(encoding="utf-8")
    )
    with pytest.raises(UsageError, match=r"cannot write reports to .*expected a writable folder"):
        write_reports(doc, blocker / "sub")
