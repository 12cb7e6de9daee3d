"""Fixtures of the consent tests: the IAB vectors and a TC-string builder written from the spec.

The builder writes TCF v2 strings bit by bit from the field widths of the IAB Tech Lab
"TC String Format" tables (typed out here, not imported from fairmark) so that tests of
rules and mapping can use strings with a chosen ``Created`` date, policy version,
purposes and restrictions; it shares no code with the decoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def load_vectors(shared_data: Path, name: str) -> dict[str, dict[str, Any]]:
    """Vectors of ``consent-strings-iab/<name>`` by id."""
    doc = json.loads((shared_data / "consent-strings-iab" / name).read_text())
    return {v["id"]: v for v in doc["vectors"]}


def _b64(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(ALPHABET[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def _int(value: int, width: int) -> str:
    assert 0 <= value < 2**width
    return format(value, f"0{width}b")


def _flags(ids: list[int], width: int) -> str:
    return "".join("1" if i + 1 in ids else "0" for i in range(width))


def _letters(text: str) -> str:
    return "".join(_int(ord(c) - 65, 6) for c in text)


def _vendor_bitfield(ids: list[int]) -> str:
    top = max(ids, default=0)
    return _int(top, 16) + "0" + _flags(ids, top)


def build_tc_string(
    *,
    created: datetime = datetime(2024, 5, 1, tzinfo=UTC),
    cmp_id: int = 10,
    policy_version: int = 5,
    special_features: list[int] | None = None,
    purposes_consent: list[int] | None = None,
    purposes_li: list[int] | None = None,
    vendor_consents: list[int] | None = None,
    vendor_li: list[int] | None = None,
    restrictions: list[tuple[int, int, list[int]]] | None = None,
    disclosed: list[int] | None = None,
    publisher: tuple[list[int], list[int]] | None = None,
) -> str:
    """A TCF v2 TC string (core + optional disclosed-vendors and publisher TC segments).

    ``restrictions`` are ``(purpose, restriction type, vendor ids)``, each vendor written
    as a single-ID range entry.
    """
    when = int(created.timestamp() * 10)
    bits = (
        _int(2, 6) + _int(when, 36) + _int(when, 36) + _int(cmp_id, 12) + _int(1, 12)
        + _int(1, 6) + _letters("EN") + _int(100, 12) + _int(policy_version, 6) + "1" + "0"
        + _flags(special_features or [], 12) + _flags(purposes_consent or [], 24)
        + _flags(purposes_li or [], 24) + "0" + _letters("DE")
        + _vendor_bitfield(vendor_consents or []) + _vendor_bitfield(vendor_li or [])
    )
    entries = restrictions or []
    bits += _int(len(entries), 12)
    for purpose, kind, vendors in entries:
        bits += _int(purpose, 6) + _int(kind, 2) + _int(len(vendors), 12)
        bits += "".join("0" + _int(v, 16) for v in vendors)
    parts = [_b64(bits)]
    if disclosed is not None:
        parts.append(_b64(_int(1, 3) + _vendor_bitfield(disclosed)))
    if publisher is not None:
        consent, li = publisher
        parts.append(_b64(_int(3, 3) + _flags(consent, 24) + _flags(li, 24) + _int(0, 6)))
    return ".".join(parts)


@pytest.fixture
def tc_string() -> Callable[..., str]:
    """:func:`build_tc_string`."""
    return build_tc_string


@pytest.fixture(scope="session")
def tcf_vectors(shared_data: Path) -> dict[str, dict[str, Any]]:
    """``tcf-vectors.json`` by vector id."""
    return load_vectors(shared_data, "tcf-vectors.json")


@pytest.fixture(scope="session")
def gpp_vectors(shared_data: Path) -> dict[str, dict[str, Any]]:
    """``gpp-vectors.json`` by vector id."""
    return load_vectors(shared_data, "gpp-vectors.json")


@pytest.fixture(scope="session")
def usp_vectors(shared_data: Path) -> dict[str, dict[str, Any]]:
    """``usprivacy-vectors.json`` by vector id."""
    return load_vectors(shared_data, "usprivacy-vectors.json")
