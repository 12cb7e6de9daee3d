"""Locate the shared real-data folder: ``<repo root>/../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def require_shared(*relative: str) -> Path:
    """Return the shared data folder, or skip (fail when ``$CI`` is set) if files lack."""
    missing = [r for r in relative if not (SHARED_DATA / r).exists()]
    if missing:
        message = f"shared data not found: {[str(SHARED_DATA / m) for m in missing]}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so the data must be present)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def bank_home() -> Path:
    """Data home holding ``uci-bank-marketing/`` (unzipped CSV and zip)."""
    return require_shared(
        "uci-bank-marketing/bank-additional/bank-additional-full.csv",
        "uci-bank-marketing/bank-additional.zip",
    )


@pytest.fixture(scope="session")
def adult_home() -> Path:
    """Data home holding ``uci-adult/adult.data`` and ``uci-adult/adult.test``."""
    return require_shared("uci-adult/adult.data", "uci-adult/adult.test")
