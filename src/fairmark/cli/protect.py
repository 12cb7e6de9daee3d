"""``fairmark protect``: pseudonymise, encrypt, decrypt, crypto-shred, rotate keys.

Keys are given as a file (``--key FILE``) or an environment variable (``--key-env VAR``)
holding a 256-bit key; ``fairmark protect keygen`` makes one. Key material is never
printed: keys are shown by their key id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fairmark.cli._common import check_choice, console, err_console, fail, handle_errors

app = typer.Typer(
    help=(
        "Pseudonymise and encrypt personal data, crypto-shred a data subject, rotate keys. "
        "Keys come from a file or an environment variable and never sit beside the data."
    ),
    no_args_is_help=True,
)

FORMATS = ("text", "json")
_KEYS = "Keys"
_DATA = "Data"
_OUTPUT = "Output"
_DB_HELP = "Keystore (the fairmark store). Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db."

DataArg = Annotated[
    str,
    typer.Argument(
        metavar="DATA",
        help="CSV or Parquet file, a folder of Parquet files or a quoted glob.",
        show_default=False,
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option("--columns", "-c", metavar="A,B", rich_help_panel=_DATA,
                 help="Columns to process, comma-separated."),
]
SubjectOpt = Annotated[
    str | None,
    typer.Option("--subject-column", "-s", metavar="COLUMN", rich_help_panel=_DATA,
                 help="Column naming each row's data subject (a customer id); stays in clear."),
]
OutOpt = Annotated[
    str | None,
    typer.Option("--out", "-o", metavar="FILE", rich_help_panel=_OUTPUT,
                 help="Output file, .parquet or .csv (written whole or not at all)."),
]
MasterKeyOpt = Annotated[
    str | None,
    typer.Option("--master-key", metavar="FILE", rich_help_panel=_KEYS,
                 help="Master key file (wraps every subject's data key)."),
]
MasterKeyEnvOpt = Annotated[
    str | None,
    typer.Option("--master-key-env", metavar="VAR", rich_help_panel=_KEYS,
                 help="Environment variable holding the master key (hex or base64)."),
]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", "--db-url", metavar="URL", rich_help_panel=_KEYS, help=_DB_HELP),
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", metavar="text|json", rich_help_panel=_OUTPUT,
                 help="text: a summary; json: the result document on standard output."),
]


def _n(count: int, noun: str) -> str:
    """``1 cell``, ``2 cells``: a count with its noun, thousands separated."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _require(value: str | None, option: str, expected: str) -> str:
    if value is None or not value.strip():
        fail(f"{option} is required; expected {expected}")
    return value


