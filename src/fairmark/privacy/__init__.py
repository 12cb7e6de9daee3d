"""fairmark.privacy: personal data at rest.

Find it (:func:`scan_table`, :func:`scan_text`), keep it out of models that do not need it
(checks ``privacy.pii_in_features`` and ``privacy.data_minimisation``), upload only
correctly hashed match keys (:func:`match_key`), pseudonymise, encrypt and crypto-shred it
(:mod:`fairmark.privacy.protect`), and measure re-identification risk
(:func:`k_anonymity`).

``scan_text`` is bound eagerly: a submodule of the same name exists, and once a submodule
is imported Python sets it as the package attribute, which a lazy ``__getattr__`` could
never override. Importing the function here first makes ``fairmark.privacy.scan_text``
the function for good (the module stays importable as ``fairmark.privacy.scan_text`` via
``from fairmark.privacy.scan_text import …``); it costs about 0.2 s (phonenumbers and
the detectors). The other names are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fairmark.privacy.scan_text import scan_text

__all__ = ["k_anonymity", "match_key", "scan_table", "scan_text"]

_LAZY = {
    "match_key": "fairmark.privacy.audience.match_key",
    "scan_table": "fairmark.privacy.table_scan",
    "k_anonymity": "fairmark.privacy.kanon",
}

if TYPE_CHECKING:
    from fairmark.privacy.audience.match_key import match_key
    from fairmark.privacy.kanon import k_anonymity
    from fairmark.privacy.table_scan import scan_table


def __getattr__(name: str) -> Any:
    # Lazy so that importing one privacy submodule does not load the engine.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fairmark.privacy' has no attribute {name!r}")
