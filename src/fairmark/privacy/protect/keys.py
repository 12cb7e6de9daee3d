"""256-bit secret keys: load them from a file or an environment variable, generate them.

A key is 32 random bytes. A key file holds them raw (exactly 32 bytes), as 64 hex digits or
as base64 (standard or URL-safe alphabet, padding optional), surrounded by optional
whitespace; an environment variable holds the hex or base64 text. :func:`generate_key`
writes base64 text (one line) with file mode 0600 and never overwrites a file.

A key is named by its *key id*, the first 16 hex digits of its SHA-256 digest, which is
safe to print and to store: it identifies the key without revealing it. Key material
itself is never printed, logged or put in an error message; :class:`SecretKey` hides it
from ``repr``.

The key that pseudonymises or encrypts a data set is the "additional information" of
GDPR Art. 4(5) that must be kept separately from the data: :func:`check_key_apart`
refuses a key file that lies inside the folder a protected file is written to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import string
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fairmark.errors import UsageError

__all__ = [
    "KEY_BYTES",
    "SecretKey",
    "check_key_apart",
    "generate_key",
    "key_id",
    "load_key",
    "parse_key",
]

KEY_BYTES = 32
"""Length of every key, in bytes (256 bits: AES-256, HMAC-SHA-256 with a full-size key)."""

_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_PRINTABLE = frozenset(string.printable.encode("ascii"))


def key_id(material: bytes) -> str:
    """Return the public identifier of a key.

    Parameters
    ----------
    material : bytes
        The key (any length).

    Returns
    -------
    str
        The first 16 lowercase hex digits (64 bits) of ``SHA-256(material)``.

    Notes
    -----
    A truncated hash of a 256-bit random key reveals nothing usable about it (recovering
    the key needs a 2^256 search); it plays the role of the JOSE ``kid`` (RFC 7517 §4.5).
    Source: FIPS 180-4 (SHA-256).
    """
    return hashlib.sha256(material).hexdigest()[:16]


@dataclass(frozen=True)
class SecretKey:
    """A 256-bit key with its id and where it was loaded from.

    Attributes
    ----------
    material : bytes
        The 32 key bytes. Hidden from ``repr`` and never printed by fairmark.
    key_id : str
        :func:`key_id` of ``material``.
    source : str
        ``file <path>`` or ``environment variable <NAME>``, for messages.
    path : Path or None
        The key file, when loaded from one (used by :func:`check_key_apart`).
    """

    material: bytes = field(repr=False)
    key_id: str
    source: str
    path: Path | None = None

    @classmethod
    def from_bytes(cls, material: bytes, source: str = "memory") -> SecretKey:
        """Wrap 32 key bytes.

        Parameters
        ----------
        material : bytes
            Exactly :data:`KEY_BYTES` bytes.
        source : str
            Where they came from, for messages.

        Returns
        -------
        SecretKey

        Raises
        ------
        UsageError
            ``material`` is not bytes of length 32.
        """
        if not isinstance(material, bytes | bytearray) or len(material) != KEY_BYTES:
            size = len(material) if isinstance(material, bytes | bytearray) else None
            raise UsageError(
                f"key from {source} has {size if size is not None else 'no'} bytes; "
                f"expected exactly {KEY_BYTES} bytes (256 bits)"
            )
        material = bytes(material)
        return cls(material=material, key_id=key_id(material), source=source)


def parse_key(data: bytes, source: str, *, allow_raw: bool = True) -> bytes:
    """Decode the 32 key bytes held in ``data``.

    Parameters
    ----------
    data : bytes
        Content of a key file or value of an environment variable.
    source : str
        Where ``data`` came from, named in the error message.
    allow_raw : bool
        Accept exactly 32 raw bytes (a key file); ``False`` for an environment variable.

    Returns
    -------
    bytes
        The 32 key bytes.

    Raises
    ------
    UsageError
        ``data`` is neither 32 raw bytes, 64 hex digits, nor base64 of 32 bytes. 32 bytes
        that are all printable ASCII are read as text, not as a raw key, so a 32-character
        passphrase is refused rather than used as a weak key (a random key is all
        printable with probability (100/256)^32 < 1e-12).

    Notes
    -----
    Encodings: RFC 4648 §4 (base64), §5 (base64url), §8 (base16, hex).
    """
    if allow_raw and len(data) == KEY_BYTES and not set(data) <= _PRINTABLE:
        return bytes(data)
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _HEX_KEY.fullmatch(text):
            return bytes.fromhex(text)
        if text and len(text) <= 64:
            padded = text + "=" * (-len(text) % 4)
            for altchars in (None, b"-_"):
                try:
                    decoded = base64.b64decode(padded, altchars=altchars, validate=True)
                except (binascii.Error, ValueError):
                    continue
                if len(decoded) == KEY_BYTES:
                    return decoded
    if allow_raw and len(data) == KEY_BYTES:
        raise UsageError(
            f"key from {source} is not a 256-bit key (32 printable characters: a passphrase, "
            "or hex or base64 of a shorter key); expected a key made by "
            "'fairmark protect keygen'"
        )
    raw = " 32 raw bytes," if allow_raw else ""
    raise UsageError(
        f"key from {source} is not a 256-bit key ({len(data)} bytes that are neither{raw} "
        f"64 hex digits nor base64 of 32 bytes); expected a key made by "
        "'fairmark protect keygen'"
    )


def load_key(
    path: str | os.PathLike[str] | None = None,
    env: str | None = None,
    *,
    option: str = "--key",
) -> SecretKey:
    """Load a 256-bit key from a file or from an environment variable.

    Parameters
    ----------
    path : str or os.PathLike or None
        Key file: 32 raw bytes, 64 hex digits or base64 text (see :func:`parse_key`).
    env : str or None
        Name of an environment variable holding the key as hex or base64 text.
    option : str
        The command-line option that gave the key, named in error messages
        (``--key``, ``--master-key``, ``--old-key`` …).

    Returns
    -------
    SecretKey

    Raises
    ------
    UsageError
        Neither or both of ``path`` and ``env`` given; the file does not exist, is a
        folder or cannot be read; the variable is unset or blank; the content is not a
        256-bit key.

    Notes
    -----
    Keeping the key out of the data set (a separate file or the process environment,
    e.g. injected by a secrets manager) is what GDPR Art. 4(5) asks of the "additional
    information" that re-identifies pseudonymised data, and a measure of Art. 32(1)(a).
    """
    if (path is None) == (env is None):
        raise UsageError(
            f"{option}: give the key either as a file or as an environment variable "
            f"({option} FILE or {option}-env VAR), not "
            + ("both" if path is not None else "neither")
        )
    if env is not None:
        name = env.strip()
        value = os.environ.get(name, "")
        if not name or not value.strip():
            raise UsageError(
                f"{option}-env: environment variable {name!r} is not set or blank; expected "
                "it to hold a key as 64 hex digits or base64"
            )
        source = f"environment variable {name}"
        secret = SecretKey.from_bytes(
            parse_key(value.encode("utf-8"), source, allow_raw=False), source
        )
        return secret
    p = Path(os.fspath(path))  # type: ignore[arg-type]
    if not p.exists():
        raise UsageError(
            f"{option}: key file {str(p)!r} not found; expected a key file made by "
            "'fairmark protect keygen'"
        )
    if p.is_dir():
        raise UsageError(f"{option}: {str(p)!r} is a folder; expected a key file")
    try:
        with p.open("rb") as handle:
            data = handle.read(4096)
    except OSError as exc:
        raise UsageError(
            f"{option}: cannot read key file {str(p)!r}: {exc.strerror or exc}; expected a "
            "readable key file"
        ) from None
    source = f"file {str(p)!r}"
    material = parse_key(data, source)
    return SecretKey(material=material, key_id=key_id(material), source=source, path=p)


def generate_key(path: str | os.PathLike[str]) -> SecretKey:
    """Write a new random 256-bit key to ``path`` (base64 text, mode 0600).

    Parameters
    ----------
    path : str or os.PathLike
        The new key file. Its folder must exist; the file must not.

    Returns
    -------
    SecretKey
        The new key (its ``key_id`` is safe to show).

    Raises
    ------
    UsageError
        ``path`` already exists (a key is never overwritten: the data it protects would
        become unreadable), its folder does not exist, or the file cannot be written.

    Notes
    -----
    The key comes from the operating system's CSPRNG (:func:`secrets.token_bytes`). The
    file is written whole to a temporary file in the same folder (mode 0600, owner read
    and write only), flushed to disk, then linked to ``path`` with ``link(2)``, which
    fails if ``path`` exists: the key file appears complete or not at all, and a file
    created meanwhile by someone else is never replaced. Source: NIST SP 800-133 Rev. 2
    §4 (keys from an approved random bit generator); GDPR Art. 32(1)(a).
    """
    target = Path(os.fspath(path))
    if target.exists() or target.is_symlink():
        raise UsageError(
            f"key file {str(target)!r} already exists; expected a new path (fairmark never "
            "overwrites a key: the data it protects would become unreadable)"
        )
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"folder {str(folder)!r} of the key file does not exist; create it first")
    material = secrets.token_bytes(KEY_BYTES)
    text = base64.b64encode(material) + b"\n"
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".fairmark-key-", dir=folder)
    except OSError as exc:
        raise UsageError(
            f"cannot write key file {str(target)!r}: {exc.strerror or exc}; expected a "
            "writable folder"
        ) from None
    try:
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp_name, target)
        except FileExistsError:
            raise UsageError(
                f"key file {str(target)!r} already exists; expected a new path"
            ) from None
        except OSError as exc:
            raise UsageError(
                f"cannot write key file {str(target)!r}: {exc.strerror or exc}; expected a "
                "writable folder"
            ) from None
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return SecretKey(
        material=material, key_id=key_id(material), source=f"file {str(target)!r}", path=target
    )


def check_key_apart(key: SecretKey, out: str | os.PathLike[str], *, option: str) -> None:
    """Refuse a key file that lies inside the folder the protected data is written to.

    Parameters
    ----------
    key : SecretKey
        The key; a key from an environment variable always passes.
    out : str or os.PathLike
        The output data file.
    option : str
        The option that gave the key, named in the message.

    Raises
    ------
    UsageError
        The key file is in the output file's folder or in one of its subfolders (paths
        resolved, symbolic links followed).

    Notes
    -----
    GDPR Art. 4(5): pseudonymised data stays pseudonymous only while "such additional
    information is kept separately"; a key copied, shared or backed up together with the
    data protects nothing. ENISA, "Pseudonymisation techniques and best practices"
    (2019), §5.2, on keeping the pseudonymisation secret apart from the data.
    """
    if key.path is None:
        return
    key_file = key.path.resolve()
    folder = Path(os.fspath(out)).resolve().parent
    if key_file.is_relative_to(folder):
        raise UsageError(
            f"{option}: key file {str(key.path)!r} is inside the output folder "
            f"{str(folder)!r}; expected the key kept apart from the data it protects "
            "(GDPR Art. 4(5)): move the key or write the output elsewhere"
        )
