"""Keyed pseudonyms: known answers from OpenSSL, normalisation, streaming, refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect import _table_io
from fairmark.privacy.protect.keys import SecretKey, generate_key
from fairmark.privacy.protect.pseudonymize import pseudonymize, pseudonymize_value

KEY = SecretKey.from_bytes(bytes(range(32)))
# printf '%s' VALUE | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f
OPENSSL = {
    "a@x.com": "4645d3d248294626cc87f92da9d467f2b91c7e0eee042a73f6dca83fc05c7b77",
    "A@x.com ": "0153dbf5420ed48ee0f505766efe0260c64a8526b317288cdf6e6bef757dc2ef",
    "007": "66656d24da5468ffa4eaf315408d8f69bcef1e75a8e1303fe41ab95e2dbcb2c5",
    "7": "43c875c1027e0bb60b3c5e055d7245befa0322f45d7a0f86cfb578e79a5ce269",
}


def _hmac(key: SecretKey, text: str) -> str:
    """HMAC-SHA-256 by the `cryptography` package, independent of the code under test."""
    mac = crypto_hmac.HMAC(key.material, hashes.SHA256())
    mac.update(text.encode())
    return mac.finalize().hex()


def test_pseudonyms_match_openssl():
    for value, expected in OPENSSL.items():
        assert pseudonymize_value(value, KEY) == expected


def test_normalisation_makes_spellings_of_one_address_match():
    assert pseudonymize_value("A@x.com ", KEY, "trim,lowercase") == OPENSSL["a@x.com"]
    assert pseudonymize_value("A@x.com ", KEY, ["lowercase"]) != OPENSSL["a@x.com"]
    assert pseudonymize_value("  a@x.com", KEY, "trim") == OPENSSL["a@x.com"]
    assert pseudonymize_value("A@x.com ", KEY) == OPENSSL["A@x.com "]
    assert pseudonymize_value("   ", KEY, "trim") == ""


def test_a_file_is_pseudonymised_column_by_column(tmp_path: Path, key_dir: Path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,email,zip,note\n"
        "007,A@x.com ,00123,keep me\n"
        "7,a@x.com,04567,\n"
        ",,,x\n"
    )
    out = tmp_path / "out.parquet"
    result = pseudonymize(src, "email,id", KEY, out, normalize="trim,lowercase")
    rows = pq.read_table(out).to_pylist()
    assert rows == [
        {"id": OPENSSL["007"], "email": OPENSSL["a@x.com"], "zip": "00123", "note": "keep me"},
        {"id": OPENSSL["7"], "email": OPENSSL["a@x.com"], "zip": "04567", "note": None},
        {"id": None, "email": None, "zip": None, "note": "x"},
    ]
    assert (result.n_rows, result.n_values, result.n_nulls, result.n_empty) == (3, 4, 2, 0)
    assert result.columns == ("email", "id") and result.normalize == ("trim", "lowercase")
    doc = result.to_dict()
    assert doc["schema_version"] == "1.0" and doc["kind"] == "protect_pseudonymize"
    assert doc["key_id"] == KEY.key_id and doc["algorithm"] == "HMAC-SHA-256"
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only


def test_integer_columns_hash_their_decimal_text(tmp_path: Path):
    frame = pd.DataFrame({"n": [7, 12], "s": ["a", "b"]})
    out = tmp_path / "o.csv"
    pseudonymize(frame, ["n"], KEY, out)
    back = pd.read_csv(out, dtype=str)
    assert back["n"].tolist() == [OPENSSL["7"], _hmac(KEY, "12")]
    assert back["s"].tolist() == ["a", "b"]


def test_empty_text_stays_empty_and_is_counted(tmp_path: Path):
    frame = pd.DataFrame({"e": ["  ", "", None, "x"]})
    result = pseudonymize(frame, "e", KEY, tmp_path / "o.parquet", normalize="trim")
    assert pq.read_table(tmp_path / "o.parquet").column("e").to_pylist() == [
        "", "", None, _hmac(KEY, "x"),
    ]  # fmt: skip
    assert (result.n_values, result.n_empty, result.n_nulls) == (1, 2, 1)


def test_many_batches_stream_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_table_io, "BATCH_ROWS", 1_000)
    sizes: list[int] = []
    real_write = _table_io.AtomicTableWriter.write
    monkeypatch.setattr(
        _table_io.AtomicTableWriter,
        "write",
        lambda self, batch: (sizes.append(batch.num_rows), real_write(self, batch))[1],
    )
    n = 4_321
    frame = pd.DataFrame({"email": [f"user{i}@x.org" for i in range(n)], "i": range(n)})
    key = SecretKey.from_bytes(bytes(range(100, 132)))
    result = pseudonymize(frame, "email", key, tmp_path / "o.parquet")
    table = pq.read_table(tmp_path / "o.parquet")
    assert table.column("i").to_pylist() == list(range(n))
    got = table.column("email").to_pylist()
    assert got[0] == _hmac(key, "user0@x.org") and got[-1] == _hmac(key, f"user{n - 1}@x.org")
    assert got == [_hmac(key, f"user{i}@x.org") for i in range(n)]
    assert result.n_rows == n and len(set(got)) == n
    assert sizes == [1_000, 1_000, 1_000, 1_000, 321]


def test_another_key_gives_other_pseudonyms(tmp_path: Path):
    other = SecretKey.from_bytes(bytes(32))
    assert pseudonymize_value("a@x.com", other) != OPENSSL["a@x.com"]


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "error", "expected"),
    [
        ({"columns": "email,nope"}, DataError, "column 'nope' not found; available columns"),
        ({"columns": " , "}, UsageError, "no column named"),
        ({"normalize": "trim,upper"}, UsageError, "unknown normalisation 'upper'"),
        ({"out": "o.json"}, UsageError, "unknown file type '.json'; expected .parquet or .csv"),
        ({"out": "missing/o.csv"}, UsageError, "does not exist; create it first"),
        ({"out": "in.csv"}, UsageError, "is the input file; expected a new file"),
        ({"key": "inside"}, UsageError, "inside the output folder"),
        ({"data": "nothere.csv"}, DataError, "no such file"),
    ],
)
def test_bad_input_writes_nothing(tmp_path: Path, kwargs, error, expected):
    src = tmp_path / "in.csv"
    src.write_text("email,zip\na@x.com,1\n")
    key = generate_key(tmp_path / "inside.key") if kwargs.get("key") == "inside" else KEY
    args = {"data": src, "columns": "email", "key": key, "out": tmp_path / "out" / "o.csv"}
    (tmp_path / "out").mkdir()
    args.update({k: v for k, v in kwargs.items() if k != "key"})
    for name in ("data", "out"):
        if isinstance(args[name], str):
            args[name] = tmp_path / args[name]
    if kwargs.get("key") == "inside":
        args["out"] = tmp_path / "o.csv"
    before = _listing(tmp_path), _listing(tmp_path / "out")
    with pytest.raises(error, match=expected) as exc:
        pseudonymize(args.pop("data"), args.pop("columns"), args.pop("key"), args.pop("out"),
                     **args)
    assert "\n" not in str(exc.value)
    assert (_listing(tmp_path), _listing(tmp_path / "out")) == before
    assert src.read_text() == "email,zip\na@x.com,1\n"


def test_a_binary_column_is_refused(tmp_path: Path):
    table = pa.table({"b": pa.array([b"\xff\x00"], pa.binary())})
    with pytest.raises(DataError, match="'b' has type binary; expected text, integer"):
        pseudonymize(table, "b", KEY, tmp_path / "o.parquet")
    assert _listing(tmp_path) == []


def test_a_failure_mid_stream_leaves_the_old_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(_table_io, "BATCH_ROWS", 10)
    out = tmp_path / "o.csv"
    out.write_text("previous\n")
    calls = {"n": 0}
    real_write = _table_io.AtomicTableWriter.write

    def failing_write(self, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_write(self, batch)

    monkeypatch.setattr(_table_io.AtomicTableWriter, "write", failing_write)
    frame = pd.DataFrame({"e": [f"{i}" for i in range(100)]})
    with pytest.raises(OSError, match="disk full"):
        pseudonymize(frame, "e", KEY, out)
    assert out.read_text() == "previous\n"
    assert _listing(tmp_path) == ["o.csv"]  # the temporary file is gone
