"""Time small-cell suppression (``fairmark.privacy.disclosure``) on growing tables.

Usage (from the repository root, with the project venv)::

    .venv/bin/python benchmarks/bench_disclosure.py [--sizes 20,40,80] [--small 0.05]

For every size ``s``, a seeded ``s x s`` two-way table (published margins and total) with a
share ``--small`` of cells below k = 10 is protected; then an audit of synthetic data with
three features (12 x 10 x 8 levels, all intersections: 1,283 groups, most three-way cells
below k) is published with ``to_dict()``. Every pattern is verified: no cell below k is
determined by the published counts (exact rank test, ``determined_cells``). Prints one line
per run; nothing here fails on a slow number.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import pandas as pd

import fairmark
from fairmark.privacy.disclosure import Cell, Relation, determined_cells, suppress_cells

K = 10


def two_way(size: int, small: float, seed: int) -> tuple[list[Cell], list[Relation]]:
    rng = random.Random(seed)
    inner = {
        (a, b): rng.choice([1, 2, 3, 5, 8]) if rng.random() < small else rng.randint(10, 500)
        for a in range(size)
        for b in range(size)
    }
    cells = [Cell("T", sum(inner.values()))]
    cells += [Cell(("r", a), sum(inner[a, b] for b in range(size))) for a in range(size)]
    cells += [Cell(("c", b), sum(inner[a, b] for a in range(size))) for b in range(size)]
    cells += [Cell(key, v) for key, v in inner.items()]
    rels = [Relation("T", tuple(("r", a) for a in range(size)))]
    rels.append(Relation("T", tuple(("c", b) for b in range(size))))
    rels += [Relation(("r", a), tuple((a, b) for b in range(size))) for a in range(size)]
    rels += [Relation(("c", b), tuple((a, b) for a in range(size))) for b in range(size)]
    return cells, rels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,40,80")
    parser.add_argument("--small", type=float, default=0.05)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        cells, rels = two_way(size, args.small, seed=size)
        start = time.perf_counter()
        s = suppress_cells(cells, rels, K)
        took = time.perf_counter() - start
        sensitive = {c.id for c in cells if c.count is not None and 0 < c.count < K}
        leaks = determined_cells(rels, s.suppressed) & sensitive
        print(
            f"two-way {size}x{size}: {took:.3f} s, primary {len(s.primary)}, "
            f"secondary {len(s.secondary)}, disclosed {len(leaks)}"
        )
    rng = np.random.default_rng(1)
    n = 6000
    df = pd.DataFrame(
        {
            "a": rng.choice([f"a{i}" for i in range(12)], n),
            "b": rng.choice([f"b{i}" for i in range(10)], n),
            "c": rng.choice([f"c{i}" for i in range(8)], n),
            "y": rng.integers(0, 2, n),
            "p": rng.integers(0, 2, n),
        }
    )
    result = fairmark.audit(
        df, y_true="y", y_pred="p", sensitive_features=["a", "b", "c"], min_group_size=1,
        intersections="all",
    )  # fmt: skip
    start = time.perf_counter()
    doc = result.to_dict()
    took = time.perf_counter() - start
    hidden = sum(g["suppressed"] for g in doc["groups"])
    print(
        f"audit, {len(doc['groups'])} groups: to_dict {took:.2f} s, {hidden} groups hidden, "
        f"{doc['disclosure_control']}"
    )


if __name__ == "__main__":
    main()
