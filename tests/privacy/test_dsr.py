"""Data subject requests: access and erasure across DuckDB, SQLite and PostgreSQL sources.

Every count and every "nothing remains" claim is checked with the databases' own drivers
(duckdb, sqlite3, psycopg), independently of the code under test.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import importlib
import json
import math
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from tests.store.conftest import PG_DATABASE, PG_HOST, PG_PORT, pg_url

from fairmark.errors import UsageError
from fairmark.privacy import dsr
from fairmark.privacy.dsr.connect import open_source, scrub
from fairmark.privacy.dsr.export import json_value
from fairmark.privacy.protect import Keystore, decrypt, encrypt, generate_key
from fairmark.store import open_engine, upgrade
from fairmark.store.models import Base

SUBJECT = "cust-42"
OTHER = "cust-7"


# -- helpers: build sources with the databases' own drivers ------------------------------


def _q(name: str) -> str:
    """A quoted identifier, written out independently of the code under test."""
    return '"' + name.replace('"', '""') + '"'


def _sqlite(path: Path, ddl: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(ddl)
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {_q(table)} VALUES ({marks})", rows)
    con.close()


def _duckdb(path: Path, ddl: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    con = duckdb.connect(str(path))
    con.execute(ddl)
    marks = ", ".join("?" * len(rows[0]))
    con.executemany(f"INSERT INTO {_q(table)} VALUES ({marks})", rows)
    con.close()


def _pg(user: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, dbname=PG_DATABASE, user=user, autocommit=True
    )


def _sqlite_count(path: Path, table: str, column: str, value: Any) -> int:
    con = sqlite3.connect(path)
    try:
        query = f"SELECT count(*) FROM {_q(table)} WHERE {_q(column)} = ?"
        return con.execute(query, [value]).fetchone()[0]
    finally:
        con.close()


def _duckdb_count(path: Path, table: str, column: str, value: Any) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        query = f"SELECT count(*) FROM {_q(table)} WHERE {_q(column)} = ?"
        return con.execute(query, [value]).fetchone()[0]
    finally:
        con.close()


def _pg_count(user: str, schema: str, table: str, column: str, value: Any) -> int:
    names = (_q(n).replace("%", "%%") for n in (schema, table, column))  # psycopg: % escaped
    query = "SELECT count(*) FROM {}.{} WHERE {} = %s".format(*names)
    with _pg(user) as con:
        return con.execute(query, [value]).fetchone()[0]


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A fresh SQLite fairmark store (sources and request log)."""
    return f"sqlite:///{tmp_path / 'store' / 'fairmark.db'}"


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    """SQLite ``customers``: one row of the subject, one of someone else."""
    path = tmp_path / "crm.db"
    _sqlite(
        path,
        "CREATE TABLE customers (customer_id TEXT, email TEXT, consent INTEGER)",
        "customers",
        [(SUBJECT, "ann@example.org", 1), (OTHER, "bob@example.org", 0)],
    )
    return path


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """DuckDB ``events``: two rows of the subject, one of someone else."""
    path = tmp_path / "events.duckdb"
    _duckdb(
        path,
        "CREATE TABLE events (customer_id VARCHAR, event VARCHAR, happened_at TIMESTAMP, "
        "amount DECIMAL(8, 2))",
        "events",
        [
            (SUBJECT, "open", dt.datetime(2026, 3, 1, 10, 0), None),
            (SUBJECT, "purchase", dt.datetime(2026, 3, 2, 11, 30), decimal.Decimal("19.99")),
            (OTHER, "open", dt.datetime(2026, 3, 1, 9, 0), None),
        ],
    )
    return path


