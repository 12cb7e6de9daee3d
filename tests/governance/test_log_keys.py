"""Trusted checkpoint keys kept in the audit log (SQLite and PostgreSQL).

Several clients sign checkpoints with their own keys. A key registered by ``log.key.trust``
is trusted once a checkpoint of an already trusted key covers the registration (the
fixpoint is computed before any checkpoint is judged); ``log.key.distrust`` withdraws it
for later checkpoints. Roots: the keys the verifier names (``key``, ``public_keys``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from tests.governance._log_helpers import (
    append_many,
    log_state,
    rewrite_from,
    sign_with,
    unguarded,
)

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.chain import append_entry
from fairmark.governance.keys import SigningKey, load_signing_key, public_key_hex
from fairmark.governance.log import (
    create_checkpoint,
    export_log,
    maybe_checkpoint,
    read_entries,
    verify_export,
    verify_log,
)
from fairmark.governance.log_keys import distrust_key, list_keys, signing_allowed, trust_key
from fairmark.store.db import write_transaction


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default signing key lives in the test folder, never in ~/.config."""
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, SigningKey]:
    """Ada's (admin), Bob's, Carl's and Mallory's key files."""
    return {
        n: load_signing_key(tmp_path / "keys" / f"{n}.pem") for n in ("ada", "bob", "carl", "mal")
    }


@pytest.fixture
def people(seed_people) -> dict[str, Principal]:
    return seed_people({"ada": "admin", "bea": "admin", "otto": "owner", "aldo": "auditor"})


def _bad(result: Any) -> tuple[int, str, str] | None:
    bad = result.first_bad
    return None if bad is None else (bad.seq, bad.kind, bad.message)


# ----------------------------------------------------------------------------- bootstrap


def test_the_first_checkpoint_of_an_admin_registers_its_key(gov_engine: Engine, keys, people):
    append_many(gov_engine, 2)
    first = create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])  # not again
    listing = list_keys(gov_engine, principal=people["aldo"], key=keys["ada"])
    records = [r.to_dict() for r in listing.keys]
    assert records == [
        {
            "key_fingerprint": keys["ada"].fingerprint,
            "public_key": keys["ada"].public_hex,
            "label": "first checkpoint key (bootstrap)",
            "status": "trusted",
            "log_status": "trusted",
            "seq": first.log_seq,
            "registered_seq": first.log_seq,
            "registered_by": "ada",
            "distrusted_seq": None,
            "distrusted_by": None,
            "bootstrap": True,
            "status_seq": None,
            "covered_by": None,
            "covered_by_key": None,
            "root": keys["ada"].fingerprint,
            "pending_seq": None,
        }
    ]
    assert listing.roots == frozenset({keys["ada"].fingerprint})
    # no root key (no --public-key, no local key file): nothing can be judged
    unrooted = list_keys(gov_engine)
    assert unrooted.roots is None
    assert [(k.status, k.root, k.record.status) for k in unrooted.keys] == [
        ("unchecked", None, "trusted")
    ]
    trusts = [e for e in read_entries(gov_engine, action="log.checkpoint") if "trust" in e.payload]
    assert [e.seq for e in trusts] == [first.log_seq]


def test_a_first_checkpoint_without_an_admin_registers_nothing(gov_engine: Engine, keys, people):
    append_many(gov_engine, 2)
    with write_transaction(gov_engine) as conn:
        assert maybe_checkpoint(conn, keys["bob"], every=1) is not None  # no admin named
    assert list_keys(gov_engine).keys == ()
    with write_transaction(gov_engine) as conn:  # no registry: every key may sign
        assert signing_allowed(conn, keys["mal"].fingerprint)
    with pytest.raises(AccessError, match=r"user 'aldo' \(role viewer\) may not log.read"):
        list_keys(gov_engine, principal=Principal("aldo", "viewer"))


# ----------------------------------------------------------------------------- trust, distrust


