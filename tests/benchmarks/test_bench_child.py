"""Each contender's child computes the same rates as an independent pandas computation."""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import synth_data
from bench_child import FEATURES, fairmark_groups, group_key, main, rates_from_counts
from bench_verify import verify

AEQUITAS_PYTHON = Path(__file__).resolve().parents[2] / "benchmarks/.venv-aequitas/bin/python"


def _pandas_rates(df: pd.DataFrame, **levels: str) -> list[float | None]:
    """Hand computation of [selection rate, TPR, FPR] for one group, with pandas."""
    mask = pd.Series(True, index=df.index)
    for feature, level in levels.items():
        mask &= df[feature] == level
    g = df[mask]
    pos, neg = g[g["y_true"] == 1], g[g["y_true"] == 0]
    return [
        g["y_pred"].mean() if len(g) else None,
        pos["y_pred"].mean() if len(pos) else None,
        neg["y_pred"].mean() if len(neg) else None,
    ]


def _close(a: list[float | None], b: list[float | None]) -> bool:
    return all(
        (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y))
        for x, y in zip(a, b, strict=True)
    )


def test_group_key_is_canonical() -> None:
    assert group_key([("region", "R01"), ("age_band", "18-24")]) == "age_band=18-24&region=R01"
    assert group_key([("gender", ["non-binary", "male"])]) == "gender=male|non-binary"
    assert group_key([]) == ""


def test_rates_from_counts_by_hand() -> None:
    # tp=3 fp=1 fn=1 tn=5: selection 4/10, TPR 3/4, FPR 1/6
    assert rates_from_counts(3, 1, 1, 5) == [0.4, 0.75, 1 / 6]
    assert rates_from_counts(0, 0, 0, 0) == [None, None, None]
    assert rates_from_counts(0, 2, 0, 2) == [0.5, None, 0.5]


def test_fairmark_groups_leaves_out_suppressed() -> None:
    metric = {"value": 0.5}
    groups = [
        {"features": ["gender"], "levels": ["male"], "suppressed": False,
         "selection_rate": metric, "tpr": {"value": None}, "fpr": metric},
        {"features": ["gender"], "levels": ["non-binary"], "suppressed": True,
         "selection_rate": {"value": None}, "tpr": {"value": None}, "fpr": {"value": None}},
    ]  # fmt: skip
    assert fairmark_groups(groups) == {"gender=male": [0.5, None, 0.5]}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("contender", "n_groups"),
    [
        ("duckdb", None),
        ("fairlearn", 900),
        ("aif360-sklearn", 59),
        ("aif360-binary", 3),
        ("fairmark", None),
        ("fairmark-all", None),
    ],
)
def test_contender_agrees_with_reference_and_pandas(
    small_data: Path, tmp_path: Path, contender: str, n_groups: int | None
) -> None:
    out = tmp_path / "out.json"
    assert main([contender, str(small_data), str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["contender"] == contender and doc["compute_s"] > 0
    groups = doc["groups"]
    if n_groups is not None:
        assert len(groups) == n_groups
    check = verify(groups, synth_data.reference_cells(small_data))
    assert check.ok, check.mismatches
    # one group recomputed by hand with pandas
    df = pd.read_parquet(small_data)
    if contender == "aif360-binary":
        key, want = "gender=female", _pandas_rates(df, gender="female")
    elif contender in {"duckdb", "fairlearn"}:
        levels = {"age_band": "25-34", "gender": "male", "region": "R01"}
        key, want = group_key(levels.items()), _pandas_rates(df, **levels)
    else:
        key, want = "age_band=35-44", _pandas_rates(df, age_band="35-44")
    assert _close(groups[key], want)


@pytest.mark.slow
@pytest.mark.skipif(not AEQUITAS_PYTHON.exists(), reason="benchmarks/.venv-aequitas not set up")
def test_aequitas_in_its_own_venv(small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    script = Path(__file__).resolve().parents[2] / "benchmarks/bench_child.py"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(AEQUITAS_PYTHON), str(script), "aequitas", str(small_data), str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    groups = json.loads(out.read_text())["groups"]
    assert len(groups) == 59
    assert verify(groups, synth_data.reference_cells(small_data)).ok
    df = pd.read_parquet(small_data)
    assert _close(groups["region=R02"], _pandas_rates(df, region="R02"))


def test_main_rejects_a_bad_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope", "a", "b"]) == 2
    assert main([]) == 2
    assert "usage: bench_child.py" in capsys.readouterr().err


def test_features_are_the_generated_columns() -> None:
    assert FEATURES == ("age_band", "gender", "region")
    assert set(FEATURES) <= set(synth_data.SCHEMA.names)
