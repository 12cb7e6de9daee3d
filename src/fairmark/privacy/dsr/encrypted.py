"""Sources encrypted with ``fairmark protect encrypt``: shred, check and decrypt one subject.

Cells of such a source are sealed with AES-256-GCM under a per-subject data key held in
the keystore (:mod:`fairmark.privacy.protect`). Erasure crypto-shreds that key
(:func:`fairmark.privacy.protect.shred_subject`) and verifies afterwards that the keystore
holds no key for the subject; access decrypts the subject's cells so that the export is
readable (GDPR Art. 15(3): a copy of the personal data, not of its ciphertext).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairmark.privacy.dsr.sources import Encryption
from fairmark.privacy.protect.cell import CellFormatError, associated_data, open_cell
from fairmark.privacy.protect.keys import SecretKey, load_key
from fairmark.privacy.protect.keystore import Keystore
from fairmark.privacy.protect.shred import shred_subject

__all__ = [
    "CellOpener",
    "cell_opener",
    "has_data_key",
    "load_master_key",
    "open_keystore",
    "shred",
]


def load_master_key(encryption: Encryption) -> SecretKey:
    """Load the master key named by the marker.

    Raises
    ------
    UsageError
        The variable is unset or blank, the file is missing, or the content is not a
        256-bit key (:func:`fairmark.privacy.protect.load_key`).
    """
    return load_key(encryption.master_key_file, encryption.master_key_env, option="--master-key")


def open_keystore(encryption: Encryption, store_url: str) -> Keystore:
    """The keystore of an encrypted source, opened with its master key.

    Parameters
    ----------
    encryption : Encryption
    store_url : str
        The request log's store, used when the marker names no keystore.

    Returns
    -------
    Keystore
        Opened lazily: store errors and "authentication failed" surface at first use.

    Raises
    ------
    UsageError
        The master key cannot be loaded.
    """
    url = encryption.keystore_url if encryption.keystore_url is not None else store_url
    return Keystore(load_master_key(encryption), url)


def shred(keystore: Keystore, subject: str) -> str:
    """Crypto-shred the subject's data key.

    Returns
    -------
    str
        ``shredded``, ``already_shredded`` or ``no_key``
        (:class:`fairmark.privacy.protect.ShredResult`).

    Raises
    ------
    UsageError, StoreError
        As :func:`fairmark.privacy.protect.shred_subject`.
    """
    return shred_subject(keystore, subject).status


def has_data_key(keystore: Keystore, subject: str) -> bool:
    """Whether the keystore still holds a data key for the subject (read from the store).

    Raises
    ------
    UsageError, DataError, StoreError
        As :meth:`fairmark.privacy.protect.Keystore.data_keys`.
    """
    lookup_id = keystore.lookup_id(subject)
    keystore.forget(lookup_id)
    return bool(keystore.data_keys([lookup_id]).keys)


@dataclass(frozen=True)
class CellOpener:
    """Decrypts the encrypted cells of one subject.

    Attributes
    ----------
    lookup_id : str
        The subject's id in the keystore.
    aead : AESGCM or None
        Cipher under the subject's data key; ``None`` when the keystore holds none
        (shredded, or never encrypted).
    """

    lookup_id: str
    aead: AESGCM | None

    def open(self, column: str, cell: object) -> tuple[str | None, bool]:
        """Decrypt one cell.

        Returns
        -------
        (str or None, bool)
            The plaintext (``None`` for a null cell or one that cannot be decrypted) and
            whether the cell was unreadable (not null, yet not decrypted: no key, not a
            fairmark cell, or failed authentication; NIST SP 800-38D §7.2: no plaintext
            is returned then).
        """
        if cell is None:
            return None, False
        if self.aead is None or not isinstance(cell, str):
            return None, True
        try:
            return open_cell(self.aead, cell, associated_data(column, self.lookup_id)), False
        except (CellFormatError, InvalidTag):
            return None, True


def cell_opener(keystore: Keystore, subject: str) -> CellOpener:
    """A :class:`CellOpener` for one subject.

    Raises
    ------
    UsageError, DataError, StoreError
        "authentication failed" (another master key) or the store fails.
    """
    lookup_id = keystore.lookup_id(subject)
    keys = keystore.data_keys([lookup_id]).keys
    key = keys.get(lookup_id)
    return CellOpener(lookup_id, None if key is None else AESGCM(key))
