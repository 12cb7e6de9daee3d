"""The registry of data sources that subject requests cover (table ``dsr_sources``).

A source is one table holding personal data, on a DuckDB file, a SQLite file or a
PostgreSQL database, and the column in it that holds the subject key (a customer id, an
e-mail address...). Every access and erasure request runs against every registered
source: that is what makes "every record about the subject" a checkable claim (GDPR
Art. 30(1)(c) records of the categories of data; Art. 15 and 17).

Secrets. The URL is stored as given, because the source must be reachable later. Keep
passwords out of the store with ``${ENV_VAR}`` placeholders, e.g.
``postgresql://crm:${CRM_PASSWORD}@db.internal/crm``: they are expanded from the
environment each time the source is opened. Output never shows a password
(:func:`fairmark.store.db.redact_url`).

Encrypted sources. A source whose columns were encrypted with ``fairmark protect
encrypt`` carries an :class:`Encryption` marker: erasure then also crypto-shreds the
subject's data key in the keystore, which makes every copy of their encrypted cells
(exports, backups, replicas) unreadable, and access decrypts those cells for the export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.engine import make_url

from fairmark.errors import DataError, UsageError
from fairmark.privacy.dsr._store import open_dsr_store
from fairmark.privacy.dsr.connect import (
    EngineName,
    engine_of,
    open_source,
    parse_table,
)
from fairmark.privacy.dsr.result import SCHEMA_VERSION, iso_time
from fairmark.store.db import redact_url, store_errors, write_transaction
from fairmark.store.models_dsr import DsrSource

__all__ = [
    "NAME_PATTERN",
    "RESERVED_NAMES",
    "Encryption",
    "Source",
    "add_source",
    "check_source_name",
    "list_sources",
    "load_sources",
    "remove_source",
    "sources_document",
]

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
"""Source names: lowercase letters, digits, ``_`` and ``-``, up to 63 characters. The name
is also the export file name, so it is kept safe on every file system."""

RESERVED_NAMES = frozenset({"manifest"})
"""Names that would collide with ``manifest.json`` of an access export."""

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def check_source_name(name: Any) -> str:
    """Check a source name.

    Raises
    ------
    UsageError
        Not matching :data:`NAME_PATTERN`, or reserved.
    """
    if not isinstance(name, str) or NAME_PATTERN.fullmatch(name) is None:
        raise UsageError(
            f"source name {name!r} is not valid; expected 1-63 lowercase letters, digits, "
            "'_' or '-', starting with a letter or digit"
        )
    if name in RESERVED_NAMES:
        raise UsageError(f"source name {name!r} is reserved; expected another name")
    return name


@dataclass(frozen=True)
class Encryption:
    """Marks a source whose columns are encrypted with ``fairmark protect encrypt``.

    Attributes
    ----------
    columns : tuple of str
        The encrypted columns (decrypted in access exports).
    master_key_env : str or None
        Environment variable holding the master key (hex or base64).
    master_key_file : str or None
        Or: absolute path of the master key file. Exactly one of the two is set.
    keystore_url : str or None
        Store holding the keystore; ``None``: the same store as the request log.
    delete_rows : bool
        ``True`` (default): erasure crypto-shreds the data key *and* deletes the rows.
        ``False``: shred only, for tables whose rows cannot be deleted (append-only
        logs); their subject column stays in clear, so it should hold a pseudonym.

    Notes
    -----
    Source: NIST SP 800-88 Rev. 1 §2.6 (cryptographic erase); GDPR Art. 17, Art. 32(1)(a).
    """

    columns: tuple[str, ...]
    master_key_env: str | None = None
    master_key_file: str | None = None
    keystore_url: str | None = None
    delete_rows: bool = True

    def __post_init__(self) -> None:
        if not self.columns or any(not isinstance(c, str) or not c for c in self.columns):
            raise UsageError(
                "--encrypted: expected a comma list of the columns encrypted with "
                "'fairmark protect encrypt'"
            )
        if (self.master_key_env is None) == (self.master_key_file is None):
            raise UsageError(
                "--encrypted needs the master key either as --master-key-env VAR or as "
                "--master-key FILE, not " + ("both" if self.master_key_env else "neither")
            )
        if self.master_key_env is not None and _ENV_NAME.fullmatch(self.master_key_env) is None:
            raise UsageError(
                f"--master-key-env {self.master_key_env!r} is not an environment variable "
                "name; expected letters, digits and '_'"
            )

    def to_dict(self) -> dict[str, Any]:
        """The marker as stored in ``dsr_sources.encrypted`` (no key material)."""
        return {
            "columns": list(self.columns),
            "master_key_env": self.master_key_env,
            "master_key_file": self.master_key_file,
            "keystore_url": None if self.keystore_url is None else redact_url(self.keystore_url),
            "delete_rows": self.delete_rows,
        }

    def _stored(self) -> dict[str, Any]:
        return {**self.to_dict(), "keystore_url": self.keystore_url}

    @classmethod
    def from_stored(cls, document: dict[str, Any]) -> Encryption:
        """Rebuild the marker from ``dsr_sources.encrypted``."""
        return cls(
            columns=tuple(document["columns"]),
            master_key_env=document.get("master_key_env"),
            master_key_file=document.get("master_key_file"),
            keystore_url=document.get("keystore_url"),
            delete_rows=bool(document.get("delete_rows", True)),
        )


@dataclass(frozen=True)
class Source:
    """A registered data source.

    Attributes
    ----------
    name : str
    url : str
        As stored (placeholders unexpanded; may hold a password: print :attr:`shown_url`).
    table : str
        ``TABLE`` or ``SCHEMA.TABLE``.
    subject_column : str
    encryption : Encryption or None
    created_at : datetime
    """

    name: str
    url: str
    table: str
    subject_column: str
    encryption: Encryption | None
    created_at: datetime

    @property
    def engine(self) -> EngineName:
        """``duckdb``, ``sqlite`` or ``postgresql``."""
        return engine_of(self.url)

    @property
    def shown_url(self) -> str:
        """The URL with the password hidden."""
        return redact_url(self.url)

    def fields(self) -> dict[str, Any]:
        """The source as JSON-ready values (URL redacted)."""
        return {
            "name": self.name,
            "engine": self.engine,
            "url": self.shown_url,
            "table": self.table,
            "subject_column": self.subject_column,
            "encrypted": None if self.encryption is None else self.encryption.to_dict(),
            "created_at": iso_time(self.created_at),
        }


def sources_document(sources: Sequence[Source]) -> dict[str, Any]:
    """Versioned document of kind ``dsr_sources`` listing ``sources``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "dsr_sources",
        "sources": [s.fields() for s in sources],
    }


