"""Ed25519 public-key validation (QA finding HA2.1): unusable keys are never believed.

``cryptography`` (OpenSSL) accepts any 32 bytes as a public key and verifies
``[S]B = R + [k]A`` without checking ``A``. With the all-zero key (a point of order 4) the
signature ``R`` = the neutral element (``01 00…00``), ``S = 0`` verifies every message
whose ``k`` is a multiple of 4: about 1 in 4. fairmark refuses such keys wherever it
believes one: ``trust-key``, checkpoints in the store and in exports, evidence bundles,
``--public-key`` values. Store tests run on SQLite and PostgreSQL; bundle tests offline.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, insert, select
from tests.governance._evidence_support import edit_json, make_frame, rewrite, run_audit
from tests.governance._log_helpers import append_many, log_state
from typer.testing import CliRunner

from fairmark.cli.log import app
from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.chain import append_entry, canonical_json
from fairmark.governance.evidence import export_bundle, verify_bundle
from fairmark.governance.keys import (
    SigningKey,
    check_public_key,
    check_trusted_value,
    fingerprint,
    load_signing_key,
    public_key_problem,
    verify_signature,
)
from fairmark.governance.log import (
    checkpoint_statement,
    create_checkpoint,
    export_log,
    verify_export,
    verify_log,
)
from fairmark.governance.log_keys import list_keys, trust_key
from fairmark.governance.tokens import create_token
from fairmark.store import RunStore
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import Checkpoint, LogEntryRow

ZERO = "00" * 32
"""The all-zero public key: y = 0, a point of order 4."""

FORGED = "01" + "00" * 31 + "00" * 32
"""The signature R = neutral element (encoded 01 00…00), S = 0."""

EXPECTED = "expected the 64 hex digits 'fairmark log public-key' prints"

SMALL = (
    "it is a point of small order (8 times it is the neutral element), for which forged "
    "signatures verify"
)
X_ZERO = "x is 0 but its sign bit is set (a non-canonical encoding of a point of small order)"
Y_BIG = "its y coordinate is not below 2^255 - 19 (a non-canonical encoding)"
OFF_CURVE = "it is not a point of the curve (it does not decode, RFC 8032 section 5.1.3)"
TORSION = (
    "it is not in the prime-order subgroup (it has a small-order component), so it is no "
    "Ed25519 private key's public key"
)

# libsodium src/libsodium/crypto_core/ed25519/ref10/ed25519_ref10.c,
# ge25519_has_small_order: its blocklist, compared with the sign bit (bit 255) ignored
BLOCKLIST = {
    "0000000000000000000000000000000000000000000000000000000000000000": "0 (order 4)",
    "0100000000000000000000000000000000000000000000000000000000000000": "1 (order 1)",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05": "order 8",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a": "order 8",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f": "p-1 (order 2)",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f": "p (= 0)",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f": "p+1 (= 1)",
}


def _with_sign(hex_key: str) -> str:
    raw = bytearray(bytes.fromhex(hex_key))
    raw[31] |= 0x80
    return raw.hex()


# every blocklisted y with both sign bits: the 8 small-order points and 6 non-canonical
# encodings of them, and why each is refused
ENCODINGS = [
    (ZERO, SMALL),
    (_with_sign(ZERO), SMALL),  # the other point of order 4
    ("01" + "00" * 31, SMALL),  # the neutral element
    (_with_sign("01" + "00" * 31), X_ZERO),
    (list(BLOCKLIST)[2], SMALL),
    (_with_sign(list(BLOCKLIST)[2]), SMALL),
    (list(BLOCKLIST)[3], SMALL),
    (_with_sign(list(BLOCKLIST)[3]), SMALL),
    (list(BLOCKLIST)[4], SMALL),  # (0, -1), order 2
    (_with_sign(list(BLOCKLIST)[4]), X_ZERO),
    (list(BLOCKLIST)[5], Y_BIG),
    (_with_sign(list(BLOCKLIST)[5]), Y_BIG),
    (list(BLOCKLIST)[6], Y_BIG),
    (_with_sign(list(BLOCKLIST)[6]), Y_BIG),
]

OFF = "8541efa3dc32754c7a7ebdb690649783e970e787f3f1b82a76fca11344224f86"
"""SHA-256 of b"off curve 2": 32 bytes that are no curve point."""

MIXED = "b154bd62188ae283dd187fefe8c31f5e276edf083b4cff11c9d5cff856c74440"
"""The public key of the private key bytes(range(32)) plus a point of order 8."""

RFC8032_TEST1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
"""RFC 8032 section 7.1, TEST 1: a real public key."""


def _plain_verify(public_hex: str, message: bytes, signature_hex: str) -> bool:
    """Verify with ``cryptography`` alone, as fairmark did before the fix."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), message
        )
    except InvalidSignature:
        return False
    return True