@pytest.fixture
def orders(pg_user: str, pg_schema: str) -> Iterator[str]:
    """PostgreSQL ``<schema>.orders``: three rows of the subject, one of someone else.

    The schema is unique to the test and dropped afterwards (``pg_schema``).
    """
    with _pg(pg_user) as con:
        con.execute(
            sql.SQL(
                "CREATE TABLE {}.orders (order_id integer, customer_id text, "
                "total numeric(8, 2), meta jsonb, placed timestamptz, receipt bytea)"
            ).format(sql.Identifier(pg_schema))
        )
        con.cursor().executemany(
            sql.SQL("INSERT INTO {}.orders VALUES (%s, %s, %s, %s, %s, %s)").format(
                sql.Identifier(pg_schema)
            ),
            [
                (1, SUBJECT, decimal.Decimal("10.50"), '{"channel": "web"}',
                 dt.datetime(2026, 3, 3, 12, 0, tzinfo=dt.UTC), b"\x00\x01"),
                (2, SUBJECT, decimal.Decimal("5.25"), None,
                 dt.datetime(2026, 3, 4, 8, 15, tzinfo=dt.UTC), None),
                (3, SUBJECT, decimal.Decimal("0.00"), '{"refund": true}',
                 dt.datetime(2026, 3, 5, 18, 45, tzinfo=dt.UTC), None),
                (4, OTHER, decimal.Decimal("99.00"), None,
                 dt.datetime(2026, 3, 5, 18, 45, tzinfo=dt.UTC), None),
            ],
        )
    yield pg_schema


def _records(out: Path, name: str) -> list[dict[str, Any]]:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["records"]


# -- the Done-when test --------------------------------------------------------------------