def _show(result: Any, fmt: str, lines: list[str]) -> None:
    """Print the result document (json) or the summary lines (text)."""
    if fmt == "json":
        typer.echo(result.to_json())
        return
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _existing_store(db: str | None) -> str:
    """Resolve the keystore URL; fail (exit 2) if it is a SQLite file that does not exist.

    Decrypt and shred only read or change an existing keystore: opening a missing SQLite
    file would create an empty database as a side effect of a failed command.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from fairmark.store.db import database_url, redact_url

    url = database_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # the store reports the malformed URL itself
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and not in_memory and not Path(database).is_file():
        fail(
            f"keystore {redact_url(parsed)} does not exist; expected the store that "
            "'protect encrypt' wrote (--db or $FAIRMARK_DB_URL)"
        )
    return url


def _master(path: str | None, env: str | None, option: str = "--master-key") -> Any:
    from fairmark.privacy.protect.keys import load_key

    return load_key(path, env, option=option)


@app.command("keygen")
@handle_errors
def keygen_command(
    path: Annotated[
        str,
        typer.Argument(metavar="PATH", help="New key file (must not exist).", show_default=False),
    ],
    fmt: FormatOpt = "text",
) -> None:
    """Write a new random 256-bit key (base64 text, file mode 0600); never overwrites."""
    from fairmark.privacy.protect.keys import generate_key
    from fairmark.privacy.protect.result import KeygenResult

    fmt = check_choice("--format", fmt, FORMATS)
    key = generate_key(path)
    result = KeygenResult(path=str(path), key_id=key.key_id)
    _show(result, fmt, [
        f"Wrote key {key.key_id} to {path} (mode 0600). Keep it apart from the data it "
        "protects: losing it makes that data unreadable.",
    ])


@app.command("pseudonymize")
@handle_errors
def pseudonymize_command(
    data: DataArg,
    columns: ColumnsOpt = None,
    key: Annotated[
        str | None,
        typer.Option("--key", metavar="FILE", rich_help_panel=_KEYS,
                     help="Pseudonymisation key file."),
    ] = None,
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", metavar="VAR", rich_help_panel=_KEYS,
                     help="Environment variable holding the key (hex or base64)."),
    ] = None,
    out: OutOpt = None,
    normalize: Annotated[
        str | None,
        typer.Option("--normalize", metavar="trim,lowercase", rich_help_panel=_DATA,
                     help="Normalise before hashing, so 'A@x.com ' and 'a@x.com' match."),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Replace columns by keyed pseudonyms (HMAC-SHA-256, 64 hex digits).

    To rotate the pseudonymisation key, run this again on the source data with the new key:
    old pseudonyms cannot be mapped to new ones without the raw values.
    """
    from fairmark.privacy.protect.keys import load_key
    from fairmark.privacy.protect.pseudonymize import pseudonymize

    fmt = check_choice("--format", fmt, FORMATS)
    cols = _require(columns, "--columns", "a comma list of columns to pseudonymise")
    target = _require(out, "--out", "an output file .parquet or .csv")
    secret = load_key(key, key_env, option="--key")
    result = pseudonymize(data, cols, secret, target, normalize=normalize)
    how = f", normalised ({', '.join(result.normalize)})" if result.normalize else ""
    _show(result, fmt, [
        f"Pseudonymised {_n(result.n_values, 'value')} in {', '.join(result.columns)} of "
        f"{_n(result.n_rows, 'row')} with key {result.key_id}{how}; "
        f"{_n(result.n_nulls, 'null')} and {_n(result.n_empty, 'empty value')} kept.",
        f"Wrote {result.out} ({result.out_format}).",
    ])


