"""Sum score-histogram cells into groups (marginal or intersectional), as the cube is summed.

A group of a feature combination is every histogram cell whose labels on those features
are the group's levels. :class:`GroupSums` holds, per group, the occupied score bins
(sparse: only bins holding a row, ascending) with the (weighted) counts of positives and
negatives, the calibration-bin sums, the ``score >= cutoff`` sums, and the counts of rows
with a missing score. Nothing here reads a data row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmark.engine.histogram import N_CALIBRATION_BINS, ScoreHistogram

__all__ = ["Bins", "CellCodes", "GroupSums", "cell_codes", "group_sums"]

CellCodes = dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class Bins:
    """One group's occupied score bins, ascending, with per-bin sums.

    Attributes
    ----------
    bin : numpy.ndarray of int
        Bin numbers (0 … n_bins − 1), strictly increasing.
    pos_w, neg_w : numpy.ndarray of float
        (Weighted) counts of positives and negatives per bin.
    pos_n, neg_n : numpy.ndarray of float
        Unweighted counts.
    ws : numpy.ndarray of float
        (Weighted) sum of scores per bin.
    """

    bin: Any
    pos_w: Any
    neg_w: Any
    pos_n: Any
    neg_n: Any
    ws: Any

    @property
    def w(self) -> Any:
        """(Weighted) count of rows per bin, both labels."""
        return self.pos_w + self.neg_w


@dataclass(frozen=True)
class GroupSums:
    """Per-group sums of the histogram cells of one feature combination.

    Attributes
    ----------
    index : dict
        ``levels tuple -> group position``.
    starts : numpy.ndarray
        Group ``i``'s bins are rows ``starts[i]:starts[i+1]`` of ``sparse``.
    sparse : dict of numpy.ndarray
        Columns ``bin, pos_w, neg_w, pos_n, neg_n, ws`` sorted by group then bin.
    w2 : numpy.ndarray, shape (groups,)
        Sum of squared weights of the labelled, scored rows.
    cal_w, cal_pos, cal_wp : numpy.ndarray, shape (groups, 10)
        Per reliability bin: (weighted) rows, positives and predicted probabilities.
    ge_w : numpy.ndarray, shape (groups, len(cutoffs))
        (Weighted) rows with ``score >= cutoffs[j]``.
    missing : numpy.ndarray, shape (groups,)
        Rows with a missing score (any label).
    rows : numpy.ndarray, shape (groups,)
        All rows.
    """

    index: dict[tuple[str, ...], int]
    starts: Any
    sparse: dict[str, Any]
    w2: Any
    cal_w: Any
    cal_pos: Any
    cal_wp: Any
    ge_w: Any
    missing: Any
    rows: Any

    def bins(self, i: int) -> Bins:
        """Return group ``i``'s occupied bins."""
        lo, hi = self.starts[i], self.starts[i + 1]
        s = self.sparse
        return Bins(*(s[c][lo:hi] for c in ("bin", "pos_w", "neg_w", "pos_n", "neg_n", "ws")))


def cell_codes(hist: ScoreHistogram) -> CellCodes:
    """Integer codes of every feature's cell labels: ``feature -> (codes, levels)``."""
    import pandas as pd

    return {f: pd.factorize(hist.cells[f].to_numpy(), sort=False) for f in hist.features}


def _combo_codes(codes: CellCodes, combo: tuple[str, ...]) -> tuple[Any, list[tuple[str, ...]]]:
    sizes = [max(1, len(codes[f][1])) for f in combo]
    if float(np.prod(np.asarray(sizes, dtype="float64"))) >= 2.0**62:  # pragma: no cover
        raise OverflowError("too many level combinations to encode")
    key = np.zeros(len(codes[combo[0]][0]), dtype="int64")
    for f, size in zip(combo, sizes, strict=True):
        key = key * size + codes[f][0].astype("int64")
    uniq, inverse = np.unique(key, return_inverse=True)
    keys = []
    for value in uniq.tolist():
        digits = []
        for f, size in zip(reversed(combo), reversed(sizes), strict=True):
            value, d = divmod(value, size)
            digits.append(str(codes[f][1][d]))
        keys.append(tuple(reversed(digits)))
    return inverse.reshape(-1), keys


def group_sums(hist: ScoreHistogram, combo: tuple[str, ...], codes: CellCodes) -> GroupSums:
    """Sum the histogram cells into the groups of ``combo``.

    Parameters
    ----------
    hist : ScoreHistogram
    combo : tuple of str
        Feature names (one for a marginal group, several for an intersection).
    codes : CellCodes
        From :func:`cell_codes` of the same histogram.

    Returns
    -------
    GroupSums
    """
    frame = hist.frame
    group, keys = _combo_codes(codes, combo)
    n_groups = len(keys)
    label = frame["label"].to_numpy()
    bins = frame["bin"].to_numpy()
    valid = (label >= 0) & (bins >= 0)
    w = frame["w"].to_numpy()
    n = frame["n"].to_numpy().astype("float64")
    pos, neg = label == 1, label == 0

    g_valid, b_valid = group[valid], bins[valid]
    order = np.lexsort((b_valid, g_valid))
    g_sorted, b_sorted = g_valid[order], b_valid[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (g_sorted[1:] != g_sorted[:-1]) | (b_sorted[1:] != b_sorted[:-1])
    firsts = np.flatnonzero(new)

    def reduce(values: Any) -> Any:
        v = values[valid][order]
        return np.add.reduceat(v, firsts) if len(firsts) else np.zeros(0)

    sparse = {
        "code": g_sorted[firsts],
        "bin": b_sorted[firsts],
        "pos_w": reduce(np.where(pos, w, 0.0)),
        "neg_w": reduce(np.where(neg, w, 0.0)),
        "pos_n": reduce(np.where(pos, n, 0.0)),
        "neg_n": reduce(np.where(neg, n, 0.0)),
        "ws": reduce(frame["ws"].to_numpy()),
    }
    starts = np.searchsorted(sparse["code"], np.arange(n_groups + 1), side="left")

    def per_group(mask: Any, values: Any, key: Any = None, width: int = 1) -> Any:
        sub = np.zeros(len(frame), dtype="int64") if key is None else key
        flat = group[mask] * width + sub[mask]
        out = np.bincount(flat, weights=values[mask], minlength=n_groups * width)
        return out.reshape(n_groups, width)

    cal = frame["cal"].to_numpy()
    calib = valid & (cal >= 0)
    k = N_CALIBRATION_BINS
    ge_w = np.zeros((n_groups, len(hist.cutoffs)))
    for j in range(len(hist.cutoffs)):
        ge_w[:, j] = per_group(valid, frame[f"gew{j}"].to_numpy())[:, 0]
    return GroupSums(
        index={key: i for i, key in enumerate(keys)},
        starts=starts,
        sparse=sparse,
        w2=per_group(valid, frame["w2"].to_numpy())[:, 0],
        cal_w=per_group(calib, w, cal, k),
        cal_pos=per_group(calib & pos, w, cal, k),
        cal_wp=per_group(calib, frame["wp"].to_numpy(), cal, k),
        ge_w=ge_w,
        missing=per_group(bins < 0, n)[:, 0],
        rows=per_group(np.ones(len(frame), dtype=bool), n)[:, 0],
    )
