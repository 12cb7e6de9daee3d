"""Result objects of ``fairmark privacy kanon`` and ``fairmark privacy dp-release``.

:class:`KAnonymityMetrics` holds what the engine measured about the equivalence classes
(the input of the check ``privacy.k_anonymity``), :class:`KAnonymityResult` adds the
suggested generalisations and the policy verdict, :class:`DPTable` is a differentially
private table of group counts. Every ``to_dict()`` returns a JSON-safe document with
``schema_version`` ``"1.0"`` and a ``kind`` (``"kanon"`` or ``"dp_release"``), described by
``kanon.schema.json`` beside this module.

No document holds a row, an exact count of a released group, or a quasi-identifier value
of any equivalence class: only numbers of classes, class sizes and totals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fairmark.checks.base import Measurement

__all__ = [
    "SCHEMA_VERSION",
    "ClassSizeBin",
    "DPCount",
    "DPTable",
    "Generalisation",
    "GeneralisationMethod",
    "KAnonymityMetrics",
    "KAnonymityResult",
    "LDiversity",
    "Suggestion",
    "kanon_schema",
]

SCHEMA_VERSION = "1.0"

GeneralisationMethod = Literal[
    "age_bands_5",
    "age_bands_10",
    "age_bands_fairmark",
    "numeric_bands",
    "date",
    "year_month",
    "year",
    "uk_postcode_sector",
    "uk_postcode_district",
    "uk_postcode_area",
    "us_zip5",
    "us_zip3",
    "us_zip1",
    "top_n",
    "drop",
]


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ClassSizeBin:
    """One bar of the class-size histogram: how many equivalence classes have ``size`` records.

    Attributes
    ----------
    size : int
        Records in each of these classes (>= 1).
    classes : int
        Number of equivalence classes of exactly that size (>= 1).
    """

    size: int
    classes: int

    @property
    def records(self) -> int:
        """Records in these classes (``size * classes``)."""
        return self.size * self.classes

    def to_dict(self) -> dict[str, int]:
        """Return ``{"size", "classes", "records"}``."""
        return {"size": self.size, "classes": self.classes, "records": self.records}


@dataclass(frozen=True)
class LDiversity:
    """How varied a sensitive column is inside the equivalence classes.

    Attributes
    ----------
    sensitive : str
        The sensitive column (a missing value counts as a value of its own).
    distinct_l : int
        Distinct l-diversity: the smallest number of distinct sensitive values in any
        class (1 means some class is homogeneous: everyone in it shares the value).
    entropy_l : float
        Entropy l-diversity: ``exp(min over classes of H)`` with
        ``H = -Σ p_v ln p_v`` over the class's sensitive values (>= 1;
        ``entropy_l <= distinct_l``).
    homogeneous_classes : int
        Classes with a single sensitive value (attribute disclosure without
        re-identification: the homogeneity attack).
    records_in_homogeneous_classes : int
        Records in those classes.

    Notes
    -----
    Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam, "l-Diversity: Privacy beyond
    k-anonymity", ICDE 2006 and ACM TKDD 1(1), 2007, Definitions 4.1 (distinct, called
    "well-represented"), 4.2 (entropy l-diversity) and §3.1 (homogeneity attack).
    """

    sensitive: str
    distinct_l: int
    entropy_l: float
    homogeneous_classes: int
    records_in_homogeneous_classes: int

    def to_dict(self) -> dict[str, Any]:
        """Return the ``l_diversity`` object of the ``kanon`` document."""
        return {
            "sensitive": self.sensitive,
            "distinct_l": self.distinct_l,
            "entropy_l": self.entropy_l,
            "homogeneous_classes": self.homogeneous_classes,
            "records_in_homogeneous_classes": self.records_in_homogeneous_classes,
        }


@dataclass(frozen=True)
class KAnonymityMetrics:
    """What the engine measured about the equivalence classes of the quasi-identifiers.

    An equivalence class is the set of records sharing the same combination of
    quasi-identifier values; a missing value is a value of its own (records with a
    missing age form classes apart from every age).

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The quasi-identifier columns, in the order given.
    k : int
        The required k (>= 2).
    n_records : int
        Records in the data (>= 1).
    n_classes : int
        Number of equivalence classes.
    k_achieved : int
        Size of the smallest class: the data are k-anonymous for every k up to this.
    records_below_k : int
        Records in classes of fewer than ``k`` records.
    classes_below_k : int
        Classes of fewer than ``k`` records.
    records_with_missing_qi : int
        Records with a missing value in at least one quasi-identifier.
    histogram : tuple of ClassSizeBin
        Class sizes present, ascending.
    l_diversity : LDiversity or None
        When a sensitive column was given.

    Notes
    -----
    Samarati & Sweeney, "Protecting privacy when disclosing information: k-anonymity and
    its enforcement through generalization and suppression", SRI-CSL-98-04, 1998;
    Sweeney, "k-anonymity: a model for protecting privacy", IJUFKS 10(5):557-570, 2002
    (Definition 3: every combination of quasi-identifier values occurs at least k times).
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    n_records: int
    n_classes: int
    k_achieved: int
    records_below_k: int
    classes_below_k: int
    records_with_missing_qi: int
    histogram: tuple[ClassSizeBin, ...]
    l_diversity: LDiversity | None = None

    @property
    def share_below_k(self) -> float:
        """Share of records in classes below ``k``, in [0, 1]."""
        return self.records_below_k / self.n_records

    @property
    def meets_k(self) -> bool:
        """Whether every class has at least ``k`` records."""
        return self.k_achieved >= self.k


