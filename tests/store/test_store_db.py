"""Resolving the store URL and opening the engine: precedence, drivers, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from fairmark.errors import StoreError
from fairmark.store import RunStore, database_url, open_engine
from fairmark.store.db import redact_url, write_transaction

UNREACHABLE = "postgresql://fm_user:s3cret-pw@127.0.0.1:1/test"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_explicit_url_wins_over_the_environment(clean_env: Path, monkeypatch):
    monkeypatch.setenv("FAIRMARK_DB_URL", "sqlite:////env/fairmark.db")
    assert database_url("sqlite:////explicit.db") == "sqlite:////explicit.db"
    assert database_url() == "sqlite:////env/fairmark.db"
    assert database_url("  ") == "sqlite:////env/fairmark.db"  # blank means not given


def test_default_is_the_sqlite_file_under_the_working_directory(clean_env: Path):
    assert database_url() == f"sqlite:///{clean_env}/.fairmark/fairmark.db"
    assert not (clean_env / ".fairmark").exists()  # resolving has no side effect


def test_blank_environment_variable_means_unset(clean_env: Path, monkeypatch):
    monkeypatch.setenv("FAIRMARK_DB_URL", "")
    assert database_url() == f"sqlite:///{clean_env}/.fairmark/fairmark.db"


def test_default_folder_is_created_on_open_even_with_odd_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    odd = tmp_path / "a?b#c%20 d"
    odd.mkdir()
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    monkeypatch.chdir(odd)
    engine = open_engine()
    try:
        assert Path(engine.url.database or "") == odd / ".fairmark" / "fairmark.db"
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
    finally:
        engine.dispose()
    assert (odd / ".fairmark" / "fairmark.db").is_file()


def test_sqlite_enforces_foreign_keys(tmp_path: Path):
    engine = open_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_sqlite_ddl_is_transactional(tmp_path: Path):
    """A failed block leaves no table behind (the default sqlite3 mode would keep it)."""
    engine = open_engine(f"sqlite:///{tmp_path / 'ddl.db'}")
    try:
        with pytest.raises(RuntimeError, match="boom"), write_transaction(engine) as conn:
            conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
            raise RuntimeError("boom")
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def _one_line_store_error(url: str) -> str:
    with pytest.raises(StoreError) as exc:
        open_engine(url)
    message = str(exc.value)
    assert "\n" not in message and "\r" not in message
    return message


def test_unreachable_server_is_one_line_naming_the_url_without_password():
    message = _one_line_store_error(UNREACHABLE)
    assert message.startswith(
        "cannot open run store at postgresql+psycopg://fm_user:***@127.0.0.1:1/test: "
    )
    assert "s3cret-pw" not in message
    assert "refused" in message.lower()


def test_run_store_on_an_unreachable_server_is_a_store_error():
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1/test") as exc:
        RunStore(UNREACHABLE)
    assert "\n" not in str(exc.value) and "s3cret-pw" not in str(exc.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u@127.0.0.1:1/test", "postgresql+psycopg://"),
        ("postgres://u@127.0.0.1:1/test", "postgresql+psycopg://"),
        ("postgresql+psycopg://u@127.0.0.1:1/test", "postgresql+psycopg://"),
    ],
)
def test_plain_postgresql_urls_use_psycopg(url: str, shown: str):
    assert f"at {shown}u@127.0.0.1:1/test:" in _one_line_store_error(url)


@pytest.mark.postgres
def test_plain_postgresql_url_connects_with_psycopg(pg_store_url: str):
    assert pg_store_url.startswith("postgresql://")
    engine: Engine = open_engine(pg_store_url)
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_bad_url_is_one_line():
    message = _one_line_store_error("not a url at all")
    assert "not a database URL" in message and "expected e.g. sqlite:///" in message


def test_bad_url_with_a_password_does_not_leak_it():
    message = _one_line_store_error("postgresql://u:hunter22@host:notaport/db")
    assert "hunter22" not in message and "u:***@host" in message


def test_other_backends_are_refused():
    message = _one_line_store_error("mysql://u:pw@localhost/db")
    assert "unsupported backend 'mysql'; expected sqlite or postgresql" in message
    assert "pw@" not in message


def test_unwritable_sqlite_path_is_one_line(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    url = f"sqlite:///{blocker / 'sub' / 'fairmark.db'}"
    message = _one_line_store_error(url)
    assert message.startswith(f"cannot open run store at {url}: ")


def test_a_folder_in_place_of_the_database_file_is_one_line(tmp_path: Path):
    folder = tmp_path / "is-a-folder.db"
    folder.mkdir()
    message = _one_line_store_error(f"sqlite:///{folder}")
    assert "unable to open database file" in message


def test_redact_url():
    assert redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert redact_url("sqlite:///x.db") == "sqlite:///x.db"
    assert redact_url("weird://u:pw@h:notaport/db") == "weird://u:***@h:notaport/db"