def test_trust_and_distrust_are_logged_and_listed(gov_engine: Engine, keys, people):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    record = trust_key(
        gov_engine, keys["bob"].public_hex.upper(), label="  bob laptop ", principal=people["bea"]
    )
    entry = read_entries(gov_engine)[-1]
    assert (entry.seq, entry.actor, entry.action) == (record.seq, "bea", "log.key.trust")
    assert (entry.entity_type, entry.entity_id) == ("key", keys["bob"].fingerprint)
    assert entry.payload == {
        "public_key": keys["bob"].public_hex,
        "key_fingerprint": keys["bob"].fingerprint,
        "label": "bob laptop",
        "by": "bea",
    }
    with write_transaction(gov_engine) as conn:
        assert signing_allowed(conn, keys["bob"].fingerprint)
        assert not signing_allowed(conn, keys["mal"].fingerprint)
    gone = distrust_key(gov_engine, keys["bob"].fingerprint, principal=people["ada"])
    entry = read_entries(gov_engine)[-1]
    assert (entry.seq, entry.action, entry.entity_id) == (
        gone.seq,
        "log.key.distrust",
        keys["bob"].fingerprint,
    )
    assert entry.payload == {
        "key_fingerprint": keys["bob"].fingerprint,
        "label": "bob laptop",
        "by": "ada",
    }
    listed = {
        k.record.key_fingerprint: (k.record.status, k.record.seq, k.record.distrusted_by)
        for k in list_keys(gov_engine, key=keys["ada"]).keys
    }
    assert listed == {
        keys["ada"].fingerprint: ("trusted", 2, None),
        keys["bob"].fingerprint: ("distrusted", gone.seq, "ada"),
    }
    # trusted again: a new registration (by public key; distrust takes either)
    again = trust_key(
        gov_engine, keys["bob"].public_hex, label="bob desktop", principal=people["ada"]
    )
    assert (again.status, again.seq) == ("trusted", gone.seq + 1)
    assert distrust_key(gov_engine, keys["bob"].public_hex, principal=people["ada"]).status == (
        "distrusted"
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda e, k, p: trust_key(e, k["bob"].public_hex, label="x", principal=p["otto"]),
         AccessError, "user 'otto' (role owner) may not log.checkpoint; it needs role admin"),
        (lambda e, k, p: trust_key(e, "xyz", label="x", principal=p["ada"]),
         UsageError, "public key 'xyz' is not 64 hex digits; expected the raw Ed25519 public key "
                     "that 'fairmark log public-key' prints"),
        (lambda e, k, p: trust_key(e, k["bob"].public_hex, label=" ", principal=p["ada"]),
         UsageError, "--label is ' '; expected a short name for the key, e.g. 'ada laptop'"),
        (lambda e, k, p: trust_key(e, k["bob"].public_hex, label="a\nb", principal=p["ada"]),
         UsageError, "--label has a control character ('\\n' at position 2); expected one line "
                     "of printable text"),
        (lambda e, k, p: trust_key(e, k["bob"].public_hex, label="x" * 201, principal=p["ada"]),
         UsageError, "--label has 201 characters; expected at most 200 characters"),
        (lambda e, k, p: trust_key(e, "00" * 32, label="zero", principal=p["ada"]),
         UsageError, "public key 0000000000000000000000000000000000000000000000000000000000000000 "
                     "is not a usable Ed25519 key: it is a point of small order (8 times it is "
                     "the neutral element), for which forged signatures verify; expected the 64 "
                     "hex digits 'fairmark log public-key' prints"),
        (lambda e, k, p: trust_key(e, k["ada"].fingerprint, label="x", principal=p["ada"]),
         UsageError, "is the fingerprint of a key, not the key; expected the raw public key"),
        (lambda e, k, p: trust_key(e, k["ada"].public_hex, label="x", principal=p["ada"]),
         UsageError, "is already trusted (entry 2, label 'first checkpoint key (bootstrap)'); "
                     "expected a key the store does not trust yet"),
        (lambda e, k, p: distrust_key(e, k["bob"].fingerprint, principal=p["ada"]),
         UsageError, "is not registered in the store's audit log; expected a fingerprint from "
                     "'fairmark log keys'"),
        (lambda e, k, p: distrust_key(e, k["ada"].fingerprint, principal=p["ada"]),
         UsageError, "is the store's last trusted key; expected another trusted key first "
                     "('fairmark log trust-key')"),
        (lambda e, k, p: distrust_key(e, k["ada"].fingerprint, principal=p["aldo"]),
         AccessError, "user 'aldo' (role auditor) may not log.checkpoint"),
        (lambda e, k, p: distrust_key(e, "12", principal=p["ada"]),
         UsageError, "key fingerprint '12' is not 64 hex digits; expected a key fingerprint "
                     "from 'fairmark log keys'"),
    ],
)  # fmt: skip
def test_refusals_change_nothing(gov_engine: Engine, keys, people, call, error, message):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    before = log_state(gov_engine)
    with pytest.raises(error) as info:
        call(gov_engine, keys, people)
    assert message in str(info.value)
    assert log_state(gov_engine) == before