# ----------------------------------------------------------------------------- the keys


def test_plain_cryptography_accepts_the_forgery_and_fairmark_refuses_it():
    messages = [b"fairmark checkpoint %d" % i for i in range(32)]
    accepted = [i for i, m in enumerate(messages) if _plain_verify(ZERO, m, FORGED)]
    assert accepted == [3, 8, 12, 15, 23, 26, 27, 29, 30, 31]  # k = 0 mod 4
    assert [i for i, m in enumerate(messages) if verify_signature(ZERO, m, FORGED)] == []


@pytest.mark.parametrize(("public", "why"), ENCODINGS)
def test_blocklisted_encodings_are_refused(public: str, why: str):
    assert public_key_problem(public) == why
    assert public_key_problem(bytes.fromhex(public)) == why
    with pytest.raises(UsageError) as info:
        check_public_key(public)
    assert str(info.value) == f"public key {public} is not a usable Ed25519 key: {why}; {EXPECTED}"
    # certainly no fingerprint either: refused as a --public-key value
    with pytest.raises(UsageError) as info:
        check_trusted_value(public)
    assert str(info.value) == (
        f"public key {public} is not a usable Ed25519 key: {why}; {EXPECTED} (or its fingerprint)"
    )
    assert not verify_signature(public, b"anything", FORGED)


def test_the_blocklist_has_every_small_order_point():
    """The 8 points of order dividing 8 are exactly the 8 canonical encodings above."""
    small = [p for p, why in ENCODINGS if why == SMALL]
    assert len(small) == len(set(small)) == 8


def test_off_curve_mixed_order_and_short_keys_are_refused():
    # cryptography takes them as keys
    for value in (OFF, MIXED):
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
    assert public_key_problem(OFF) == OFF_CURVE
    assert public_key_problem(MIXED) == TORSION
    assert public_key_problem(bytes(31)) == "it has 31 bytes, not 32"
    assert public_key_problem("zz") == "it is not hex"
    with pytest.raises(UsageError) as info:
        check_public_key(bytes.fromhex(OFF))
    assert str(info.value) == (
        f"public key {OFF} is not a usable Ed25519 key: {OFF_CURVE}; {EXPECTED}"
    )
    # half of all fingerprints are no curve point, most others have a small-order part:
    # such --public-key values may be fingerprints and pass
    check_trusted_value(OFF)
    check_trusted_value(MIXED)


def test_real_keys_pass(tmp_path: Path):
    check_public_key(RFC8032_TEST1)
    for n in range(5):
        key = load_signing_key(tmp_path / f"{n}.pem")
        assert public_key_problem(key.public_hex) is None
        check_trusted_value(key.public_hex)
        assert verify_signature(key.public_hex, b"m", key.sign(b"m"))


# ----------------------------------------------------------------------------- the store


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def ada(tmp_path: Path) -> SigningKey:
    return load_signing_key(tmp_path / "keys" / "ada.pem")


@pytest.fixture
def people(seed_people) -> dict[str, Principal]:
    return seed_people({"root": "admin", "aldo": "auditor"})


def _forge_checkpoint(engine: Engine) -> int:
    """Store a checkpoint of the head signed "by" the all-zero key: (R, S) = (neutral, 0),
    at a time for which plain cryptography accepts it. Returns the seq it covers."""
    fp = fingerprint(ZERO)
    with write_transaction(engine) as conn:
        head = conn.execute(
            select(LogEntryRow.seq, LogEntryRow.entry_hash).order_by(LogEntryRow.seq.desc())
        ).first()
        for second in range(60):
            created_at = f"2026-01-01T00:00:{second:02d}.000000Z"
            statement = checkpoint_statement(
                seq=head.seq, entry_hash=head.entry_hash, created_at=created_at, key_fingerprint=fp
            )
            if _plain_verify(ZERO, statement, FORGED):
                break
        else:  # pragma: no cover - 1 in 4 per try
            raise AssertionError("no forgeable statement in 60 tries")
        conn.execute(
            insert(Checkpoint).values(
                seq=head.seq,
                entry_hash=head.entry_hash,
                created_at=created_at,
                key_fingerprint=fp,
                public_key=ZERO,
                signature=FORGED,
            )
        )
    return int(head.seq)


