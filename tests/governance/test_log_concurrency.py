"""Concurrent writers never lose or fork log entries (PostgreSQL and a SQLite file).

Eight writers, each a thread with its own engine (its own connections, as separate
processes would have), start together and append 50 entries each, one transaction per
entry, with a checkpoint made halfway by one of them. The log must hold exactly 400 + 1
entries, ``seq`` gap-free, each ``prev_hash`` used once, every writer's entries in its own
order, and verify.

SQLite serialises writers with ``BEGIN IMMEDIATE`` and its busy handler, which is not fair:
with eight writers on a loaded machine one can wait longer than pysqlite's default 5 s
busy timeout and fail with "database is locked" (cleanly: nothing half-written, the chain
intact). The writers here use a 60 s busy timeout (``?timeout=60`` in the URL).
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from fairmark.governance.access import Principal
from fairmark.governance.chain import append_entry
from fairmark.governance.keys import load_signing_key
from fairmark.governance.log import create_checkpoint, read_entries, verify_log
from fairmark.store.db import open_engine, write_transaction

WRITERS = 8
PER_WRITER = 50


def _writer_url(store_url: str) -> str:
    """The store URL with a 60 s busy timeout on SQLite."""
    return f"{store_url}?timeout=60" if store_url.startswith("sqlite") else store_url


def _write(url: str, writer: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    engine = open_engine(url)
    try:
        start.wait(timeout=60)
        for i in range(PER_WRITER):
            with write_transaction(engine) as conn:
                append_entry(
                    conn,
                    actor=f"writer-{writer}",
                    action="system.update",
                    entity_type="system",
                    entity_id=f"sys-{writer}",
                    payload={"writer": writer, "i": i},
                )
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        engine.dispose()


def _checkpoint_midway(
    url: str, engine: Engine, key_file: Path, errors: list[BaseException]
) -> None:
    try:
        while len(read_entries(engine, limit=1, newest=True)) == 0 or (
            read_entries(engine, limit=1, newest=True)[0].seq < WRITERS * PER_WRITER // 2
        ):
            threading.Event().wait(0.01)
        own = open_engine(url)
        try:
            create_checkpoint(own, key=key_file, principal=Principal("ada", "admin"))
        finally:
            own.dispose()
    except BaseException as exc:
        errors.append(exc)


@pytest.mark.slow
def test_eight_concurrent_writers_never_fork_the_chain(
    store_url: str, gov_engine: Engine, tmp_path: Path
):
    key_file = tmp_path / "signing_key.pem"
    key = load_signing_key(key_file)
    url = _writer_url(store_url)
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_write, args=(url, w, start, errors)) for w in range(WRITERS)
    ]
    threads.append(
        threading.Thread(target=_checkpoint_midway, args=(url, gov_engine, key_file, errors))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    entries = read_entries(gov_engine)
    total = WRITERS * PER_WRITER + 1  # + the checkpoint's record
    assert len(entries) == total
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert len({e.prev_hash for e in entries}) == total
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    writes = [e for e in entries if e.action == "system.update"]
    assert Counter(e.payload["writer"] for e in writes) == dict.fromkeys(range(WRITERS), PER_WRITER)
    for writer in range(WRITERS):
        mine = [e.payload["i"] for e in writes if e.payload["writer"] == writer]
        assert mine == list(range(PER_WRITER))
    result = verify_log(gov_engine, key=key)
    assert result.ok, result.first_bad
    assert (result.n_entries, result.n_checkpoints) == (total, 1)
