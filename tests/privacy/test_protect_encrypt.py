"""Field-level encryption and decryption, crypto-shredding of one subject, refusals.

The "done when" of issue #4 is :func:`test_shredding_one_subject_leaves_everyone_else_readable`
(SQLite and PostgreSQL).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from sqlalchemy import event, text

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect import _table_io
from fairmark.privacy.protect.cell import seal_cell
from fairmark.privacy.protect.decrypt import decrypt
from fairmark.privacy.protect.encrypt import encrypt
from fairmark.privacy.protect.keys import SecretKey, generate_key
from fairmark.privacy.protect.keystore import Keystore
from fairmark.privacy.protect.shred import shred_subject

COLUMNS = ["email", "phone", "spend", "visits", "born"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ks' / 'fairmark.db'}"


@pytest.fixture
def keystore(master_key: SecretKey, sqlite_url: str) -> Iterator[Keystore]:
    with Keystore(master_key, sqlite_url) as opened:
        yield opened


def _equal(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def _hkdf_sha256(ikm: bytes, info: bytes) -> bytes:
    """RFC 5869 with an empty salt (HashLen zeros) and L = 32, with the standard library."""
    prk = hmac.new(bytes(32), ikm, hashlib.sha256).digest()  # 2.2 Extract
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()  # 2.3 Expand, T(1)


def _lookup_id(master: SecretKey, subject: str) -> str:
    lookup_key = _hkdf_sha256(master.material, b"fairmark/protect/v1/subject-lookup-key")
    return hmac.new(lookup_key, subject.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("out_name", ["enc.parquet", "enc.csv"])
def test_shredding_one_subject_leaves_everyone_else_readable(
    store_url: str, master_key: SecretKey, customers: pd.DataFrame, data_dir: Path, out_name: str
):
    """Encrypt 4 subjects, shred c2, decrypt: c2's cells are gone, all others are equal."""
    enc, dec = data_dir / out_name, data_dir / ("dec" + Path(out_name).suffix)
    with Keystore(master_key, store_url) as ks:
        encrypted = encrypt(customers, COLUMNS, "customer_id", ks, enc)
        assert (encrypted.n_subjects, encrypted.n_keys_created) == (4, 4)
        # 6 rows x 5 columns, of which 4 null (one each in email, phone, visits, born)
        assert encrypted.n_cells_encrypted == 26 and encrypted.n_null_cells == 4
        assert encrypted.n_cells_encrypted == int(customers[COLUMNS].notna().sum().sum())
        shredded = shred_subject(ks, "c2")
        assert shredded.status == "shredded"
    with Keystore(master_key, store_url) as ks:  # a fresh process: no key in memory
        result = decrypt(enc, COLUMNS, "customer_id", ks, dec)
    c2 = customers["customer_id"] == "c2"
    assert result.n_cells_unrecoverable == int(customers.loc[c2, COLUMNS].notna().sum().sum())
    assert result.n_cells_unrecoverable == 10 and result.n_subjects_unrecoverable == 1
    assert result.n_cells_decrypted == 26 - 10 and result.n_rows == 6
    assert result.to_dict()["unrecoverable_reason"] == "shredded"
    if dec.suffix == ".parquet":
        rows = _rows(dec)
        original = pa.Table.from_pandas(customers, preserve_index=False).to_pylist()
    else:  # CSV keeps text: compare with the text of the original values
        rows = pd.read_csv(dec, dtype=str, keep_default_na=False).to_dict("records")
        original = [
            {k: ("" if v is None else v) for k, v in r.items()}
            for r in pd.read_csv(_csv_of(customers, data_dir), dtype=str,
                                 keep_default_na=False).to_dict("records")
        ]
    assert len(rows) == 6
    for got, want in zip(rows, original, strict=True):
        assert got["customer_id"] == want["customer_id"] and got["region"] == want["region"]
        for column in COLUMNS:
            if want["customer_id"] == "c2":
                assert got[column] in (None, ""), (column, got[column])
            else:
                assert _equal(got[column], want[column]), (column, got[column], want[column])


def _csv_of(frame: pd.DataFrame, folder: Path) -> Path:
    """The text that decryption of a CSV output must give back: Arrow's text of each value."""
    path = folder / "expected.csv"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)
    return path


