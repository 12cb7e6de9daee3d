"""Differentially private release of a table of group counts, with OpenDP.

The exact counts per group are computed by the data engine (one ``GROUP BY``); OpenDP then
adds integer noise to the whole vector of counts at once:

* ``laplace``: the discrete Laplace (geometric) mechanism, pure ε-differential privacy
  (Dwork, McSherry, Nissim & Smith 2006, TCC; Ghosh, Roughgarden & Sundararajan 2012,
  SIAM J. Comput. 41(6)); OpenDP ``make_laplace`` on integer vectors with the L1 metric;
* ``gaussian``: the discrete Gaussian mechanism (Canonne, Kamath & Steinke 2020, NeurIPS),
  ρ-zero-concentrated DP (Bun & Steinke 2016, TCC) converted to (ε, δ)-DP; OpenDP
  ``make_gaussian`` with the L2 metric, ``make_zCDP_to_approxDP`` and ``make_fix_delta``.

Sensitivity: when one person is added or removed, their records change the counts of
their groups. With at most ``max_contributions = c`` records per person the L1 distance
between the two count vectors is at most ``c`` and so is the L2 distance (all ``c`` in one
group), so both privacy maps are called with ``d_in = c``. The noise scale is the smallest
one OpenDP certifies for the requested ε (``binary_search_param``), and the ε reported is
the one OpenDP's privacy map gives for that scale.

Intervals: OpenDP's accuracy functions (``discrete_laplacian_scale_to_accuracy``,
``discrete_gaussian_scale_to_accuracy``) give ``a`` with ``P[|noise| >= a] <= α``
(α = 1 − confidence level). The noise is an integer, so ``|noise| <= ⌈a⌉ − 1`` with
probability at least ``1 − α``, and ``noisy ± (⌈a⌉ − 1)`` covers the exact count at least
at the nominal level. The interval is computed from the noise distribution alone (public),
so publishing it costs no privacy.

Group keys: releasing which groups exist leaks (a group of one reveals that this person is
in the data). Pass the public list of possible groups as ``keys``: every key is released,
zero-count ones included, and records outside the keys are released as one more noisy
count. Without ``keys``, the groups found in the data are released and the result says
that the list of groups is not protected; because that list is then published as it is,
:func:`dp_group_counts` refuses, without ``keys``, a grouping column that is a direct
identifier by name (an email column would publish every address) and groups so fine that
they hold fewer than ``k`` records on average (number of groups × k > number of records),
``k`` being the policy's ``settings.k_anonymity`` (default 10). Releasing the key set read
from the data is not differentially private: a key present only when one person is in the
data reveals that person (Korolova, Kenthapadi, Mishra & Ntoulas 2009, WWW; Wilkins, Kifer,
Zhang & Karrer 2024, "Exact Privacy Analysis of the Gaussian Sparse Histogram Mechanism",
J. Privacy and Confidentiality 14(1)); OpenDP accordingly releases unknown keys only
through a noisy threshold (``make_laplace_threshold``, and in its Polars API group keys
must be public or thresholded).

ε is capped at :data:`MAX_EPSILON` (100): beyond it the noise is essentially zero, the
release is the exact counts, and OpenDP's calibration overflows.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fairmark.engine.source import as_table, missing_column_message
from fairmark.errors import DataError, UsageError
from fairmark.privacy.kanon_result import DPCount, DPTable

__all__ = ["MAX_EPSILON", "MECHANISMS", "CountNoise", "calibrate_noise", "dp_group_counts"]

MECHANISMS = ("laplace", "gaussian")
MAX_EPSILON = 100.0
"""Largest ε accepted: at ε = 100 the discrete Laplace noise is non-zero with probability
about ``2 e^-100``; a larger budget gives no privacy at all."""
Key = tuple[str | None, ...]


class _OpenDP:
    """The OpenDP modules used here, imported without ``opendp.prelude``.

    ``opendp.prelude`` also imports ``opendp.extras`` (scikit-learn, about 2 s); the
    modules below are the same functions ``prelude`` re-exports as ``dp.m``, ``dp.c`` …
    """

    def __init__(self) -> None:
        import opendp.accuracy as accuracy
        import opendp.combinators as c
        import opendp.domains as domains
        import opendp.measurements as m
        import opendp.metrics as metrics
        import opendp.mod as mod

        mod.enable_features("contrib")
        self.m, self.c, self.mod = m, c, mod
        self.vector_domain, self.atom_domain = domains.vector_domain, domains.atom_domain
        self.l1_distance, self.l2_distance = metrics.l1_distance, metrics.l2_distance
        self.binary_search_param = mod.binary_search_param
        self.OpenDPException = mod.OpenDPException
        self.discrete_laplacian_scale_to_accuracy = accuracy.discrete_laplacian_scale_to_accuracy
        self.discrete_gaussian_scale_to_accuracy = accuracy.discrete_gaussian_scale_to_accuracy


def _opendp() -> _OpenDP:
    return _OpenDP()


def _discrete_laplace_variance(scale: float) -> float:
    """Variance of the discrete Laplace with ``P(x) ∝ exp(-|x| / scale)``: ``2q / (1-q)²``."""
    q = math.exp(-1.0 / scale)
    return 2.0 * q / (1.0 - q) ** 2


def _discrete_gaussian_variance(sigma: float) -> float:
    """Variance of the discrete Gaussian ``P(x) ∝ exp(-x² / 2σ²)`` on the integers (summed)."""
    reach = math.ceil(40.0 * sigma) + 10
    weights = [math.exp(-(x * x) / (2.0 * sigma * sigma)) for x in range(-reach, reach + 1)]
    total = sum(weights)
    return sum(w * x * x for w, x in zip(weights, range(-reach, reach + 1), strict=True)) / total


@dataclass(frozen=True)
class CountNoise:
    """A calibrated OpenDP noise mechanism for a vector of counts.

    Attributes
    ----------
    mechanism : {"laplace", "gaussian"}
    scale : float
        Discrete Laplace ``b`` or discrete Gaussian ``σ``.
    epsilon : float
        ε certified by OpenDP's privacy map at ``d_in = max_contributions``.
    delta : float or None
        δ of the Gaussian (``None`` for Laplace).
    rho : float or None
        ρ (zCDP) of the Gaussian.
    max_contributions : int
        ``d_in`` of the privacy map (L1 and L2 sensitivity).
    measurement : opendp.mod.Measurement
        The OpenDP measurement: ``measurement(list_of_ints) -> list_of_ints``.
    """

    mechanism: Literal["laplace", "gaussian"]
    scale: float
    epsilon: float
    delta: float | None
    rho: float | None
    max_contributions: int
    measurement: Any

    @property
    def noise_std(self) -> float:
        """Exact standard deviation of the integer noise."""
        if self.mechanism == "laplace":
            return math.sqrt(_discrete_laplace_variance(self.scale))
        return math.sqrt(_discrete_gaussian_variance(self.scale))

    def half_width(self, confidence_level: float) -> int:
        """Half-width ``h`` with ``P[|noise| <= h] >= confidence_level`` (OpenDP accuracy).

        Raises
        ------
        UsageError
            If ``confidence_level`` is not in (0, 1).
        """
        _level(confidence_level)
        dp = _opendp()
        alpha = 1.0 - confidence_level
        if self.mechanism == "laplace":
            accuracy = dp.discrete_laplacian_scale_to_accuracy(self.scale, alpha)
        else:
            accuracy = dp.discrete_gaussian_scale_to_accuracy(self.scale, alpha)
        return max(0, math.ceil(float(accuracy)) - 1)

    def release(self, counts: Sequence[int]) -> list[int]:
        """Return ``counts`` with independent integer noise added to each (fresh each call)."""
        return [int(x) for x in self.measurement([int(c) for c in counts])]


def _level(confidence_level: Any) -> float:
    if (
        isinstance(confidence_level, bool)
        or not isinstance(confidence_level, int | float)
        or (not 0 < confidence_level < 1)
    ):
        raise UsageError(
            f"confidence_level must be a number between 0 and 1 (e.g. 0.95), got "
            f"{confidence_level!r}"
        )
    return float(confidence_level)


def _positive_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"{name} must be a finite number > 0, got {value!r}")
    if value <= 0:
        raise UsageError(f"{name} must be > 0, got {value!r}")
    return float(value)


def calibrate_noise(
    *,
    epsilon: float,
    mechanism: str = "laplace",
    delta: float | None = None,
    max_contributions: int = 1,
) -> CountNoise:
    """Return the least-noise OpenDP mechanism that is ε-DP (Laplace) or (ε, δ)-DP (Gaussian).

    Parameters
    ----------
    epsilon : float
        Privacy-loss budget ε, ``0 < ε <= MAX_EPSILON`` (100).
    mechanism : {"laplace", "gaussian"}, default "laplace"
    delta : float, optional
        Required for ``gaussian`` (0 < δ < 1, typically well below 1 / number of people);
        not allowed for ``laplace``.
    max_contributions : int, default 1
        Most records any one person has in the data (>= 1).

    Returns
    -------
    CountNoise

    Raises
    ------
    UsageError
        ε not a finite number > 0 or above :data:`MAX_EPSILON`; unknown mechanism; δ
        missing for Gaussian, given for Laplace, or not in (0, 1); ``max_contributions``
        not a whole number >= 1; OpenDP cannot calibrate the parameters.

    Notes
    -----
    The scale is OpenDP's ``binary_search_param`` over ``make_laplace`` (metric
    ``l1_distance``, measure ``MaxDivergence``) or ``make_fix_delta(make_zCDP_to_approxDP(
    make_gaussian))`` (metric ``l2_distance``), on ``vector_domain(atom_domain(T="i64"))``.
    """
    eps = _positive_number("epsilon", epsilon)
    if eps > MAX_EPSILON:
        raise UsageError(
            f"epsilon {eps:g} is too large: epsilon this large gives no privacy; expected "
            f"0 < epsilon <= {MAX_EPSILON:g}"
        )
    if mechanism not in MECHANISMS:
        raise UsageError(f"mechanism {mechanism!r} is unknown; expected laplace or gaussian")
    if (
        isinstance(max_contributions, bool)
        or not isinstance(max_contributions, int)
        or (max_contributions < 1)
    ):
        raise UsageError(
            f"max_contributions must be a whole number >= 1, got {max_contributions!r}"
        )
    if mechanism == "laplace" and delta is not None:
        raise UsageError(
            "delta is only for the gaussian mechanism; the laplace mechanism is pure "
            "epsilon-DP (leave delta out)"
        )
    if mechanism == "gaussian":
        if delta is None:
            raise UsageError(
                "the gaussian mechanism needs delta, e.g. 1e-6 (well below 1 / number of people)"
            )
        if isinstance(delta, bool) or not isinstance(delta, int | float) or not 0 < delta < 1:
            raise UsageError(f"delta must be a number between 0 and 1 (e.g. 1e-6), got {delta!r}")
    dp = _opendp()
    domain = dp.vector_domain(dp.atom_domain(T="i64"))
    d_in = max_contributions
    try:
        if mechanism == "laplace":

            def make(scale: float) -> Any:
                return dp.m.make_laplace(domain, dp.l1_distance(T="i64"), scale)

            scale = float(dp.binary_search_param(make, d_in=d_in, d_out=eps))
            measurement = make(scale)
            certified, rho = float(measurement.map(d_in)), None
        else:
            fixed_delta = float(delta)  # type: ignore[arg-type]

            def make_zcdp(scale: float) -> Any:
                return dp.m.make_gaussian(domain, dp.l2_distance(T="i64"), scale)

            def make(scale: float) -> Any:
                approx = dp.c.make_zCDP_to_approxDP(make_zcdp(scale))
                return dp.c.make_fix_delta(approx, fixed_delta)

            scale = float(dp.binary_search_param(make, d_in=d_in, d_out=(eps, fixed_delta)))
            measurement = make_zcdp(scale)
            certified = float(make(scale).map(d_in)[0])
            rho = float(measurement.map(d_in))
    except (ValueError, TypeError, dp.OpenDPException) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise UsageError(f"OpenDP cannot calibrate {mechanism} noise for epsilon={eps:g}: "
                         f"{first}") from None  # fmt: skip
    return CountNoise(
        mechanism=mechanism,  # type: ignore[arg-type]
        scale=scale,
        epsilon=certified,
        delta=float(delta) if delta is not None else None,
        rho=rho,
        max_contributions=max_contributions,
        measurement=measurement,
    )


def _columns(by: Any) -> list[str]:
    if isinstance(by, str):
        items = [v.strip() for v in by.split(",")]
    elif isinstance(by, Sequence) and all(isinstance(v, str) for v in by):
        items = [v.strip() for v in by]
    else:
        raise UsageError(f"by must be column names (a list or 'a,b'), got {by!r}")
    items = [v for v in items if v]
    if not items:
        raise UsageError("by is empty; expected at least one grouping column, e.g. region")
    repeated = sorted({v for v in items if items.count(v) > 1})
    if repeated:
        raise UsageError(f"by names {', '.join(repeated)} more than once; give each once")
    return items


def _text(value: Any) -> str | None:
    """A key value as the engine writes it after ``CAST(... AS VARCHAR)``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _grouped_as_text(table: Any, by: Sequence[str]) -> list[tuple[Key, int]]:
    """``(key, count)`` per group, the key as text: one ``GROUP BY`` in the engine."""
    names = [f"b{i}" for i in range(len(by))]
    keyed = table.select(**{n: table[c].cast("string") for n, c in zip(names, by, strict=True)})
    frame = keyed.group_by(names).aggregate(n=keyed.count()).execute()
    out = []
    for row in frame.itertuples(index=False):
        key = tuple(_text(getattr(row, n)) for n in names)
        out.append((key, int(row.n)))
    return out


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in key)