def _register_zero_key(engine: Engine) -> None:
    """The registration trust-key wrote before the fix (now refused), appended directly."""
    with write_transaction(engine) as conn:
        append_entry(
            conn,
            actor="root",
            action="log.key.trust",
            entity_type="key",
            entity_id=fingerprint(ZERO),
            payload={
                "public_key": ZERO,
                "key_fingerprint": fingerprint(ZERO),
                "label": "qa",
                "by": "root",
            },
        )


def test_trust_key_refuses_unusable_keys_and_changes_nothing(gov_engine: Engine, ada, people):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["root"])
    before = log_state(gov_engine)
    for public, why in ((ZERO, SMALL), (OFF, OFF_CURVE), (MIXED, TORSION)):
        with pytest.raises(UsageError) as info:
            trust_key(gov_engine, public, label="qa", principal=people["root"])
        assert str(info.value) == (
            f"public key {public} is not a usable Ed25519 key: {why}; {EXPECTED}"
        )
    assert log_state(gov_engine) == before


def test_a_checkpoint_by_a_small_order_key_fails_verification(
    gov_engine: Engine, ada, people, tmp_path: Path
):
    """QA's forgery: the zero key registered (as trust-key allowed before) and covered by
    a trusted checkpoint, then a checkpoint "signed" by it."""
    append_many(gov_engine, 2)
    create_checkpoint(gov_engine, key=ada, principal=people["root"])
    _register_zero_key(gov_engine)
    create_checkpoint(gov_engine, key=ada, principal=people["root"])  # covers it
    seq = _forge_checkpoint(gov_engine)
    message = (
        f"the checkpoint of entry {seq} is signed by key {fingerprint(ZERO)}, which is not a "
        f"usable Ed25519 key: {SMALL}"
    )
    result = verify_log(gov_engine, key=ada)
    assert (result.first_bad.seq, result.first_bad.kind, result.first_bad.message) == (
        seq,
        "bad_signature",
        message,
    )
    assert result.keys_trusted_by_log == ()  # the registration registers nothing
    # log keys does not list it: only the bootstrap key
    listing = list_keys(gov_engine, key=ada)
    assert [(k.record.key_fingerprint, k.status) for k in listing.keys] == [
        (ada.fingerprint, "trusted")
    ]
    # the same in a JSON Lines export
    export = tmp_path / "log.jsonl"
    export_log(gov_engine, export)
    offline = verify_export(export, public_keys=[ada.fingerprint])
    assert (offline.first_bad.seq, offline.first_bad.kind, offline.first_bad.message) == (
        seq,
        "bad_signature",
        message,
    )
    # --public-key with the zero key: bad input
    with pytest.raises(UsageError, match="is not a usable Ed25519 key: it is a point of small"):
        verify_log(gov_engine, public_keys=[ZERO])


def _run(url: str, token: str, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--db-url", url, "--token", token])


def _one_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_cli_refuses_unusable_keys(
    store_url: str, gov_engine: Engine, people, tmp_path: Path, monkeypatch
):
    _info, token = create_token(gov_engine, user="root", principal=people["root"])
    _info, auditor = create_token(gov_engine, user="aldo", principal=people["root"])
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "root" / "signing_key.pem"))
    assert _run(store_url, token, "checkpoint").exit_code == 0
    before = log_state(gov_engine)
    refused = _run(store_url, token, "trust-key", ZERO, "--label", "qa")
    assert refused.exit_code == 2, refused.output
    assert _one_line(refused) == (
        f"error: public key {ZERO} is not a usable Ed25519 key: {SMALL}; {EXPECTED}"
    )
    off_file = tmp_path / "off.pub"
    off_file.write_text(OFF + "\n")
    refused = _run(store_url, token, "trust-key", str(off_file), "--label", "qa")
    assert refused.exit_code == 2, refused.output
    assert _one_line(refused) == (
        f"error: public key {OFF} is not a usable Ed25519 key: {OFF_CURVE}; {EXPECTED}"
    )
    for command in ("keys", "verify"):
        refused = _run(store_url, auditor, command, "--public-key", ZERO)
        assert refused.exit_code == 2, refused.output
        assert _one_line(refused) == (
            f"error: public key {ZERO} is not a usable Ed25519 key: {SMALL}; {EXPECTED} (or "
            "its fingerprint)"
        )
    assert log_state(gov_engine) == before
    # a forged checkpoint of the zero key: verification fails (exit 1), naming it
    seq = _forge_checkpoint(gov_engine)
    failed = _run(store_url, auditor, "verify", "--format", "json")
    assert failed.exit_code == 1, failed.output
    assert json.loads(failed.stdout)["first_bad"] == {
        "seq": seq,
        "kind": "bad_signature",
        "message": f"the checkpoint of entry {seq} is signed by key {fingerprint(ZERO)}, "
        f"which is not a usable Ed25519 key: {SMALL}",
    }


