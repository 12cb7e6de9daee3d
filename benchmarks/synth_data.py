"""Seeded synthetic marketing-decision data for the audit benchmark, written to Parquet.

One row per person: ``age_band`` (6 levels), ``gender`` (3), ``region`` (50) as text,
``y_true`` (0/1 outcome, int8), ``y_pred`` (0/1 decision, int8) and ``score`` (float64 in
(0, 1)). Rows are drawn chunk by chunk (``CHUNK_ROWS`` rows, one Parquet row group each)
so that 10 million rows need only a few hundred MB while being written.

Data model (logistic, all effects fixed below)::

    logit P(y_true = 1) = BASE + AGE_EFFECT[age] + GENDER_EFFECT[gender] + REGION_EFFECT[r]
    score  = sigmoid(0.8·logit + 2·(y_true − 0.5) + GENDER_SKEW[gender] + ε),  ε ~ N(0, 1)
    y_pred = 1 if score >= 0.5 else 0

so base rates differ between groups and the decision carries a small gender skew, giving
the audit real disparities to find. Chunk ``i`` uses ``numpy.random.default_rng([seed, i])``:
a file is a pure function of ``(n_rows, seed, chunk_rows, GENERATOR_VERSION)``, which its
Parquet metadata records.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "AGE_BANDS",
    "CHUNK_ROWS",
    "GENDERS",
    "GENERATOR_VERSION",
    "REGIONS",
    "data_path",
    "ensure_data",
    "main",
    "reference_cells",
    "synth_chunk",
    "write_synth",
]

GENERATOR_VERSION = 1
CHUNK_ROWS = 1_000_000
METADATA_KEY = b"fairmark_bench"

AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS: tuple[str, ...] = ("female", "male", "non-binary")
REGIONS: tuple[str, ...] = tuple(f"R{i:02d}" for i in range(1, 51))

_AGE_P = np.array([0.12, 0.20, 0.20, 0.18, 0.16, 0.14])
_GENDER_P = np.array([0.49, 0.49, 0.02])
_REGION_W = 1.0 / np.sqrt(np.arange(1, 51))
_REGION_P = _REGION_W / _REGION_W.sum()

BASE = -1.0
AGE_EFFECT = np.array([-0.6, 0.0, 0.3, 0.2, -0.1, -0.5])
GENDER_EFFECT = np.array([0.1, -0.1, 0.0])
REGION_EFFECT = np.linspace(-0.5, 0.5, 50)
GENDER_SKEW = np.array([-0.25, 0.15, -0.4])

SCHEMA = pa.schema(
    [
        ("age_band", pa.string()),
        ("gender", pa.string()),
        ("region", pa.string()),
        ("y_true", pa.int8()),
        ("y_pred", pa.int8()),
        ("score", pa.float64()),
    ]
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _labels(levels: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """Plain (not dictionary-typed) string array of ``levels[codes]``."""
    return pa.array(np.asarray(levels, dtype=object)[codes], type=pa.string())


def synth_chunk(n_rows: int, seed: int, index: int) -> pa.Table:
    """Draw chunk ``index`` of the synthetic data.

    Parameters
    ----------
    n_rows : int
        Rows in this chunk (``0 <= n_rows``).
    seed : int
        Seed of the whole file; the chunk's generator is ``default_rng([seed, index])``.
    index : int
        Position of the chunk in the file (0-based).

    Returns
    -------
    pyarrow.Table
        ``n_rows`` rows with the columns of ``SCHEMA`` (see the module docstring for the
        data model; a logistic model of our own, not taken from a publication).

    Raises
    ------
    ValueError
        If ``n_rows``, ``seed`` or ``index`` is negative.
    """
    if n_rows < 0 or seed < 0 or index < 0:
        raise ValueError(f"n_rows, seed and index must be >= 0, got {n_rows}, {seed}, {index}")
    rng = np.random.default_rng([seed, index])
    age = rng.choice(len(AGE_BANDS), size=n_rows, p=_AGE_P)
    gender = rng.choice(len(GENDERS), size=n_rows, p=_GENDER_P)
    region = rng.choice(len(REGIONS), size=n_rows, p=_REGION_P)
    logit = BASE + AGE_EFFECT[age] + GENDER_EFFECT[gender] + REGION_EFFECT[region]
    y_true = (rng.random(n_rows) < _sigmoid(logit)).astype(np.int8)
    noise = rng.standard_normal(n_rows)
    score = _sigmoid(0.8 * logit + 2.0 * (y_true - 0.5) + GENDER_SKEW[gender] + noise)
    y_pred = (score >= 0.5).astype(np.int8)
    return pa.Table.from_arrays(
        [
            _labels(AGE_BANDS, age),
            _labels(GENDERS, gender),
            _labels(REGIONS, region),
            pa.array(y_true, type=pa.int8()),
            pa.array(y_pred, type=pa.int8()),
            pa.array(score, type=pa.float64()),
        ],
        schema=SCHEMA,
    )


def _metadata(n_rows: int, seed: int, chunk_rows: int) -> dict[str, int]:
    return {"n_rows": n_rows, "seed": seed, "chunk_rows": chunk_rows, "version": GENERATOR_VERSION}


def write_synth(
    path: Path, n_rows: int, seed: int = 20240601, chunk_rows: int = CHUNK_ROWS
) -> Path:
    """Write ``n_rows`` synthetic rows to ``path`` (Parquet, one row group per chunk).

    The file is written under a temporary name and renamed when complete, so an
    interrupted run never leaves a partial file that a later run would reuse.

    Parameters
    ----------
    path : pathlib.Path
        Target ``.parquet`` file; its folder is created.
    n_rows : int
        Number of rows (> 0).
    seed : int, default 20240601
        Seed (>= 0).
    chunk_rows : int, default CHUNK_ROWS
        Rows per chunk and Parquet row group (> 0).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If ``n_rows <= 0``, ``seed < 0`` or ``chunk_rows <= 0``.
    """
    if n_rows <= 0 or seed < 0 or chunk_rows <= 0:
        raise ValueError(
            f"n_rows and chunk_rows must be > 0 and seed >= 0, got n_rows={n_rows}, "
            f"seed={seed}, chunk_rows={chunk_rows}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    meta = json.dumps(_metadata(n_rows, seed, chunk_rows)).encode()
    schema = SCHEMA.with_metadata({METADATA_KEY: meta})
    try:
        with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
            done, index = 0, 0
            while done < n_rows:
                rows = min(chunk_rows, n_rows - done)
                chunk = synth_chunk(rows, seed, index).replace_schema_metadata(schema.metadata)
                writer.write_table(chunk, row_group_size=chunk_rows)
                done += rows
                index += 1
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def data_path(folder: Path, n_rows: int) -> Path:
    """Return ``folder / f"synth_{n_rows}.parquet"``.

    Parameters
    ----------
    folder : pathlib.Path
    n_rows : int

    Returns
    -------
    pathlib.Path
    """
    return folder / f"synth_{n_rows}.parquet"


def _matches(path: Path, n_rows: int, seed: int, chunk_rows: int) -> bool:
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return False
    raw = meta.get(METADATA_KEY)
    return raw is not None and json.loads(raw) == _metadata(n_rows, seed, chunk_rows)


def ensure_data(
    folder: Path, n_rows: int, seed: int = 20240601, chunk_rows: int = CHUNK_ROWS
) -> tuple[Path, bool]:
    """Return the data file for ``n_rows`` rows, generating it unless a matching one exists.

    A file is reused only if its Parquet metadata records the same row count, seed, chunk
    size and generator version; otherwise it is rewritten.

    Parameters
    ----------
    folder : pathlib.Path
        Folder of the data files (``benchmarks/data``).
    n_rows : int
        Number of rows (> 0).
    seed : int, default 20240601
    chunk_rows : int, default CHUNK_ROWS

    Returns
    -------
    (pathlib.Path, bool)
        The file, and whether it was generated now (False: reused).

    Raises
    ------
    ValueError
        If ``n_rows <= 0``, ``seed < 0`` or ``chunk_rows <= 0``.
    """
    path = data_path(folder, n_rows)
    if path.exists() and _matches(path, n_rows, seed, chunk_rows):
        return path, False
    return write_synth(path, n_rows, seed, chunk_rows), True


def reference_cells(path: Path) -> list[list[object]]:
    """Count every (age_band, gender, region) cell of a data file with pyarrow alone.

    This is the independent reference the contenders' numbers are checked against: it is
    computed by ``pyarrow.Table.group_by`` one row group at a time, sharing no code with
    DuckDB, pandas, fairlearn, AIF360, Aequitas or fairmark.

    Parameters
    ----------
    path : pathlib.Path
        A file written by :func:`write_synth`.

    Returns
    -------
    list of [age_band, gender, region, n, n_pos, n_sel, tp]
        One entry per non-empty cell, sorted; ``n_pos`` = #(y_true = 1), ``n_sel`` =
        #(y_pred = 1), ``tp`` = #(both).

    Raises
    ------
    OSError, pyarrow.ArrowInvalid
        If the file cannot be read as Parquet.
    """
    import pyarrow.compute as pc

    keys = ["age_band", "gender", "region"]
    totals: dict[tuple[str, str, str], list[int]] = {}
    pf = pq.ParquetFile(path)
    for i in range(pf.num_row_groups):
        t = pf.read_row_group(i, columns=[*keys, "y_true", "y_pred"])
        y = pc.cast(t["y_true"], pa.int64())
        p = pc.cast(t["y_pred"], pa.int64())
        t = pa.table({**{k: t[k] for k in keys}, "y": y, "p": p, "tp": pc.multiply(y, p)})
        aggs = [("y", "count"), ("y", "sum"), ("p", "sum"), ("tp", "sum")]
        agg = t.group_by(keys).aggregate(aggs)
        for row in agg.to_pylist():
            cell = totals.setdefault((row["age_band"], row["gender"], row["region"]), [0] * 4)
            for j, col in enumerate(("y_count", "y_sum", "p_sum", "tp_sum")):
                cell[j] += int(row[col])
    return [[*k, *v] for k, v in sorted(totals.items())]


def main(argv: Sequence[str]) -> int:
    """``synth_data.py DATA_DIR N_ROWS SEED REFERENCE.json``: make the data and its reference.

    Run by ``bench_audit.py`` in a process of its own, so that the benchmark driver stays
    small (see ``bench_harness``: a child's peak RSS can include its parent's).

    Parameters
    ----------
    argv : sequence of str

    Returns
    -------
    int
        0 on success, 2 on a bad command line.
    """
    if len(argv) != 4:
        print("usage: synth_data.py DATA_DIR N_ROWS SEED REFERENCE.json", file=sys.stderr)
        return 2
    folder, n_rows, seed, out = Path(argv[0]), int(argv[1]), int(argv[2]), Path(argv[3])
    path, generated = ensure_data(folder, n_rows, seed)
    doc = {"path": str(path), "generated": generated, "cells": reference_cells(path)}
    out.write_text(json.dumps(doc), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
