"""Frozen models of a policy file: :class:`Policy`, :class:`Rule`, :class:`Scope`,
:class:`Settings`.

The file format is defined by ``schema.json`` (JSON Schema draft 2020-12); the loader
validates a file against it, with line numbers, before building these models. The models
repeat the few cross-field invariants (a bound is set, ``min <= max``, no NaN, unique rule
ids) so that a policy built in code is held to the same rules as one read from a file.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fairmark.checks.base import Principle

__all__ = [
    "DEFAULT_K_ANONYMITY",
    "AudienceSettings",
    "Judge",
    "Policy",
    "Purpose",
    "Rule",
    "Scope",
    "Settings",
    "Severity",
]

Severity = Literal["block", "warn", "info"]
Judge = Literal["estimate", "ci"]

INTERSECTION_SEPARATOR = " & "


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scope(_Frozen):
    """Which features of an audit a rule applies to.

    Parameters
    ----------
    features : "all" or tuple of str
        ``"all"``: every feature the audit reports. A tuple: the features named exactly
        (no prefix or pattern matching).
    include_intersections : bool, default True
        Whether intersectional features (names joined by ``" & "``, e.g.
        ``"age_band & marital"``) are judged too. With ``"all"`` every intersection is in
        scope; with a list, an intersection is in scope when it is named in the list or
        when every one of its component features is named. ``False`` excludes every
        intersection, even one named in the list.

    Notes
    -----
    Measurements that belong to no feature (``feature=None``, run-level checks) are in
    the scope of every rule of their check.
    """

    features: Literal["all"] | tuple[str, ...] = "all"
    include_intersections: bool = True

    def contains(self, feature: str | None) -> bool:
        """Return whether measurements of ``feature`` (``None``: run level) are in scope."""
        if feature is None:
            return True
        is_intersection = INTERSECTION_SEPARATOR in feature
        if is_intersection and not self.include_intersections:
            return False
        if self.features == "all" or feature in self.features:
            return True
        if is_intersection:
            parts = feature.split(INTERSECTION_SEPARATOR)
            return all(part in self.features for part in parts)
        return False

    def describe(self) -> str:
        """Return the scope in words: ``"all features"``, ``"features age_band, marital"``…"""
        text = (
            "all features"
            if self.features == "all"
            else "feature" + ("s " if len(self.features) > 1 else " ") + ", ".join(self.features)
        )
        if not self.include_intersections:
            text += " (intersections excluded)"
        return text


DEFAULT_K_ANONYMITY = 10
"""Default smallest publishable count (Eurostat SDC handbook 2010 uses thresholds of 3-10;
fairmark takes the conservative end)."""

DEFAULT_AUDIENCE_MIN_SIZE: dict[str, int] = {
    "google": 100,
    "meta": 100,
    "linkedin": 300,
    "tiktok": 1000,
    "x": 100,
}
"""Minimum matched audience size per platform (the platforms' published minimums for a
customer list: Google Customer Match 100, Meta custom audience 100, LinkedIn matched
audience 300, TikTok custom audience 1,000, X tailored audience 100)."""

DEFAULT_ASSUMED_MATCH_RATE = 0.5
"""Share of uploaded identifiers a platform is assumed to match when none is configured."""


class Purpose(_Frozen):
    """What a policy declares for one processing purpose (a fideslang data use).

    Parameters
    ----------
    description : str or None
        Plain-language description of the purpose.
    data_categories : tuple of str
        fideslang data categories allowed for it (``user.demographic.age``, ``user.financial``
        …); a declared category covers its sub-categories (``user.financial`` covers
        ``user.financial.bank_account``).
    """

    description: str | None = None
    data_categories: tuple[str, ...] = ()

    def allows(self, category: str) -> bool:
        """Return whether ``category`` is a declared category or a sub-category of one."""
        return any(category == c or category.startswith(c + ".") for c in self.data_categories)


class AudienceSettings(_Frozen):
    """Audience-upload settings (``fairmark audience prepare``).

    Parameters
    ----------
    assumed_match_rate : float
        Share of uploaded people the platform is assumed to match, in (0, 1].
    min_size : dict
        ``platform -> minimum matched audience size``; platforms not named keep
        :data:`DEFAULT_AUDIENCE_MIN_SIZE`.
    """

    assumed_match_rate: float = Field(default=DEFAULT_ASSUMED_MATCH_RATE, gt=0, le=1)
    min_size: dict[str, int] = Field(default_factory=dict)

    def min_size_for(self, platform: str) -> int:
        """Return the minimum audience size of ``platform`` (configured, else default)."""
        if platform in self.min_size:
            return self.min_size[platform]
        return DEFAULT_AUDIENCE_MIN_SIZE[platform]


RiskTier = Literal["prohibited", "high_risk", "limited_risk", "minimal_risk"]
"""EU AI Act risk tiers (Regulation (EU) 2024/1689): prohibited practices (Art. 5),
high-risk systems (Art. 6 and Annex III), transparency obligations (Art. 50; often called
"limited risk") and minimal risk (everything else)."""

RISK_TIERS: tuple[str, ...] = ("prohibited", "high_risk", "limited_risk", "minimal_risk")
"""The values of :data:`RiskTier`, most to least severe."""


class TierSettings(_Frozen):
    """What a policy requires of the AI systems in one EU AI Act risk tier.

    Parameters
    ----------
    required_checks : tuple of str
        Check ids that the audit submitted for review must have measured and passed
        (``fairmark gate`` refuses otherwise).
    review_quorum : int or None
        Decisions a review of such a system needs; ``None``: ``GovernanceSettings.review_quorum``.
    deployable : bool
        ``False`` for a tier that may never be deployed (prohibited practices, Art. 5).
    """

    required_checks: tuple[str, ...] = ()
    review_quorum: int | None = Field(default=None, ge=1)
    deployable: bool = True


class GovernanceSettings(_Frozen):
    """The accountability rules of a policy (``fairmark system|review|gate``).

    Parameters
    ----------
    review_quorum : int
        Decisions needed to close a review (the ethics committee's quorum), >= 1.
    approval_valid_days : int
        Days an approval stays current; then re-review falls due.
    audit_max_age_days : int or None
        The gate refuses when the latest passing audit is older than this (days);
        ``None``: no age limit (it must still be newer than the model version).
    training_valid_days : int
        Default validity (days) of an AI-literacy training record without its own expiry
        (EU AI Act Art. 4).
    tiers : dict
        ``risk tier -> TierSettings``.

    Notes
    -----
    Source: EU AI Act Art. 4 (AI literacy), Art. 9 (risk management), Art. 17 (quality
    management system); ISO/IEC 42001:2023 clause 9.3 (management review).
    """

    review_quorum: int = Field(default=2, ge=1)
    approval_valid_days: int = Field(default=365, ge=1)
    audit_max_age_days: int | None = Field(default=None, ge=1)
    training_valid_days: int = Field(default=365, ge=1)
    tiers: dict[RiskTier, TierSettings] = Field(default_factory=dict)

    def tier(self, name: str) -> TierSettings:
        """Return the settings of tier ``name`` (defaults when the policy is silent;
        a prohibited tier is never deployable)."""
        found = self.tiers.get(name)  # type: ignore[call-overload]
        if found is not None:
            return found
        return TierSettings(deployable=name != "prohibited")

    def quorum_for(self, tier: str | None) -> int:
        """Return the review quorum for a system of ``tier`` (``None``: not classified)."""
        if tier is not None:
            override = self.tier(tier).review_quorum
            if override is not None:
                return override
        return self.review_quorum


class Settings(_Frozen):
    """Audit defaults a policy may set; ``None`` means the policy leaves it to the audit.

    Parameters
    ----------
    min_group_size : int or None
        Groups with fewer rows are not estimated and their counts are suppressed (≥ 1).
    confidence_level : float or None
        Confidence level of every interval, in (0, 1), e.g. 0.95.
    k_anonymity : int or None
        The smallest count of people any report may publish (small-cell suppression and
        differencing protection, :mod:`fairmark.privacy.disclosure`) and the ``k`` of
        ``fairmark privacy kanon``; ``None`` means :data:`DEFAULT_K_ANONYMITY` (10).
    purposes : dict
        ``fideslang data-use key -> Purpose``: the data categories declared for each
        purpose (GDPR Art. 5(1)(b) purpose limitation, 5(1)(c) data minimisation).
    audience : AudienceSettings
        Minimum audience sizes per ad platform and the assumed match rate.
    governance : GovernanceSettings
        Review quorum, approval validity, audit age and per-risk-tier required checks.
    """

    min_group_size: int | None = Field(default=None, ge=1)
    confidence_level: float | None = Field(default=None, gt=0, lt=1)
    k_anonymity: int | None = Field(default=None, ge=2)
    purposes: dict[str, Purpose] = Field(default_factory=dict)
    audience: AudienceSettings = Field(default_factory=lambda: AudienceSettings())
    governance: GovernanceSettings = Field(default_factory=lambda: GovernanceSettings())


class Rule(_Frozen):
    """One rule: a check, the bounds its values must meet, and what a violation means.

    Parameters
    ----------
    id : str
        Slug unique within the policy.
    check : str
        Id of a registered check (:func:`fairmark.checks.get_registry`).
    min, max : float or None
        Inclusive bounds in the check's units; at least one is set. ``math.inf`` is
        allowed, NaN is not.
    scope : Scope
        The features the rule applies to (default: all, intersections included).
    severity : {"block", "warn", "info"}
        What a violation does to the verdict: ``block`` fails it, ``warn`` warns,
        ``info`` only records a finding.
    judge : {"estimate", "ci"}
        ``estimate`` judges the point estimate; ``ci`` requires the whole confidence
        interval to be within the bounds.
    principle : Principle
        The principle of the organisation's guidelines the rule serves.
    rationale : str
        Why the rule exists (standard, regulation, internal guideline).

    Raises
    ------
    pydantic.ValidationError
        When neither bound is set, a bound is NaN or ``min > max``.
    """

    id: str
    check: str
    min: float | None = None
    max: float | None = None
    scope: Scope = Scope()
    severity: Severity
    judge: Judge = "estimate"
    principle: Principle
    rationale: str

    @model_validator(mode="after")
    def _bounds(self) -> Rule:
        if self.min is None and self.max is None:
            raise ValueError(f"rule {self.id!r}: expected at least one bound, min or max")
        for name, bound in (("min", self.min), ("max", self.max)):
            if bound is not None and math.isnan(bound):
                raise ValueError(f"rule {self.id!r}: {name} is NaN; expected a number")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"rule {self.id!r}: min {self.min:g} is greater than max {self.max:g}; "
                "expected min <= max"
            )
        return self


class Policy(_Frozen):
    """A loaded policy file.

    Parameters
    ----------
    id : str
        Slug naming the policy.
    version : str
        The policy's own version, e.g. ``"1.2.0"``.
    owner : str
        Who is accountable for it.
    review_by : datetime.date
        Date by which it must be reviewed; evaluating after it adds a ``warn`` finding.
    description : str or None
    settings : Settings
    rules : tuple of Rule
        In file order; ids are unique.
    sha256 : str
        Hex SHA-256 of the canonical file bytes (UTF-8 byte-order mark removed, line
        endings normalised to ``\\n``), so the same policy hashes the same on every OS.
    path : str
        Where it was read from: the file path as given, or ``"builtin:<name>"``.

    Raises
    ------
    pydantic.ValidationError
        When two rules share an id.
    """

    id: str
    version: str
    owner: str
    review_by: date
    description: str | None = None
    settings: Settings = Settings()
    rules: tuple[Rule, ...]
    sha256: str
    path: str

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> Policy:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}; expected unique rule ids")
            seen.add(rule.id)
        return self

    def to_report_dict(self) -> dict[str, Any]:
        """Return the ``policy`` object of ``report.json``.

        Keys: ``id, version, owner, review_by`` (ISO date), ``sha256, path``.
        """
        return {
            "id": self.id,
            "version": self.version,
            "owner": self.owner,
            "review_by": self.review_by.isoformat(),
            "sha256": self.sha256,
            "path": self.path,
        }
