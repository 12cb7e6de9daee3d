"""fetch_bank_marketing / bank_marketing_path against the shared UCI files.

Expected numbers come from ``shared/data/uci-bank-marketing/PROVENANCE.md`` and from an
independent parse of the CSV with the standard ``csv`` module.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import urllib.error
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fairmark.datasets import _download, bank_marketing_path, fetch_bank_marketing
from fairmark.errors import DataError

ZIP_SHA256 = "e689f38cc6bd689f64f031e7a1fbe0849aabb7ad57544fc75068e30129bbd514"
OFFICIAL_URL = "https://archive.ics.uci.edu/static/public/222/bank+marketing.zip"
EXPECTED_COLUMNS = [
    "age", "job", "marital", "education", "default", "housing", "loan", "contact",
    "month", "day_of_week", "duration", "campaign", "pdays", "previous", "poutcome",
    "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed", "y",
]  # fmt: skip
NUMERIC = {
    "age", "duration", "campaign", "pdays", "previous",
    "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed",
}  # fmt: skip


def _csv(home: Path) -> Path:
    return home / "uci-bank-marketing" / "bank-additional" / "bank-additional-full.csv"


def _zip(home: Path) -> Path:
    return home / "uci-bank-marketing" / "bank-additional.zip"


@pytest.fixture(scope="module")
def bank(bank_home: Path) -> pd.DataFrame:
    return fetch_bank_marketing(bank_home, download_if_missing=False)


# --- the unzipped CSV --------------------------------------------------------------------


def test_shape_columns_and_target_counts(bank: pd.DataFrame) -> None:
    assert bank.shape == (41_188, 21)
    assert list(bank.columns) == EXPECTED_COLUMNS
    assert bank["y"].value_counts().to_dict() == {"no": 36_548, "yes": 4_640}
    assert isinstance(bank.index, pd.RangeIndex) and bank.index[0] == 0


def test_unknown_is_kept_as_a_value(bank: pd.DataFrame) -> None:
    # PROVENANCE.md: counts of the string "unknown" per column.
    expected = {
        "default": 8_597, "education": 1_731, "housing": 990, "loan": 990,
        "job": 330, "marital": 80,
    }  # fmt: skip
    for column, count in expected.items():
        assert int((bank[column] == "unknown").sum()) == count, column
    assert not bank.isna().any().any()


def test_documented_quirks_are_kept(bank: pd.DataFrame) -> None:
    assert int((bank["pdays"] == 999).sum()) == 39_673
    assert int(bank.duplicated().sum()) == 12  # duplicates kept, not dropped
    assert int((bank["default"] == "yes").sum()) == 3


def test_values_and_order_match_an_independent_csv_parse(
    bank: pd.DataFrame, bank_home: Path
) -> None:
    with _csv(bank_home).open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header == EXPECTED_COLUMNS
    assert len(body) == len(bank)
    for j, column in enumerate(header):
        raw = [r[j] for r in body]
        if column in NUMERIC:
            np.testing.assert_array_equal(bank[column].to_numpy(dtype=float), np.array(raw, float))
        else:
            assert bank[column].tolist() == raw, column


def test_dtypes(bank: pd.DataFrame) -> None:
    for column in ("age", "duration", "campaign", "pdays", "previous"):
        assert bank[column].dtype == np.int64, column
    for column in ("emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"):
        assert bank[column].dtype == np.float64, column
    assert isinstance(bank["job"].dtype, pd.StringDtype)


def test_as_frame_false_returns_a_record_array(bank_home: Path, bank: pd.DataFrame) -> None:
    records = fetch_bank_marketing(bank_home, download_if_missing=False, as_frame=False)
    assert isinstance(records, np.recarray)
    assert list(records.dtype.names) == EXPECTED_COLUMNS
    assert len(records) == 41_188
    assert records["age"][0] == bank["age"].iloc[0] == 56
    assert records["y"].tolist() == bank["y"].tolist()


def test_env_var_is_used_when_no_argument(
    bank_home: Path, bank: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAIRMARK_DATA_HOME", str(bank_home))
    pd.testing.assert_frame_equal(fetch_bank_marketing(download_if_missing=False), bank)


def test_bank_marketing_path(bank_home: Path, tmp_path: Path) -> None:
    assert bank_marketing_path(bank_home) == _csv(bank_home).resolve()
    with pytest.raises(DataError, match=r"bank-additional-full\.csv"):
        bank_marketing_path(tmp_path)


# --- the zip, with good and bad checksums ------------------------------------------------


def test_zip_with_good_checksum_gives_the_same_table(
    bank_home: Path, bank: pd.DataFrame, tmp_path: Path
) -> None:
    _zip(tmp_path).parent.mkdir(parents=True)
    shutil.copyfile(_zip(bank_home), _zip(tmp_path))
    assert hashlib.sha256(_zip(tmp_path).read_bytes()).hexdigest() == ZIP_SHA256
    frame = fetch_bank_marketing(tmp_path, download_if_missing=False)
    pd.testing.assert_frame_equal(frame, bank)


def test_tampered_zip_raises_with_both_digests(bank_home: Path, tmp_path: Path) -> None:
    data = bytearray(_zip(bank_home).read_bytes())
    data[len(data) // 2] ^= 0xFF
    _zip(tmp_path).parent.mkdir(parents=True)
    _zip(tmp_path).write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(DataError, match="sha256 mismatch") as info:
        fetch_bank_marketing(tmp_path, download_if_missing=False)
    assert ZIP_SHA256 in str(info.value) and actual in str(info.value)
    assert "\n" not in str(info.value)


def test_no_data_and_no_download_names_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        fetch_bank_marketing(tmp_path, download_if_missing=False)
    message = str(info.value)
    assert str(_csv(tmp_path)) in message and str(_zip(tmp_path)) in message
    assert "FAIRMARK_DATA_HOME" in message and "\n" not in message


# --- download (no network here: urlopen is replaced by a local file) ---------------------


def _outer_archive(tmp_path: Path, inner: bytes) -> Path:
    """Build a stand-in for UCI's bank+marketing.zip, which nests bank-additional.zip."""
    path = tmp_path / "served" / "bank+marketing.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bank.zip", b"not used")
        archive.writestr("bank-additional.zip", inner)
    return path


