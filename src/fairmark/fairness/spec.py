"""The audit spec: what to audit and how, from Python arguments, CLI flags or a YAML file.

A spec names the label column and its positive label, the decision (a binary ``y_pred``
or a ``score`` with a ``threshold`` or ``top_k``), the sensitive features (optionally
binned), which intersections to report, reference groups, sample weights and the minimum
group size. It is validated once, here, before any data is read.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fairmark.errors import UsageError

__all__ = ["AuditSpec", "Binning", "SensitiveFeature", "load_audit_config", "parse_binning"]

DEFAULT_MIN_GROUP_SIZE = 30
DEFAULT_MAX_GROUPS = 1000
MISSING_LABEL = "(missing)"
INTERSECTION_SEP = " & "


@dataclass(frozen=True)
class Binning:
    """Cut a numeric column into right-open bands.

    Parameters
    ----------
    edges : tuple of float
        Strictly increasing cut points ``e_1 < … < e_m``. Bands are ``x < e_1``,
        ``e_i <= x < e_{i+1}`` and ``x >= e_m`` (``m + 1`` bands).
    labels : tuple of str or None
        ``m + 1`` band labels; by default ``<25``, ``25-34`` … ``65+`` for integer edges
        and ``[a, b)`` intervals otherwise.
    """

    edges: tuple[float, ...]
    labels: tuple[str, ...] | None = None

    def band_labels(self) -> tuple[str, ...]:
        """Return the ``len(edges) + 1`` labels, generated when not given."""
        if self.labels is not None:
            return self.labels
        e = self.edges
        integral = all(float(x).is_integer() for x in e)

        def fmt(x: float) -> str:
            return str(int(x)) if integral else f"{x:g}"

        out = [f"<{fmt(e[0])}"]
        for lo, hi in itertools.pairwise(e):
            out.append(f"{fmt(lo)}-{fmt(hi - 1)}" if integral else f"[{fmt(lo)}, {fmt(hi)})")
        out.append(f"{fmt(e[-1])}+")
        return tuple(out)


@dataclass(frozen=True)
class SensitiveFeature:
    """One sensitive feature: a column, the name it is reported under, optional binning."""

    column: str
    name: str
    binning: Binning | None = None


@dataclass(frozen=True)
class AuditSpec:
    """A validated audit spec.

    Parameters
    ----------
    y_true : str
        Column with the actual outcome (e.g. ``y``: did the customer subscribe).
    positive_label : str, int, float or bool
        The value of ``y_true`` that counts as the positive outcome. Never inferred.
    y_pred : str or None
        Column with the binary decision (selected or not). Exclusive with ``score``.
    pred_positive_label : str, int, float, bool or None
        The value of ``y_pred`` meaning "selected". Default: ``True`` for a boolean column,
        ``positive_label`` when ``y_pred`` holds values of the same kind (for a numeric
        ``y_pred`` against a boolean ``y_true``: 1 when ``positive_label`` reads as true,
        such as ``True``, ``"true"`` or ``"yes"``, else 0), else ``1``.
    score : str or None
        Column with a model score; the decision is ``score >= threshold`` or the top
        ``top_k`` scores.
    threshold : float or None
        Select rows whose score is at least this value.
    top_k : float or None
        Select the highest scores: a fraction in (0, 1) of the scored rows or a count >= 1.
        Rows tied with the k-th highest score are all selected (the report states the
        resulting threshold and selected count), so row order never matters.
    sensitive_features : tuple of SensitiveFeature
        One or more features to audit by.
    intersections : tuple of tuple of str
        Feature-name tuples to audit jointly; default all pairs.
    reference_groups : mapping of str to str
        ``feature -> group``; features not named use the group with the highest
        selection rate among groups with at least ``min_group_size`` rows.
    sample_weight : str or None
        Column with non-negative row weights.
    min_group_size : int
        Groups with fewer rows are not estimated and their counts are suppressed.
    max_groups : int
        Refuse a sensitive feature with more levels than this (default 1,000).
    confidence_level : float
        Confidence level of every interval (default 0.95).
    outcome : str or None
        Numeric outcome column (offer value, discount, price, credit limit) whose
        distribution across groups is audited (``outcome_metrics``).
    score_kind : {"auto", "probability", "logit", "score"}
        What ``score`` holds: ``auto`` (default) treats it as a probability when every
        score is in [0, 1] and as a ranking score otherwise; ``probability`` requires
        [0, 1] (values outside are an error); ``logit`` (calibration applies the
        logistic function); ``score``, an arbitrary ranking score (calibration is not
        computed).
    cutoffs : tuple of float
        Extra score thresholds at which selection-rate parity is reported, besides the
        top 10%, 20% and 30%.

    Raises
    ------
    UsageError
        On any inconsistent or missing field (one line naming it).
    """

    y_true: str
    positive_label: Any
    sensitive_features: tuple[SensitiveFeature, ...]
    y_pred: str | None = None
    pred_positive_label: Any = None
    score: str | None = None
    threshold: float | None = None
    top_k: float | None = None
    intersections: tuple[tuple[str, ...], ...] = ()
    reference_groups: Mapping[str, str] = field(default_factory=dict)
    sample_weight: str | None = None
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    max_groups: int = DEFAULT_MAX_GROUPS
    confidence_level: float = 0.95
    outcome: str | None = None
    score_kind: str = "auto"
    cutoffs: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.y_true:
            raise UsageError("y_true is required: the column with the actual outcome")
        if self.positive_label is None:
            raise UsageError("positive_label is required: the y_true value that counts as positive")
        if (self.y_pred is None) == (self.score is None):
            raise UsageError(
                "give exactly one decision: y_pred (binary) or score (with threshold or top_k)"
            )
        if self.y_pred is not None and (self.threshold is not None or self.top_k is not None):
            raise UsageError("threshold and top_k apply to a score column, not to y_pred")
        if self.score is not None and (self.threshold is None) == (self.top_k is None):
            raise UsageError(f"score column {self.score!r} needs exactly one of threshold or top_k")
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise UsageError(f"threshold must be a finite number, got {self.threshold!r}")
        if self.top_k is not None:
            k = self.top_k
            if not (0 < k < 1 or (k >= 1 and float(k).is_integer())):
                raise UsageError(
                    f"top_k must be a fraction in (0, 1) or a whole count >= 1, got {k!r}"
                )
        if self.score_kind not in {"auto", "probability", "logit", "score"}:
            raise UsageError(
                f"score_kind must be auto, probability, logit or score, got {self.score_kind!r}"
            )
        if self.cutoffs and self.score is None:
            raise UsageError("cutoffs apply to a score column; give score as well")
        if any(not math.isfinite(c) for c in self.cutoffs):
            raise UsageError(f"cutoffs must be finite numbers, got {list(self.cutoffs)}")
        if not self.sensitive_features:
            raise UsageError("at least one sensitive feature is required")
        names = [f.name for f in self.sensitive_features]
        if len(set(names)) != len(names):
            raise UsageError(f"sensitive feature names must be unique, got {names}")
        for f in self.sensitive_features:
            if f.column in {self.y_true, self.y_pred, self.score, self.sample_weight, self.outcome}:
                raise UsageError(
                    f"sensitive feature {f.column!r} is also used as label, decision or weight"
                )
        for combo in self.intersections:
            unknown = [c for c in combo if c not in names]
            if unknown or len(combo) < 2 or len(set(combo)) != len(combo):
                raise UsageError(
                    f"intersection {list(combo)} must name two or more distinct sensitive "
                    f"features among {names}"
                )
        valid_features = set(names) | {INTERSECTION_SEP.join(c) for c in self.intersections}
        for feat in self.reference_groups:
            if feat not in valid_features:
                raise UsageError(
                    f"reference group given for unknown feature {feat!r}; "
                    f"expected one of {sorted(valid_features)}"
                )
        if not isinstance(self.min_group_size, int) or self.min_group_size < 0:
            raise UsageError(
                f"min_group_size must be a whole number >= 0, got {self.min_group_size!r}"
            )
        if not isinstance(self.max_groups, int) or self.max_groups < 2:
            raise UsageError(f"max_groups must be a whole number >= 2, got {self.max_groups!r}")
        if not 0 < self.confidence_level < 1:
            raise UsageError(f"confidence_level must be in (0, 1), got {self.confidence_level!r}")

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Names of the sensitive features, in order."""
        return tuple(f.name for f in self.sensitive_features)

    @property
    def reported_features(self) -> tuple[str, ...]:
        """Every reported feature: each sensitive feature, then each intersection."""
        return self.feature_names + tuple(INTERSECTION_SEP.join(c) for c in self.intersections)

    @property
    def decision(self) -> str:
        """Plain-language description of the decision, e.g. ``top 20% by score``."""
        if self.y_pred is not None:
            return f"binary decision column {self.y_pred!r}"
        if self.threshold is not None:
            return f"{self.score!r} >= {self.threshold:g}"
        k = self.top_k
        assert k is not None
        return f"top {k:.0%} by {self.score!r}" if k < 1 else f"top {int(k)} by {self.score!r}"

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as the ``spec`` object of ``report.json``."""
        d = asdict(self)
        d["sensitive_features"] = [
            {
                "column": f.column,
                "name": f.name,
                "bins": list(f.binning.edges) if f.binning else None,
                "labels": list(f.binning.band_labels()) if f.binning else None,
            }
            for f in self.sensitive_features
        ]
        d["intersections"] = [list(c) for c in self.intersections]
        d["reference_groups"] = dict(self.reference_groups)
        d["cutoffs"] = list(self.cutoffs)
        return d

    @classmethod
    def build(
        cls,
        *,
        y_true: str,
        positive_label: Any,
        sensitive_features: str | Sequence[str | Mapping[str, Any]] | Mapping[str, Any],
        y_pred: str | None = None,
        pred_positive_label: Any = None,
        score: str | None = None,
        threshold: float | None = None,
        top_k: float | None = None,
        intersections: str | Sequence[Sequence[str]] | None = "pairs",
        reference_groups: Mapping[str, str] | None = None,
        sample_weight: str | None = None,
        min_group_size: int | None = None,
        max_groups: int | None = None,
        confidence_level: float | None = None,
        outcome: str | None = None,
        score_kind: str | None = None,
        cutoffs: Sequence[float] | None = None,
    ) -> AuditSpec:
        """Build a spec from loose Python values (strings, dicts, lists).

        ``sensitive_features`` items are column names or mappings
        ``{column, name?, bins?, labels?}``. ``intersections`` is ``"pairs"`` (default:
        every pair of features), ``"all"`` (every combination of two or more), ``"none"``
        or explicit lists of feature names.

        Raises
        ------
        UsageError
            When a value has the wrong type or the combination is inconsistent.
        """
        feats = _parse_features(sensitive_features)
        names = [f.name for f in feats]
        combos = _parse_intersections(intersections, names)
        return cls(
            y_true=y_true,
            positive_label=positive_label,
            sensitive_features=tuple(feats),
            y_pred=y_pred,
            pred_positive_label=pred_positive_label,
            score=score,
            threshold=None if threshold is None else _number("threshold", threshold),
            top_k=None if top_k is None else _number("top_k", top_k),
            intersections=combos,
            reference_groups=dict(reference_groups or {}),
            sample_weight=sample_weight,
            min_group_size=DEFAULT_MIN_GROUP_SIZE if min_group_size is None else min_group_size,
            max_groups=DEFAULT_MAX_GROUPS if max_groups is None else max_groups,
            confidence_level=0.95 if confidence_level is None else confidence_level,
            outcome=outcome,
            score_kind="auto" if score_kind is None else score_kind,
            cutoffs=tuple(_number("cutoffs", c) for c in (cutoffs or ())),
        )


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise UsageError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number, got {value!r}") from None


def parse_binning(value: Any, column: str) -> Binning:
    """Parse ``bins`` (a list of cut points, or ``"age"`` for the standard age bands).

    Raises
    ------
    UsageError
        If the cut points are not strictly increasing numbers.
    """
    if value == "age":
        value = [25, 35, 45, 55, 65]
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise UsageError(f"bins for {column!r} must be a list of increasing numbers, got {value!r}")
    edges = tuple(_number(f"bins of {column!r}", v) for v in value)
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise UsageError(f"bins for {column!r} must be strictly increasing, got {list(edges)}")
    return Binning(edges=edges)


def _parse_features(value: Any) -> list[SensitiveFeature]:
    if isinstance(value, str | Mapping):
        value = [value]
    if not isinstance(value, Sequence) or not value:
        raise UsageError("sensitive_features must be a column name or a list of them")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(SensitiveFeature(column=item, name=item))
            continue
        if not isinstance(item, Mapping) or "column" not in item:
            raise UsageError(
                f"a sensitive feature must be a column name or {{column, name, bins}}, got {item!r}"
            )
        unknown = set(item) - {"column", "name", "bins", "labels"}
        if unknown:
            raise UsageError(
                f"unknown key(s) {sorted(unknown)} in sensitive feature {item['column']!r}; "
                "expected column, name, bins, labels"
            )
        column = str(item["column"])
        binning = None
        if item.get("bins") is not None:
            binning = parse_binning(item["bins"], column)
            labels = item.get("labels")
            if labels is not None:
                if len(labels) != len(binning.edges) + 1:
                    raise UsageError(
                        f"{column!r} has {len(binning.edges)} cut points so needs "
                        f"{len(binning.edges) + 1} labels, got {len(labels)}"
                    )
                binning = Binning(edges=binning.edges, labels=tuple(str(x) for x in labels))
        default_name = f"{column}_band" if binning else column
        out.append(
            SensitiveFeature(
                column=column, name=str(item.get("name") or default_name), binning=binning
            )
        )
    return out


def _parse_intersections(value: Any, names: list[str]) -> tuple[tuple[str, ...], ...]:
    if value is None or value == "none" or len(names) < 2:
        if isinstance(value, list) and value and len(names) < 2:
            raise UsageError("intersections need at least two sensitive features")
        return ()
    if value == "pairs":
        return tuple(itertools.combinations(names, 2))
    if value == "all":
        return tuple(c for r in range(2, len(names) + 1) for c in itertools.combinations(names, r))
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise UsageError(
            "intersections must be 'pairs', 'all', 'none' or a list of feature lists, "
            f"got {value!r}"
        )
    return tuple(tuple(str(x) for x in combo) for combo in value)


_CONFIG_KEYS = {
    "data",
    "y_true",
    "positive_label",
    "y_pred",
    "pred_positive_label",
    "score",
    "threshold",
    "top_k",
    "sensitive_features",
    "intersections",
    "reference_groups",
    "sample_weight",
    "min_group_size",
    "max_groups",
    "confidence_level",
    "policy",
    "out",
    "format",
    "system",
    "outcome",
    "score_kind",
    "cutoffs",
    "features",
    "purpose",
    "data_categories",
    "subject_column",
}


def load_audit_config(path: str | Path) -> dict[str, Any]:
    """Read an ``audit.yaml`` file into a dict of audit arguments.

    Relative ``data``, ``policy`` and ``out`` paths are resolved against the file's folder.

    Raises
    ------
    UsageError
        If the file cannot be read, is not valid YAML (``file:line:column: problem``), is
        not a mapping or has unknown keys.
    """
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read audit config {p}: {exc.strerror or exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UsageError(
            f"{where}: {problem} (expected a YAML mapping of audit settings)"
        ) from None
    if not isinstance(doc, dict):
        raise UsageError(f"{p}: expected a mapping of audit settings, got {type(doc).__name__}")
    unknown = set(doc) - _CONFIG_KEYS
    if unknown:
        import difflib

        hints = [
            f"{k!r} (did you mean {difflib.get_close_matches(k, _CONFIG_KEYS, 1)[0]!r}?)"
            if difflib.get_close_matches(k, _CONFIG_KEYS, 1)
            else repr(k)
            for k in sorted(unknown)
        ]
        raise UsageError(f"{p}: unknown key(s) {', '.join(hints)}")
    for key in ("data", "policy", "out"):
        val = doc.get(key)
        if isinstance(val, str) and val not in {"default"} and not Path(val).is_absolute():
            if "://" not in val:
                doc[key] = str(p.parent / val)
    return doc