def _absolute_file_url(url: str, engine: EngineName) -> str:
    """Make the file of a DuckDB/SQLite URL absolute, so it works from any folder later."""
    if engine == "postgresql":
        return url
    parsed = make_url(url)
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise UsageError(
            f"--url {url!r} names no database file; expected {engine}:///PATH to a file "
            "(an in-memory database holds nothing to export or erase)"
        )
    if _PLACEHOLDER.search(database):
        return url
    path = Path(database).expanduser().resolve()
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


def _check_text(value: Any, option: str, expected: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{option} is {value!r}; expected {expected}")
    if any(ch in value for ch in "\x00\r\n"):
        raise UsageError(f"{option} contains a line break or NUL; expected {expected}")
    return value.strip()


_TABLE = DsrSource.__table__


def _from_row(row: Any) -> Source:
    encrypted = row["encrypted"]
    return Source(
        name=row["name"],
        url=row["url"],
        table=row["table_name"],
        subject_column=row["subject_column"],
        encryption=None if encrypted is None else Encryption.from_stored(encrypted),
        created_at=row["created_at"],
    )


def load_sources(engine: Engine) -> list[Source]:
    """Every registered source, by name.

    Raises
    ------
    StoreError
        The store cannot be read.
    """
    with store_errors(engine.url, "cannot read data sources"), engine.connect() as conn:
        rows = conn.execute(select(_TABLE).order_by(_TABLE.c.name)).mappings().all()
    return [_from_row(r) for r in rows]


def _check_reachable(
    url: str, table: str, subject_column: str, encryption: Encryption | None
) -> None:
    with open_source(url, table, subject_column) as conn:
        names = [c.name for c in conn.columns]
    if encryption is None:
        return
    missing = [c for c in encryption.columns if c not in names]
    if missing:
        raise DataError(
            f"--encrypted: table {table!r} has no column {', '.join(map(repr, missing))}; "
            f"available columns: {', '.join(names[:40])}"
        )
    from fairmark.privacy.dsr.encrypted import load_master_key

    load_master_key(encryption)


def add_source(
    name: str,
    url: str,
    table: str,
    subject_column: str,
    *,
    encryption: Encryption | None = None,
    check: bool = True,
    db: str | None = None,
) -> Source:
    """Register a data source.

    Parameters
    ----------
    name : str
        Unique name (:data:`NAME_PATTERN`).
    url : str
        ``duckdb:///FILE``, ``sqlite:///FILE`` or ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB``
        (``?options=-csearch_path%3DSCHEMA`` and other libpq parameters allowed);
        ``${ENV_VAR}`` placeholders allowed. A relative file path is made absolute.
    table : str
        ``TABLE`` or ``SCHEMA.TABLE``.
    subject_column : str
        Column holding the subject key.
    encryption : Encryption or None
        Marker of a source encrypted with ``fairmark protect encrypt``.
    check : bool
        Connect now and check the table, the columns and the master key (default).
    db : str or None
        Store URL (``None``: ``$FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``).

    Returns
    -------
    Source

    Raises
    ------
    UsageError
        Invalid name, URL, table or column; an encrypted column that is the subject column;
        the name is taken.
    DataError
        ``check``: the source cannot be opened, or its table or a column is missing
        (``SourceError``, a ``DataError``).
    StoreError
        The store cannot be written.
    """
    name = check_source_name(name)
    url = _check_text(url, "--url", "a database URL")
    engine = engine_of(url)
    parse_table(table)
    table = _check_text(table, "--table", "TABLE or SCHEMA.TABLE")
    subject_column = _check_text(subject_column, "--subject-column", "a column name")
    if encryption is not None and subject_column in encryption.columns:
        raise UsageError(
            f"--subject-column {subject_column!r} is also in --encrypted; expected it in "
            "clear (each row's data key is found by it)"
        )
    url = _absolute_file_url(url, engine)
    if encryption is not None and encryption.master_key_file is not None:
        absolute = str(Path(encryption.master_key_file).expanduser().resolve())
        encryption = replace(encryption, master_key_file=absolute)
    if check:
        _check_reachable(url, table, subject_column, encryption)
    now = datetime.now(UTC)
    with open_dsr_store(db) as (store, _):
        with store_errors(store.url, "cannot register data source"):
            with write_transaction(store) as conn:
                taken = conn.execute(
                    select(DsrSource.name).where(DsrSource.name == name)
                ).one_or_none()
                if taken is not None:
                    raise UsageError(
                        f"source {name!r} already exists; expected a new name (or "
                        f"'fairmark dsr source remove {name}' first)"
                    )
                conn.execute(
                    insert(DsrSource).values(
                        name=name,
                        url=url,
                        table_name=table,
                        subject_column=subject_column,
                        encrypted=None if encryption is None else encryption._stored(),
                        created_at=now,
                    )
                )
    return Source(name, url, table, subject_column, encryption, now)


def list_sources(db: str | None = None) -> list[Source]:
    """The registered sources, by name.

    Raises
    ------
    StoreError
        The store cannot be opened or read.
    """
    with open_dsr_store(db) as (store, _):
        return load_sources(store)


def remove_source(name: str, db: str | None = None) -> Source:
    """Unregister a source (its past outcomes stay in the request log).

    Returns
    -------
    Source
        The removed source.

    Raises
    ------
    UsageError
        Invalid name, or no such source (the message lists the registered ones).
    StoreError
        The store cannot be written.
    """
    name = check_source_name(name)
    with open_dsr_store(db) as (store, _):
        with store_errors(store.url, "cannot remove data source"):
            with write_transaction(store) as conn:
                row = (
                    conn.execute(select(_TABLE).where(_TABLE.c.name == name))
                    .mappings()
                    .one_or_none()
                )
                if row is None:
                    known = conn.execute(select(DsrSource.name).order_by(DsrSource.name))
                    names = ", ".join(r[0] for r in known) or "none"
                    raise UsageError(
                        f"no source named {name!r}; registered sources: {names}"
                    )
                source = _from_row(row)
                conn.execute(delete(DsrSource).where(DsrSource.name == name))
    return source