def _parse_keys(keys: Any, by: Sequence[str]) -> list[Key]:
    """The public key domain as text tuples (a file, a data frame or a list)."""
    if isinstance(keys, str | os.PathLike) or type(keys).__module__.split(".")[0] in {
        "pandas", "polars", "pyarrow", "ibis",
    }:  # fmt: skip
        source = as_table(keys)
        available = list(source.table.columns)
        absent = [c for c in by if c not in available]
        if absent:
            raise UsageError(
                f"keys need a column for every grouping column; missing {', '.join(absent)} "
                f"(keys columns: {', '.join(available)})"
            )
        parsed = [key for key, _ in _grouped_as_text(source.table, by)]
        n_rows = int(source.table.count().execute())
        if n_rows != len(parsed):
            raise UsageError("keys list a group more than once; expected each group once")
    elif isinstance(keys, Sequence):
        parsed = []
        for item in keys:
            values = (
                tuple(item) if isinstance(item, Sequence) and not isinstance(item, str) else (item,)
            )
            if len(values) != len(by):
                raise UsageError(
                    f"key {item!r} has {len(values)} value(s); expected {len(by)} "
                    f"(one per grouping column {', '.join(by)})"
                )
            parsed.append(tuple(_text(v) for v in values))
        if len(set(parsed)) != len(parsed):
            raise UsageError("keys list a group more than once; expected each group once")
    else:
        raise UsageError(
            f"keys must be a file, a data frame or a list of groups, got {type(keys).__name__}"
        )
    if not parsed:
        raise UsageError("keys is empty; expected at least one group")
    return sorted(parsed, key=_sort_key)