@pytest.mark.postgres
def test_access_then_erase_across_duckdb_sqlite_and_postgres(
    store: str, crm: Path, events: Path, orders: str, pg_user: str, tmp_path: Path
):
    pg_source = pg_url(pg_user, orders)  # the schema reached through search_path
    dsr.add_source("crm", f"sqlite:///{crm}", "customers", "customer_id", db=store)
    dsr.add_source("events", f"duckdb:///{events}", "events", "customer_id", db=store)
    dsr.add_source("orders", pg_source, "orders", "customer_id", db=store)

    # access: one file per source + manifest, every record of the subject and no other
    out = tmp_path / "export"
    result = dsr.access(SUBJECT, out, db=store)
    assert result.ok and result.exit_code == 0
    assert [(o.source, o.engine, o.rows_found) for o in result.outcomes] == [
        ("crm", "sqlite", 1), ("events", "duckdb", 2), ("orders", "postgresql", 3)
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "crm.json", "events.json", "manifest.json", "orders.json"
    ]
    assert not list(tmp_path.glob(".export.staging-*"))
    assert _records(out, "crm") == [
        {"customer_id": SUBJECT, "email": "ann@example.org", "consent": 1}
    ]
    assert sorted(_records(out, "events"), key=lambda r: r["happened_at"]) == [
        {"customer_id": SUBJECT, "event": "open", "happened_at": "2026-03-01T10:00:00",
         "amount": None},
        {"customer_id": SUBJECT, "event": "purchase", "happened_at": "2026-03-02T11:30:00",
         "amount": "19.99"},
    ]
    pg_rows = sorted(_records(out, "orders"), key=lambda r: r["order_id"])
    assert [(r["order_id"], r["total"], r["meta"], r["receipt"]) for r in pg_rows] == [
        (1, "10.50", {"channel": "web"}, {"base64": "AAE="}),
        (2, "5.25", None, None),
        (3, "0.00", {"refund": True}, None),
    ]
    assert dt.datetime.fromisoformat(pg_rows[0]["placed"]) == dt.datetime(
        2026, 3, 3, 12, 0, tzinfo=dt.UTC
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "dsr_access_manifest"
    assert manifest["request_id"] == result.request_id and manifest["complete"] is True
    for entry in manifest["sources"]:
        data = (out / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    assert [e["n_records"] for e in manifest["sources"]] == [1, 2, 3]

    # dry run: counts, changes nothing
    dry = dsr.erase(SUBJECT, db=store)
    assert dry.dry_run and [o.rows_found for o in dry.outcomes] == [1, 2, 3]
    assert [o.action for o in dry.outcomes] == ["count"] * 3
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 1
    assert _duckdb_count(events, "events", "customer_id", SUBJECT) == 2
    assert _pg_count(pg_user, orders, "orders", "customer_id", SUBJECT) == 3

    # verify identity, then erase for real
    dsr.record_verification(SUBJECT, "account_login", "Dana (DPO office)", db=store)
    erased = dsr.erase(SUBJECT, execute=True, db=store)
    assert erased.ok and not erased.dry_run
    assert [(o.rows_found, o.rows_deleted, o.rows_remaining, o.verified) for o in
            erased.outcomes] == [(1, 1, 0, True), (2, 2, 0, True), (3, 3, 0, True)]
    assert erased.identity_verification is not None
    assert erased.identity_verification.verified_by == "Dana (DPO office)"
    # independently: nothing of the subject remains, everyone else is untouched
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 0
    assert _duckdb_count(events, "events", "customer_id", SUBJECT) == 0
    assert _pg_count(pg_user, orders, "orders", "customer_id", SUBJECT) == 0
    assert _sqlite_count(crm, "customers", "customer_id", OTHER) == 1
    assert _duckdb_count(events, "events", "customer_id", OTHER) == 1
    assert _pg_count(pg_user, orders, "orders", "customer_id", OTHER) == 1

    # the request log: three requests, nine outcomes, the verification relied on
    log = dsr.list_requests(store, subject=SUBJECT)
    assert [(r.request, r.dry_run, r.n_outcomes, r.rows_found, r.rows_deleted) for r in log] == [
        ("erasure", False, 3, 6, 6), ("erasure", True, 3, 6, 0), ("access", False, 3, 6, 0)
    ]
    assert log[0].verification_id == erased.identity_verification.verification_id
    assert all(r.complete for r in log)
    engine = open_engine(store)
    try:
        with engine.connect() as conn:
            outcomes = conn.execute(
                text("SELECT source_name, action, rows_deleted, verified FROM dsr_outcomes "
                     "WHERE request_id = :r ORDER BY source_name"),
                {"r": erased.request_id},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in outcomes] == [
        ("crm", "delete", 1, True), ("events", "delete", 2, True), ("orders", "delete", 3, True)
    ]


# -- erasure guards -------------------------------------------------------------------------


@pytest.fixture
def two_sources(store: str, crm: Path, events: Path) -> str:
    dsr.add_source("crm", f"sqlite:///{crm}", "customers", "customer_id", db=store)
    dsr.add_source("events", f"duckdb:///{events}", "events", "customer_id", db=store)
    return store


def test_dry_run_deletes_nothing_and_is_recorded(two_sources: str, crm: Path, events: Path):
    result = dsr.erase(SUBJECT, db=two_sources)
    assert result.dry_run and result.ok
    assert [(o.source, o.rows_found, o.rows_deleted, o.verified) for o in result.outcomes] == [
        ("crm", 1, None, None), ("events", 2, None, None)
    ]
    assert [o.plan for o in result.outcomes] == ["delete", "delete"]
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 1
    assert _duckdb_count(events, "events", "customer_id", SUBJECT) == 2
    [logged] = dsr.list_requests(two_sources)
    assert (logged.request, logged.dry_run, logged.rows_deleted) == ("erasure", True, 0)


def test_erase_without_identity_verification_is_refused(
    two_sources: str, crm: Path, events: Path
):
    with pytest.raises(UsageError, match=r"not verified.*fairmark dsr verify") as exc:
        dsr.erase(SUBJECT, execute=True, db=two_sources)
    assert "\n" not in str(exc.value) and SUBJECT not in str(exc.value)
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 1
    assert _duckdb_count(events, "events", "customer_id", SUBJECT) == 2
    assert dsr.list_requests(two_sources) == []  # refused before anything was recorded

    # a verification of someone else does not count
    dsr.record_verification(OTHER, "id_document", "Sam", db=two_sources)
    with pytest.raises(UsageError, match="not verified"):
        dsr.erase(SUBJECT, execute=True, db=two_sources)


def test_failed_or_stale_verification_is_refused(two_sources: str, crm: Path):
    dsr.record_verification(SUBJECT, "email_link", "Sam", db=two_sources)
    dsr.record_verification(SUBJECT, "callback", "Sam", status="failed", db=two_sources)
    with pytest.raises(UsageError, match=r"the latest check, by Sam on .* failed"):
        dsr.erase(SUBJECT, execute=True, db=two_sources)
    dsr.record_verification(SUBJECT, "id_document", "Kim", db=two_sources)
    with pytest.raises(UsageError, match=r"older than 0:00:00"):
        dsr.erase(SUBJECT, execute=True, db=two_sources,
                  max_verification_age=dt.timedelta(microseconds=1))
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 1
    result = dsr.erase(SUBJECT, execute=True, db=two_sources)
    assert result.ok
    assert result.identity_verification is not None
    assert result.identity_verification.method == "id_document"


def test_a_failing_source_does_not_stop_the_others(
    two_sources: str, crm: Path, events: Path, tmp_path: Path
):
    other = tmp_path / "other.db"
    _sqlite(other, "CREATE TABLE t (x TEXT)", "t", [("a",)])
    store = two_sources
    dsr.add_source("a-missing-table", f"sqlite:///{other}", "gone", "customer_id",
                   db=store, check=False)
    dsr.add_source("b-missing-file", f"duckdb:///{tmp_path / 'nope.duckdb'}", "events",
                   "customer_id", db=store, check=False)
    dsr.add_source("pg-unreachable", "postgresql://fm:s3cret@127.0.0.1:1/test", "orders",
                   "customer_id", db=store, check=False)
    dsr.record_verification(SUBJECT, "account_login", "Dana", db=store)

    result = dsr.erase(SUBJECT, execute=True, db=store)

    assert result.exit_code == 1
    assert result.failed_sources == ("a-missing-table", "b-missing-file", "pg-unreachable")
    by_name = {o.source: o for o in result.outcomes}
    assert "table 'gone' not found; tables there: t" in str(by_name["a-missing-table"].error)
    assert "no such file" in str(by_name["b-missing-file"].error)
    assert "Connection refused" in str(by_name["pg-unreachable"].error)
    assert "s3cret" not in json.dumps(result.to_dict())  # password never shown
    assert all("\n" not in str(o.error) for o in result.outcomes)
    assert (by_name["crm"].rows_deleted, by_name["crm"].verified) == (1, True)
    assert (by_name["events"].rows_deleted, by_name["events"].verified) == (2, True)
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 0
    assert _duckdb_count(events, "events", "customer_id", SUBJECT) == 0
    [logged] = [r for r in dsr.list_requests(store) if not r.dry_run]
    assert (logged.n_sources, logged.n_outcomes, logged.n_failed) == (5, 5, 3)


@pytest.mark.postgres
def test_permission_denied_in_one_source_is_reported(
    store: str, crm: Path, orders: str, pg_user: str
):
    role = f"fm_ro_{uuid.uuid4().hex[:10]}"
    with _pg(pg_user) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
            sql.Identifier(orders), sql.Identifier(role)))
        con.execute(sql.SQL("GRANT SELECT ON {}.orders TO {}").format(
            sql.Identifier(orders), sql.Identifier(role)))
    try:
        dsr.add_source("crm", f"sqlite:///{crm}", "customers", "customer_id", db=store)
        dsr.add_source("orders", pg_url(role, orders), "orders", "customer_id", db=store)
        dsr.record_verification(SUBJECT, "account_login", "Dana", db=store)
        result = dsr.erase(SUBJECT, execute=True, db=store)
    finally:
        with _pg(pg_user) as con:
            con.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            con.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    by_name = {o.source: o for o in result.outcomes}
    assert result.failed_sources == ("orders",)
    assert "permission denied for table orders" in str(by_name["orders"].error)
    assert by_name["orders"].verified is False and by_name["orders"].rows_deleted is None
    assert _pg_count(pg_user, orders, "orders", "customer_id", SUBJECT) == 3  # rolled back
    assert by_name["crm"].verified is True
    assert _sqlite_count(crm, "customers", "customer_id", SUBJECT) == 0


