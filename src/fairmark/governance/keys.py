"""The Ed25519 signing key of a fairmark store: where it lives, signing and verifying.

The key signs audit-log checkpoints (:mod:`fairmark.governance.log`) and evidence bundles
(:mod:`fairmark.governance.evidence`). It is kept in a file *outside* the database (PKCS#8
PEM, mode 0600), so that someone who can rewrite the database still cannot forge a
signature; auditors compare the public key fingerprint with the one the organisation
publishes.

Where the key file is: an explicit path, else ``$FAIRMARK_SIGNING_KEY``, else
``signing_key.pem`` beside a SQLite store file, else ``~/.config/fairmark/signing_key.pem``.
A missing key file is created (a new random key) when ``create`` is true.

Sources: RFC 8032 (Ed25519); ``cryptography`` documentation, "Ed25519 signing";
RFC 5958 / PKCS#8 for the file format.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy.engine import make_url

from fairmark.errors import UsageError

__all__ = [
    "KEY_ENV_VAR",
    "SigningKey",
    "fingerprint",
    "key_path",
    "load_signing_key",
    "public_key_hex",
    "verify_signature",
]

KEY_ENV_VAR = "FAIRMARK_SIGNING_KEY"
"""Environment variable naming the signing key file."""


def fingerprint(public_hex: str) -> str:
    """Return the SHA-256 fingerprint (hex) of a raw Ed25519 public key given in hex."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and where it came from.

    Attributes
    ----------
    path : pathlib.Path
    public_hex : str
        Raw 32-byte public key, hex.
    fingerprint : str
        SHA-256 of the raw public key, hex (64 digits).
    """

    path: Path
    public_hex: str
    fingerprint: str
    _key: Ed25519PrivateKey

    def sign(self, message: bytes) -> str:
        """Sign ``message``; return the 64-byte Ed25519 signature as hex."""
        return self._key.sign(message).hex()


def key_path(path: str | os.PathLike[str] | None = None, store_url: str | None = None) -> Path:
    """Resolve the signing key file (see the module docstring for the order)."""
    if path is not None and str(path).strip():
        return Path(path)
    env = os.environ.get(KEY_ENV_VAR, "").strip()
    if env:
        return Path(env)
    if store_url:
        try:
            parsed = make_url(store_url)
        except Exception:  # an odd URL just means "not a SQLite file"
            parsed = None
        if (
            parsed is not None
            and parsed.get_backend_name() == "sqlite"
            and parsed.database
            and parsed.database != ":memory:"
            and not parsed.database.startswith("file:")
        ):
            return Path(parsed.database).parent / "signing_key.pem"
    return Path.home() / ".config" / "fairmark" / "signing_key.pem"


def load_signing_key(
    path: str | os.PathLike[str] | None = None,
    *,
    store_url: str | None = None,
    create: bool = True,
) -> SigningKey:
    """Load (or create) the Ed25519 signing key.

    Parameters
    ----------
    path : path-like, optional
        The key file; default per :func:`key_path`.
    store_url : str, optional
        The store URL, to place the default key beside a SQLite file.
    create : bool, default True
        Create a new key file (mode 0600) when none exists.

    Returns
    -------
    SigningKey

    Raises
    ------
    UsageError
        The file is missing and ``create`` is false, cannot be read or written, or does
        not hold an unencrypted Ed25519 private key in PEM.
    """
    file = key_path(path, store_url)
    if not file.exists():
        if not create:
            raise UsageError(
                f"signing key {file} does not exist; expected a PEM Ed25519 private key "
                f"(set {KEY_ENV_VAR} or create one with 'fairmark log checkpoint')"
            )
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
        except FileExistsError:
            pass  # another process created it first: read theirs
        except OSError as exc:
            raise UsageError(
                f"cannot create signing key {file}: {exc.strerror or exc}; "
                f"expected a writable folder (or set {KEY_ENV_VAR})"
            ) from None
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"cannot read signing key {file}: {exc.strerror or exc}; expected a readable file"
        ) from None
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"signing key {file} is not an unencrypted PEM private key ({exc}); "
            "expected an Ed25519 key in PKCS#8 PEM"
        ) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise UsageError(
            f"signing key {file} is a {type(loaded).__name__}; expected an Ed25519 key"
        )
    public_hex = (
        loaded.public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex()
    )
    return SigningKey(
        path=file, public_hex=public_hex, fingerprint=fingerprint(public_hex), _key=loaded
    )


def verify_signature(public_hex: str, message: bytes, signature_hex: str) -> bool:
    """Return whether ``signature_hex`` is a valid Ed25519 signature of ``message``.

    Parameters
    ----------
    public_hex : str
        Raw 32-byte public key, hex.
    message : bytes
    signature_hex : str
        64-byte signature, hex.

    Returns
    -------
    bool
        ``False`` also for malformed hex or a key of the wrong length (never raises).
    """
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        public.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


_HEX_DIGITS = frozenset("0123456789abcdef")


def public_key_hex(value: str | os.PathLike[str]) -> str:
    """Read a raw Ed25519 public key given as hex or as a file.

    Parameters
    ----------
    value : str or path-like
        64 hex digits (what ``fairmark log public-key`` prints), or a file holding them
        (its first word) or holding a PEM public key (SubjectPublicKeyInfo, e.g.
        ``openssl pkey -pubout``).

    Returns
    -------
    str
        The raw 32-byte public key, 64 lower-case hex digits.

    Raises
    ------
    UsageError
        ``value`` is neither 64 hex digits nor a readable file holding a public key; the
        file holds a private key (never hand one over) or a key of another type.

    Notes
    -----
    Sources: RFC 8032 (Ed25519 public keys are 32 bytes); RFC 8410 section 4 (Ed25519
    keys in SubjectPublicKeyInfo); RFC 7468 (PEM).
    """
    text = str(value).strip()
    expected = (
        "expected the raw Ed25519 public key (64 hex digits) that 'fairmark log public-key' "
        "prints, or a file holding it (hex or PEM)"
    )
    if len(text) == 64 and set(text.lower()) <= _HEX_DIGITS:
        return text.lower()
    file = Path(text)
    if not text or not file.is_file():
        raise UsageError(f"public key {text!r} is neither 64 hex digits nor a file; {expected}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read public key file {file}: {exc.strerror or exc}") from None
    if b"PRIVATE KEY" in data:
        raise UsageError(
            f"{file} holds a private key; expected a public key (never hand over a private "
            "key: 'fairmark log public-key' prints the public one)"
        )
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            loaded = serialization.load_pem_public_key(data)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise UsageError(f"{file} is not a PEM public key; {expected}") from None
        if not isinstance(loaded, Ed25519PublicKey):
            raise UsageError(f"{file} holds a {type(loaded).__name__}; {expected}")
        return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    words = data.decode("utf-8", errors="replace").split()
    first = words[0].lower() if words else ""
    if len(first) == 64 and set(first) <= _HEX_DIGITS:
        return first
    raise UsageError(f"{file} does not start with 64 hex digits; {expected}")