def _policy_k(policy: Any) -> int:
    """``settings.k_anonymity`` of ``policy`` (default: the built-in policy), else 10."""
    from fairmark.policy import Policy, load_policy
    from fairmark.policy.model import DEFAULT_K_ANONYMITY

    pol = policy if isinstance(policy, Policy) else load_policy(policy or "default")
    k = pol.settings.k_anonymity
    return int(k) if k is not None else DEFAULT_K_ANONYMITY


def _refuse_identifier_groups(columns: Sequence[str]) -> None:
    """Refuse, without public keys, a grouping column named like a direct identifier."""
    from fairmark.privacy.column_names import classify_name

    for column in columns:
        hint = classify_name(column)
        if hint is not None and hint.direct_identifier:
            raise UsageError(
                f"--by {column!r} looks like a direct identifier ({hint.label}); without "
                "--keys the groups found in the data are published as they are, so every "
                "value would be disclosed (the key set is not protected by the noise); "
                "expected --keys with a public list of groups or a coarser --by"
            )


def _refuse_fine_groups(columns: Sequence[str], n_groups: int, n_rows: int, k: int) -> None:
    """Refuse, without public keys, groups holding fewer than ``k`` records on average."""
    if n_groups * k > n_rows:
        raise UsageError(
            f"--by {','.join(columns)} splits {n_rows:,} records into {n_groups:,} groups, "
            f"fewer than k = {k} per group on average; without --keys the list of groups is "
            "published as it is and near-unique values would be disclosed; expected --keys "
            "with a public list of groups or a coarser --by"
        )


