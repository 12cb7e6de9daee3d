"""Shared test fixtures: where the real data lies, and service requirements."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Rich consoles fix their width when created (at import) from COLUMNS, which pytest-xdist
# workers set to 80: render every captured table 200 columns wide, whatever the terminal.
os.environ["COLUMNS"] = "200"

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()
BANK_CSV = SHARED_DATA / "uci-bank-marketing" / "bank-additional" / "bank-additional-full.csv"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder beside the repository (``../shared/data``).

    Skips with a visible reason when it is missing, except in CI (``CI`` set), where a
    missing folder is a failure.
    """
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data folder {SHARED_DATA} is missing in CI")
        pytest.skip(f"shared data folder {SHARED_DATA} not found")
    return SHARED_DATA


@pytest.fixture(scope="session")
def bank_csv(shared_data: Path) -> Path:
    """Path of the UCI Bank Marketing ``bank-additional-full.csv``."""
    assert BANK_CSV.is_file(), f"{BANK_CSV} missing from the shared data folder"
    return BANK_CSV


@pytest.fixture(scope="session")
def spark():
    """A local-mode SparkSession shared by every Spark test (tests marked ``spark``).

    Skips with a reason without PySpark or Java, unless ``FAIRMARK_REQUIRE_SPARK=1``
    (set by ``.ci/run``), then it fails.
    """
    reason = None
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        reason = "pyspark is not installed (pip install 'fairmark[spark]')"
    if reason is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "no Java runtime for Spark"
    if reason is not None:
        if os.environ.get("FAIRMARK_REQUIRE_SPARK"):
            pytest.fail(f"Spark required but unavailable: {reason}")
        pytest.skip(reason)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("fairmark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()

