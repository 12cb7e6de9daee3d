"""Fixtures of the command-line tests: an isolated store and folder, a runner, small data.

Every test runs in its own ``tmp_path`` (the working folder) with ``FAIRMARK_DB_URL``
pointing at a SQLite file there, so no run, report or database lands in the repository.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from fairmark.cli.main import app

Invoke = Callable[..., Result]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in ``tmp_path`` with a run store ``tmp_path/store.db``; return ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRMARK_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # no table is squeezed in the captured output
    return tmp_path


@pytest.fixture
def invoke(cli_env: Path) -> Invoke:
    """Run ``fairmark ARGS…`` in-process with :class:`typer.testing.CliRunner`."""
    runner = CliRunner()

    def _invoke(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return _invoke


@pytest.fixture
def stored_runs(invoke: Invoke) -> Callable[[], list[dict[str, Any]]]:
    """Return a function listing the store's runs through ``fairmark runs list --format json``."""

    def _runs() -> list[dict[str, Any]]:
        result = invoke("runs", "list", "--format", "json", "--limit", "1000")
        assert result.exit_code == 0, result.output
        runs: list[dict[str, Any]] = json.loads(result.stdout)
        return runs

    return _runs


def one_error_line(result: Result) -> str:
    """Assert ``result`` is a clean bad-input exit (code 2) and return its one stderr line."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.fixture
def error_line() -> Callable[[Result], str]:
    """:func:`one_error_line`, for the test modules."""
    return one_error_line


@pytest.fixture
def assert_bad_input(
    invoke: Invoke, stored_runs: Callable[[], list[dict[str, Any]]], cli_env: Path
) -> Callable[..., str]:
    """Run ``fairmark ARGS`` and check the bad-input contract; return the error line.

    Contract: exit code 2, exactly one stderr line ``error: …`` containing every text of
    ``expect`` (case-sensitive), no traceback, no new run in the store, the output folder
    ``out`` (passed as ``--out out`` unless ``out=False``) not created, and no staging
    folder left behind.
    """

    def _check(args: Sequence[Any], expect: Sequence[str], *, out: bool = True) -> str:
        before = stored_runs()
        listing_before = sorted(os.listdir(cli_env))
        full = [*args, "--out", "out"] if out else list(args)
        line = one_error_line(invoke(*full))
        for text in expect:
            assert text in line, f"{text!r} not in {line!r}"
        assert stored_runs() == before
        assert not (cli_env / "out").exists()
        assert sorted(os.listdir(cli_env)) == listing_before
        return line

    return _check


def campaign_frame(n: int = 1200, seed: int = 7) -> pd.DataFrame:
    """A synthetic campaign: one row per customer, every kind of column the tests need.

    Columns: ``customer_id`` (unique text), ``region`` (a/b/c), ``segment`` (one value),
    ``age`` (18-79), ``subscribed`` (text ``sub``/``not``), ``converted`` (true/false),
    ``outcome`` (0/1), ``selected`` (0/1), ``score`` (float in [0, 1)).
    """
    rng = np.random.default_rng(seed)
    region = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    score = rng.random(n)
    positive = rng.random(n) < 0.2 + 0.4 * score
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in range(n)],
            "region": region,
            "segment": "retail",
            "age": rng.integers(18, 80, size=n),
            "subscribed": np.where(positive, "sub", "not"),
            "converted": positive,
            "outcome": positive.astype(int),
            "selected": (score >= 0.6).astype(int),
            "score": score.round(6),
        }
    )


@pytest.fixture
def campaign(cli_env: Path) -> tuple[Path, pd.DataFrame]:
    """``campaign.csv`` in the working folder and the frame it was written from."""
    frame = campaign_frame()
    path = cli_env / "campaign.csv"
    frame.to_csv(path, index=False)
    return path, frame