# -- the subject is a bound parameter --------------------------------------------------------

NASTY = [
    "o'brien",
    "x' OR '1'='1",
    '"; DROP TABLE customers; --',
    "100%s?%%$1",
    "名前 ✓ \\ '' \"",
]
WEIRD_TABLE, WEIRD_COLUMN = 'cust"om%ers', "id;--%s"


def _weird_sources(tmp_path: Path, rows: list[tuple[Any, ...]]) -> list[str]:
    """The same rows in a SQLite and a DuckDB table whose names need quoting."""
    lite, duck = tmp_path / "a.db", tmp_path / "b.duckdb"
    ddl = f"CREATE TABLE {_q(WEIRD_TABLE)} ({_q(WEIRD_COLUMN)} TEXT, note TEXT)"
    _sqlite(lite, ddl, WEIRD_TABLE, rows)
    _duckdb(duck, ddl, WEIRD_TABLE, rows)
    return [f"sqlite:///{lite}", f"duckdb:///{duck}"]


@pytest.mark.parametrize("subject", NASTY)
def test_subject_ids_with_sql_metacharacters_are_bound_not_spliced(
    tmp_path: Path, subject: str
):
    rows = [(subject, "theirs"), ("o", "else"), ("x", "else"), ("1", "else")]
    for url in _weird_sources(tmp_path, rows):
        with open_source(url, WEIRD_TABLE, WEIRD_COLUMN) as conn:
            assert conn.count(subject) == 1, url
            assert list(conn.rows(subject)) == [(subject, "theirs")], url
        with open_source(url, WEIRD_TABLE, WEIRD_COLUMN, write=True) as conn:
            assert conn.delete(subject) == (1, 1), url
        with open_source(url, WEIRD_TABLE, WEIRD_COLUMN) as conn:
            assert conn.count(subject) == 0, url
            assert sorted(r[0] for r in conn.rows("o")) == ["o"], url  # table intact