@dataclass(frozen=True)
class Generalisation:
    """One change to one quasi-identifier column, made inside the engine.

    Attributes
    ----------
    column : str
        The quasi-identifier changed.
    method : GeneralisationMethod
        ``age_bands_5``/``age_bands_10`` (``floor(age / w) * w``), ``age_bands_fairmark``
        (<25, 25-34, 35-44, 45-54, 55-64, 65+), ``numeric_bands`` (``floor(x / width) *
        width``), ``date`` (timestamp to day), ``year_month``, ``year``,
        ``uk_postcode_sector`` (``SW1A 1``), ``uk_postcode_district`` (outward code,
        ``SW1A``), ``uk_postcode_area`` (``SW``), ``us_zip5`` (ZIP+4 to ZIP),
        ``us_zip3`` (first three digits), ``us_zip1`` (first digit), ``top_n`` (the
        ``len(keep)`` most frequent values kept, every other value becomes ``"other"``),
        ``drop`` (the column is not released).
    label : str
        Plain-language description, e.g. ``"age in 10-year bands"``.
    level : int
        Position on the column's generalisation ladder (1 = least general).
    width : float or None
        Band width of ``numeric_bands``.
    keep : tuple of str
        The values kept by ``top_n`` (the most frequent ones; never a rare value).
    """

    column: str
    method: GeneralisationMethod
    label: str
    level: int
    width: float | None = None
    keep: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"column", "method", "label", "level", "width", "keep"}``."""
        return {
            "column": self.column,
            "method": self.method,
            "label": self.label,
            "level": self.level,
            "width": self.width,
            "keep": list(self.keep),
        }


@dataclass(frozen=True)
class Suggestion:
    """A set of generalisations and the k-anonymity they achieve, measured in the engine.

    Attributes
    ----------
    changes : tuple of Generalisation
        One per changed quasi-identifier.
    k_achieved : int
        Smallest class size after the changes (the number of records when every
        quasi-identifier is dropped).
    records_below_k : int
        Records still in classes below ``k``.
    n_classes : int
        Equivalence classes after the changes (more classes = more detail kept).
    meets_k : bool
        ``k_achieved >= k``.
    """

    changes: tuple[Generalisation, ...]
    k_achieved: int
    records_below_k: int
    n_classes: int
    meets_k: bool

    def to_dict(self, n_records: int) -> dict[str, Any]:
        """Return the ``suggestions[]`` item; ``n_records`` gives ``share_below_k``."""
        return {
            "changes": [c.to_dict() for c in self.changes],
            "k_achieved": self.k_achieved,
            "records_below_k": self.records_below_k,
            "share_below_k": self.records_below_k / n_records,
            "n_classes": self.n_classes,
            "meets_k": self.meets_k,
        }


@dataclass(frozen=True)
class KAnonymityResult:
    """The result of one re-identification risk run (``fairmark privacy kanon``).

    Attributes
    ----------
    run_id : str
        UUID4 of the run.
    created_at : datetime
        UTC time the run finished.
    metrics : KAnonymityMetrics
        The engine's measurements (the input of the ``"kanon"`` checks).
    k_source : {"argument", "policy", "default"}
        Where ``metrics.k`` came from.
    suggestions : tuple of Suggestion
        Best first; empty when ``k`` is met or suggestions were not asked for.
    measurements : tuple of Measurement
        What the ``"kanon"`` checks measured.
    outcome : fairmark.policy.PolicyOutcome
        Findings, per-rule and overall verdicts.
    policy : fairmark.policy.Policy
        The policy as loaded, with its own bounds (an explicit ``k`` overrides the
        ``privacy.k_anonymity`` bounds only in ``outcome``).
    data_description : str
    implicit_rule : bool
        True when the policy has no ``privacy.k_anonymity`` rule and the verdict comes
        from the implicit blocking rule ``k_achieved >= k``.
    """

    run_id: str
    created_at: datetime
    metrics: KAnonymityMetrics
    k_source: Literal["argument", "policy", "default"]
    suggestions: tuple[Suggestion, ...]
    measurements: tuple[Measurement, ...]
    outcome: Any
    policy: Any
    data_description: str
    implicit_rule: bool

    @property
    def verdict(self) -> str:
        """Overall verdict: ``pass``, ``warn``, ``fail`` or ``insufficient_evidence``."""
        return str(self.outcome.verdict)

    @property
    def exit_code(self) -> int:
        """0 for pass/warn, 1 for fail or insufficient evidence."""
        from fairmark.policy import exit_code

        return exit_code(self.verdict)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``kanon`` document (``fairmark privacy kanon --format json``).

        Keys: ``schema_version, kind ("kanon"), run_id, created_at, tool_version, data,
        settings {quasi_identifiers, sensitive, k, k_source, missing_values, implicit_rule,
        policy_k, policy_bounds}, summary
        {n_records, n_classes, k_achieved, meets_k, records_below_k, share_below_k,
        classes_below_k, records_with_missing_qi}, histogram[] {size, classes, records},
        l_diversity (or null), suggestions[], policy, verdict, findings[], rules[]``.
        """
        from fairmark import __version__

        m = self.metrics
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "kanon",
            "run_id": self.run_id,
            "created_at": _stamp(self.created_at),
            "tool_version": __version__,
            "data": self.data_description,
            "settings": {
                "quasi_identifiers": list(m.quasi_identifiers),
                "sensitive": m.l_diversity.sensitive if m.l_diversity else None,
                "k": m.k,
                "k_source": self.k_source,
                "missing_values": "a missing value is a value of its own",
                "implicit_rule": self.implicit_rule,
                "policy_k": self.policy.settings.k_anonymity,
                "policy_bounds": {
                    r.id: r.min for r in self.policy.rules if r.check == "privacy.k_anonymity"
                },
            },
            "summary": {
                "n_records": m.n_records,
                "n_classes": m.n_classes,
                "k_achieved": m.k_achieved,
                "meets_k": m.meets_k,
                "records_below_k": m.records_below_k,
                "share_below_k": m.share_below_k,
                "classes_below_k": m.classes_below_k,
                "records_with_missing_qi": m.records_with_missing_qi,
            },
            "histogram": [b.to_dict() for b in m.histogram],
            "l_diversity": m.l_diversity.to_dict() if m.l_diversity else None,
            "suggestions": [s.to_dict(m.n_records) for s in self.suggestions],
            "policy": self.policy.to_report_dict(),
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.outcome.findings],
            "rules": [r.to_dict() for r in self.outcome.rules],
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