def test_parquet_round_trip_restores_types_exactly(
    keystore: Keystore, customers: pd.DataFrame, data_dir: Path
):
    encrypt(customers, COLUMNS, "customer_id", keystore, data_dir / "e.parquet")
    encrypted = pq.read_table(data_dir / "e.parquet")
    assert all(encrypted.schema.field(c).type == pa.string() for c in COLUMNS)
    assert b"fairmark.protect" in encrypted.schema.metadata
    decrypt(data_dir / "e.parquet", COLUMNS, "customer_id", keystore, data_dir / "d.parquet")
    back = pq.read_table(data_dir / "d.parquet")
    original = pa.Table.from_pandas(customers, preserve_index=False)
    assert back.schema.names == original.schema.names
    for name in original.schema.names:  # pandas 3 text is large_string, DuckDB's string
        want = original.schema.field(name).type
        want = pa.string() if pa.types.is_large_string(want) else want
        assert back.schema.field(name).type == want, name
    for got, want in zip(back.to_pylist(), original.to_pylist(), strict=True):
        assert all(_equal(got[k], want[k]) for k in want), (got, want)


def test_csv_input_passes_through_as_text(keystore: Keystore, data_dir: Path):
    src = data_dir / "in.csv"
    src.write_text("id,zip,amount\n007,00123,1.50\n008,,2\n")
    encrypt(src, "zip,amount", "id", keystore, data_dir / "e.csv")
    decrypt(data_dir / "e.csv", "zip,amount", "id", keystore, data_dir / "d.csv")
    assert (data_dir / "d.csv").read_text().replace('"', "") == (
        "id,zip,amount\n007,00123,1.50\n008,,2\n"
    )


def test_a_cell_is_aes_gcm_under_the_subjects_own_key(
    keystore: Keystore, master_key: SecretKey, sqlite_url: str, data_dir: Path
):
    """Decrypt one cell by hand from the documented format, without fairmark's code."""
    frame = pd.DataFrame({"sid": ["alice", "alice", "bob"], "email": ["a@x", "a@x", "b@y"]})
    encrypt(frame, "email", "sid", keystore, data_dir / "e.parquet")
    cells = pq.read_table(data_dir / "e.parquet").column("email").to_pylist()
    assert cells[0] != cells[1]  # same value, fresh nonce each time
    lookup = _lookup_id(master_key, "alice")
    with keystore.engine.connect() as conn:
        wrapped = conn.execute(
            text("SELECT wrapped_key FROM subject_keys WHERE lookup_id = :i"), {"i": lookup}
        ).scalar_one()
    dek = aes_key_unwrap(master_key.material, bytes(wrapped))
    raw = base64.b64decode(cells[0])
    assert raw[0] == 1 and len(raw) == 1 + 12 + len("a@x") + 16
    aad = b"\x01" + len(b"email").to_bytes(4, "big") + b"email" + lookup.encode()
    assert AESGCM(dek).decrypt(raw[1:13], raw[13:], aad) == b"a@x"


def test_seal_cell_matches_the_gcm_specification_test_case_14():
    """McGrew & Viega, GCM spec test case 14: AES-256, zero key, IV and 128-bit block."""
    cell = seal_cell(AESGCM(bytes(32)), bytes(12), "\x00" * 16, b"")
    assert base64.b64decode(cell).hex() == (
        "01" + "00" * 12 + "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919"
    )


def _write(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path)


def _tampered(src: Path, dst: Path, column: str, row: int, new_value: str | None) -> None:
    table = pq.read_table(src)
    values = table.column(column).to_pylist()
    values[row] = new_value
    index = table.schema.get_field_index(column)
    _write(table.set_column(index, table.schema.field(column), pa.array(values, pa.string())),
           dst)


@pytest.fixture
def encrypted(keystore: Keystore, data_dir: Path) -> Path:
    frame = pd.DataFrame(
        {
            "sid": ["alice", "bob", "carol"],
            "email": ["a@x", "b@y", "c@z"],
            "phone": ["1", "2", "3"],
            "region": ["n", "s", "n"],
        }
    )
    encrypt(frame, "email,phone", "sid", keystore, data_dir / "e.parquet")
    return data_dir / "e.parquet"


