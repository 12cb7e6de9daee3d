"""Make the benchmark scripts in ``benchmarks/`` importable (they are not a package)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-row synthetic file written in 3 chunks (row groups) of 1,000 rows."""
    import synth_data

    folder = tmp_path_factory.mktemp("bench-data")
    path, _ = synth_data.ensure_data(folder, 3_000, seed=7, chunk_rows=1_000)
    return path
