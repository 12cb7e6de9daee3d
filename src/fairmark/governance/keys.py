"""The Ed25519 signing key of a fairmark store: where it lives, signing and verifying.

The key signs audit-log checkpoints (:mod:`fairmark.governance.log`) and evidence bundles
(:mod:`fairmark.governance.evidence`). It is kept in a file *outside* the database (PKCS#8
PEM, mode 0600), so that someone who can rewrite the database still cannot forge a
signature; auditors compare the public key fingerprint with the one the organisation
publishes.

Where the key file is: an explicit path, else ``$FAIRMARK_SIGNING_KEY``, else
``signing_key.pem`` beside a SQLite store file, else ``~/.config/fairmark/signing_key.pem``.
A missing key file is created (a new random key) when ``create`` is true.

Public keys from elsewhere (a registration, a checkpoint, a bundle) are validated before
they are believed (:func:`check_public_key`): ``cryptography`` accepts any 32 bytes, and a
small-order key lets anyone forge signatures that verify.

Sources: RFC 8032 (Ed25519; section 5.1.3 decoding, section 6 reference arithmetic);
``cryptography`` documentation, "Ed25519 signing"; RFC 5958 / PKCS#8 for the file format;
libsodium ``ge25519_has_small_order``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
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
    "check_public_key",
    "check_trusted_value",
    "fingerprint",
    "key_path",
    "load_signing_key",
    "public_key_hex",
    "public_key_problem",
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


# ------------------------------------------------------------------ key validation
# RFC 8032 section 6 reference arithmetic on edwards25519 in extended coordinates
# (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z. Used only to validate public keys:
# ``cryptography`` (OpenSSL) signs and verifies, but accepts any 32 bytes as a public key
# and exposes no point validation (checked for cryptography 50; PyNaCl/libsodium, which
# has ``crypto_core_ed25519_is_valid_point``, is not a dependency).

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
_IDENTITY = (0, 1, 1, 0)

KEY_EXPECTED = "expected the 64 hex digits 'fairmark log public-key' prints"
"""The end of every "not a usable Ed25519 key" message."""


def _point_add(
    p: tuple[int, int, int, int], q: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """RFC 8032 section 6 ``point_add`` (complete formulas: also doubles)."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _times(s: int, p: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """RFC 8032 section 6 ``point_mul``: ``[s]p`` by double-and-add."""
    q = _IDENTITY
    while s > 0:
        if s & 1:
            q = _point_add(q, p)
        p = _point_add(p, p)
        s >>= 1
    return q


def _is_identity(p: tuple[int, int, int, int]) -> bool:
    """RFC 8032 section 6 ``point_equal`` against the neutral element (0, 1)."""
    return p[0] % _P == 0 and (p[1] - p[2]) % _P == 0


@lru_cache(maxsize=256)
def _key_problem(raw: bytes) -> tuple[str, str] | None:
    """``(code, why)`` when ``raw`` is not a usable Ed25519 public key, else ``None``."""
    if len(raw) != 32:
        return "length", f"it has {len(raw)} bytes, not 32"
    y = int.from_bytes(raw, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= _P:  # RFC 8032 section 5.1.3 step 1
        return "non_canonical", (
            "its y coordinate is not below 2^255 - 19 (a non-canonical encoding)"
        )
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    x2 = u * pow(v, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)  # step 3, as the reference recover_x
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return "off_curve", (
            "it is not a point of the curve (it does not decode, RFC 8032 section 5.1.3)"
        )
    if x == 0 and sign:  # step 4
        return "non_canonical", (
            "x is 0 but its sign bit is set (a non-canonical encoding of a point of small order)"
        )
    if x & 1 != sign:
        x = _P - x
    point = (x, y, 1, x * y % _P)
    if _is_identity(_times(8, point)):
        return "small_order", (
            "it is a point of small order (8 times it is the neutral element), for which "
            "forged signatures verify"
        )
    if not _is_identity(_times(_L, point)):
        return "torsion", (
            "it is not in the prime-order subgroup (it has a small-order component), so "
            "it is no Ed25519 private key's public key"
        )
    return None


def _raw(public: bytes | str) -> bytes | None:
    if isinstance(public, bytes):
        return public
    try:
        return bytes.fromhex(str(public).strip())
    except ValueError:
        return None


def public_key_problem(public: bytes | str) -> str | None:
    """Say why ``public`` is not a usable Ed25519 public key (``None`` when it is).

    Parameters
    ----------
    public : bytes or str
        The raw public key (32 bytes), or its hex.

    Returns
    -------
    str or None
        One clause, e.g. ``"it is a point of small order (…)"``; ``"it is not hex"``
        for a string that is not hex. ``None`` for a usable key.

    Raises
    ------
    Nothing.

    Notes
    -----
    Refused: a length other than 32 bytes; a non-canonical encoding (``y >= p``, or
    ``x = 0`` with the sign bit set: RFC 8032 section 5.1.3 steps 1 and 4); bytes that do
    not decode to a curve point (section 5.1.3); a point of small order (``[8]A`` is the
    neutral element: the 8 points that libsodium's ``ge25519_has_small_order`` blocklists
    with their non-canonical encodings; with such a key the signature ``R`` = the neutral
    element, ``S = 0`` verifies for some messages, 1 in 4 for the all-zero key: Chalkias
    et al. 2020, "Taming the many EdDSAs"); a point outside the prime-order subgroup
    (``[L]A`` is not the neutral element: no private key's public key ``[s]B`` is;
    libsodium ``crypto_core_ed25519_is_valid_point``). The arithmetic is RFC 8032 section 6's
    reference code. Results are cached per key.
    """
    raw = _raw(public)
    if raw is None:
        return "it is not hex"
    found = _key_problem(raw)
    return None if found is None else found[1]


def check_public_key(public: bytes | str) -> None:
    """Raise ``UsageError`` unless ``public`` is a usable Ed25519 public key.

    Parameters
    ----------
    public : bytes or str
        The raw public key (32 bytes), or its hex.

    Raises
    ------
    UsageError
        One line: ``public key <hex> is not a usable Ed25519 key: <why>; expected the 64
        hex digits 'fairmark log public-key' prints`` (reasons: :func:`public_key_problem`).

    Notes
    -----
    Sources: RFC 8032 sections 5.1.3 (decoding) and 6 (reference arithmetic); libsodium
    ``ge25519_has_small_order`` and ``crypto_core_ed25519_is_valid_point``.
    """
    why = public_key_problem(public)
    if why is not None:
        shown = public.hex() if isinstance(public, bytes) else str(public).strip()
        raise UsageError(f"public key {shown} is not a usable Ed25519 key: {why}; {KEY_EXPECTED}")


def check_trusted_value(value: str) -> None:
    """Refuse a ``--public-key`` value that is certainly an unusable key.

    A trusted value is a raw public key *or* a SHA-256 fingerprint, both 64 hex digits,
    so a value that does not decode to a point (as half of all fingerprints do) or has a
    small-order component may be a fingerprint and passes. Refused are the encodings no
    fingerprint realistically has: non-canonical ones and the points of small order.

    Parameters
    ----------
    value : str
        64 hex digits (checked by the caller).

    Raises
    ------
    UsageError
        ``value`` is a point of small order or a non-canonical encoding, in the words of
        :func:`check_public_key`.

    Notes
    -----
    A SHA-256 output lands on one of those (fewer than 50) encodings with probability
    below 2^-250.
    Sources: RFC 8032 section 5.1.3; libsodium ``ge25519_has_small_order``.
    """
    raw = _raw(value)
    found = None if raw is None else _key_problem(raw)
    if found is not None and found[0] in ("non_canonical", "small_order"):
        raise UsageError(
            f"public key {value.strip()} is not a usable Ed25519 key: {found[1]}; "
            f"{KEY_EXPECTED} (or its fingerprint)"
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
        ``False`` also for malformed hex and for a key :func:`public_key_problem` refuses
        (wrong length, not a point, small order): never raises.

    Notes
    -----
    OpenSSL verifies ``[S]B = R + [k]A`` without checking ``A``; refusing small-order
    keys first keeps a forged ``(R, S) = (neutral element, 0)`` from verifying.
    Sources: RFC 8032 section 5.1.7; Chalkias et al. 2020, "Taming the many EdDSAs".
    """
    try:
        raw = bytes.fromhex(public_hex)
        if _key_problem(raw) is not None:
            return False
        public = Ed25519PublicKey.from_public_bytes(raw)
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
        The raw 32-byte public key, 64 lower-case hex digits (not yet validated: callers
        that believe it call :func:`check_public_key`).

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