# ----------------------------------------------------------------------------- bundles


class _ZeroKey:
    """A "signer" holding the all-zero public key: every signature is (neutral, 0)."""

    public_hex = ZERO
    fingerprint = fingerprint(ZERO)

    def sign(self, message: bytes) -> str:
        return FORGED


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SigningKey]:
    folder = tmp_path_factory.mktemp("zero-bundle")
    result = run_audit(make_frame(seed=7, n=200))
    key = load_signing_key(folder / "signing_key.pem")
    with RunStore(f"sqlite:///{folder / 'fairmark.db'}") as store:
        store.record_run(result.to_dict(), artifacts=build_artifacts(result), actor="ada")
        export_bundle(
            store.engine,
            result.run_id,
            folder / "bundle.zip",
            principal=Principal("ada", "admin"),
            key=key,
        )
    return folder / "bundle.zip", key


def _manifest_signature(path: Path) -> tuple[bytes, str]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        signature = json.loads(archive.read("signature.json"))["signature"]
    return canonical_json(manifest).encode("utf-8"), signature


def test_a_bundle_signed_by_the_zero_key_fails_the_signature_step(bundle, tmp_path: Path):
    source, _key = bundle
    for spaces in range(60):  # a manifest plain cryptography accepts the forgery for
        forged = rewrite(
            source,
            tmp_path / "forged.zip",
            change={"policy.yaml": lambda raw, n=spaces: raw + b" " * n},
            sign_with=_ZeroKey(),
        )
        if _plain_verify(ZERO, *_manifest_signature(forged)):
            break
    else:  # pragma: no cover - 1 in 4 per try
        raise AssertionError("no forgeable manifest in 60 tries")
    for pins in (None, [fingerprint(ZERO)]):
        result = verify_bundle(forged, public_keys=pins)
        assert result.exit_code == 1
        assert result.step("signature").problems[0] == (
            f"signature.json public_key {ZERO} is not a usable Ed25519 key: {SMALL}"
        )


def test_a_bundle_whose_checkpoint_is_by_the_zero_key_fails_the_log_step(bundle, tmp_path: Path):
    source, key = bundle
    with zipfile.ZipFile(source) as archive:
        lines = archive.read("log.jsonl").decode("utf-8").splitlines()
    last = json.loads(lines[-1])
    fp = fingerprint(ZERO)
    for second in range(60):
        created_at = f"2026-01-01T00:00:{second:02d}.000000Z"
        statement = checkpoint_statement(
            seq=last["seq"],
            entry_hash=last["entry_hash"],
            created_at=created_at,
            key_fingerprint=fp,
        )
        if _plain_verify(ZERO, statement, FORGED):
            break
    else:  # pragma: no cover
        raise AssertionError("no forgeable statement in 60 tries")
    zero_cp = {"created_at": created_at, "key_fingerprint": fp, "public_key": ZERO}
    zero_cp["signature"] = FORGED
    lines[-1] = json.dumps({**last, **zero_cp})

    def manifest(doc: dict[str, Any]) -> None:
        doc["checkpoint"] = {**doc["checkpoint"], "key_fingerprint": fp}

    forged = rewrite(
        source,
        tmp_path / "forged-log.zip",
        change={
            "log.jsonl": ("\n".join(lines) + "\n").encode("utf-8"),
            "checkpoint.json": edit_json(lambda doc: doc.update(zero_cp)),
            "manifest.json": edit_json(manifest),
        },
        sign_with=key,
    )
    result = verify_bundle(forged, public_keys=[key.fingerprint])
    assert result.exit_code == 1
    assert result.step("signature").status == "ok"
    assert result.step("log").problems[0] == (
        f"log.jsonl: the checkpoint of entry {last['seq']} is signed by key {fp}, which is not "
        f"a usable Ed25519 key: {SMALL}"
    )
