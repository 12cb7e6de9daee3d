"""Targeting restrictions of Meta, Google and TikTok for special ad categories.

Each rule is a function ``(criterion) -> (severity, message) | None`` with the platform
policy page it comes from. The restrictions (as published by the platforms, checked in 2025):

* **Meta** — Special Ad Categories (housing, employment, financial products and services,
  formerly "credit"): audiences must include ages 18 to 65+ and all genders; no ZIP or
  postal code targeting and no location exclusions; a city, address or pin-drop location is
  widened to a radius of at least 15 miles (24 km); lookalike audiences are unavailable (the
  "Special Ad Audiences" that replaced them were retired in 2022 under the settlement in
  *United States v. Meta Platforms*, S.D.N.Y. 22-cv-5187); audience and detailed-targeting
  exclusions are unavailable; some demographic, behaviour and interest options are
  unavailable. Applies to advertisers in the US and to ads shown in the US, Canada and some
  European countries.
* **Google** — Personalized advertising policy, housing, employment and credit in the US
  and Canada: no targeting or exclusion by gender, age, parental status, marital status or
  ZIP code; radius targeting must be at least 1 km; Canadian forward sortation areas (first
  3 characters of a postal code) are allowed.
* **TikTok** — Housing, employment and credit (HEC) ad policy, US and Canada: no targeting by
  age, gender, ZIP code, marital or parental status, or options that describe or appear to
  relate to protected characteristics; custom audiences must not be used to discriminate
  (Anti-Discrimination ad policy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fairmark.content.targeting.spec import KILOMETRES_PER_MILE, Criterion

META_SOURCE = (
    "Meta Business Help Center, About audiences for housing, employment or financial "
    "products and services campaigns, https://www.facebook.com/business/help/2220749868045706"
)
GOOGLE_SOURCE = (
    "Google Ads policy, Personalized advertising: housing, employment and credit in the US "
    "and Canada, https://support.google.com/adspolicy/answer/143465 (FAQ: "
    "https://support.google.com/adspolicy/answer/9997418)"
)
TIKTOK_SOURCE = (
    "TikTok Ads policy, Housing, employment and credit (HEC) ad policy, "
    "https://ads.tiktok.com/help/article/housing-employment-credit-hec-ad-policy"
)
SOURCES = {"meta": META_SOURCE, "google": GOOGLE_SOURCE, "tiktok": TIKTOK_SOURCE}

SPECIAL_AD_CATEGORIES: tuple[str, ...] = ("housing", "employment", "credit", "financial_products")
"""Ad categories the platforms restrict (Meta's "financial products and services" covers
credit; Google's and TikTok's "credit" is applied to ``financial_products`` too, to be safe)."""

META_MIN_RADIUS_KM = 15 * KILOMETRES_PER_MILE
GOOGLE_MIN_RADIUS_KM = 1.0
US_CANADA = frozenset({"US", "CA"})

Outcome = tuple[str, str] | None


@dataclass(frozen=True)
class Rule:
    """One restriction of a platform.

    Parameters
    ----------
    id : str
        ``targeting.<platform>.<name>``.
    title : str
        What is restricted, in a few words.
    judge : callable
        ``judge(criterion) -> (severity, message) | None``.
    """

    id: str
    title: str
    judge: Callable[[Criterion], Outcome]


def _age_meta(c: Criterion) -> Outcome:
    if c.dimension != "age":
        return None
    lo, _, hi = c.value.partition("-")
    if (lo and int(lo) > 18) or (hi and int(hi) < 65):
        return "block", f"age range {c.value} narrows the audience; it must include 18 to 65+"
    return None


def _dim(dimension: str, what: str) -> Callable[[Criterion], Outcome]:
    def judge(c: Criterion) -> Outcome:
        if c.dimension == dimension and c.value.lower() not in {"all", "unlimited"}:
            verb = "excludes" if c.excluded else "targets"
            return "block", f"{verb} by {what} ({c.value}), which is not allowed"
        return None

    return judge


def _postal(allow_fsa: bool) -> Callable[[Criterion], Outcome]:
    def judge(c: Criterion) -> Outcome:
        if c.dimension == "location" and c.kind == "postal_code":
            if allow_fsa and c.country == "CA" and len(c.value.replace(" ", "")) == 3:
                return None
            return "block", f"targets by ZIP or postal code ({c.value}), which is not allowed"
        return None

    return judge


def _radius(min_km: float, label: str) -> Callable[[Criterion], Outcome]:
    def judge(c: Criterion) -> Outcome:
        if c.dimension == "location" and c.radius_km is not None and c.radius_km < min_km:
            return "block", (
                f"radius {c.radius_km:.1f} km around {c.value} is below the minimum {label}"
            )
        return None

    return judge


def _location_exclusion(c: Criterion) -> Outcome:
    if c.dimension == "location" and c.excluded:
        return "block", f"excludes a location ({c.value}); location exclusions are unavailable"
    return None


def _lookalike(severity: str) -> Callable[[Criterion], Outcome]:
    def judge(c: Criterion) -> Outcome:
        if c.dimension == "audience" and c.kind == "lookalike":
            return severity, f"uses a lookalike audience ({c.value})"
        return None

    return judge


def _audience_exclusion(c: Criterion) -> Outcome:
    if c.dimension == "audience" and c.excluded:
        return "block", f"excludes an audience ({c.value}); audience exclusions are unavailable"
    return None


def _detailed_exclusion(c: Criterion) -> Outcome:
    if c.dimension in {"detailed", "income", "marital_status", "parental_status"} and c.excluded:
        return "block", (
            f"excludes detailed targeting ({c.kind}: {c.value}); exclusions are unavailable"
        )
    return None


def _meta_detailed(c: Criterion) -> Outcome:
    if c.dimension == "detailed" and not c.excluded:
        return "info", (
            f"detailed targeting ({c.kind}: {c.value}): some demographic, behaviour and "
            "interest options are unavailable in special ad categories; check it is offered"
        )
    return None


def _demographic(severity: str, what: str) -> Callable[[Criterion], Outcome]:
    def judge(c: Criterion) -> Outcome:
        if c.dimension == "income" and not c.excluded:
            return severity, f"targets by {what} ({c.kind}: {c.value})"
        return None

    return judge


def _custom_audience(c: Criterion) -> Outcome:
    if c.dimension == "audience" and c.kind == "custom" and not c.excluded:
        return "info", (
            f"custom audience {c.value}: allowed, but it must not be built to include or "
            "exclude people by a protected characteristic"
        )
    return None


RULES: dict[str, tuple[Rule, ...]] = {
    "meta": (
        Rule("targeting.meta.age", "Age must be 18 to 65+", _age_meta),
        Rule("targeting.meta.gender", "All genders", _dim("gender", "gender")),
        Rule("targeting.meta.marital_status", "No relationship status",
             _dim("marital_status", "relationship status")),
        Rule("targeting.meta.parental_status", "No family status",
             _dim("parental_status", "family (parental) status")),
        Rule("targeting.meta.income", "No income targeting", _demographic("block", "income")),
        Rule("targeting.meta.postal_code", "No ZIP or postal codes", _postal(False)),
        Rule("targeting.meta.location_exclusion", "No location exclusions",
             _location_exclusion),
        Rule("targeting.meta.min_radius", "Radius at least 15 miles",
             _radius(META_MIN_RADIUS_KM, "of 15 miles (24.1 km)")),
        Rule("targeting.meta.lookalike", "No lookalike audiences", _lookalike("block")),
        Rule("targeting.meta.audience_exclusion", "No audience exclusions",
             _audience_exclusion),
        Rule("targeting.meta.detailed_exclusion", "No detailed-targeting exclusions",
             _detailed_exclusion),
        Rule("targeting.meta.detailed", "Detailed targeting limited", _meta_detailed),
    ),
    "google": (
        Rule("targeting.google.age", "No age targeting", _dim("age", "age")),
        Rule("targeting.google.gender", "No gender targeting", _dim("gender", "gender")),
        Rule("targeting.google.parental_status", "No parental status",
             _dim("parental_status", "parental status")),
        Rule("targeting.google.marital_status", "No marital status",
             _dim("marital_status", "marital status")),
        Rule("targeting.google.postal_code", "No ZIP codes (Canadian FSAs allowed)",
             _postal(True)),
        Rule("targeting.google.min_radius", "Radius at least 1 km",
             _radius(GOOGLE_MIN_RADIUS_KM, "of 1 km")),
        Rule("targeting.google.lookalike", "Lookalike (similar) audiences",
             _lookalike("warn")),
        Rule("targeting.google.income", "Household income",
             _demographic("info", "household income (not named by the policy; review)")),
    ),
    "tiktok": (
        Rule("targeting.tiktok.age", "No age targeting", _dim("age", "age")),
        Rule("targeting.tiktok.gender", "No gender targeting", _dim("gender", "gender")),
        Rule("targeting.tiktok.postal_code", "No ZIP codes", _postal(False)),
        Rule("targeting.tiktok.marital_status", "No marital status",
             _dim("marital_status", "marital status")),
        Rule("targeting.tiktok.parental_status", "No parental status",
             _dim("parental_status", "parental status")),
        Rule("targeting.tiktok.protected_proxy", "No options relating to protected traits",
             _demographic("warn", "an option that may relate to protected characteristics")),
        Rule("targeting.tiktok.lookalike", "Lookalike audiences", _lookalike("warn")),
        Rule("targeting.tiktok.custom_audience", "Custom audiences", _custom_audience),
    ),
}
"""Rules per platform, in the order findings are reported."""
