"""SHA-256 verification and atomic download/write helpers of fairmark.datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fairmark.datasets import _download
from fairmark.datasets._checksum import sha256_hex, verify_sha256
from fairmark.datasets._download import atomic_write_bytes, download_bytes
from fairmark.errors import DataError

# FIPS 180-2, Appendix B.1: SHA-256("abc").
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_matches_the_published_test_vector() -> None:
    assert sha256_hex(b"abc") == ABC_SHA256


def test_verify_sha256_accepts_match_in_any_case() -> None:
    verify_sha256(b"abc", ABC_SHA256.upper(), "abc")


def test_verify_sha256_mismatch_names_both_digests() -> None:
    with pytest.raises(DataError) as info:
        verify_sha256(b"abd", ABC_SHA256, "thing.zip")
    message = str(info.value)
    assert "thing.zip" in message and ABC_SHA256 in message and sha256_hex(b"abd") in message


def test_download_bytes_reads_a_file_url(tmp_path: Path) -> None:
    source = tmp_path / "payload.bin"
    source.write_bytes(os.urandom(200_000))
    assert download_bytes(source.as_uri()) == source.read_bytes()


def test_download_bytes_refuses_oversized_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "payload.bin"
    source.write_bytes(b"x" * 1000)
    monkeypatch.setattr(_download, "MAX_DOWNLOAD_BYTES", 999)
    with pytest.raises(DataError, match="exceeds 999 bytes"):
        download_bytes(source.as_uri())


def test_download_bytes_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="could not download"):
        download_bytes((tmp_path / "absent.zip").as_uri())


def test_atomic_write_creates_parents_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.zip"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.zip"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_atomic_write_failure_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "dir-not-file"
    target.mkdir()
    (target / "inside").write_text("keep")
    with pytest.raises(DataError, match="cannot write"):
        atomic_write_bytes(target, b"data")  # os.replace cannot overwrite a directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir-not-file"]
    assert (target / "inside").read_text() == "keep"


def test_atomic_write_into_a_file_parent_is_a_data_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(DataError, match="cannot write"):
        atomic_write_bytes(blocker / "child.zip", b"data")
