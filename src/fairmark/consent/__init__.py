"""fairmark.consent: decode consent signals and state what they say, per purpose and vendor.

- :func:`decode` — IAB TCF v2.x/v1.1, GPP (all sections fairmark knows) and US Privacy
  strings → a JSON-safe dict with the fields and compliance findings;
- :func:`gpc_from_header` / :func:`gpc_from_navigator` — Global Privacy Control;
- :func:`ledger_entries` — a decoded signal as ledger-entry dicts (fideslang data use,
  state, lawful basis, vendor, jurisdiction).

Names are imported lazily so that ``import fairmark.consent`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "DecodedSignal",
    "GpcSignal",
    "decode",
    "decode_signal",
    "gpc_from_header",
    "gpc_from_navigator",
    "ledger_entries",
]

_WHERE = {
    "DecodedSignal": "fairmark.consent.detect",
    "decode": "fairmark.consent.detect",
    "decode_signal": "fairmark.consent.detect",
    "GpcSignal": "fairmark.consent.gpc",
    "gpc_from_header": "fairmark.consent.gpc",
    "gpc_from_navigator": "fairmark.consent.gpc",
    "ledger_entries": "fairmark.consent.mapping",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'fairmark.consent' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
