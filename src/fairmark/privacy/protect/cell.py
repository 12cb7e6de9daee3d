"""The format of one encrypted cell: AES-256-GCM bound to its column and data subject.

A cell is the base64 text (RFC 4648 §4, padded) of::

    version (1 byte, 0x01) || nonce (12 bytes) || ciphertext || tag (16 bytes)

encrypted with the subject's 256-bit data key and a fresh random 96-bit nonce, with the
additional authenticated data (AAD)::

    version || len(column) (4 bytes, big-endian) || column (UTF-8) || subject lookup id (ASCII)

so a cell copied to another column or to another subject's row fails authentication
instead of decrypting there. Plaintext is the UTF-8 text of the value.

Random 96-bit nonces are safe up to 2^32 encryptions under one key (NIST SP 800-38D
§8.3); with one key per data subject no key comes near that.
"""

from __future__ import annotations

import base64
import binascii
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CELL_VERSION",
    "NONCE_BYTES",
    "TAG_BYTES",
    "CellFormatError",
    "associated_data",
    "open_cell",
    "seal_cell",
]

CELL_VERSION = 1
"""Version byte of the cell format described above."""

NONCE_BYTES = 12
"""GCM nonce length: 96 bits, the length NIST SP 800-38D recommends (§5.2.1.1)."""

TAG_BYTES = 16
"""GCM authentication tag length: 128 bits."""

_VERSION = bytes([CELL_VERSION])
_MIN_BYTES = 1 + NONCE_BYTES + TAG_BYTES


class CellFormatError(ValueError):
    """A cell is not a fairmark ciphertext (not base64, too short, unknown version)."""


def associated_data(column: str, lookup_id: str) -> bytes:
    """The AAD that binds a cell to its column and data subject.

    Parameters
    ----------
    column : str
        Column name.
    lookup_id : str
        The subject's lookup id (64 hex digits).

    Returns
    -------
    bytes
        ``version || len(column) as 4-byte big-endian || column UTF-8 || lookup_id``.
        The length prefix makes the encoding unambiguous.
    """
    name = column.encode("utf-8")
    return _VERSION + struct.pack(">I", len(name)) + name + lookup_id.encode("ascii")


def seal_cell(aead: AESGCM, nonce: bytes, plaintext: str, aad: bytes) -> str:
    """Encrypt one value.

    Parameters
    ----------
    aead : AESGCM
        Cipher keyed with the subject's data key.
    nonce : bytes
        12 fresh random bytes, never reused under this key.
    plaintext : str
        The value's text.
    aad : bytes
        :func:`associated_data` of the cell.

    Returns
    -------
    str
        The cell text (base64).
    """
    sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
    return base64.b64encode(_VERSION + nonce + sealed).decode("ascii")


def open_cell(aead: AESGCM, cell: str, aad: bytes) -> str:
    """Decrypt and authenticate one cell.

    Parameters
    ----------
    aead : AESGCM
        Cipher keyed with the subject's data key.
    cell : str
        The cell text.
    aad : bytes
        :func:`associated_data` of the cell's column and subject.

    Returns
    -------
    str
        The value's text.

    Raises
    ------
    CellFormatError
        The cell is not base64, is shorter than version + nonce + tag, or has an unknown
        version byte.
    cryptography.exceptions.InvalidTag
        Authentication failed: the cell was altered, moved to another column or subject,
        or encrypted under another key. No plaintext is ever returned then.
    """
    try:
        raw = base64.b64decode(cell, validate=True)
    except (binascii.Error, ValueError):
        raise CellFormatError("not base64 text") from None
    if len(raw) < _MIN_BYTES:
        raise CellFormatError(f"{len(raw)} bytes, shorter than nonce and tag")
    if raw[0] != CELL_VERSION:
        raise CellFormatError(f"unknown format version {raw[0]}")
    nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
    plaintext = aead.decrypt(nonce, sealed, aad)
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - authenticated data is what was sealed
        raise InvalidTag() from None