def dp_group_counts(
    data: Any,
    *,
    by: str | Sequence[str],
    epsilon: float,
    mechanism: str = "laplace",
    delta: float | None = None,
    confidence_level: float = 0.95,
    max_contributions: int = 1,
    keys: Any = None,
    policy: Any = None,
) -> DPTable:
    """Release the number of records per group with differential privacy (OpenDP).

    Parameters
    ----------
    data : path, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        The records (see :func:`fairmark.engine.source.as_table`).
    by : str or sequence of str
        Grouping columns (``"region,age_band"`` or a list).
    epsilon : float
        Privacy-loss budget ε of the whole release (> 0). Smaller is more private and
        noisier; the noise standard deviation of Laplace is about ``1.41 c / ε``.
    mechanism : {"laplace", "gaussian"}, default "laplace"
        Discrete Laplace (pure ε-DP) or discrete Gaussian ((ε, δ)-DP via zCDP).
    delta : float, optional
        δ of the Gaussian mechanism (required for it, not allowed for Laplace).
    confidence_level : float, default 0.95
        Level of the noise-aware intervals, in (0, 1).
    max_contributions : int, default 1
        Most records any one person has in ``data``: the sensitivity ``c``. It is the
        caller's promise; fairmark cannot check it without a person identifier.
    keys : path, data frame or list, optional
        The public list of possible groups: a CSV/Parquet file or data frame with the
        ``by`` columns (one row per group), or a list of tuples (of scalars for one
        column). Matched on the text form of the values (``1`` and ``"1"`` match; a
        missing value is ``None``/an empty cell). Without it the groups are read from the
        data and the list of groups is not protected; the release is then refused when a
        ``by`` column is a direct identifier by name
        (:func:`fairmark.privacy.column_names.classify_name`) or when
        ``number of groups × k > number of records``.
    policy : str, path or Policy, optional
        Where ``k`` comes from (``settings.k_anonymity``, else 10). Default: the built-in
        policy.

    Returns
    -------
    DPTable
        ``to_dict()`` gives the ``dp_release`` document. Exact counts are never included.

    Raises
    ------
    UsageError
        Bad ε, δ, mechanism, confidence level or ``max_contributions`` (see
        :func:`calibrate_noise`); no or repeated ``by`` columns; malformed ``keys``;
        without ``keys``, a direct-identifier ``by`` column or groups with fewer than
        ``k`` records on average.
    DataError
        A missing column, an unreadable file, data without rows.
    PolicyError
        An unreadable or invalid policy.

    Notes
    -----
    The counts come from one ``GROUP BY`` in the engine (by columns cast to text); the
    noise from :func:`calibrate_noise`; intervals ``noisy ± h`` with ``h`` from OpenDP's
    accuracy function (module docstring), clipped at 0. Definitions: Dwork
    & Roth 2014, The Algorithmic Foundations of Differential Privacy, §3.3 (Laplace
    mechanism for histogram queries, sensitivity 1 per person) and Canonne, Kamath &
    Steinke 2020 (discrete Gaussian).
    """
    columns = _columns(by)
    level = _level(confidence_level)
    noise = calibrate_noise(
        epsilon=epsilon, mechanism=mechanism, delta=delta, max_contributions=max_contributions
    )
    source = as_table(data)
    available = list(source.table.columns)
    for column in columns:
        if column not in available:
            raise DataError(missing_column_message(column, available))
    if keys is None:
        _refuse_identifier_groups(columns)
    public = _parse_keys(keys, columns) if keys is not None else None
    exact: Mapping[Key, int] = dict(_grouped_as_text(source.table, columns))
    n_rows = sum(exact.values())
    if n_rows == 0:
        raise DataError("the data have no rows; expected at least one record")
    if public is None:
        _refuse_fine_groups(columns, len(exact), n_rows, _policy_k(policy))
        released = sorted(exact, key=_sort_key)
        vector = [exact[key] for key in released]
    else:
        released = public
        inside = set(public)
        vector = [exact.get(key, 0) for key in released]
        vector.append(sum(n for key, n in exact.items() if key not in inside))
    noisy = noise.release(vector)
    half = noise.half_width(level)

    def count(key: Key, value: int) -> DPCount:
        return DPCount(key=key, noisy_count=value, ci_low=max(0, value - half),
                       ci_high=max(0, value + half))  # fmt: skip

    counts = tuple(count(key, value) for key, value in zip(released, noisy, strict=False))
    outside = count((), noisy[-1]) if public is not None else None
    description = str(data) if isinstance(data, str | Path) else source.description
    return DPTable(
        run_id=str(uuid.uuid4()),
        created_at=datetime.now(UTC),
        data_description=description,
        by=tuple(columns),
        mechanism=noise.mechanism,
        epsilon_requested=float(epsilon),
        epsilon=noise.epsilon,
        delta=noise.delta,
        rho=noise.rho,
        scale=noise.scale,
        noise_std=noise.noise_std,
        max_contributions=noise.max_contributions,
        confidence_level=level,
        ci_half_width=half,
        counts=counts,
        outside_keys=outside,
        keys_protected=public is not None,
    )
