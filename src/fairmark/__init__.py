"""fairmark: responsible AI for marketing.

Audit who a marketing model selects (fairness), keep personal data in check (privacy),
explain decisions (transparency) and keep a trustworthy record (accountability), all
judged against the organisation's own versioned policy file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["AuditResult", "__version__", "audit", "delivery_skew", "proxies", "representation"]

_LAZY = {
    "audit": "fairmark.fairness.audit",
    "AuditResult": "fairmark.fairness.audit",
    "delivery_skew": "fairmark.fairness.delivery",
    "representation": "fairmark.fairness.representation",
    "proxies": "fairmark.fairness.proxies",
}

if TYPE_CHECKING:
    from fairmark.fairness.audit import AuditResult, audit
    from fairmark.fairness.delivery import delivery_skew
    from fairmark.fairness.proxies import proxies
    from fairmark.fairness.representation import representation


def __getattr__(name: str) -> Any:
    # Lazy so that `fairmark --help` and light imports stay fast.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fairmark' has no attribute {name!r}")