def test_a_tricky_subject_end_to_end(store: str, tmp_path: Path):
    subject = NASTY[2]
    urls = _weird_sources(tmp_path, [(subject, "theirs"), ("x", "else")])
    for name, url in zip(("duck", "lite"), urls[::-1], strict=True):
        dsr.add_source(name, url, WEIRD_TABLE, WEIRD_COLUMN, db=store)
    out = tmp_path / "out"
    assert [o.rows_found for o in dsr.access(subject, out, db=store).outcomes] == [1, 1]
    assert _records(out, "lite") == [{WEIRD_COLUMN: subject, "note": "theirs"}]
    dsr.record_verification(subject, "account_login", "Dana", db=store)
    erased = dsr.erase(subject, execute=True, db=store)
    assert [(o.rows_deleted, o.verified) for o in erased.outcomes] == [(1, True), (1, True)]
    assert _sqlite_count(tmp_path / "a.db", WEIRD_TABLE, WEIRD_COLUMN, "x") == 1
    assert _duckdb_count(tmp_path / "b.duckdb", WEIRD_TABLE, WEIRD_COLUMN, "x") == 1


@pytest.mark.postgres
def test_postgres_subject_ids_with_sql_metacharacters_are_bound_not_spliced(
    pg_user: str, pg_schema: str
):
    rows = [(s, "theirs") for s in NASTY] + [("x", "else")]
    with _pg(pg_user) as con:
        con.execute(f"CREATE TABLE {_q(pg_schema)}.{_q(WEIRD_TABLE)} "
                    f"({_q(WEIRD_COLUMN)} text, note text)")
        con.cursor().executemany(
            f"INSERT INTO {_q(pg_schema)}.{_q(WEIRD_TABLE).replace('%', '%%')} VALUES (%s, %s)",
            rows,
        )
    url = pg_url(pg_user, pg_schema)
    for subject in NASTY:
        with open_source(url, WEIRD_TABLE, WEIRD_COLUMN) as conn:
            assert conn.count(subject) == 1
            assert list(conn.rows(subject)) == [(subject, "theirs")]
        with open_source(url, WEIRD_TABLE, WEIRD_COLUMN, write=True) as conn:
            assert conn.delete(subject) == (1, 1)
    assert _pg_count(pg_user, pg_schema, WEIRD_TABLE, WEIRD_COLUMN, "x") == 1
    with _pg(pg_user) as con:
        left = con.execute(f"SELECT count(*) FROM {_q(pg_schema)}.{_q(WEIRD_TABLE)}").fetchone()
    assert left == (1,)


def test_integer_subject_columns_match_the_canonical_integer_text_only(
    store: str, tmp_path: Path
):
    lite, duck = tmp_path / "a.db", tmp_path / "b.duckdb"
    rows = [(42, "theirs"), (7, "else"), (420, "else")]
    _sqlite(lite, "CREATE TABLE t (id INTEGER, note TEXT)", "t", rows)
    _duckdb(duck, "CREATE TABLE t (id BIGINT, note VARCHAR)", "t", rows)
    for url in (f"sqlite:///{lite}", f"duckdb:///{duck}"):
        with open_source(url, "t", "id") as conn:
            assert conn.count("42") == 1
            assert list(conn.rows("42")) == [(42, "theirs")]
            for other in ("042", "42.0", "abc", " 42", "+42", "99999999999999999999999"):
                assert conn.count(other) == 0, (url, other)
    dsr.add_source("lite", f"sqlite:///{lite}", "t", "id", db=store)
    dsr.add_source("duck", f"duckdb:///{duck}", "t", "id", db=store)
    assert [o.rows_found for o in dsr.erase("42", db=store).outcomes] == [1, 1]
    assert [o.rows_found for o in dsr.erase("abc", db=store).outcomes] == [0, 0]