def _refused(keystore: Keystore, src: Path, expected: str, error=DataError, **kwargs) -> str:
    out = src.parent / "d.parquet"
    with pytest.raises(error, match=expected) as exc:
        decrypt(src, kwargs.get("columns", "email,phone"), kwargs.get("subject", "sid"),
                keystore, out)
    assert not out.exists()
    assert not [p for p in src.parent.iterdir() if p.name.endswith(".part")]
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_a_cell_moved_to_another_subject_fails_authentication(keystore: Keystore, encrypted):
    cells = pq.read_table(encrypted).column("email").to_pylist()
    _tampered(encrypted, encrypted.parent / "t.parquet", "email", 1, cells[0])  # alice → bob
    message = _refused(keystore, encrypted.parent / "t.parquet", "authentication failed")
    assert "column 'email' row 2" in message and "a@x" not in message


def test_a_cell_moved_to_another_column_fails_authentication(keystore: Keystore, encrypted):
    phone = pq.read_table(encrypted).column("phone").to_pylist()
    _tampered(encrypted, encrypted.parent / "t.parquet", "email", 0, phone[0])
    _refused(keystore, encrypted.parent / "t.parquet", "authentication failed.*'email' row 1")


def test_a_flipped_bit_fails_authentication(keystore: Keystore, encrypted):
    cell = bytearray(base64.b64decode(pq.read_table(encrypted).column("email")[2].as_py()))
    cell[15] ^= 0x01
    _tampered(encrypted, encrypted.parent / "t.parquet", "email", 2,
              base64.b64encode(bytes(cell)).decode())
    _refused(keystore, encrypted.parent / "t.parquet", "authentication failed.*row 3")


def test_plain_text_is_not_a_ciphertext(keystore: Keystore, encrypted):
    _tampered(encrypted, encrypted.parent / "t.parquet", "email", 0, "a@x")
    _refused(keystore, encrypted.parent / "t.parquet", "row 1 .* is not a fairmark ciphertext")


def test_the_wrong_master_key_fails_authentication(
    key_dir: Path, sqlite_url: str, encrypted: Path
):
    wrong = generate_key(key_dir / "wrong.key")
    with pytest.raises(UsageError, match=r"^authentication failed: master key") as exc:
        assert Keystore(wrong, sqlite_url).exists  # the first use of the store checks the key
    assert wrong.key_id in str(exc.value) and "\n" not in str(exc.value)


def test_another_keystore_has_no_keys_for_these_subjects(
    master_key: SecretKey, tmp_path: Path, encrypted: Path
):
    with Keystore(master_key, f"sqlite:///{tmp_path / 'other.db'}") as other:
        _refused(other, encrypted, "holds no keystore")
        encrypt(pd.DataFrame({"sid": ["zed"], "email": ["z"]}), "email", "sid", other,
                tmp_path / "data" / "z.parquet")
        _refused(other, encrypted, r"3 data subject\(s\) .* \(first at row 1\) have no data key")


def test_a_wrong_subject_or_column_is_named_from_the_file_metadata(keystore, encrypted):
    _refused(keystore, encrypted, "encrypted with subject column 'sid'", UsageError,
             subject="email", columns="phone")
    _refused(keystore, encrypted, "--columns: 'region' of .* not encrypted; expected some of "
             "email, phone", UsageError, columns="email,region")


def test_rows_without_subject_are_refused_before_anything_is_written(
    master_key: SecretKey, sqlite_url: str, data_dir: Path
):
    frame = pd.DataFrame({"sid": ["a", None, "  "], "email": ["x", "y", "z"]})
    with Keystore(master_key, sqlite_url) as ks:
        with pytest.raises(DataError, match="'sid' is null or blank in 2 of 3 rows"):
            encrypt(frame, "email", "sid", ks, data_dir / "e.parquet")
        assert not ks.exists  # no keystore created for a refused run
    assert list(data_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("columns", "subject", "out", "error", "expected"),
    [
        ("email,nope", "sid", "e.parquet", DataError, "column to encrypt: column 'nope' not found"),
        ("email", "who", "e.parquet", DataError, "subject column: column 'who' not found"),
        ("email,sid", "sid", "e.parquet", UsageError, "is also in --columns"),
        ("email", " ", "e.parquet", UsageError, "--subject-column is ' '"),
        ("email", "sid", "e.txt", UsageError, "unknown file type '.txt'"),
    ],
)
def test_bad_encrypt_input(keystore, data_dir, columns, subject, out, error, expected):
    frame = pd.DataFrame({"sid": ["a"], "email": ["x"]})
    with pytest.raises(error, match=expected):
        encrypt(frame, columns, subject, keystore, data_dir / out)
    assert list(data_dir.iterdir()) == []


