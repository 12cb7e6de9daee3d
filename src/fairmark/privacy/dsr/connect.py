"""Open one data source of a subject request and run parameterised statements on it.

A source is a table on a DuckDB file, a SQLite file or a PostgreSQL database, named by a
URL (``duckdb:///path.duckdb``, ``sqlite:///path.db``, ``postgresql://user@host/db``) and
reached through the database's own Python driver (``duckdb``, :mod:`sqlite3`, psycopg 3).

Safety rules of every statement here:

* the subject id is always a *bound parameter*, never part of the SQL text;
* table and column names are quoted identifiers (``"name"``, inner ``"`` doubled: SQL:2016
  Part 2 §5.2 <delimited identifier>, the same rule in DuckDB, SQLite and PostgreSQL), and
  they come from the source registry, never from the subject;
* the subject is compared with the column's own type: an integer column is matched only by
  the canonical decimal text of an integer (``"42"``, not ``"042"``; the text form
  :func:`fairmark.privacy.protect.keystore.subject_text` uses), a text column by exact
  text, any other column by its text form (``CAST(column AS text)``).

URLs may hold ``${ENV_VAR}`` placeholders in the user name, password, host, database and
query values, expanded when the source is opened, so that secrets need not be stored.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from fairmark.errors import DataError, UsageError
from fairmark.store.db import one_line, redact_url

__all__ = [
    "CONNECT_TIMEOUT_S",
    "ENGINES",
    "FETCH_ROWS",
    "Column",
    "EngineName",
    "SourceConnection",
    "SourceError",
    "TableName",
    "engine_of",
    "expand_url",
    "open_source",
    "parse_table",
    "quote_identifier",
    "scrub",
]

EngineName = Literal["duckdb", "sqlite", "postgresql"]

ENGINES: tuple[EngineName, ...] = ("duckdb", "sqlite", "postgresql")
"""Databases a source can live in."""

CONNECT_TIMEOUT_S = 10
"""Seconds to wait for a PostgreSQL connection or a SQLite write lock."""

FETCH_ROWS = 1_000
"""Rows fetched per round trip when exporting."""

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_INT64 = (-(2**63), 2**63 - 1)
_DUCKDB_INTS = frozenset(
    "TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT UHUGEINT".split()
)
_POSTGRES_INTS = frozenset({"smallint", "integer", "bigint"})
_POSTGRES_TEXT = re.compile(r"(text|character varying|character|varchar|bpchar|citext|name)\b.*")


class SourceError(DataError):
    """One source cannot be read or changed (unreachable, permission, missing table...).

    The message is one line naming the source; a request reports it for that source and
    goes on with the others.
    """


@dataclass(frozen=True)
class TableName:
    """A table, optionally qualified by its schema (DuckDB, PostgreSQL) or database (SQLite).

    Attributes
    ----------
    schema : str or None
        ``None``: the connection's default (DuckDB ``main``, SQLite ``main``, PostgreSQL
        the ``search_path``).
    name : str
        The table.
    """

    schema: str | None
    name: str

    def __str__(self) -> str:
        return self.name if self.schema is None else f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Column:
    """A column of a source table: its name and its type as the database spells it."""

    name: str
    type: str


def parse_table(table: str) -> TableName:
    """Parse ``TABLE`` or ``SCHEMA.TABLE``.

    Parameters
    ----------
    table : str
        The table name as given to ``--table``.

    Returns
    -------
    TableName

    Raises
    ------
    UsageError
        Blank, more than one dot, or an empty part.
    """
    if not isinstance(table, str) or not table.strip():
        raise UsageError(f"--table is {table!r}; expected a table name, TABLE or SCHEMA.TABLE")
    parts = table.strip().split(".")
    if len(parts) > 2 or any(not p for p in parts):
        raise UsageError(
            f"--table {table!r} is not TABLE or SCHEMA.TABLE; expected at most one dot "
            "between non-empty names"
        )
    return TableName(None, parts[0]) if len(parts) == 1 else TableName(parts[0], parts[1])


def quote_identifier(name: str) -> str:
    """Quote a table or column name as an SQL delimited identifier.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
        ``"name"`` with every ``"`` doubled (SQL:2016 Part 2 §5.2); valid in DuckDB,
        SQLite and PostgreSQL.

    Raises
    ------
    UsageError
        The name holds a NUL character (no database accepts it in an identifier).
    """
    if "\x00" in name:
        raise UsageError(f"identifier {name!r} contains a NUL character; expected plain text")
    return '"' + name.replace('"', '""') + '"'


def engine_of(url: str) -> EngineName:
    """The database of a source URL.

    Parameters
    ----------
    url : str
        A source URL, possibly with ``${ENV_VAR}`` placeholders.

    Returns
    -------
    {"duckdb", "sqlite", "postgresql"}

    Raises
    ------
    UsageError
        Not a URL, or another database. ``postgres://`` counts as PostgreSQL; a driver
        suffix (``postgresql+psycopg://``) is accepted and ignored: psycopg 3 is used.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UsageError(
            f"--url {redact_url(url)!r} is not a database URL; expected duckdb:///FILE, "
            "sqlite:///FILE or postgresql://USER@HOST/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend not in ENGINES:
        raise UsageError(
            f"--url {redact_url(parsed)!r}: unsupported database {backend!r}; expected "
            "duckdb, sqlite or postgresql"
        )
    return backend  # type: ignore[return-value]


def _expand(text: str | None, where: str) -> str | None:
    if text is None:
        return None

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = os.environ.get(name)
        if value is None:
            raise SourceError(
                f"environment variable {name} (in the {where} of the URL) is not set; "
                "expected it to hold the value of the placeholder ${" + name + "}"
            )
        return value

    return _PLACEHOLDER.sub(substitute, text)


def expand_url(url: str) -> URL:
    """Parse a source URL and expand its ``${ENV_VAR}`` placeholders.

    Parameters
    ----------
    url : str
        The URL as stored. Placeholders are expanded in the user name, password, host,
        database (file path) and query values; the expanded values need no URL escaping.

    Returns
    -------
    sqlalchemy.engine.URL

    Raises
    ------
    SourceError
        A placeholder names an unset environment variable.
    UsageError
        The URL cannot be parsed.
    """
    engine_of(url)
    parsed = make_url(url)
    query = {
        key: tuple(_expand(v, f"query value {key!r}") or "" for v in value)
        if isinstance(value, tuple)
        else _expand(value, f"query value {key!r}") or ""
        for key, value in parsed.query.items()
    }
    return parsed.set(
        username=_expand(parsed.username, "user name"),
        password=_expand(parsed.password, "password"),
        host=_expand(parsed.host, "host"),
        database=_expand(parsed.database, "database"),
        query=query,
    )


def scrub(message: str, subject: str) -> str:
    """Remove a subject id from an error message before it is shown or stored.

    Parameters
    ----------
    message : str
        A one-line error.
    subject : str
        The subject id.

    Returns
    -------
    str
        ``message`` with the subject replaced by ``<subject>``: wherever it appears quoted,
        and anywhere when it is 4 characters or longer (a shorter id would garble
        unrelated text; it is too short to identify anyone by itself).
    """
    if not subject:
        return message
    for quote in ("'", '"'):
        message = message.replace(f"{quote}{subject}{quote}", "<subject>")
    if len(subject) >= 4:
        message = message.replace(subject, "<subject>")
    return message


@dataclass(frozen=True)
class _Dialect:
    placeholder: str
    text_type: str
    catalog_sql: str
    tables_sql: str


_DIALECTS: dict[EngineName, _Dialect] = {
    "duckdb": _Dialect(
        placeholder="?",
        text_type="VARCHAR",
        catalog_sql=(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() "
            "AND table_schema = coalesce(?, current_schema()) AND table_name = ? "
            "ORDER BY ordinal_position"
        ),
        tables_sql=(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() "
            "AND table_schema = coalesce(?, current_schema()) ORDER BY table_name"
        ),
    ),
    "sqlite": _Dialect(
        placeholder="?",
        text_type="TEXT",
        catalog_sql="SELECT name, type FROM pragma_table_info(?, coalesce(?, 'main'))",
        tables_sql=(
            "SELECT name FROM pragma_table_list WHERE schema = coalesce(?, 'main') "
            "AND type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ),
    ),
    "postgresql": _Dialect(
        placeholder="%s",
        text_type="text",
        catalog_sql=(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum"
        ),
        tables_sql=(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = coalesce(%s, current_schema()) ORDER BY table_name"
        ),
    ),
}


def _is_integer(engine: EngineName, type_name: str) -> bool:
    if engine == "duckdb":
        return type_name.upper() in _DUCKDB_INTS
    if engine == "sqlite":  # SQLite "Datatypes", 3.1 rule 1: INT anywhere -> INTEGER affinity
        return "INT" in type_name.upper()
    return type_name in _POSTGRES_INTS


def _is_text(engine: EngineName, type_name: str) -> bool:
    if engine == "duckdb":
        return type_name.upper() == "VARCHAR"
    if engine == "sqlite":  # rule 2: CHAR, CLOB or TEXT -> TEXT affinity
        upper = type_name.upper()
        return "INT" not in upper and any(k in upper for k in ("CHAR", "CLOB", "TEXT"))
    return _POSTGRES_TEXT.fullmatch(type_name) is not None


def _connect(engine: EngineName, url: URL, shown: str, write: bool) -> Any:
    """Open the driver connection (autocommit; statements open their own transactions)."""
    if engine in ("duckdb", "sqlite"):
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise SourceError(
                f"source {shown}: {database or 'no file'!r} is not a database file; "
                "expected a file path"
            )
        path = Path(database)
        if not path.is_file():
            raise SourceError(f"cannot open {shown}: no such file {str(path)!r}")
        if engine == "duckdb":
            import duckdb

            try:
                return duckdb.connect(str(path), read_only=not write)
            except duckdb.Error as exc:
                raise SourceError(f"cannot open {shown}: {one_line(exc)}") from None
        uri = f"{path.resolve().as_uri()}?mode={'rw' if write else 'ro'}"
        try:
            con = sqlite3.connect(uri, uri=True, timeout=CONNECT_TIMEOUT_S, isolation_level=None)
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()  # is it a database?
        except sqlite3.Error as exc:
            raise SourceError(f"cannot open {shown}: {one_line(exc)}") from None
        return con
    psycopg = _psycopg(shown)
    params: dict[str, Any] = {
        key: (value[-1] if isinstance(value, tuple) else value)
        for key, value in url.query.items()
    }
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    params.setdefault("application_name", "fairmark-dsr")
    for key, value in (
        ("host", url.host),
        ("port", url.port),
        ("user", url.username),
        ("password", url.password),
        ("dbname", url.database),
    ):
        if value is not None:
            params[key] = value
    try:
        return psycopg.connect(autocommit=True, **params)
    except psycopg.Error as exc:
        raise SourceError(f"cannot open {shown}: {one_line(exc)}") from None


def _psycopg(shown: str) -> Any:
    """The psycopg 3 module (an optional dependency: ``fairmark[postgres]``)."""
    try:
        import psycopg
    except ImportError:
        raise SourceError(
            f"cannot open {shown}: the PostgreSQL driver psycopg 3 is not installed; "
            "expected pip install 'fairmark[postgres]'"
        ) from None
    return psycopg


def _driver_errors(engine: EngineName) -> tuple[type[BaseException], ...]:
    if engine == "duckdb":
        import duckdb

        return (duckdb.Error,)
    if engine == "sqlite":
        return (sqlite3.Error,)
    return (_psycopg("PostgreSQL").Error,)


class SourceConnection:
    """An open source table, ready for the statements of one subject request.

    Use :func:`open_source` to make one, as a context manager.

    Attributes
    ----------
    engine : {"duckdb", "sqlite", "postgresql"}
    shown : str
        The URL with the password hidden, for messages.
    table : TableName
    subject_column : str
    columns : list of Column
        The table's columns, in order.
    """

    def __init__(
        self,
        engine: EngineName,
        con: Any,
        shown: str,
        table: TableName,
        subject_column: str,
    ) -> None:
        self.engine = engine
        self.shown = shown
        self.table = table
        self.subject_column = subject_column
        self._con = con
        self._dialect = _DIALECTS[engine]
        self._errors = _driver_errors(engine)
        self.columns = self._reflect()
        by_name = {c.name: c for c in self.columns}
        if subject_column not in by_name:
            raise SourceError(
                f"source {shown}: table {str(table)!r} has no column {subject_column!r}; "
                f"available columns: {', '.join(c.name for c in self.columns[:40])}"
            )
        self._subject_type = by_name[subject_column].type
        self._quoted_table = self._qualified()

    # -- plumbing --------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        """Escape ``%`` for psycopg, whose placeholders are ``%s``."""
        return text.replace("%", "%%") if self.engine == "postgresql" else text

    def _execute(self, sql: str, params: Sequence[Any], what: str) -> Any:
        try:
            return self._con.execute(sql, list(params))
        except self._errors as exc:
            raise SourceError(
                f"source {self.shown}: cannot {what} {str(self.table)!r}: {one_line(exc)}"
            ) from None

    def _qualified(self) -> str:
        name = quote_identifier(self.table.name)
        if self.table.schema is None:
            return name
        return f"{quote_identifier(self.table.schema)}.{name}"

    def _reflect(self) -> list[Column]:
        what = "read the columns of"
        if self.engine == "postgresql":
            params: list[Any] = [self._qualified()]
        elif self.engine == "sqlite":
            params = [self.table.name, self.table.schema]
        else:
            params = [self.table.schema, self.table.name]
        try:
            rows = self._con.execute(self._dialect.catalog_sql, params).fetchall()
        except self._errors as exc:
            raise SourceError(
                f"source {self.shown}: cannot {what} {str(self.table)!r}: {one_line(exc)}"
            ) from None
        if not rows:
            raise SourceError(
                f"source {self.shown}: table {str(self.table)!r} not found; "
                f"tables there: {self._table_list()}"
            )
        return [Column(str(name), str(type_name)) for name, type_name in rows]

    def _table_list(self) -> str:
        try:
            rows = self._con.execute(self._dialect.tables_sql, [self.table.schema]).fetchall()
        except self._errors:
            return "(cannot list them)"
        names = [str(r[0]) for r in rows]
        if not names:
            return "none"
        return ", ".join(names[:20]) + (" …" if len(names) > 20 else "")

    # -- the subject -----------------------------------------------------------------------

    def _where(self, subject: str) -> tuple[str, list[Any]] | None:
        """``WHERE`` clause and parameters matching the subject; ``None``: cannot match."""
        column = quote_identifier(self.subject_column)
        mark = self._dialect.placeholder
        if _is_integer(self.engine, self._subject_type):
            if _CANONICAL_INT.fullmatch(subject) is None:
                return None
            value = int(subject)
            if not _INT64[0] <= value <= _INT64[1]:
                return None
            return f"{self._sql(column)} = {mark}", [value]
        if _is_text(self.engine, self._subject_type):
            return f"{self._sql(column)} = {mark}", [subject]
        return f"CAST({self._sql(column)} AS {self._dialect.text_type}) = {mark}", [subject]

    def count(self, subject: str) -> int:
        """Rows whose subject column equals ``subject``.

        Raises
        ------
        SourceError
            The query fails (permission, lost connection...).
        """
        where = self._where(subject)
        if where is None:
            return 0
        clause, params = where
        sql = f"SELECT count(*) FROM {self._sql(self._quoted_table)} WHERE {clause}"
        row = self._execute(sql, params, "count rows of").fetchone()
        return int(row[0])

    def rows(self, subject: str) -> Iterator[tuple[Any, ...]]:
        """Every row of the subject, all columns in table order, fetched in chunks.

        Raises
        ------
        SourceError
            The query fails.
        """
        where = self._where(subject)
        if where is None:
            return
        clause, params = where
        names = ", ".join(self._sql(quote_identifier(c.name)) for c in self.columns)
        sql = f"SELECT {names} FROM {self._sql(self._quoted_table)} WHERE {clause}"
        try:
            if self.engine == "postgresql":  # a server-side cursor: rows come in chunks
                with self._con.transaction():
                    cursor = self._con.cursor(name=f"fairmark_dsr_{uuid.uuid4().hex[:12]}")
                    cursor.execute(sql, list(params))
                    yield from self._chunks(cursor)
            else:
                yield from self._chunks(self._con.execute(sql, list(params)))
        except self._errors as exc:
            raise SourceError(
                f"source {self.shown}: cannot read rows of {str(self.table)!r}: {one_line(exc)}"
            ) from None

    @staticmethod
    def _chunks(cursor: Any) -> Iterator[tuple[Any, ...]]:
        while chunk := cursor.fetchmany(FETCH_ROWS):
            yield from (tuple(row) for row in chunk)

    def delete(self, subject: str) -> tuple[int, int]:
        """Delete the subject's rows in one transaction.

        Returns
        -------
        (int, int)
            Rows found (counted inside the transaction, before deleting) and rows deleted.

        Raises
        ------
        SourceError
            Any statement fails; the transaction is rolled back and nothing is deleted.
        """
        where = self._where(subject)
        if where is None:
            return 0, 0
        clause, params = where
        table = self._sql(self._quoted_table)
        count_sql = f"SELECT count(*) FROM {table} WHERE {clause}"
        delete_sql = f"DELETE FROM {table} WHERE {clause}"
        if self.engine == "postgresql":
            try:
                with self._con.transaction():
                    found = int(self._con.execute(count_sql, params).fetchone()[0])
                    deleted = self._con.execute(delete_sql, params).rowcount
            except self._errors as exc:
                raise SourceError(
                    f"source {self.shown}: cannot delete from {str(self.table)!r}: "
                    f"{one_line(exc)}"
                ) from None
            return found, int(deleted)
        begin = "BEGIN IMMEDIATE" if self.engine == "sqlite" else "BEGIN TRANSACTION"
        try:
            self._con.execute(begin)
            try:
                found = int(self._con.execute(count_sql, params).fetchone()[0])
                result = self._con.execute(delete_sql, params)
                deleted = result.rowcount if self.engine == "sqlite" else result.fetchone()[0]
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        except self._errors as exc:
            raise SourceError(
                f"source {self.shown}: cannot delete from {str(self.table)!r}: {one_line(exc)}"
            ) from None
        return found, int(deleted)

    # -- context manager -------------------------------------------------------------------

    def close(self) -> None:
        """Close the driver connection."""
        try:
            self._con.close()
        except self._errors:  # pragma: no cover - closing a broken connection
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_source(
    url: str, table: str, subject_column: str, *, write: bool = False
) -> SourceConnection:
    """Connect to a source and check its table and subject column.

    Parameters
    ----------
    url : str
        Source URL as stored (``${ENV_VAR}`` placeholders allowed).
    table : str
        ``TABLE`` or ``SCHEMA.TABLE``.
    subject_column : str
        Column holding the subject key.
    write : bool
        Open for deleting. ``False`` opens DuckDB read-only and SQLite with ``mode=ro``,
        so reading a source can never change it. No mode creates a missing file.

    Returns
    -------
    SourceConnection

    Raises
    ------
    SourceError
        Unset placeholder variable, missing file, unreachable server, failed login, table
        or column not found. One line naming the URL with the password hidden.
    UsageError
        The URL or table name is malformed.

    Notes
    -----
    Source: DuckDB Python API (``duckdb.connect(read_only=...)``); SQLite "URI Filenames"
    (``mode=ro``/``rw``); psycopg 3 "Connection classes" and libpq "Parameter Key Words";
    PostgreSQL ``to_regclass`` (resolves a name through the ``search_path``).
    """
    engine = engine_of(url)
    shown = redact_url(url)
    name = parse_table(table)
    expanded = expand_url(url)
    con = _connect(engine, expanded, shown, write)
    try:
        return SourceConnection(engine, con, shown, name, subject_column)
    except BaseException:
        con.close()
        raise
