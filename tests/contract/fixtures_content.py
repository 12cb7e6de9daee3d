"""Contract fixtures of the content checks: a scan of two short texts with findings.

``FIXTURES[check_id]()`` returns the :class:`fairmark.content.result.ContentScanResult` the
check measures, scanned from texts written to a temporary folder that is removed
afterwards (one with dark patterns, claims and vulnerability cues; one AI-generated
variant without disclosure).
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path


@cache
def _scan():
    from fairmark.content.run import scan_files

    with tempfile.TemporaryDirectory() as tmp:
        a = Path(tmp) / "email.txt"
        a.write_text(
            "Hurry, only 2 left in stock! Clinically proven results. Bad credit OK.\n",
            encoding="utf-8",
        )
        b = Path(tmp) / "variants.csv"
        b.write_text(
            "text,ai_generated,ad_category\n"
            '"Cosy flat, perfect for singles.",true,housing\n',
            encoding="utf-8",
        )
        return scan_files([a, b])


FIXTURES = {
    "content.dark_pattern": _scan,
    "content.unsubstantiated_claim": _scan,
    "content.special_category_wording": _scan,
    "content.ai_disclosure": _scan,
}
