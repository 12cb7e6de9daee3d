"""``lint_targeting``: judge a targeting spec against a platform's special-ad-category rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fairmark.content.categories import check_ad_category
from fairmark.content.targeting.rules import RULES, SOURCES, SPECIAL_AD_CATEGORIES, US_CANADA
from fairmark.content.targeting.spec import (
    PLATFORMS,
    Criterion,
    TargetingSpec,
    load_spec_document,
    read_spec,
)
from fairmark.errors import UsageError

__all__ = ["TargetingFinding", "TargetingLintResult", "lint_targeting"]

_SEVERITY_RANK = {"info": 0, "warn": 1, "block": 2}
# Google Ads API enum values: when every value is targeted, the dimension is not restricted.
_GOOGLE_ALL = {
    "age": {"AGE_RANGE_18_24", "AGE_RANGE_25_34", "AGE_RANGE_35_44", "AGE_RANGE_45_54",
            "AGE_RANGE_55_64", "AGE_RANGE_65_UP", "AGE_RANGE_UNDETERMINED"},
    "gender": {"MALE", "FEMALE", "UNDETERMINED"},
    "parental_status": {"PARENT", "NOT_A_PARENT", "UNDETERMINED"},
}


@dataclass(frozen=True)
class TargetingFinding:
    """One targeting choice that a platform's policy restricts.

    Parameters
    ----------
    rule_id : str
        ``targeting.<platform>.<name>``.
    severity : {"block", "warn", "info"}
        ``block``: the platform does not allow it (the ad set is rejected or changed);
        ``warn``: allowed only with care; ``info``: for the record.
    field : str
        JSON path of the offending choice in the input spec.
    value : str
        The choice (``"25-34"``, ``"10001"`` …).
    message : str
        Plain-language explanation.
    source : str
        Policy page (title and URL).
    """

    rule_id: str
    severity: Literal["block", "warn", "info"]
    field: str
    value: str
    message: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of every field."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class TargetingLintResult:
    """Result of :func:`lint_targeting`.

    Parameters
    ----------
    platform : {"meta", "google", "tiktok"}
    ad_category : str
    special_category : bool
        Whether the platform restricts targeting for ``ad_category``.
    spec_format : {"fairmark", "meta", "google", "tiktok"}
        Shape the spec was read as.
    findings : tuple of TargetingFinding
    n_criteria : int
        Targeting choices read from the spec.
    unchecked_fields : tuple of str
        Top-level fields no rule reads (placements, devices …).
    note : str
        Scope of the platform's rules (jurisdiction) and what was not checked.
    """

    platform: str
    ad_category: str
    special_category: bool
    spec_format: str
    findings: tuple[TargetingFinding, ...]
    n_criteria: int
    unchecked_fields: tuple[str, ...]
    note: str

    @property
    def n_blocking(self) -> int:
        """Number of ``block`` findings (choices the platform does not allow)."""
        return sum(1 for f in self.findings if f.severity == "block")

    @property
    def verdict(self) -> Literal["pass", "warn", "fail"]:
        """``fail`` with a blocking finding, ``warn`` with a warning, else ``pass``."""
        if self.n_blocking:
            return "fail"
        return "warn" if any(f.severity == "warn" for f in self.findings) else "pass"

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON-safe document (``kind: "targeting_lint"``)."""
        return {
            "schema_version": "1.0",
            "kind": "targeting_lint",
            "platform": self.platform,
            "ad_category": self.ad_category,
            "special_category": self.special_category,
            "spec_format": self.spec_format,
            "verdict": self.verdict,
            "n_criteria": self.n_criteria,
            "n_blocking": self.n_blocking,
            "findings": [f.to_dict() for f in self.findings],
            "unchecked_fields": list(self.unchecked_fields),
            "note": self.note,
            "source": SOURCES[self.platform],
        }


