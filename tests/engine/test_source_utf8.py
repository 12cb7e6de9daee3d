"""A CSV file that is not UTF-8 is read with replacement characters, and said so (QA #4)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from fairmark.engine.source import as_table, transcode_to_utf8
from fairmark.errors import DataWarning


def _latin1(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,city\nJos\xe9,M\xfcnchen\nAnna,Berlin\n".encode("latin-1"))
    return path


def test_latin1_csv_is_decoded_with_replacement_and_warned(tmp_path: Path) -> None:
    path = _latin1(tmp_path)
    with pytest.warns(DataWarning) as record:
        source = as_table(path)
    assert [str(w.message) for w in record if w.category is DataWarning] == [
        f"{path} is not valid UTF-8: 2 bytes replaced with U+FFFD"
    ]
    assert source.description == str(path)
    frame = source.table.order_by("name").execute()
    assert frame["name"].tolist() == ["Anna", "Jos\ufffd"]
    assert frame["city"].tolist() == ["Berlin", "M\ufffdnchen"]


def test_utf8_csv_gives_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("name\nJosé\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert as_table(path).table.execute()["name"].tolist() == ["José"]


def test_transcode_is_streamed_in_chunks(tmp_path: Path) -> None:
    # a multi-byte character split across the 1 MiB chunk boundary is not replaced
    src = tmp_path / "big.csv"
    body = b"a" * ((1 << 20) - 1) + "é".encode() + b"\xff\n"
    src.write_bytes(body)
    out = tmp_path / "out.csv"
    assert transcode_to_utf8(src, out) == 1
    assert out.read_text(encoding="utf-8").endswith("é\ufffd\n")


def test_cli_prints_the_warning_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fairmark.cli.main import main

    path = _latin1(tmp_path)
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # restored afterwards
    monkeypatch.setattr(sys, "argv", ["fairmark", "pii", "scan", str(path), "--no-presidio",
                                      "--format", "json"])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("default", DataWarning)
        with pytest.raises(SystemExit) as done:
            main()
    assert done.value.code == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"warning: {path} is not valid UTF-8: 2 bytes replaced with U+FFFD"]
    assert "2 bytes replaced with U+FFFD" in out  # also in the result's warnings
