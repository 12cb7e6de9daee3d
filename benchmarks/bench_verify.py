"""Check a contender's per-group rates against the pyarrow reference cells.

A benchmark that times wrong answers is worthless, so every contender's selection rate,
TPR and FPR for every group it reports are compared with the rates computed from the
reference cell counts of ``synth_data.reference_cells`` (pyarrow ``group_by``). Groups a
contender does not report (fairmark's suppressed small groups) are not compared; a group
the reference does not know, or a value that differs, is a mismatch. A rate that is
undefined (0/0) in the reference but reported as 0 is counted apart, not as a mismatch:
that is fairlearn's documented convention (scikit-learn ``zero_division``), which
fairmark's docs contrast with its own ("undefined is not zero").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench_child import rates_from_counts

__all__ = ["FEATURE_ORDER", "Verification", "parse_key", "reference_rates", "verify"]

FEATURE_ORDER: tuple[str, ...] = ("age_band", "gender", "region")
METRICS: tuple[str, ...] = ("selection_rate", "tpr", "fpr")


@dataclass(frozen=True)
class Verification:
    """Outcome of comparing one contender's groups with the reference.

    Attributes
    ----------
    n_groups : int
        Groups the contender reported and that were compared.
    max_abs_diff : float
        Largest absolute difference over all compared defined rates (0.0 if none).
    mismatches : list of str
        Up to 5 descriptions of disagreements (unknown group, value differs, defined vs
        undefined); empty when everything agrees.
    n_mismatches : int
        Total number of disagreements.
    n_undefined_as_zero : int
        Rates undefined in the reference (0/0, or a group with no rows) reported as 0.
    """

    n_groups: int
    max_abs_diff: float
    n_mismatches: int
    n_undefined_as_zero: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when at least one group was compared and none disagreed."""
        return self.n_groups > 0 and self.n_mismatches == 0


def parse_key(key: str) -> dict[str, set[str]]:
    """Parse a group key of ``bench_child.group_key`` into ``{feature: {levels}}``.

    Parameters
    ----------
    key : str
        ``"a=x&b=y|z"``; ``""`` is the whole population.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        If a term has no ``=`` or names a feature outside ``FEATURE_ORDER``.
    """
    out: dict[str, set[str]] = {}
    if key == "":
        return out
    for term in key.split("&"):
        feature, sep, levels = term.partition("=")
        if not sep or feature not in FEATURE_ORDER:
            raise ValueError(f"bad group key term {term!r} in {key!r}; expected feature=level")
        out[feature] = set(levels.split("|"))
    return out


def reference_rates(cells: Sequence[Sequence[object]], key: str) -> list[float | None] | None:
    """Rates of the group ``key`` summed from reference cells; None if no cell matches.

    Reference definitions: selection rate (tp+fp)/n, TPR tp/(tp+fn), FPR fp/(fp+tn)
    (fairlearn's ``selection_rate``, ``true_positive_rate``, ``false_positive_rate``).

    Parameters
    ----------
    cells : sequence of [age_band, gender, region, n, n_pos, n_sel, tp]
        From ``synth_data.reference_cells``.
    key : str
        A group key (see :func:`parse_key`).

    Returns
    -------
    list of (float or None), or None
        ``[selection_rate, tpr, fpr]``; None when the group has no rows in the data.

    Raises
    ------
    ValueError
        If ``key`` is malformed.
    """
    terms = parse_key(key)
    tp = fp = fn = tn = 0
    found = False
    for cell in cells:
        levels = dict(zip(FEATURE_ORDER, cell[:3], strict=True))
        if any(levels[f] not in allowed for f, allowed in terms.items()):
            continue
        found = True
        n, pos, sel, both = (int(v) for v in cell[3:7])  # type: ignore[call-overload]
        tp += both
        fp += sel - both
        fn += pos - both
        tn += n - sel - pos + both
    return rates_from_counts(tp, fp, fn, tn) if found else None


def verify(
    groups: Mapping[str, Sequence[float | None]],
    cells: Sequence[Sequence[object]],
    *,
    tol: float = 1e-9,
) -> Verification:
    """Compare ``groups`` with the reference ``cells``.

    Parameters
    ----------
    groups : mapping of key to [selection_rate, tpr, fpr]
        A contender's output (``None`` = undefined).
    cells : sequence
        Reference cells (see :func:`reference_rates`).
    tol : float, default 1e-9
        Largest accepted absolute difference (floating-point summation order differs).

    Returns
    -------
    Verification

    Raises
    ------
    ValueError
        If a key is malformed.
    """
    max_diff = 0.0
    as_zero = 0
    problems: list[str] = []
    for key, values in groups.items():
        ref = reference_rates(cells, key) or [None] * len(METRICS)
        for name, got, want in zip(METRICS, values, ref, strict=True):
            if want is None and got == 0:
                as_zero += 1
                continue
            if want is None or got is None:
                if (want is None) != (got is None):
                    problems.append(f"{key or '(all)'} {name}: got {got}, reference {want}")
                continue
            diff = abs(float(got) - want)
            if math.isnan(diff) or diff > tol:
                problems.append(f"{key or '(all)'} {name}: got {got}, reference {want}")
            else:
                max_diff = max(max_diff, diff)
    return Verification(
        n_groups=len(groups),
        max_abs_diff=max_diff,
        n_mismatches=len(problems),
        n_undefined_as_zero=as_zero,
        mismatches=problems[:5],
    )