def test_a_distrusted_key_cannot_be_distrusted_again(gov_engine: Engine, keys, people):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    trust_key(gov_engine, keys["bob"].public_hex, label="bob", principal=people["ada"])
    gone = distrust_key(gov_engine, keys["bob"].fingerprint, principal=people["ada"])
    before = log_state(gov_engine)
    with pytest.raises(UsageError) as info:
        distrust_key(gov_engine, keys["bob"].fingerprint, principal=people["ada"])
    assert str(info.value) == (
        f"key {keys['bob'].fingerprint} is already distrusted (entry {gone.seq}); expected a "
        "trusted key"
    )
    assert log_state(gov_engine) == before


def test_a_key_the_team_store_does_not_trust_may_not_checkpoint(gov_engine: Engine, keys, people):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    append_many(gov_engine, 1)
    before = log_state(gov_engine)
    if gov_engine.dialect.name == "postgresql":
        with pytest.raises(UsageError) as info:
            create_checkpoint(gov_engine, key=keys["bob"], principal=people["bea"])
        assert str(info.value) == (
            f"this client's signing key (fingerprint {keys['bob'].fingerprint}) is not trusted "
            f"by the store; an admin runs 'fairmark log trust-key {keys['bob'].public_hex} "
            "--label LABEL'; expected a key the store trusts ('fairmark log keys')"
        )
        assert log_state(gov_engine) == before
        trust_key(gov_engine, keys["bob"].public_hex, label="bea's", principal=people["bea"])
    assert create_checkpoint(gov_engine, key=keys["bob"], principal=people["bea"]).seq >= 3


# ----------------------------------------------------------------------------- verification


def test_a_second_key_is_unknown_until_a_trusted_checkpoint_covers_its_registration(
    gov_engine: Engine, keys, people
):
    append_many(gov_engine, 2)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])  # 2, entry 3
    append_many(gov_engine, 1)  # 4
    early = sign_with(gov_engine, keys["bob"])  # bob's client signs entry 4 (record 5)
    assert early.seq == 4
    assert _bad(verify_log(gov_engine, key=keys["ada"])) == (
        4,
        "unknown_key",
        f"the checkpoint of entry 4 is signed by an unknown key {keys['bob'].fingerprint}",
    )
    registered = trust_key(gov_engine, keys["bob"].public_hex, label="bob", principal=people["ada"])
    pending = verify_log(gov_engine, key=keys["ada"])  # registered, not yet covered
    assert _bad(pending) == (
        4,
        "unknown_key",
        f"the checkpoint of entry 4 is signed by an unknown key {keys['bob'].fingerprint} "
        f"(registered at entry {registered.seq}, but no checkpoint signed by a trusted key "
        "covers that registration)",
    )
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])  # covers it
    sign_with(gov_engine, keys["bob"])
    for root, other in (("ada", "bob"), ("bob", "ada")):
        result = verify_log(gov_engine, key=keys[root])
        assert result.ok, result.first_bad
        assert result.trusted_keys == (keys[root].fingerprint,)
        # ada trusts bob by his registration; bob trusts ada by her bootstrap entry, which
        # his own checkpoints cover
        assert result.keys_trusted_by_log == (keys[other].fingerprint,)
        assert result.to_dict()["keys_trusted_by_log"] == [keys[other].fingerprint]
    # the early checkpoint of bob's (before his registration) is fine: fixpoint
    assert verify_log(gov_engine, public_keys=[keys["ada"].public_hex]).ok