# -- encrypted sources: crypto-shredding through the keystore --------------------------------


@pytest.fixture
def encrypted_crm(tmp_path: Path, store: str) -> tuple[Path, Path, pd.DataFrame]:
    """A SQLite table loaded from a file written by ``fairmark protect encrypt``."""
    keys = tmp_path / "keys"
    keys.mkdir()
    master = generate_key(keys / "master.key")
    frame = pd.DataFrame({
        "customer_id": [SUBJECT, OTHER, SUBJECT],
        "email": ["ann@example.org", "bob@example.org", "ann@work.example"],
        "region": ["n", "s", "n"],
    })
    data = tmp_path / "data"
    data.mkdir()
    plain = data / "plain.csv"
    frame.to_csv(plain, index=False)
    sealed = data / "sealed.csv"
    with Keystore(master, store) as keystore:
        encrypt(str(plain), "email", "customer_id", keystore, sealed)
    table = pd.read_csv(sealed)
    assert not table["email"].str.contains("@").any()  # really ciphertext
    path = data / "sealed.db"
    rows = list(table.itertuples(index=False, name=None))
    _sqlite(path, "CREATE TABLE customers (customer_id TEXT, email TEXT, region TEXT)",
            "customers", rows)
    return path, keys / "master.key", frame


def test_encrypted_source_is_decrypted_for_access_and_crypto_shredded(
    store: str, tmp_path: Path, encrypted_crm: tuple[Path, Path, pd.DataFrame]
):
    path, key_file, _ = encrypted_crm
    dsr.add_source(
        "crm", f"sqlite:///{path}", "customers", "customer_id", db=store,
        encryption=dsr.Encryption(columns=("email",), master_key_file=str(key_file)),
    )
    out = tmp_path / "out"
    access = dsr.access(SUBJECT, out, db=store)
    assert access.ok and access.outcomes[0].n_cells_unreadable == 0
    assert sorted(r["email"] for r in _records(out, "crm")) == [
        "ann@example.org", "ann@work.example"
    ]
    dsr.record_verification(SUBJECT, "account_login", "Dana", db=store)
    [outcome] = dsr.erase(SUBJECT, execute=True, db=store).outcomes
    assert (outcome.action, outcome.shred_status, outcome.rows_deleted,
            outcome.rows_remaining, outcome.verified) == (
        "delete_and_shred", "shredded", 2, 0, True
    )
    # the ciphertext copy outside the source (the encrypted file) no longer decrypts
    from fairmark.privacy.protect import load_key

    with Keystore(load_key(key_file), store) as keystore:
        decrypt(str(path.parent / "sealed.csv"), "email", "customer_id", keystore,
                path.parent / "back.csv")
    back = pd.read_csv(path.parent / "back.csv")
    assert back.loc[back.customer_id == SUBJECT, "email"].isna().all()
    assert back.loc[back.customer_id == OTHER, "email"].tolist() == ["bob@example.org"]