def _drop_google_full_sets(criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
    full = {
        dim
        for dim, values in _GOOGLE_ALL.items()
        if {c.value for c in criteria if c.dimension == dim and not c.excluded} >= values
        and not any(c.dimension == dim and c.excluded for c in criteria)
    }
    return tuple(c for c in criteria if c.dimension not in full)


def _check_platform(platform: str) -> str:
    p = str(platform).strip().lower()
    if p not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return p


def _wrong_platform_message(doc: Mapping[str, Any], platform: str) -> str:
    """One line for a spec none of whose fields ``platform``'s reader knows."""
    from fairmark.content.targeting.spec import PLATFORMS

    keys = ", ".join(sorted(map(str, doc)))
    best, best_n = None, 0
    for other in PLATFORMS:
        if other == platform:
            continue
        try:
            parsed: TargetingSpec = read_spec(doc, other)
        except UsageError:
            parsed = None  # type: ignore[assignment]
        n = len(set(map(str, doc)) - set(parsed.unchecked_fields)) if parsed else 0
        if n > best_n:
            best, best_n = other, n
    guess = (
        f"the keys look like a {best} spec (try --platform {best})"
        if best
        else "the keys match no platform's spec shape"
    )
    return (
        f"no field of the spec is a {platform} targeting field (fields: {keys}); {guess}"
    )


def lint_targeting(
    spec: Mapping[str, Any] | str | Path,
    *,
    platform: str,
    ad_category: str,
) -> TargetingLintResult:
    """Find targeting choices that ``platform`` forbids for ``ad_category`` ads.

    Parameters
    ----------
    spec : Mapping or str or pathlib.Path
        The targeting spec as a JSON object or a path to a JSON file, in the fairmark
        shape or the platform's own (see :mod:`fairmark.content.targeting.spec`).
    platform : {"meta", "google", "tiktok"}
    ad_category : str
        One of :data:`fairmark.content.categories.AD_CATEGORIES`. Only ``housing``,
        ``employment``, ``credit`` and ``financial_products`` are restricted; for others the
        result has no findings.

    Returns
    -------
    TargetingLintResult

    Raises
    ------
    UsageError
        Unknown platform or ad category; a spec field of the wrong type or value (the
        message names the field); a spec with fields of which none is a ``platform``
        targeting field (read as the wrong platform: the message names the platform the
        keys look like). An empty spec ``{}`` is not an error (no targeting at all).
    DataError
        The spec file cannot be read or is not JSON.

    Notes
    -----
    Sources: Meta Special Ad Categories audience restrictions; Google Personalized
    advertising policy (housing, employment, credit, US and Canada); TikTok HEC ad policy.
    See :mod:`fairmark.content.targeting.rules`. Google's and TikTok's rules apply in the
    US and Canada: when the spec names its countries and neither is among them, their
    ``block`` findings are lowered to ``info``.
    """
    p = _check_platform(platform)
    category = check_ad_category(ad_category)
    if category is None:
        raise UsageError("ad_category is required; expected one of the ad categories")
    doc = load_spec_document(spec)
    parsed: TargetingSpec = read_spec(doc, p)
    if not parsed.criteria and parsed.unchecked_fields:
        raise UsageError(_wrong_platform_message(doc, p))
    special = category in SPECIAL_AD_CATEGORIES
    criteria = _drop_google_full_sets(parsed.criteria) if p == "google" else parsed.criteria
    outside = p in {"google", "tiktok"} and bool(parsed.countries) and not (
        set(parsed.countries) & US_CANADA
    )
    findings: list[TargetingFinding] = []
    if special:
        for rule in RULES[p]:
            for c in criteria:
                outcome = rule.judge(c)
                if outcome is None:
                    continue
                severity, message = outcome
                if outside and severity == "block":
                    severity = "info"
                    message += " (the policy applies in the US and Canada; not targeted here)"
                findings.append(
                    TargetingFinding(rule.id, severity, c.field, c.value, message,  # type: ignore[arg-type]
                                     SOURCES[p])
                )
    findings.sort(key=lambda f: (-_SEVERITY_RANK[f.severity], f.field))
    if not special:
        note = f"{category!r} is not a special ad category on {p}: no targeting restriction"
    elif p == "meta":
        note = ("Meta applies these restrictions to advertisers in the US and to ads shown in "
                "the US, Canada and some European countries")
    else:
        note = f"{p} applies these restrictions to ads shown in the US and Canada"
    if parsed.unchecked_fields:
        note += "; fields not checked: " + ", ".join(parsed.unchecked_fields)
    return TargetingLintResult(
        platform=p,
        ad_category=category,
        special_category=special,
        spec_format=parsed.format,
        findings=tuple(findings),
        n_criteria=len(parsed.criteria),
        unchecked_fields=parsed.unchecked_fields,
        note=note,
    )