def test_a_registration_covered_only_by_untrusted_checkpoints_trusts_nothing(
    gov_engine: Engine, keys, people
):
    """Someone who can write the database appends a registration of their own key (and
    one of a second key) and signs checkpoints of them with those keys: still unknown."""
    append_many(gov_engine, 2)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    mal, carl = keys["mal"], keys["carl"]
    with write_transaction(gov_engine) as conn:  # no permission check: raw access
        forged = append_entry(
            conn,
            actor="ada",
            action="log.key.trust",
            entity_type="key",
            entity_id=mal.fingerprint,
            payload={
                "public_key": mal.public_hex,
                "key_fingerprint": mal.fingerprint,
                "label": "ada laptop",
                "by": "ada",
            },
        )
    first = sign_with(gov_engine, mal)
    trust_key(gov_engine, carl.public_hex, label="carl", principal=people["ada"])
    sign_with(gov_engine, mal)  # mal's checkpoint covers carl's registration
    sign_with(gov_engine, carl)
    result = verify_log(gov_engine, key=keys["ada"])
    assert _bad(result) == (
        first.seq,
        "unknown_key",
        f"the checkpoint of entry {first.seq} is signed by an unknown key {mal.fingerprint} "
        f"(registered at entry {forged.seq}, but no checkpoint signed by a trusted key covers "
        "that registration)",
    )
    assert result.keys_trusted_by_log == ()


def test_trust_is_transitive_and_its_order_in_the_log_does_not_matter(
    gov_engine: Engine, keys, people
):
    """ada -> bob -> carl: carl's first checkpoint precedes both registrations."""
    ada, bob, carl = keys["ada"], keys["bob"], keys["carl"]
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    append_many(gov_engine, 1)
    early = sign_with(gov_engine, carl)
    trust_key(gov_engine, bob.public_hex, label="bob", principal=people["ada"])
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    trust_key(gov_engine, carl.public_hex, label="carl", principal=people["bea"])
    sign_with(gov_engine, bob)  # bob, trusted through ada, covers carl's registration
    append_many(gov_engine, 1)
    sign_with(gov_engine, carl)
    result = verify_log(gov_engine, key=ada)
    assert result.ok, result.first_bad
    assert result.keys_trusted_by_log == tuple(sorted((bob.fingerprint, carl.fingerprint)))
    assert early.seq < min(k.record.registered_seq for k in list_keys(gov_engine).keys[1:])
    # without ada as a root, carl's registration alone makes nothing trusted
    alone = verify_log(gov_engine, public_keys=[keys["mal"].fingerprint])
    assert _bad(alone)[1] == "unknown_key" and alone.keys_trusted_by_log == ()


def test_distrust_withdraws_later_checkpoints_only(gov_engine: Engine, keys, people):
    ada, bob = keys["ada"], keys["bob"]
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    trust_key(gov_engine, bob.public_hex, label="bob", principal=people["ada"])
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    append_many(gov_engine, 1)
    sign_with(gov_engine, bob)  # before the withdrawal: stays valid
    gone = distrust_key(gov_engine, bob.fingerprint, principal=people["ada"])
    assert verify_log(gov_engine, key=ada).ok
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])  # covers the distrust
    append_many(gov_engine, 1)
    late = sign_with(gov_engine, bob)
    result = verify_log(gov_engine, key=ada)
    assert _bad(result) == (
        late.seq,
        "unknown_key",
        f"the checkpoint of entry {late.seq} is signed by an unknown key {bob.fingerprint}, "
        f"distrusted at entry {gone.seq} (log.key.distrust)",
    )
    assert result.keys_trusted_by_log == ()
    # a verifier's own roots are never withdrawn by the log
    assert verify_log(gov_engine, public_keys=[ada.fingerprint, bob.fingerprint]).ok