def test_shred_only_source_keeps_rows_and_loses_the_key(
    store: str, tmp_path: Path, encrypted_crm: tuple[Path, Path, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
):
    path, key_file, _ = encrypted_crm
    monkeypatch.setenv("FM_TEST_MASTER", key_file.read_text().strip())
    dsr.add_source(
        "log", f"sqlite:///{path}", "customers", "customer_id", db=store,
        encryption=dsr.Encryption(("email",), master_key_env="FM_TEST_MASTER",
                                  delete_rows=False),
    )
    assert dsr.erase(SUBJECT, db=store).outcomes[0].plan == "shred"
    dsr.record_verification(SUBJECT, "account_login", "Dana", db=store)
    [outcome] = dsr.erase(SUBJECT, execute=True, db=store).outcomes
    assert (outcome.action, outcome.shred_status, outcome.rows_found, outcome.rows_deleted,
            outcome.rows_remaining, outcome.verified) == ("shred", "shredded", 2, None, 2, True)
    out = tmp_path / "out"
    [after] = dsr.access(SUBJECT, out, db=store).outcomes
    assert (after.rows_found, after.n_cells_unreadable) == (2, 2)
    assert [r["email"] for r in _records(out, "log")] == [None, None]
    monkeypatch.delenv("FM_TEST_MASTER")
    [missing] = dsr.erase(SUBJECT, execute=True, db=store).outcomes
    assert "FM_TEST_MASTER" in str(missing.error) and missing.failed


# -- request log -------------------------------------------------------------------------------


def test_request_log_holds_no_raw_subject_and_is_append_only(
    store_url: str, tmp_path: Path, crm: Path
):
    dsr.add_source("crm", f"sqlite:///{crm}", "customers", "customer_id", db=store_url)
    dsr.record_verification(SUBJECT, "account_login", "Dana", db=store_url)
    dsr.access(SUBJECT, tmp_path / "out", db=store_url)
    dsr.erase(SUBJECT, execute=True, db=store_url)
    engine = open_engine(store_url)
    try:
        with engine.connect() as conn:
            dump = json.dumps([
                [list(map(str, row)) for row in conn.execute(text(f"SELECT * FROM {t}"))]
                for t in ("dsr_verifications", "dsr_requests", "dsr_outcomes")
            ])
            refs = {r[0] for r in conn.execute(text("SELECT subject_ref FROM dsr_requests"))}
        assert SUBJECT not in dump and SUBJECT[-4:] not in dump
        assert len(refs) == 1 and len(next(iter(refs))) == 64
        for table in ("dsr_verifications", "dsr_requests", "dsr_outcomes", "dsr_meta"):
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(f"DELETE FROM {table}"))
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text("UPDATE dsr_requests SET dry_run = :t"), {"t": True})
    finally:
        engine.dispose()
    if store_url.startswith("sqlite"):
        raw = Path(store_url.removeprefix("sqlite:///")).read_bytes()
        assert SUBJECT.encode() not in raw
    # the same subject always maps to the same reference; another subject to another
    assert [r.subject_ref for r in dsr.list_requests(store_url, subject=SUBJECT)] == [
        next(iter(refs))
    ] * 2
    assert dsr.list_requests(store_url, subject=OTHER) == []


def test_dsr_models_match_the_migration(store_url: str):
    engine = open_engine(store_url)
    try:
        upgrade(engine)
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        from fairmark.store.migrate import VERSION_TABLE, autogenerate_include_name

        with engine.connect() as conn:
            opts: dict[str, Any] = {"version_table": VERSION_TABLE, "compare_type": True,
                                    "include_name": autogenerate_include_name}
            if engine.dialect.name == "postgresql":
                opts["version_table_schema"] = conn.execute(
                    text("SELECT current_schema()")).scalar()
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
        dsr_tables = {"dsr_sources", "dsr_meta", "dsr_verifications", "dsr_requests",
                      "dsr_outcomes"}
        assert dsr_tables <= set(inspect(engine).get_table_names())
        assert [d for d in diff if "dsr_" in repr(d)] == []

        # 0004 downgrades cleanly to 0003 and upgrades again
        from alembic import command
        from alembic.config import Config

        from fairmark.store.migrate import MIGRATIONS_DIR

        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.set_main_option("path_separator", "os")
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        assert not dsr_tables & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert dsr_tables <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# -- access output -------------------------------------------------------------------------------