def _serve(monkeypatch: pytest.MonkeyPatch, served: Path, seen: list[str]) -> None:
    def fake_urlopen(url: str, timeout: float | None = None) -> Any:
        seen.append(url)
        return served.open("rb")

    monkeypatch.setattr(_download.urllib.request, "urlopen", fake_urlopen)


def test_download_verifies_stores_atomically_and_reads(
    bank_home: Path, bank: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = _outer_archive(tmp_path, _zip(bank_home).read_bytes())
    seen: list[str] = []
    _serve(monkeypatch, served, seen)
    home = tmp_path / "home"
    frame = fetch_bank_marketing(home)
    assert seen == [OFFICIAL_URL]
    pd.testing.assert_frame_equal(frame, bank)
    assert hashlib.sha256(_zip(home).read_bytes()).hexdigest() == ZIP_SHA256
    assert sorted(p.name for p in _zip(home).parent.iterdir()) == ["bank-additional.zip"]
    # second call reads the stored zip, no download
    seen.clear()
    pd.testing.assert_frame_equal(fetch_bank_marketing(home), bank)
    assert seen == []


def test_download_with_bad_inner_checksum_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bank-additional/bank-additional-full.csv", "age;y\r\n1;no\r\n")
    inner = buffer.getvalue()
    served = _outer_archive(tmp_path, inner)
    _serve(monkeypatch, served, [])
    home = tmp_path / "home"
    with pytest.raises(DataError, match="sha256 mismatch") as info:
        fetch_bank_marketing(home)
    assert hashlib.sha256(inner).hexdigest() in str(info.value)
    assert ZIP_SHA256 in str(info.value)
    assert not _zip(home).exists()
    assert not _zip(home).parent.exists() or not any(_zip(home).parent.iterdir())


def test_download_failure_is_a_data_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, timeout: float | None = None) -> Any:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(_download.urllib.request, "urlopen", offline)
    with pytest.raises(DataError, match=r"could not download .*bank\+marketing.zip: no network"):
        fetch_bank_marketing(tmp_path)
    assert not _zip(tmp_path).exists()


def test_download_that_is_not_a_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served = tmp_path / "page.html"
    served.write_bytes(b"<html>maintenance</html>")
    _serve(monkeypatch, served, [])
    with pytest.raises(DataError, match="not a valid zip"):
        fetch_bank_marketing(tmp_path / "home")


def test_download_without_the_inner_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served = tmp_path / "outer.zip"
    with zipfile.ZipFile(served, "w") as archive:
        archive.writestr("bank.zip", b"x")
    _serve(monkeypatch, served, [])
    with pytest.raises(DataError, match=r"0 members named bank-additional\.zip"):
        fetch_bank_marketing(tmp_path / "home")


# --- shape validation ---------------------------------------------------------------------


def _write_csv(home: Path, text: str) -> None:
    _csv(home).parent.mkdir(parents=True)
    _csv(home).write_bytes(text.encode("ascii"))


def _original_lines(bank_home: Path) -> list[str]:
    return _csv(bank_home).read_bytes().decode("ascii").split("\r\n")


def test_truncated_csv_is_rejected(bank_home: Path, tmp_path: Path) -> None:
    _write_csv(tmp_path, "\r\n".join(_original_lines(bank_home)[:101]) + "\r\n")
    with pytest.raises(DataError, match="has 100 rows; expected 41188"):
        fetch_bank_marketing(tmp_path, download_if_missing=False)


def test_renamed_column_is_rejected(bank_home: Path, tmp_path: Path) -> None:
    lines = _original_lines(bank_home)
    lines[0] = lines[0].replace('"y"', '"deposit"')
    _write_csv(tmp_path, "\r\n".join(lines))
    with pytest.raises(DataError, match=r"expected .*'y'"):
        fetch_bank_marketing(tmp_path, download_if_missing=False)


def test_bad_label_is_rejected(bank_home: Path, tmp_path: Path) -> None:
    lines = _original_lines(bank_home)
    lines[1] = lines[1].removesuffix('"no"') + '"maybe"'
    _write_csv(tmp_path, "\r\n".join(lines))
    with pytest.raises(DataError, match="'maybe'"):
        fetch_bank_marketing(tmp_path, download_if_missing=False)


def test_short_row_is_rejected_not_dropped(bank_home: Path, tmp_path: Path) -> None:
    lines = _original_lines(bank_home)
    lines[5] = ";".join(lines[5].split(";")[:-1])  # drops y: pandas would fill ""
    _write_csv(tmp_path, "\r\n".join(lines))
    with pytest.raises(DataError, match="1 rows with empty fields \\(first at data row 5\\)"):
        fetch_bank_marketing(tmp_path, download_if_missing=False)


def test_non_numeric_value_is_rejected(bank_home: Path, tmp_path: Path) -> None:
    lines = _original_lines(bank_home)
    lines[1] = "fifty-six" + lines[1][2:]
    _write_csv(tmp_path, "\r\n".join(lines))
    with pytest.raises(DataError, match="cannot parse"):
        fetch_bank_marketing(tmp_path, download_if_missing=False)
