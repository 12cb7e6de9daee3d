"""The benchmark's synthetic data: seeded, chunked, as documented, and its reference counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import synth_data as sd


def test_chunks_are_seeded_and_differ_between_chunks() -> None:
    a = sd.synth_chunk(500, seed=3, index=0)
    assert a.equals(sd.synth_chunk(500, seed=3, index=0))
    assert not a.equals(sd.synth_chunk(500, seed=3, index=1))
    assert not a.equals(sd.synth_chunk(500, seed=4, index=0))


def test_chunk_columns_follow_the_documented_model() -> None:
    df = sd.synth_chunk(20_000, seed=1, index=0).to_pandas()
    assert list(df.columns) == ["age_band", "gender", "region", "y_true", "y_pred", "score"]
    assert set(df["age_band"]) == set(sd.AGE_BANDS)
    assert set(df["gender"]) == set(sd.GENDERS)
    assert set(df["region"]) <= set(sd.REGIONS) and len(sd.REGIONS) == 50
    assert set(df["y_true"]) == {0, 1} and set(df["y_pred"]) == {0, 1}
    assert df["score"].between(0, 1, inclusive="neither").all()
    # the decision is the score cut at 0.5, row by row
    assert (df["y_pred"] == (df["score"] >= 0.5).astype("int8")).all()


def test_base_rates_by_age_band_match_the_logistic_model() -> None:
    """Observed base rate per age band vs its exact expectation under the model (4 SE)."""
    df = sd.synth_chunk(200_000, seed=11, index=0).to_pandas()
    g_p = np.array([0.49, 0.49, 0.02])
    r_w = 1.0 / np.sqrt(np.arange(1, 51))
    r_p = r_w / r_w.sum()
    for a, band in enumerate(sd.AGE_BANDS):
        logit = (
            sd.BASE + sd.AGE_EFFECT[a] + sd.GENDER_EFFECT[:, None] + sd.REGION_EFFECT[None, :]
        )
        expected = float((g_p[:, None] * r_p[None, :] / (1 + np.exp(-logit))).sum())
        rows = df[df["age_band"] == band]["y_true"]
        se = np.sqrt(expected * (1 - expected) / len(rows))
        assert abs(rows.mean() - expected) < 4 * se, band
    # and the decision really is skewed by gender: female selected less than male
    sel = df.groupby("gender")["y_pred"].mean()
    assert sel["female"] < sel["male"]


def test_write_synth_chunks_into_row_groups(tmp_path: Path) -> None:
    path = sd.write_synth(tmp_path / "x.parquet", 2_500, seed=5, chunk_rows=1_000)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 2_500
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [1000, 1000, 500]
    table = pq.read_table(path)
    first = sd.synth_chunk(1_000, seed=5, index=0)
    assert table.slice(0, 1_000).select(first.column_names).to_pylist() == first.to_pylist()
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_strings_are_plain_not_dictionary_typed(tmp_path: Path) -> None:
    path = sd.write_synth(tmp_path / "x.parquet", 100, seed=5)
    schema = pq.read_schema(path)
    assert str(schema.field("age_band").type) == "string"


def test_ensure_data_reuses_a_matching_file_only(tmp_path: Path) -> None:
    path, made = sd.ensure_data(tmp_path, 1_200, seed=9, chunk_rows=500)
    assert made and path == tmp_path / "synth_1200.parquet"
    stamp = path.stat().st_mtime_ns
    again, made = sd.ensure_data(tmp_path, 1_200, seed=9, chunk_rows=500)
    assert (again, made) == (path, False) and path.stat().st_mtime_ns == stamp
    _, made = sd.ensure_data(tmp_path, 1_200, seed=10, chunk_rows=500)
    assert made  # another seed: rewritten
    path.write_bytes(b"not parquet")
    _, made = sd.ensure_data(tmp_path, 1_200, seed=10, chunk_rows=500)
    assert made and pq.ParquetFile(path).metadata.num_rows == 1_200


@pytest.mark.parametrize(
    ("n_rows", "seed", "chunk_rows"), [(0, 1, 10), (10, -1, 10), (10, 1, 0)]
)
def test_write_synth_rejects_bad_arguments(
    tmp_path: Path, n_rows: int, seed: int, chunk_rows: int
) -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        sd.write_synth(tmp_path / "x.parquet", n_rows, seed, chunk_rows)


def test_reference_cells_equal_pandas_counts(small_data: Path) -> None:
    cells = sd.reference_cells(small_data)
    df = pd.read_parquet(small_data)
    df["tp"] = df["y_true"] * df["y_pred"]
    want = (
        df.groupby(["age_band", "gender", "region"])
        .agg(n=("y_true", "size"), pos=("y_true", "sum"), sel=("y_pred", "sum"), tp=("tp", "sum"))
        .reset_index()
        .astype({"n": int, "pos": int, "sel": int, "tp": int})
        .values.tolist()
    )
    assert cells == want
    assert sum(c[3] for c in cells) == 3_000


def test_main_writes_data_and_reference(tmp_path: Path) -> None:
    out = tmp_path / "ref.json"
    assert sd.main([str(tmp_path), "1500", "2", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["generated"] is True and Path(doc["path"]).exists()
    assert sum(c[3] for c in doc["cells"]) == 1_500
    assert sd.main([str(tmp_path)]) == 2
