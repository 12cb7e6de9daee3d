"""Pseudonymisation, field-level encryption, crypto-shredding and key rotation.

Public API::

    load_key(path=None, env=None) -> SecretKey       a 256-bit key from a file or env var
    generate_key(path) -> SecretKey                  a new key file (base64, mode 0600)
    pseudonymize(data, columns, key, out, normalize=None) -> PseudonymizeResult
    pseudonymize_value(value, key, normalize=None) -> str
    Keystore(master_key, url=None)                   per-subject data keys in the store
    encrypt(data, columns, subject_column, keystore, out) -> EncryptResult
    decrypt(data, columns, subject_column, keystore, out) -> DecryptResult
    shred_subject(keystore, subject_id) -> ShredResult
    rotate_master_key(old_key, new_key, url=None) -> RotateResult

Keyed pseudonyms are HMAC-SHA-256 (RFC 2104); encryption is AES-256-GCM (NIST SP 800-38D)
with one data key per data subject wrapped by a master key (AES Key Wrap, RFC 3394), so
deleting a subject's key crypto-shreds every copy of their encrypted data. Keys are never
stored beside the data (GDPR Art. 4(5)); see also GDPR Art. 17, 25 and 32.
"""

from fairmark.privacy.protect.decrypt import decrypt
from fairmark.privacy.protect.encrypt import encrypt
from fairmark.privacy.protect.keys import KEY_BYTES, SecretKey, generate_key, key_id, load_key
from fairmark.privacy.protect.keystore import Keystore
from fairmark.privacy.protect.pseudonymize import pseudonymize, pseudonymize_value
from fairmark.privacy.protect.result import (
    DecryptResult,
    EncryptResult,
    KeygenResult,
    PseudonymizeResult,
    RotateResult,
    ShredResult,
)
from fairmark.privacy.protect.rotate import rotate_master_key
from fairmark.privacy.protect.shred import shred_subject

__all__ = [
    "KEY_BYTES",
    "DecryptResult",
    "EncryptResult",
    "KeygenResult",
    "Keystore",
    "PseudonymizeResult",
    "RotateResult",
    "SecretKey",
    "ShredResult",
    "decrypt",
    "encrypt",
    "generate_key",
    "key_id",
    "load_key",
    "pseudonymize",
    "pseudonymize_value",
    "rotate_master_key",
    "shred_subject",
]
