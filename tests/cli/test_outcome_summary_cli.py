"""`fairmark audit --outcome` shows the outcome by group on the terminal too."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from fairmark.cli.main import app


def test_outcome_table_is_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "y": rng.integers(0, 2, 300),
            "p": rng.integers(0, 2, 300),
            "g": rng.choice(["a", "b"], 300),
            "discount": rng.random(300) * 20,
        }
    )
    df.to_csv("offers.csv", index=False)
    args = ["audit", "offers.csv", "--y-true", "y", "--positive-label", "1", "--y-pred", "p",
            "-s", "g", "--outcome", "discount", "--no-record", "--out", "out"]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
    assert result.exit_code in (0, 1), result.output
    assert "discount by g" in result.stdout
    mean_a = df.loc[df.g == "a", "discount"].mean()
    share_b = (df.g == "b").mean()
    assert f"{mean_a:,.3g}" in result.stdout
    assert f"{share_b:.1%}" in result.stdout