def test_a_master_key_beside_the_output_is_refused(sqlite_url: str, data_dir: Path):
    beside = generate_key(data_dir / "master.key")
    with Keystore(beside, sqlite_url) as ks:
        with pytest.raises(UsageError, match=r"--master-key: key file .* inside the output"):
            encrypt(pd.DataFrame({"s": ["a"], "e": ["x"]}), "e", "s", ks, data_dir / "o.csv")
    assert [p.name for p in data_dir.iterdir()] == ["master.key"]


def test_keys_are_reused_and_fetched_once_per_batch(
    master_key: SecretKey, sqlite_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(_table_io, "BATCH_ROWS", 100)
    frame = pd.DataFrame({"sid": [f"s{i % 450}" for i in range(1000)], "v": range(1000)})
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "subject_keys" in statement:
            statements.append(statement.split()[0].upper())

    with Keystore(master_key, sqlite_url) as ks:
        event.listen(ks.engine, "before_cursor_execute", count)
        first = encrypt(frame, "v", "sid", ks, data_dir / "a.parquet")
    assert first.n_keys_created == 450 and first.n_subjects == 450
    # batches 1-5 meet new subjects: SELECT, INSERT, SELECT again; batches 6-10 only
    # repeat subjects already in memory: no query at all
    assert statements == ["SELECT", "INSERT", "SELECT"] * 5
    statements.clear()
    with Keystore(master_key, sqlite_url) as ks:  # nothing in memory: one SELECT per batch
        event.listen(ks.engine, "before_cursor_execute", count)
        second = encrypt(frame.iloc[::-1], "v", "sid", ks, data_dir / "b.parquet")
        assert second.n_keys_created == 0
        assert statements == ["SELECT"] * 5  # the first five batches name all 450 subjects
        decrypt(data_dir / "a.parquet", "v", "sid", ks, data_dir / "a2.parquet")
        decrypt(data_dir / "b.parquet", "v", "sid", ks, data_dir / "b2.parquet")
    assert pq.read_table(data_dir / "a2.parquet").column("v").to_pylist() == list(range(1000))
    reversed_back = pq.read_table(data_dir / "b2.parquet").column("v").to_pylist()
    assert reversed_back == list(range(999, -1, -1))


def test_decrypting_some_columns_keeps_the_others_decryptable(
    keystore: Keystore, customers: pd.DataFrame, data_dir: Path
):
    encrypt(customers, COLUMNS, "customer_id", keystore, data_dir / "e.parquet")
    decrypt(data_dir / "e.parquet", "email", "customer_id", keystore, data_dir / "d1.parquet")
    step = pq.read_table(data_dir / "d1.parquet")
    assert step.column("email").to_pylist() == [
        "ann@x.org", "bob@y.com", "cy@z.net", "ann@work.org", None, "b2@y.com",
    ]  # fmt: skip
    assert step.column("visits").type == pa.string()  # still ciphertext
    decrypt(data_dir / "d1.parquet", "visits,born", "customer_id", keystore,
            data_dir / "d2.parquet")
    done = pq.read_table(data_dir / "d2.parquet")
    assert done.schema.field("visits").type == pa.int64()
    assert done.column("visits").to_pylist() == [1, 2, None, 4, 5, 6]
    born = pa.Table.from_pandas(customers, preserve_index=False).column("born").to_pylist()
    assert done.column("born").to_pylist() == born and born[4] is None
    with pytest.raises(UsageError, match=r"'email' of .* not encrypted"):
        decrypt(data_dir / "d1.parquet", "email", "customer_id", keystore, data_dir / "x.csv")