def test_access_refuses_a_folder_with_files_and_records_nothing(two_sources: str, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("x")
    with pytest.raises(UsageError, match="already holds files"):
        dsr.access(SUBJECT, out, db=two_sources)
    assert dsr.list_requests(two_sources) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert dsr.access(SUBJECT, empty, db=two_sources).ok
    assert sorted(p.name for p in empty.iterdir()) == ["crm.json", "events.json", "manifest.json"]


def test_unwritable_export_leaves_no_folder(
    two_sources: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    access_module = importlib.import_module("fairmark.privacy.dsr.access")

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(access_module, "write_records", disk_full)
    with pytest.raises(UsageError, match=r"cannot write the export .* No space left on device"):
        dsr.access(SUBJECT, tmp_path / "out", db=two_sources)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.staging-*"))


def test_no_sources_registered_is_a_usage_error(store: str, tmp_path: Path):
    with pytest.raises(UsageError, match="no data sources registered"):
        dsr.access(SUBJECT, tmp_path / "out", db=store)
    with pytest.raises(UsageError, match="no data sources registered"):
        dsr.erase(SUBJECT, db=store)
    assert not (tmp_path / "out").exists()


# -- source registry -------------------------------------------------------------------------


def test_source_registry_add_list_remove(
    store: str, crm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    added = dsr.add_source("crm", "sqlite:///crm.db", "customers", "customer_id", db=store)
    assert added.url == f"sqlite:///{crm}"  # made absolute: works from any folder later
    dsr.add_source("pg", "postgresql://app:hunter2@db.internal/crm", "public.customers",
                   "id", db=store, check=False)
    listed = dsr.list_sources(store)
    assert [s.name for s in listed] == ["crm", "pg"]
    shown = json.dumps(dsr.sources_document(listed))
    assert "hunter2" not in shown and "app:***@db.internal" in shown
    with pytest.raises(UsageError, match="source 'crm' already exists"):
        dsr.add_source("crm", "sqlite:///crm.db", "customers", "customer_id", db=store)
    assert dsr.remove_source("pg", store).name == "pg"
    with pytest.raises(UsageError, match="no source named 'pg'; registered sources: crm"):
        dsr.remove_source("pg", store)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Bad Name"}, "source name 'Bad Name' is not valid"),
        ({"name": "manifest"}, "reserved"),
        ({"url": "mysql://u@h/db"}, "unsupported database 'mysql'"),
        ({"url": "sqlite:///:memory:"}, "names no database file"),
        ({"url": "not a url"}, "is not a database URL"),
        ({"table": "a.b.c"}, "is not TABLE or SCHEMA.TABLE"),
        ({"table": "nope"}, "table 'nope' not found; tables there: customers"),
        ({"subject_column": "cid"}, "has no column 'cid'; available columns: customer_id"),
    ],
)
def test_add_source_bad_input(store: str, crm: Path, kwargs: dict[str, str], message: str):
    args = {"name": "crm", "url": f"sqlite:///{crm}", "table": "customers",
            "subject_column": "customer_id", **kwargs}
    with pytest.raises((UsageError, dsr.SourceError)) as exc:
        dsr.add_source(args.pop("name"), args.pop("url"), args.pop("table"),
                       args.pop("subject_column"), db=store)
    assert message in str(exc.value) and "\n" not in str(exc.value)
    assert dsr.list_sources(store) == []


def test_url_placeholders_are_expanded_when_the_source_is_opened(
    store: str, crm: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FM_TEST_DATA", str(crm.parent))
    dsr.add_source("crm", "sqlite:///${FM_TEST_DATA}/crm.db", "customers", "customer_id",
                   db=store)
    assert dsr.list_sources(store)[0].url == "sqlite:///${FM_TEST_DATA}/crm.db"  # stored as is
    assert [o.rows_found for o in dsr.erase(SUBJECT, db=store).outcomes] == [1]
    monkeypatch.delenv("FM_TEST_DATA")
    [failed] = dsr.erase(SUBJECT, db=store).outcomes
    assert "environment variable FM_TEST_DATA" in str(failed.error)


# -- unit checks ----------------------------------------------------------------------------------


def test_json_value_conversions():
    assert json_value(decimal.Decimal("10.50")) == "10.50"
    assert [json_value(v) for v in (math.nan, math.inf, -math.inf)] == [
        "NaN", "Infinity", "-Infinity"
    ]
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert json_value(moment) == "2026-01-02T03:04:05+00:00"
    assert json_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert json_value(dt.timedelta(days=1, seconds=1.5)) == 86401.5
    assert json_value(b"\xff\x00") == {"base64": "/wA="}
    assert json_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert json_value({"a": [decimal.Decimal("1.0"), (True, None)]}) == {"a": ["1.0", [True, None]]}


def test_scrub_removes_the_subject_from_messages():
    assert scrub("could not convert 'ann@x.org' to INT32", "ann@x.org") == (
        "could not convert <subject> to INT32"
    )
    assert scrub("row 42 of table 7", "42") == "row 42 of table 7"  # short ids: quoted only
    assert scrub("value \"42\" bad", "42") == "value <subject> bad"


def test_source_connection_refuses_to_create_missing_files(tmp_path: Path):
    for url in (f"sqlite:///{tmp_path / 'x.db'}", f"duckdb:///{tmp_path / 'x.duckdb'}"):
        with pytest.raises(dsr.SourceError, match="no such file"):
            open_source(url, "t", "c", write=True)
    assert list(tmp_path.iterdir()) == []