def test_a_jsonl_export_honours_the_trust_entries(gov_engine: Engine, keys, people, tmp_path: Path):
    ada, bob = keys["ada"], keys["bob"]
    append_many(gov_engine, 2)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    trust_key(gov_engine, bob.public_hex, label="bob", principal=people["ada"])
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    append_many(gov_engine, 1)
    late = sign_with(gov_engine, bob)
    full = tmp_path / "log.jsonl"
    export_log(gov_engine, full)
    result = verify_export(full, public_keys=[ada.fingerprint])
    assert result.ok, result.first_bad
    assert (result.source, result.keys_trusted_by_log) == (str(full), (bob.fingerprint,))
    # an export that leaves the registration out proves nothing about bob's key
    partial = tmp_path / "partial.jsonl"
    export_log(gov_engine, partial, since_seq=late.seq - 1)
    assert _bad(verify_export(partial, public_keys=[ada.fingerprint])) == (
        late.seq,
        "unknown_key",
        f"the checkpoint of entry {late.seq} is signed by an unknown key {bob.fingerprint}",
    )
    # the registration edited to name mallory's key: the chain breaks there
    lines = full.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        record = json.loads(line)
        if record.get("action") == "log.key.trust":
            record["payload"]["public_key"] = keys["mal"].public_hex
            lines[i] = json.dumps(record)
    full.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _bad(verify_export(full, public_keys=[ada.fingerprint]))[1] == "altered"


# ----------------------------------------------------------------------------- log keys


def _standings(engine: Engine, **roots: Any) -> dict[str, tuple[Any, ...]]:
    """``fingerprint -> (status, status_seq, covered_by, covered_by_key, root, pending_seq,
    log_status)`` as ``list_keys`` judges them from ``roots``."""
    return {
        k.record.key_fingerprint: (
            k.status,
            k.status_seq,
            k.covered_by,
            k.covered_by_key,
            k.root,
            k.pending_seq,
            k.record.status,
        )
        for k in list_keys(engine, **roots).keys
    }


def _forge_registration(engine: Engine, key: SigningKey) -> int:
    """Append a ``log.key.trust`` of ``key`` in ada's name, with database access only."""
    with write_transaction(engine) as conn:
        return append_entry(
            conn,
            actor="ada",
            action="log.key.trust",
            entity_type="key",
            entity_id=key.fingerprint,
            payload={
                "public_key": key.public_hex,
                "key_fingerprint": key.fingerprint,
                "label": "ada laptop",
                "by": "ada",
            },
        ).seq


def test_log_keys_shows_a_forged_registration_as_pending(gov_engine: Engine, keys, people):
    """QA: a ``log.key.trust`` appended with database access was listed as trusted."""
    ada, mal = keys["ada"], keys["mal"]
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])  # cp 1, bootstrap 2
    forged = _forge_registration(gov_engine, mal)
    mal_cp = sign_with(gov_engine, mal)  # the forger's own checkpoint covers it: no matter
    expected_ada = ("trusted", None, None, None, ada.fingerprint, None, "trusted")
    pending = ("pending", None, None, None, None, forged, "trusted")
    assert _standings(gov_engine, key=ada) == {
        ada.fingerprint: expected_ada,
        mal.fingerprint: pending,
    }
    # the same from ada's published key given as --public-key (raw key or fingerprint)
    assert _standings(gov_engine, public_keys=[ada.public_hex]) == {
        ada.fingerprint: expected_ada,
        mal.fingerprint: pending,
    }
    # and verification agrees: mal's checkpoint is unknown_key
    assert _bad(verify_log(gov_engine, key=ada))[:2] == (mal_cp.seq, "unknown_key")
    # from mal's own key as the root, the root is named: ada's bootstrap (entry 2) is
    # covered by mal's checkpoint
    from_mal = _standings(gov_engine, key=mal)
    assert from_mal[mal.fingerprint][:2] == ("trusted", None)
    assert from_mal[ada.fingerprint] == (
        "trusted", 2, mal_cp.seq, mal.fingerprint, mal.fingerprint, None, "trusted"
    )  # fmt: skip