@app.command("encrypt")
@handle_errors
def encrypt_command(
    data: DataArg,
    subject_column: SubjectOpt = None,
    columns: ColumnsOpt = None,
    master_key: MasterKeyOpt = None,
    master_key_env: MasterKeyEnvOpt = None,
    out: OutOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Encrypt columns with AES-256-GCM, one data key per data subject (crypto-shreddable)."""
    from fairmark.privacy.protect.encrypt import encrypt
    from fairmark.privacy.protect.keystore import Keystore

    fmt = check_choice("--format", fmt, FORMATS)
    subject = _require(subject_column, "--subject-column", "the column naming each row's subject")
    cols = _require(columns, "--columns", "a comma list of columns to encrypt")
    target = _require(out, "--out", "an output file .parquet or .csv")
    master = _master(master_key, master_key_env)
    with Keystore(master, db) as keystore:
        result = encrypt(data, cols, subject, keystore, target)
    _show(result, fmt, [
        f"Encrypted {_n(result.n_cells_encrypted, 'cell')} in {', '.join(result.columns)} of "
        f"{_n(result.n_rows, 'row')} ({_n(result.n_subjects, 'data subject')}, "
        f"{_n(result.n_keys_created, 'new data key')}); {_n(result.n_null_cells, 'null')} kept.",
        f"Keystore {result.keystore}, master key {result.master_key_id}.",
        f"Wrote {result.out} ({result.out_format}).",
    ])


@app.command("decrypt")
@handle_errors
def decrypt_command(
    data: DataArg,
    subject_column: SubjectOpt = None,
    columns: ColumnsOpt = None,
    master_key: MasterKeyOpt = None,
    master_key_env: MasterKeyEnvOpt = None,
    out: OutOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Decrypt columns written by 'protect encrypt'; shredded subjects' cells become null."""
    from fairmark.privacy.protect.decrypt import decrypt
    from fairmark.privacy.protect.keystore import Keystore

    fmt = check_choice("--format", fmt, FORMATS)
    subject = _require(subject_column, "--subject-column", "the column used for encryption")
    cols = _require(columns, "--columns", "a comma list of encrypted columns")
    target = _require(out, "--out", "an output file .parquet or .csv")
    master = _master(master_key, master_key_env)
    with Keystore(master, _existing_store(db)) as keystore:
        result = decrypt(data, cols, subject, keystore, target)
    lines = [
        f"Decrypted {_n(result.n_cells_decrypted, 'cell')} in {', '.join(result.columns)} of "
        f"{_n(result.n_rows, 'row')}; {_n(result.n_null_cells, 'null')} kept.",
    ]
    if result.n_cells_unrecoverable:
        lines.append(
            f"{_n(result.n_cells_unrecoverable, 'cell')} of "
            f"{_n(result.n_subjects_unrecoverable, 'data subject')} unrecoverable (shredded), "
            "written as null."
        )
    lines.append(f"Wrote {result.out} ({result.out_format}).")
    _show(result, fmt, lines)


@app.command("shred")
@handle_errors
def shred_command(
    subject: Annotated[
        str,
        typer.Argument(metavar="SUBJECT", show_default=False,
                       help="The subject's id, exactly as in the subject column."),
    ],
    master_key: MasterKeyOpt = None,
    master_key_env: MasterKeyEnvOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Crypto-shred a data subject: delete their data key, so none of their data decrypts."""
    from fairmark.privacy.protect.keystore import Keystore
    from fairmark.privacy.protect.shred import shred_subject

    fmt = check_choice("--format", fmt, FORMATS)
    master = _master(master_key, master_key_env)
    with Keystore(master, _existing_store(db)) as keystore:
        result = shred_subject(keystore, subject)
    ref = f"subject {result.subject_lookup_id[:16]}…"
    if result.status == "shredded":
        line = (
            f"Shredded {ref}: their data key is deleted; every copy of their encrypted data "
            f"is now unrecoverable (event {result.event_id})."
        )
    elif result.status == "already_shredded":
        line = f"{ref} was already shredded (event {result.event_id}); nothing to do."
    else:
        err_console.print(
            f"error: no data key for {ref} in {result.keystore}: nothing was shredded — "
            "check the id (it must match the subject column exactly; shown by its lookup "
            "hash, never in clear)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if fmt == "json":
            typer.echo(result.to_json())
        raise typer.Exit(1)
    _show(result, fmt, [line])


@app.command("rotate-key")
@handle_errors
def rotate_key_command(
    old_key: Annotated[
        str | None,
        typer.Option("--old-key", metavar="FILE", rich_help_panel=_KEYS,
                     help="Current master key file."),
    ] = None,
    old_key_env: Annotated[
        str | None,
        typer.Option("--old-key-env", metavar="VAR", rich_help_panel=_KEYS,
                     help="Environment variable holding the current master key."),
    ] = None,
    new_key: Annotated[
        str | None,
        typer.Option("--new-key", metavar="FILE", rich_help_panel=_KEYS,
                     help="New master key file (fairmark protect keygen)."),
    ] = None,
    new_key_env: Annotated[
        str | None,
        typer.Option("--new-key-env", metavar="VAR", rich_help_panel=_KEYS,
                     help="Environment variable holding the new master key."),
    ] = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Re-wrap every data key from the old to the new master key, in one transaction.

    Encrypted files do not change. This rotates the master key only; to rotate a
    pseudonymisation key, run 'protect pseudonymize' again on the source data.
    """
    from fairmark.privacy.protect.rotate import rotate_master_key

    fmt = check_choice("--format", fmt, FORMATS)
    old = _master(old_key, old_key_env, "--old-key")
    new = _master(new_key, new_key_env, "--new-key")
    result = rotate_master_key(old, new, db)
    if result.status == "rotated":
        line = (
            f"Re-wrapped {_n(result.n_keys_rewrapped, 'data key')} from master key "
            f"{result.old_key_id} to {result.new_key_id} in {result.keystore}; the old key "
            "no longer opens the keystore."
        )
    else:
        line = f"The keystore {result.keystore} is already under master key {result.new_key_id}."
    _show(result, fmt, [line])