@dataclass(frozen=True)
class DPCount:
    """One released count: the noisy value and its noise-aware confidence interval.

    Attributes
    ----------
    key : tuple of (str or None)
        The group's values of the ``by`` columns as text (``None`` for a missing value).
    noisy_count : int
        Exact count plus integer noise; may be negative (it is not clipped, so that it
        stays unbiased).
    ci_low, ci_high : int
        ``noisy_count ∓ half-width``, both ends clipped at 0 (a count is never negative,
        so the clip never loses coverage).
    """

    key: tuple[str | None, ...]
    noisy_count: int
    ci_low: int
    ci_high: int

    def to_dict(self, by: tuple[str, ...]) -> dict[str, Any]:
        """Return ``{"key": {column: value}, "noisy_count", "ci_low", "ci_high"}``."""
        return {
            "key": dict(zip(by, self.key, strict=True)),
            "noisy_count": self.noisy_count,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class DPTable:
    """A differentially private table of group counts.

    Attributes
    ----------
    run_id : str
    created_at : datetime
    data_description : str
    by : tuple of str
        The grouping columns.
    mechanism : {"laplace", "gaussian"}
        ``laplace``: discrete Laplace (geometric) noise, pure ε-DP; ``gaussian``: discrete
        Gaussian noise, ρ-zCDP converted to (ε, δ)-DP.
    epsilon_requested : float
        The ε asked for.
    epsilon : float
        The ε the OpenDP privacy map certifies for the release (<= requested).
    delta : float or None
        δ of the Gaussian release (``None`` for Laplace: pure DP).
    rho : float or None
        zero-concentrated DP parameter of the Gaussian release.
    scale : float
        Noise scale: ``b`` of the discrete Laplace (variance about ``2 b²``), ``σ`` of the
        discrete Gaussian.
    noise_std : float
        Exact standard deviation of the integer noise.
    max_contributions : int
        Most records one person may contribute: the L1 and L2 sensitivity of the vector
        of counts.
    confidence_level : float
        Level of every interval.
    ci_half_width : int
        Half-width of every interval before clipping at 0.
    counts : tuple of DPCount
        One per released group.
    outside_keys : DPCount or None
        With public keys: the noisy count of records whose group is not among the keys
        (released in the same vector, so at no extra privacy cost; its ``key`` is ``()``).
    keys_protected : bool
        True when the groups were given by the caller (a public key domain); False when
        they were read from the data, in which case the list of groups is NOT protected
        (a group's presence reveals that someone in the data has those values).
    """

    run_id: str
    created_at: datetime
    data_description: str
    by: tuple[str, ...]
    mechanism: Literal["laplace", "gaussian"]
    epsilon_requested: float
    epsilon: float
    delta: float | None
    rho: float | None
    scale: float
    noise_std: float
    max_contributions: int
    confidence_level: float
    ci_half_width: int
    counts: tuple[DPCount, ...]
    outside_keys: DPCount | None
    keys_protected: bool

    @property
    def noise_distribution(self) -> str:
        """``"discrete Laplace"`` or ``"discrete Gaussian"``."""
        return "discrete Laplace" if self.mechanism == "laplace" else "discrete Gaussian"

    def warnings(self) -> list[str]:
        """Plain-language caveats of the release (empty when there are none)."""
        out = []
        if not self.keys_protected:
            out.append(
                "the groups were taken from the data, so the list of groups itself is not "
                "protected: pass the public list of possible groups (keys) to protect it"
            )
        out.append(
            f"the privacy guarantee assumes each person contributes at most "
            f"{self.max_contributions} record(s); fairmark cannot check this without a "
            "person identifier"
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the ``dp_release`` document (``fairmark privacy dp-release``).

        Keys: ``schema_version, kind ("dp_release"), run_id, created_at, tool_version,
        data, by, privacy {mechanism, noise, epsilon, epsilon_requested, delta, rho,
        scale, noise_std, sensitivity, max_contributions, library}, confidence_level,
        ci_half_width, keys_protected, counts[], outside_keys, warnings[]``. No exact
        count is included.
        """
        from fairmark import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "dp_release",
            "run_id": self.run_id,
            "created_at": _stamp(self.created_at),
            "tool_version": __version__,
            "data": self.data_description,
            "by": list(self.by),
            "privacy": {
                "mechanism": self.mechanism,
                "noise": self.noise_distribution,
                "epsilon": self.epsilon,
                "epsilon_requested": self.epsilon_requested,
                "delta": self.delta,
                "rho": self.rho,
                "scale": self.scale,
                "noise_std": self.noise_std,
                "sensitivity": {"l1": self.max_contributions, "l2": self.max_contributions},
                "max_contributions": self.max_contributions,
                "library": _opendp_version(),
            },
            "confidence_level": self.confidence_level,
            "ci_half_width": self.ci_half_width,
            "keys_protected": self.keys_protected,
            "counts": [c.to_dict(self.by) for c in self.counts],
            "outside_keys": (
                {
                    "noisy_count": self.outside_keys.noisy_count,
                    "ci_low": self.outside_keys.ci_low,
                    "ci_high": self.outside_keys.ci_high,
                }
                if self.outside_keys
                else None
            ),
            "warnings": self.warnings(),
        }

    def to_json(self) -> str:
        """Return :meth:`to_dict` as JSON text (``allow_nan=False``)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


def kanon_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the ``kanon`` and ``dp_release`` documents.

    Returns
    -------
    dict
        The parsed ``kanon.schema.json`` shipped beside this module. Its ``policy``,
        ``verdict``, ``findings`` and ``rules`` refer to ``report-1.json``
        (:func:`fairmark.report.validate.report_schema`).
    """
    from importlib import resources

    text = resources.files("fairmark.privacy").joinpath("kanon.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _opendp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"opendp {version('opendp')}"
    except PackageNotFoundError:  # pragma: no cover - the release needs opendp installed
        return "opendp"