def test_log_keys_names_the_checkpoint_and_root_of_each_trust(gov_engine: Engine, keys, people):
    """ada -> bob -> carl; then ada withdraws bob: pending until a checkpoint covers it."""
    ada, bob, carl = keys["ada"], keys["bob"], keys["carl"]
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])  # cp 1, entry 2
    bob_seq = trust_key(gov_engine, bob.public_hex, label="bob", principal=people["ada"]).seq
    ada_cp = create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    carl_seq = trust_key(gov_engine, carl.public_hex, label="carl", principal=people["ada"]).seq
    bob_cp = sign_with(gov_engine, bob)
    assert (bob_seq, ada_cp.seq, carl_seq, bob_cp.seq) == (3, 3, 5, 5)
    assert _standings(gov_engine, key=ada) == {
        ada.fingerprint: ("trusted", None, None, None, ada.fingerprint, None, "trusted"),
        bob.fingerprint: ("trusted", 3, 3, ada.fingerprint, ada.fingerprint, None, "trusted"),
        carl.fingerprint: ("trusted", 5, 5, bob.fingerprint, ada.fingerprint, None, "trusted"),
    }
    # from bob's key: ada's bootstrap (entry 2) is covered by bob's checkpoint (5)
    assert _standings(gov_engine, key=bob)[ada.fingerprint] == (
        "trusted", 2, 5, bob.fingerprint, bob.fingerprint, None, "trusted"
    )  # fmt: skip
    gone = distrust_key(gov_engine, bob.fingerprint, principal=people["ada"]).seq
    waiting = _standings(gov_engine, key=ada)
    assert waiting[bob.fingerprint] == (
        "trusted", 3, 3, ada.fingerprint, ada.fingerprint, gone, "distrusted"
    )  # fmt: skip
    covering = create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    done = _standings(gov_engine, key=ada)
    assert done[bob.fingerprint] == (
        "distrusted", gone, covering.seq, ada.fingerprint, ada.fingerprint, None, "distrusted"
    )  # fmt: skip
    # carl stays trusted: bob's checkpoint came before the withdrawal
    assert done[carl.fingerprint][0] == "trusted"
    assert verify_log(gov_engine, key=ada).ok


def test_log_keys_ignores_checkpoints_the_log_no_longer_matches(gov_engine: Engine, keys, people):
    ada, bob = keys["ada"], keys["bob"]
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    registered = trust_key(gov_engine, bob.public_hex, label="bob", principal=people["ada"])
    create_checkpoint(gov_engine, key=ada, principal=people["ada"])
    assert _standings(gov_engine, key=ada)[bob.fingerprint][0] == "trusted"
    with unguarded(gov_engine) as conn:  # the whole chain rewritten and re-hashed
        rewrite_from(conn, 1, actor="mallory")
    assert _standings(gov_engine, key=ada)[bob.fingerprint] == (
        "pending", None, None, None, None, registered.seq, "trusted"
    )  # fmt: skip


def test_log_keys_refuses_a_small_order_root_and_changes_nothing(gov_engine: Engine, keys, people):
    append_many(gov_engine, 1)
    create_checkpoint(gov_engine, key=keys["ada"], principal=people["ada"])
    before = log_state(gov_engine)
    with pytest.raises(UsageError) as info:
        list_keys(gov_engine, public_keys=["00" * 32])
    assert str(info.value) == (
        f"public key {'00' * 32} is not a usable Ed25519 key: it is a point of small order "
        "(8 times it is the neutral element), for which forged signatures verify; expected "
        "the 64 hex digits 'fairmark log public-key' prints (or its fingerprint)"
    )
    assert log_state(gov_engine) == before


# ----------------------------------------------------------------------------- public keys


def test_public_keys_are_read_from_hex_or_files(keys, tmp_path: Path):
    bob = keys["bob"]
    assert public_key_hex(f"  {bob.public_hex.upper()}\n") == bob.public_hex
    text = tmp_path / "bob.pub"
    text.write_text(bob.public_hex + "\n")
    assert public_key_hex(text) == bob.public_hex
    pem = tmp_path / "bob.pem.pub"
    private = serialization.load_pem_private_key(bob.path.read_bytes(), password=None)
    pem.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert public_key_hex(pem) == bob.public_hex
    with pytest.raises(UsageError, match="holds a private key; expected a public key"):
        public_key_hex(bob.path)
    rsa_like = tmp_path / "other.pub"
    rsa_like.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    with pytest.raises(UsageError, match="does not start with 64 hex digits"):
        public_key_hex(rsa_like)
    with pytest.raises(UsageError) as info:
        public_key_hex("nope")
    assert str(info.value) == (
        "public key 'nope' is neither 64 hex digits nor a file; expected the raw Ed25519 "
        "public key (64 hex digits) that 'fairmark log public-key' prints, or a file holding "
        "it (hex or PEM)"
    )
