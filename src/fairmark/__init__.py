"""fairmark: responsible AI for marketing.

Audit who a marketing model selects (fairness), keep personal data in check (privacy),
explain decisions (transparency) and keep a trustworthy record (accountability), all
judged against the organisation's own versioned policy file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["AuditResult", "__version__", "audit"]

if TYPE_CHECKING:
    from fairmark.fairness.audit import AuditResult, audit


def __getattr__(name: str) -> Any:
    # Lazy so that `fairmark --help` and light imports stay fast.
    if name in {"audit", "AuditResult"}:
        from fairmark.fairness import audit as _audit_module

        return getattr(_audit_module, name)
    raise AttributeError(f"module 'fairmark' has no attribute {name!r}")
