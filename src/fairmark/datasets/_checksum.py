"""SHA-256 verification of downloaded or local archive bytes."""

from __future__ import annotations

import hashlib

from fairmark.errors import DataError

__all__ = ["sha256_hex", "verify_sha256"]


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of ``data`` as 64 lowercase hexadecimal characters.

    Parameters
    ----------
    data : bytes
        The bytes to hash (e.g. a whole archive file).

    Returns
    -------
    str
        Hex digest, as printed by ``sha256sum``.

    Notes
    -----
    SHA-256 is defined in FIPS PUB 180-4, *Secure Hash Standard* (NIST, 2015); computed
    with :mod:`hashlib`.
    """
    return hashlib.sha256(data).hexdigest()


def verify_sha256(data: bytes, expected: str, what: str) -> None:
    """Raise :class:`~fairmark.errors.DataError` unless ``data`` hashes to ``expected``.

    Parameters
    ----------
    data : bytes
        The bytes to check.
    expected : str
        Expected SHA-256 hex digest (case-insensitive).
    what : str
        Name of the checked file or archive, used in the error message.

    Raises
    ------
    DataError
        If the digest differs; the message names ``what``, the expected and the actual
        digest.
    """
    actual = sha256_hex(data)
    if actual != expected.lower():
        raise DataError(
            f"sha256 mismatch for {what}: expected {expected.lower()}, got {actual}; "
            "the file is corrupt, truncated or a different version"
        )
