"""Every vector of ``consent-strings-iab/usprivacy-vectors.json``: the four spec examples and
the iabgpp-es UspV1 strings, decoded through :func:`fairmark.consent.decode`.

Each vector's ``expected_from_source`` (including the spec's "CCPA does not apply" for
``1---``) and the ``reference_decoding`` of ``@iabgpp/cmpapi`` 3.2.0 are compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fairmark.consent import decode
from fairmark.errors import DataError

_FILE = (
    Path(__file__).resolve().parents[3] / "shared/data/consent-strings-iab/usprivacy-vectors.json"
)
IDS = (
    [v["id"] for v in json.loads(_FILE.read_text())["vectors"]] if _FILE.is_file() else ["-"]
)

DECODER_POLICY: dict[str, str] = {
    "usp-007": "version 2: the US Privacy spec defines only version 1; iabgpp-es decodes it and "
    "its test expects Version 2, so fairmark decodes it and adds usprivacy.unknown_version",
    "usp-009": "version 2, as usp-007",
}
"""Vectors decoded with a documented finding, and why."""


@pytest.mark.parametrize("vid", IDS)
def test_usprivacy_vector(vid: str, usp_vectors: dict[str, dict[str, Any]]) -> None:
    v = usp_vectors[vid]
    doc = decode(v["string"])
    assert doc["kind"] == "usprivacy"
    fields = doc["fields"]
    for key, want in v["expected_from_source"].items():
        assert fields[key] == want, (vid, key)
    for key, want in v["reference_decoding"].items():
        assert fields[key] == want, (vid, key)
    rules = {f["rule"] for f in doc["compliance"]}
    assert "usprivacy.deprecated" in rules
    assert ("usprivacy.unknown_version" in rules) is (vid in DECODER_POLICY)
    assert doc["version"] == v["reference_decoding"]["Version"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1YN", ["3 characters", "expected 4"]),
        ("1YNX", ["LspaCovered 'X' at position 4"]),
        ("1yNN", ["Notice 'y' at position 2"]),
    ],
)
def test_malformed_usprivacy_strings(text: str, words: list[str]) -> None:
    from fairmark.consent.usprivacy import decode_usprivacy

    with pytest.raises(DataError) as info:
        decode_usprivacy(text)
    for w in words:
        assert w in str(info.value)
