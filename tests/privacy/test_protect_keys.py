"""Key files and environment keys: formats, key ids, generation, refusals."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from fairmark.errors import UsageError
from fairmark.privacy.protect.keys import (
    SecretKey,
    check_key_apart,
    generate_key,
    key_id,
    load_key,
    parse_key,
)

KEY = bytes(range(32))  # 00 01 … 1f
KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
KEY_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # from `base64` (coreutils)
KEY_SHA256 = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"  # openssl dgst


def test_key_id_is_the_first_16_hex_digits_of_sha256():
    assert key_id(KEY) == KEY_SHA256[:16] == "630dcd2966c43366"


@pytest.mark.parametrize(
    "content",
    [
        KEY,  # raw bytes
        KEY_HEX.encode(),
        KEY_HEX.upper().encode() + b"\n",
        KEY_B64.encode() + b"\r\n",
        KEY_B64.rstrip("=").encode(),  # padding optional
        b"  " + KEY_HEX.encode() + b"  \n",
    ],
    ids=["raw", "hex", "HEX-newline", "base64-crlf", "base64-unpadded", "hex-spaces"],
)
def test_a_key_file_in_every_accepted_encoding(tmp_path: Path, content: bytes):
    path = tmp_path / "k.key"
    path.write_bytes(content)
    key = load_key(path)
    assert key.material == KEY
    assert key.key_id == "630dcd2966c43366"
    assert key.path == path


def test_urlsafe_base64_is_accepted():
    material = bytes(range(224, 256))  # encodes with '+' and '/' in standard base64
    standard = base64.b64encode(material)
    assert b"/" in standard or b"+" in standard
    urlsafe = base64.urlsafe_b64encode(material).rstrip(b"=")
    assert parse_key(urlsafe, "test") == material
    assert parse_key(standard, "test") == material


def test_a_key_from_an_environment_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FM_TEST_KEY", KEY_B64)
    key = load_key(env="FM_TEST_KEY")
    assert key.material == KEY and key.path is None
    assert key.source == "environment variable FM_TEST_KEY"
    monkeypatch.setenv("FM_TEST_KEY", KEY_HEX)
    assert load_key(env="FM_TEST_KEY").material == KEY


def test_the_key_never_shows_in_its_repr_or_str(tmp_path: Path):
    path = tmp_path / "k.key"
    path.write_text(KEY_HEX)
    key = load_key(path)
    for text in (repr(key), str(key)):
        assert KEY_HEX not in text and KEY_B64 not in text and repr(KEY) not in text
        assert "630dcd2966c43366" in text


def test_generate_key_writes_base64_with_mode_0600(tmp_path: Path):
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        key = generate_key(tmp_path / "new.key")
    finally:
        os.umask(old_umask)
    path = tmp_path / "new.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.endswith("\n") and len(text) == 45
    assert base64.b64decode(text) == key.material
    assert load_key(path).key_id == key.key_id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.key"]  # no temp file left


def test_two_generated_keys_differ(tmp_path: Path):
    assert generate_key(tmp_path / "a").material != generate_key(tmp_path / "b").material


def test_generate_key_never_overwrites(tmp_path: Path):
    path = tmp_path / "k.key"
    path.write_text("precious")
    with pytest.raises(UsageError, match="already exists; expected a new path"):
        generate_key(path)
    assert path.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.key"]


def test_generate_key_needs_an_existing_folder(tmp_path: Path):
    with pytest.raises(UsageError, match="does not exist; create it first"):
        generate_key(tmp_path / "no" / "k.key")


def test_a_missing_key_file(tmp_path: Path):
    with pytest.raises(UsageError) as exc:
        load_key(tmp_path / "nope.key", option="--master-key")
    message = str(exc.value)
    assert message.startswith("--master-key: key file") and "not found" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(16), "neither 32 raw bytes"),  # 128-bit raw key
        (bytes(31), "neither 32 raw bytes"),
        (bytes(33), "neither 32 raw bytes"),
        (KEY_HEX[:-2].encode(), "not a 256-bit key"),  # 31 bytes of hex
        (base64.b64encode(bytes(24)), "not a 256-bit key"),  # 32 characters of text
        (b"correct horse battery staple!!!!", "32 printable characters: a passphrase"),
        (b"", "not a 256-bit key"),
    ],
    ids=["raw16", "raw31", "raw33", "hex31", "b64-24", "passphrase", "empty"],
)
def test_a_key_of_the_wrong_length_or_kind_is_refused(tmp_path: Path, content, expected):
    path = tmp_path / "k.key"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=expected) as exc:
        load_key(path)
    assert "\n" not in str(exc.value)
    assert content.hex() not in str(exc.value) or not content


def test_an_environment_key_must_be_text(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FM_TEST_KEY", "short")
    with pytest.raises(UsageError, match="environment variable FM_TEST_KEY is not a 256-bit"):
        load_key(env="FM_TEST_KEY")
    monkeypatch.delenv("FM_TEST_KEY")
    with pytest.raises(UsageError, match="'FM_TEST_KEY' is not set or blank"):
        load_key(env="FM_TEST_KEY", option="--key")


def test_exactly_one_key_source(tmp_path: Path):
    with pytest.raises(UsageError, match="not neither"):
        load_key()
    with pytest.raises(UsageError, match="not both"):
        load_key(tmp_path / "k", env="X")


def test_a_folder_is_not_a_key_file(tmp_path: Path):
    with pytest.raises(UsageError, match="is a folder; expected a key file"):
        load_key(tmp_path)


def test_from_bytes_checks_the_length():
    assert SecretKey.from_bytes(KEY).key_id == "630dcd2966c43366"
    with pytest.raises(UsageError, match="has 31 bytes; expected exactly 32"):
        SecretKey.from_bytes(KEY[:31])


def test_a_key_inside_the_output_folder_is_refused(tmp_path: Path):
    (tmp_path / "out" / "keys").mkdir(parents=True)
    inside = generate_key(tmp_path / "out" / "k.key")
    nested = generate_key(tmp_path / "out" / "keys" / "k.key")
    apart = generate_key(tmp_path / "k.key")
    out = tmp_path / "out" / "data.parquet"
    for key in (inside, nested):
        with pytest.raises(UsageError, match=r"is inside the output folder .*GDPR Art\. 4\(5\)"):
            check_key_apart(key, out, option="--key")
    check_key_apart(apart, out, option="--key")  # the parent of the output folder is fine
    check_key_apart(SecretKey.from_bytes(KEY, "environment variable K"), out, option="--key")


def test_a_symlink_does_not_hide_a_key_beside_the_data(tmp_path: Path):
    (tmp_path / "data").mkdir()
    key = generate_key(tmp_path / "data" / "k.key")
    (tmp_path / "link").symlink_to(tmp_path / "data")
    via_link = load_key(tmp_path / "link" / "k.key")
    with pytest.raises(UsageError, match="inside the output folder"):
        check_key_apart(via_link, tmp_path / "data" / "out.csv", option="--key")
    with pytest.raises(UsageError, match="inside the output folder"):
        check_key_apart(key, tmp_path / "link" / "out.csv", option="--key")
