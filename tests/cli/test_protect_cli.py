"""``fairmark protect`` as a user runs it: keygen, pseudonymize, encrypt, shred, decrypt, rotate."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.protect import app

from .conftest import one_error_line


def run(*args: Any) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def ok(*args: Any) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (result.exit_code, result.output)
    return result


def as_json(*args: Any) -> dict[str, Any]:
    return json.loads(ok(*args, "--format", "json").stdout)


@pytest.fixture
def work(cli_env: Path) -> Path:
    """``cli_env`` with ``keys/`` (master key, pseudonym key), ``out/`` and ``people.csv``."""
    (cli_env / "keys").mkdir()
    (cli_env / "out").mkdir()
    ok("keygen", "keys/master.key")
    ok("keygen", "keys/pseudo.key")
    pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c2"],
            "email": ["Ann@X.org ", "bob@y.com", None, "dee@w.net", "bob2@y.com"],
            "zip": ["00123", "04567", "99999", None, "04568"],
            "spend": ["10.50", "3", "7.25", "0", "1"],
        }
    ).to_csv(cli_env / "people.csv", index=False)
    return cli_env


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def bad(work: Path, *args: Any, expect: str) -> str:
    """Exit 2, one ``error:`` line containing ``expect``, and not a file changed."""
    before = {p: p.stat().st_mtime_ns for p in work.rglob("*") if p.is_file()}
    line = one_error_line(run(*args))
    assert expect in line, line
    assert {p: p.stat().st_mtime_ns for p in work.rglob("*") if p.is_file()} == before
    return line


def test_keygen_writes_a_0600_key_and_shows_only_its_id(cli_env: Path):
    doc = as_json("keygen", "new.key")
    path = cli_env / "new.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert doc["kind"] == "protect_keygen" and doc["bits"] == 256
    material = base64.b64decode(path.read_text())
    assert len(material) == 32 and len(doc["key_id"]) == 16
    text = ok("keygen", "other.key").stdout
    assert "Wrote key" in text and path.read_text().strip() not in text


def test_keygen_never_overwrites(cli_env: Path):
    ok("keygen", "k.key")
    before = (cli_env / "k.key").read_bytes()
    line = one_error_line(run("keygen", "k.key"))
    assert "already exists" in line
    assert (cli_env / "k.key").read_bytes() == before


def test_encrypt_shred_decrypt(work: Path):
    enc = as_json("encrypt", "people.csv", "-s", "customer_id", "-c", "email,zip",
                  "--master-key", "keys/master.key", "--out", "out/enc.parquet")
    assert (enc["n_rows"], enc["n_subjects"], enc["n_keys_created"]) == (5, 4, 4)
    assert (enc["n_cells_encrypted"], enc["n_null_cells"]) == (8, 2)
    assert enc["keystore"].endswith("store.db")  # $FAIRMARK_DB_URL
    encrypted = pq.read_table(work / "out" / "enc.parquet").to_pylist()
    assert "bob@y.com" not in repr(encrypted) and encrypted[0]["customer_id"] == "c1"

    shred = as_json("shred", "c2", "--master-key", "keys/master.key")
    assert shred["status"] == "shredded" and len(shred["subject_lookup_id"]) == 64
    assert "c2" not in shred.values()  # the raw subject id is never reported
    again = ok("shred", "c2", "--master-key", "keys/master.key").stdout
    assert "already shredded" in again

    result = ok("decrypt", "out/enc.parquet", "-s", "customer_id", "-c", "email,zip",
                "--master-key", "keys/master.key", "--out", "out/dec.csv")
    assert "4 cells of 1 data subject unrecoverable (shredded), written as null" in result.stdout
    assert "Decrypted 4 cells in email, zip of 5 rows; 2 nulls kept." in result.stdout
    rows = pd.read_csv(work / "out" / "dec.csv", dtype=str, keep_default_na=False)
    assert rows.to_dict("records") == [
        {"customer_id": "c1", "email": "Ann@X.org ", "zip": "00123", "spend": "10.50"},
        {"customer_id": "c2", "email": "", "zip": "", "spend": "3"},
        {"customer_id": "c3", "email": "", "zip": "99999", "spend": "7.25"},
        {"customer_id": "c4", "email": "dee@w.net", "zip": "", "spend": "0"},
        {"customer_id": "c2", "email": "", "zip": "", "spend": "1"},
    ]


def test_pseudonymize_with_a_key_from_the_environment(work: Path, monkeypatch):
    key = base64.b64decode((work / "keys" / "pseudo.key").read_text())
    monkeypatch.setenv("FM_PSEUDO_KEY", key.hex())
    doc = as_json("pseudonymize", "people.csv", "-c", "email", "--key-env", "FM_PSEUDO_KEY",
                  "--normalize", "trim,lowercase", "--out", "out/p.csv")
    from_file = as_json("pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key",
                        "--normalize", "lowercase,trim", "--out", "out/p2.csv")
    assert doc["key_id"] == from_file["key_id"] and doc["normalize"] == ["trim", "lowercase"]
    assert (work / "out" / "p.csv").read_text() == (work / "out" / "p2.csv").read_text()
    import hashlib
    import hmac

    emails = pd.read_csv(work / "out" / "p.csv", dtype=str)["email"].tolist()
    assert emails[0] == hmac.new(key, b"ann@x.org", hashlib.sha256).hexdigest()
    assert pd.isna(emails[2]) and doc["n_values"] == 4 and doc["n_nulls"] == 1


def test_rotate_key_then_only_the_new_key_decrypts(work: Path):
    ok("encrypt", "people.csv", "-s", "customer_id", "-c", "email", "--master-key",
       "keys/master.key", "--out", "out/enc.csv")
    ok("keygen", "keys/new.key")
    rotated = as_json("rotate-key", "--old-key", "keys/master.key", "--new-key", "keys/new.key")
    assert (rotated["status"], rotated["n_keys_rewrapped"]) == ("rotated", 4)
    ok("decrypt", "out/enc.csv", "-s", "customer_id", "-c", "email", "--master-key",
       "keys/new.key", "--out", "out/dec.csv")
    emails = pd.read_csv(work / "out" / "dec.csv")["email"].tolist()
    assert emails[:2] == ["Ann@X.org ", "bob@y.com"]
    bad(work, "decrypt", "out/enc.csv", "-s", "customer_id", "-c", "email", "--master-key",
        "keys/master.key", "--out", "out/dec2.csv", expect="authentication failed")
    assert "already under" in ok("rotate-key", "--old-key", "keys/master.key", "--new-key",
                                 "keys/new.key").stdout


def test_no_key_material_is_ever_printed(work: Path, monkeypatch):
    keys = [base64.b64decode((work / "keys" / n).read_text()) for n in ("master.key", "pseudo.key")]
    outputs = [
        run("encrypt", "people.csv", "-s", "customer_id", "-c", "email", "--master-key",
            "keys/master.key", "--out", "out/e.parquet"),
        run("pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key", "--out",
            "out/p.parquet", "--format", "json"),
        run("shred", "c1", "--master-key", "keys/master.key", "--format", "json"),
        run("decrypt", "out/e.parquet", "-s", "customer_id", "-c", "email", "--master-key",
            "keys/pseudo.key", "--out", "out/d.parquet"),  # wrong key: an error message
    ]
    for result in outputs:
        for key in keys:
            for shown in (key.hex(), base64.b64encode(key).decode(), repr(key)):
                assert shown not in result.output


@pytest.fixture
def encrypted(work: Path) -> Path:
    ok("encrypt", "people.csv", "-s", "customer_id", "-c", "email,zip", "--master-key",
       "keys/master.key", "--out", "out/enc.parquet")
    return work / "out" / "enc.parquet"


DECRYPT = ["decrypt", "out/enc.parquet", "-s", "customer_id", "-c", "email,zip", "--out",
           "out/dec.parquet"]


def test_bad_keys(work: Path, encrypted: Path):
    bad(work, *DECRYPT, "--master-key", "keys/nope.key",
        expect="key file 'keys/nope.key' not found")
    (work / "keys" / "short.key").write_bytes(os.urandom(16))
    bad(work, *DECRYPT, "--master-key", "keys/short.key", expect="is not a 256-bit key")
    bad(work, *DECRYPT, "--master-key", "keys/pseudo.key",
        expect="error: authentication failed: master key")
    bad(work, *DECRYPT, expect="--master-key: give the key either as a file or")
    bad(work, *DECRYPT, "--master-key", "keys/master.key", "--master-key-env", "X",
        expect="not both")
    bad(work, *DECRYPT, "--master-key-env", "FM_UNSET_VARIABLE", expect="is not set or blank")


def test_tampered_ciphertext_fails_authentication(work: Path, encrypted: Path):
    table = pq.read_table(encrypted)
    emails = table.column("email").to_pylist()
    emails[0], emails[1] = emails[1], emails[0]  # swap two subjects' cells
    index = table.schema.get_field_index("email")
    pq.write_table(table.set_column(index, "email", pa.array(emails, pa.string())),
                   work / "out" / "swapped.parquet")
    line = bad(work, "decrypt", "out/swapped.parquet", "-s", "customer_id", "-c", "email",
               "--master-key", "keys/master.key", "--out", "out/dec.parquet",
               expect="authentication failed: the cell in column 'email' row 1")
    assert "bob@y.com" not in line


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["-c", "email,nope", "-s", "customer_id"], "column 'nope' not found"),
        (["-c", "email", "-s", "who"], "subject column: column 'who' not found"),
        (["-c", "email,customer_id", "-s", "customer_id"], "is also in --columns"),
        (["-c", "email"], "--subject-column is required"),
        (["-s", "customer_id"], "--columns is required"),
    ],
)
def test_bad_encrypt_arguments(work: Path, args: list[str], expect: str):
    bad(work, "encrypt", "people.csv", *args, "--master-key", "keys/master.key", "--out",
        "out/e.parquet", expect=expect)


def test_rows_without_subject_are_refused(work: Path):
    (work / "holes.csv").write_text("customer_id,email\nc1,a@x\n,b@y\n")
    bad(work, "encrypt", "holes.csv", "-s", "customer_id", "-c", "email", "--master-key",
        "keys/master.key", "--out", "out/e.parquet",
        expect="subject column 'customer_id' is null or blank in 1 of 2 rows")


def test_outputs_beside_the_key_or_over_the_input_are_refused(work: Path):
    bad(work, "encrypt", "people.csv", "-s", "customer_id", "-c", "email", "--master-key",
        "keys/master.key", "--out", "keys/e.parquet", expect="is inside the output folder")
    bad(work, "pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key", "--out",
        "people.csv", expect="is the input file")
    bad(work, "pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key", "--out",
        "out/p.xlsx", expect="expected .parquet or .csv")
    bad(work, "pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key",
        expect="--out is required")
    bad(work, "pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key", "--out",
        "out/p.csv", "--normalize", "upper", expect="unknown normalisation 'upper'")
    bad(work, "pseudonymize", "people.csv", "-c", "email", "--key", "keys/pseudo.key", "--out",
        "out/p.csv", "--format", "xml", expect="--format: unknown value 'xml'")
    assert listing(work / "out") == []


def test_shredding_an_unknown_subject_is_not_silent_success(work: Path, encrypted: Path):
    """QA #11: a typo in the subject id exits 1 with a clear line; no key is deleted."""
    result = run("shred", "c9", "--master-key", "keys/master.key")
    assert result.exit_code == 1, result.output
    assert "no data key for subject " in result.stderr
    assert "nothing was shredded — check the id" in result.stderr
    # shown by its lookup hash only (a hex hash may contain "c9" inside it by chance)
    assert not re.search(r"(?<![0-9a-f])c9(?![0-9a-f])", result.stderr)
    assert "Shredded" not in result.stdout
    doc = json.loads(run("shred", "c9", "--master-key", "keys/master.key",
                         "--format", "json").stdout)
    assert doc["status"] == "no_key"
    dec = ok(*DECRYPT, "--master-key", "keys/master.key")
    assert "unrecoverable" not in dec.stdout  # every subject still decrypts


def test_decrypt_or_shred_with_a_missing_store_creates_nothing(work: Path, encrypted: Path):
    """QA #12: a --db that does not exist is refused without creating the file."""
    missing = work / "other.db"
    bad(work, *DECRYPT, "--master-key", "keys/master.key", "--db", f"sqlite:///{missing}",
        expect="other.db does not exist")
    bad(work, "shred", "c1", "--master-key", "keys/master.key", "--db", f"sqlite:///{missing}",
        expect="does not exist; expected the store that 'protect encrypt' wrote")
    assert not missing.exists()


def test_encrypt_into_a_folder_names_the_folder(work: Path):
    """QA #13: --out naming an existing folder says so, not 'unknown file type'."""
    (work / "adir").mkdir()
    bad(work, "encrypt", "people.csv", "-s", "customer_id", "-c", "email", "--master-key",
        "keys/master.key", "--out", "adir",
        expect="--out 'adir' is a folder; expected a file name ending in .csv or .parquet")
