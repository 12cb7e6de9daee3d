"""Targeting specs: the fairmark-neutral shape and readers of Meta, Google and TikTok specs.

Every reader returns a :class:`TargetingSpec`, a flat list of :class:`Criterion` (what is
targeted or excluded, where in the input it was written), so the restriction rules are
written once.

The fairmark-neutral shape (JSON object; every key optional, no other key allowed)::

    {
      "format": "fairmark",
      "age_min": 18, "age_max": 65,            # integers; null = no limit
      "genders": ["female"],                    # [] or absent = everyone
      "parental_status": ["parent"], "marital_status": ["single"],
      "income": ["top_10_percent"],
      "locations": [                            # kind: country|region|city|postal_code|
        {"kind": "postal_code", "value": "10001", "country": "US"},   #   radius|market
        {"kind": "radius", "value": "40.7,-74.0", "radius": 5, "unit": "mile"},
        {"kind": "country", "value": "US", "exclude": true}
      ],
      "audiences": [{"kind": "lookalike", "id": "123", "exclude": false}],
      "detailed": [{"kind": "interest", "value": "Parenting", "exclude": false}]
    }

Platform formats read (fields outside these are listed as not checked):

* Meta Marketing API ad set ``targeting``: ``age_min``, ``age_max``, ``genders`` (1 male,
  2 female), ``geo_locations`` / ``excluded_geo_locations`` (``countries``, ``regions``,
  ``cities`` with ``radius``/``distance_unit``, ``zips``, ``custom_locations`` with
  ``radius``/``distance_unit``, ``geo_markets``), ``flexible_spec`` and top-level detailed
  targeting (``interests``, ``behaviors``, ``relationship_statuses``, ``family_statuses``,
  ``life_events``, ``income``, ``education_statuses``, ``work_positions`` …),
  ``exclusions``, ``custom_audiences`` / ``excluded_custom_audiences`` (an entry with
  ``"subtype": "LOOKALIKE"`` is a lookalike). Source: Meta Marketing API, Targeting
  specs (developers.facebook.com/docs/marketing-api/audiences/reference/basic-targeting).
* Google Ads API ad-group / campaign criteria: ``{"criteria": [criterion, …]}``, each with
  ``negative`` and one of ``age_range.type`` (``AGE_RANGE_18_24`` …), ``gender.type``,
  ``parental_status.type``, ``income_range.type``, ``location`` (``geo_target_constant``,
  ``target_type`` e.g. ``"Postal Code"``, ``country_code``), ``proximity`` (``radius``,
  ``radius_units`` ``MILES``/``KILOMETERS``, ``address.postal_code``), ``user_list``,
  ``user_interest``, ``marital_status`` (detailed demographics). Source: Google Ads API
  reference, AdGroupCriterion / CampaignCriterion.
* TikTok Marketing API ad group: ``age_groups`` (``AGE_18_24`` …), ``gender``
  (``GENDER_UNLIMITED``/``GENDER_MALE``/``GENDER_FEMALE``), ``location_ids``,
  ``zipcode_ids``, ``audience_ids``, ``excluded_audience_ids``, ``interest_category_ids``,
  ``interest_keyword_ids``, ``household_income``, ``spending_power``. Source: TikTok API for
  Business, Ad group (/adgroup/create/).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fairmark.errors import DataError, UsageError

PLATFORMS: tuple[str, ...] = ("meta", "google", "tiktok")
KILOMETRES_PER_MILE = 1.609344

Dimension = Literal[
    "age", "gender", "parental_status", "marital_status", "income", "location",
    "audience", "detailed",
]


@dataclass(frozen=True)
class Criterion:
    """One targeting choice of a spec.

    Parameters
    ----------
    dimension : str
        ``age``, ``gender``, ``parental_status``, ``marital_status``, ``income``,
        ``location``, ``audience`` or ``detailed``.
    kind : str
        Sub-kind: for locations ``country``/``region``/``city``/``postal_code``/``radius``/
        ``market``; for audiences ``custom``/``lookalike``; for detailed targeting the
        platform field (``interests``, ``relationship_statuses`` …); for age ``range``.
    value : str
        What is targeted, as text (``"25-34"``, ``"female"``, ``"10001"`` …).
    field : str
        JSON path of the choice in the input (``"geo_locations.zips[0]"``).
    excluded : bool
        The choice excludes people instead of including them.
    radius_km : float or None
        Radius in kilometres for radius and city-radius locations.
    country : str or None
        ISO 3166-1 alpha-2 country of a location, when known.
    """

    dimension: Dimension
    kind: str
    value: str
    field: str
    excluded: bool = False
    radius_km: float | None = None
    country: str | None = None


@dataclass(frozen=True)
class TargetingSpec:
    """A targeting spec read into criteria.

    Parameters
    ----------
    format : {"fairmark", "meta", "google", "tiktok"}
        The shape it was read from.
    criteria : tuple of Criterion
    countries : tuple of str
        Countries targeted (ISO alpha-2, upper case), when the spec says.
    unchecked_fields : tuple of str
        Top-level fields that no rule reads (placements, devices …).
    """

    format: str
    criteria: tuple[Criterion, ...]
    countries: tuple[str, ...]
    unchecked_fields: tuple[str, ...] = ()


def _err(field: str, what: str) -> UsageError:
    return UsageError(f"targeting spec field {field!r}: {what}")


def _list(spec: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = spec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _err(path, f"expected a JSON array, got {type(value).__name__}")
    return value


def _int(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise _err(path, f"expected a whole number, got {value!r}")
    return int(value)


def _radius_km(radius: Any, unit: Any, path: str, default_unit: str) -> float:
    if isinstance(radius, bool) or not isinstance(radius, int | float) or radius < 0:
        raise _err(f"{path}.radius", f"expected a non-negative number, got {radius!r}")
    u = str(unit or default_unit).strip().lower()
    if u in {"mile", "miles", "mi"}:
        return float(radius) * KILOMETRES_PER_MILE
    if u in {"kilometer", "kilometers", "kilometre", "kilometres", "km"}:
        return float(radius)
    raise _err(f"{path}.unit", f"unknown distance unit {unit!r}; expected mile or kilometer")


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _err(path, f"expected a JSON object, got {type(value).__name__}")
    return value


def _label(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("name") or item.get("id") or item.get("key") or item)
    return str(item)


# --------------------------------------------------------------------------- fairmark
_NEUTRAL_KEYS = {
    "format", "age_min", "age_max", "genders", "parental_status", "marital_status",
    "income", "locations", "audiences", "detailed",
}
_LOCATION_KINDS = {"country", "region", "city", "postal_code", "radius", "market"}


def _read_neutral(spec: Mapping[str, Any]) -> TargetingSpec:
    unknown = sorted(set(spec) - _NEUTRAL_KEYS)
    if unknown:
        raise _err(unknown[0], f"unknown field; the fairmark shape has {sorted(_NEUTRAL_KEYS)}")
    out: list[Criterion] = []
    lo, hi = _int(spec.get("age_min"), "age_min"), _int(spec.get("age_max"), "age_max")
    if lo is not None or hi is not None:
        out.append(Criterion("age", "range", f"{lo or ''}-{hi or ''}", "age_min/age_max"))
    if {str(g).lower() for g in _list(spec, "genders", "genders")} == {"male", "female"}:
        spec = {k: v for k, v in spec.items() if k != "genders"}  # both = everyone
    for key, dim in (("genders", "gender"), ("parental_status", "parental_status"),
                     ("marital_status", "marital_status"), ("income", "income")):
        for i, v in enumerate(_list(spec, key, key)):
            out.append(Criterion(dim, key, str(v), f"{key}[{i}]"))  # type: ignore[arg-type]
    countries: list[str] = []
    for i, loc in enumerate(_list(spec, "locations", "locations")):
        path = f"locations[{i}]"
        loc = _obj(loc, path)
        kind = loc.get("kind")
        if kind not in _LOCATION_KINDS:
            raise _err(f"{path}.kind", f"expected one of {sorted(_LOCATION_KINDS)}, got {kind!r}")
        radius = (
            _radius_km(loc["radius"], loc.get("unit"), path, "kilometer")
            if loc.get("radius") is not None else None
        )
        country = str(loc["country"]).upper() if loc.get("country") else None
        if kind == "country" and not loc.get("exclude"):
            countries.append(str(loc.get("value", "")).upper())
        out.append(Criterion("location", kind, str(loc.get("value", "")), path,
                             bool(loc.get("exclude")), radius, country))
    for i, aud in enumerate(_list(spec, "audiences", "audiences")):
        path = f"audiences[{i}]"
        aud = _obj(aud, path)
        out.append(Criterion("audience", str(aud.get("kind", "custom")).lower(),
                             str(aud.get("id", "")), path, bool(aud.get("exclude"))))
    for i, det in enumerate(_list(spec, "detailed", "detailed")):
        path = f"detailed[{i}]"
        det = _obj(det, path)
        out.append(Criterion("detailed", str(det.get("kind", "interest")),
                             str(det.get("value", "")), path, bool(det.get("exclude"))))
    return TargetingSpec("fairmark", tuple(out), tuple(countries))


# --------------------------------------------------------------------------- Meta
_META_DEMOGRAPHIC = {
    "relationship_statuses": "marital_status",
    "family_statuses": "parental_status",
    "income": "income",
}
_META_DETAILED = (
    "interests", "behaviors", "life_events", "education_statuses", "education_schools",
    "education_majors", "work_positions", "work_employers", "industries",
    "relationship_statuses", "family_statuses", "income", "user_adclusters",
)
_META_READ = {
    "age_min", "age_max", "genders", "geo_locations", "excluded_geo_locations",
    "flexible_spec", "exclusions", "custom_audiences", "excluded_custom_audiences",
    *_META_DETAILED,
}


def _meta_detailed(block: Mapping[str, Any], path: str, excluded: bool) -> list[Criterion]:
    out: list[Criterion] = []
    for key in _META_DETAILED:
        for i, item in enumerate(_list(block, key, f"{path}{key}")):
            dim = _META_DEMOGRAPHIC.get(key, "detailed")
            out.append(Criterion(dim, key, _label(item), f"{path}{key}[{i}]", excluded))  # type: ignore[arg-type]
    return out


def _meta_geo(geo: Mapping[str, Any], path: str, excluded: bool) -> list[Criterion]:
    out: list[Criterion] = []
    simple = (("countries", "country"), ("regions", "region"), ("geo_markets", "market"),
              ("zips", "postal_code"), ("places", "radius"))
    for key, kind in simple:
        for i, item in enumerate(_list(geo, key, f"{path}.{key}")):
            p = f"{path}.{key}[{i}]"
            radius = None
            if isinstance(item, Mapping) and item.get("radius") is not None:
                radius = _radius_km(item["radius"], item.get("distance_unit"), p, "mile")
            country = str(item).upper() if kind == "country" else None
            out.append(Criterion("location", kind, _label(item), p, excluded, radius, country))
    for key, kind in (("cities", "city"), ("custom_locations", "radius")):
        for i, item in enumerate(_list(geo, key, f"{path}.{key}")):
            p = f"{path}.{key}[{i}]"
            item = _obj(item, p)
            radius = (
                _radius_km(item["radius"], item.get("distance_unit"), p, "mile")
                if item.get("radius") is not None else None
            )
            value = str(item.get("address_string") or item.get("name") or item.get("key")
                        or f"{item.get('latitude')},{item.get('longitude')}")
            out.append(Criterion("location", kind, value, p, excluded, radius,
                                 item.get("country")))
    return out


def _read_meta(spec: Mapping[str, Any]) -> TargetingSpec:
    out: list[Criterion] = []
    lo, hi = _int(spec.get("age_min"), "age_min"), _int(spec.get("age_max"), "age_max")
    if lo is not None or hi is not None:
        out.append(Criterion("age", "range", f"{lo or ''}-{hi or ''}", "age_min/age_max"))
    names = {1: "male", 2: "female"}
    genders = _list(spec, "genders", "genders")
    for i, g in enumerate(genders):
        if g not in names:
            raise _err(f"genders[{i}]", f"expected 1 (male) or 2 (female), got {g!r}")
        if set(genders) != {1, 2}:  # both = everyone
            out.append(Criterion("gender", "genders", names[g], f"genders[{i}]"))
    countries: list[str] = []
    if spec.get("geo_locations") is not None:
        geo = _obj(spec["geo_locations"], "geo_locations")
        countries = [str(c).upper() for c in _list(geo, "countries", "geo_locations.countries")]
        out += _meta_geo(geo, "geo_locations", False)
    if spec.get("excluded_geo_locations") is not None:
        geo = _obj(spec["excluded_geo_locations"], "excluded_geo_locations")
        out += _meta_geo(geo, "excluded_geo_locations", True)
    out += _meta_detailed(spec, "", False)
    for i, block in enumerate(_list(spec, "flexible_spec", "flexible_spec")):
        out += _meta_detailed(_obj(block, f"flexible_spec[{i}]"), f"flexible_spec[{i}].", False)
    if spec.get("exclusions") is not None:
        out += _meta_detailed(_obj(spec["exclusions"], "exclusions"), "exclusions.", True)
    for key, excluded in (("custom_audiences", False), ("excluded_custom_audiences", True)):
        for i, aud in enumerate(_list(spec, key, key)):
            sub = str(aud.get("subtype", "")).lower() if isinstance(aud, Mapping) else ""
            kind = "lookalike" if sub == "lookalike" else "custom"
            out.append(Criterion("audience", kind, _label(aud), f"{key}[{i}]", excluded))
    unchecked = tuple(sorted(set(spec) - _META_READ))
    return TargetingSpec("meta", tuple(out), tuple(countries), unchecked)


# --------------------------------------------------------------------------- Google
_GOOGLE_DIMS = {
    "age_range": "age", "gender": "gender", "parental_status": "parental_status",
    "income_range": "income", "marital_status": "marital_status",
}


def _read_google(spec: Mapping[str, Any]) -> TargetingSpec:
    out: list[Criterion] = []
    countries: list[str] = []
    for i, crit in enumerate(_list(spec, "criteria", "criteria")):
        p = f"criteria[{i}]"
        crit = _obj(crit, p)
        neg = bool(crit.get("negative"))
        hit = False
        for key, dim in _GOOGLE_DIMS.items():
            if key in crit:
                body = crit[key]
                value = str(body.get("type", body) if isinstance(body, Mapping) else body)
                out.append(Criterion(dim, key, value, f"{p}.{key}", neg))  # type: ignore[arg-type]
                hit = True
        if "location" in crit:
            loc = _obj(crit["location"], f"{p}.location")
            ttype = str(loc.get("target_type", "")).lower()
            kind = "postal_code" if ttype in {"postal code", "postal_code", "zip"} else (
                "country" if ttype == "country" else "region")
            cc = str(loc["country_code"]).upper() if loc.get("country_code") else None
            value = str(loc.get("name") or loc.get("geo_target_constant") or "")
            if kind == "country" and not neg and cc:
                countries.append(cc)
            out.append(Criterion("location", kind, value, f"{p}.location", neg, None, cc))
            hit = True
        if "proximity" in crit:
            prox = _obj(crit["proximity"], f"{p}.proximity")
            units = str(prox.get("radius_units", "KILOMETERS")).lower()
            radius = _radius_km(prox.get("radius"), units.rstrip("s"), f"{p}.proximity", "km")
            addr = prox.get("address") or {}
            out.append(Criterion("location", "radius", str(addr.get("postal_code") or
                                 addr.get("city_name") or "point"), f"{p}.proximity", neg,
                                 radius, addr.get("country_code")))
            hit = True
        if "user_list" in crit:
            body = crit["user_list"]
            kind = "lookalike" if isinstance(body, Mapping) and str(
                body.get("type", "")).lower() in {"lookalike", "similar"} else "custom"
            out.append(Criterion("audience", kind, _label(body), f"{p}.user_list", neg))
            hit = True
        if "user_interest" in crit:
            out.append(Criterion("detailed", "user_interest", _label(crit["user_interest"]),
                                 f"{p}.user_interest", neg))
            hit = True
        if not hit:
            raise _err(p, "no criterion field recognised; expected one of age_range, gender, "
                       "parental_status, income_range, marital_status, location, proximity, "
                       "user_list, user_interest")
    unchecked = tuple(sorted(set(spec) - {"criteria"}))
    return TargetingSpec("google", tuple(out), tuple(countries), unchecked)


# --------------------------------------------------------------------------- TikTok
_TIKTOK_AGES = ("AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100")
_TIKTOK_READ = {
    "age_groups", "gender", "location_ids", "zipcode_ids", "audience_ids",
    "excluded_audience_ids", "interest_category_ids", "interest_keyword_ids",
    "household_income", "spending_power",
}


def _read_tiktok(spec: Mapping[str, Any]) -> TargetingSpec:
    out: list[Criterion] = []
    ages = [str(a) for a in _list(spec, "age_groups", "age_groups")]
    if ages and set(ages) != set(_TIKTOK_AGES):
        out.append(Criterion("age", "age_groups", ",".join(ages), "age_groups"))
    gender = spec.get("gender")
    if gender not in (None, "GENDER_UNLIMITED"):
        if gender not in {"GENDER_MALE", "GENDER_FEMALE"}:
            raise _err("gender", "expected GENDER_UNLIMITED, GENDER_MALE or GENDER_FEMALE, "
                       f"got {gender!r}")
        out.append(Criterion("gender", "gender", str(gender), "gender"))
    for i, loc in enumerate(_list(spec, "location_ids", "location_ids")):
        out.append(Criterion("location", "region", str(loc), f"location_ids[{i}]"))
    for i, z in enumerate(_list(spec, "zipcode_ids", "zipcode_ids")):
        out.append(Criterion("location", "postal_code", str(z), f"zipcode_ids[{i}]"))
    for key, excl in (("audience_ids", False), ("excluded_audience_ids", True)):
        for i, a in enumerate(_list(spec, key, key)):
            out.append(Criterion("audience", "custom", str(a), f"{key}[{i}]", excl))
    for key in ("interest_category_ids", "interest_keyword_ids"):
        for i, a in enumerate(_list(spec, key, key)):
            out.append(Criterion("detailed", key, str(a), f"{key}[{i}]"))
    for key in ("household_income", "spending_power"):
        value = spec.get(key)
        if value not in (None, [], "ALL"):
            out.append(Criterion("income", key, str(value), key))
    unchecked = tuple(sorted(set(spec) - _TIKTOK_READ))
    return TargetingSpec("tiktok", tuple(out), (), unchecked)


_READERS = {"meta": _read_meta, "google": _read_google, "tiktok": _read_tiktok}


def load_spec_document(spec: Mapping[str, Any] | str | Path) -> Mapping[str, Any]:
    """Return the JSON object of ``spec`` (a mapping, or a path to a JSON file).

    Raises
    ------
    DataError
        If the file is missing, empty, not UTF-8 or not valid JSON.
    UsageError
        If the JSON is not an object.
    """
    if isinstance(spec, Mapping):
        return spec
    if not isinstance(spec, str | Path):
        raise UsageError(f"targeting spec: expected a mapping or a JSON file path, got "
                         f"{type(spec).__name__}")
    path = Path(spec)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataError(f"cannot read targeting spec {str(path)!r}: {reason}") from None
    if not raw.strip():
        raise DataError(f"cannot read targeting spec {str(path)!r}: the file is empty")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"cannot read targeting spec {str(path)!r}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"targeting spec {str(path)!r} is not valid JSON: {exc.msg} at line "
                        f"{exc.lineno} column {exc.colno}") from None
    if not isinstance(doc, Mapping):
        raise UsageError(f"targeting spec {str(path)!r}: expected a JSON object at the top, "
                         f"got {type(doc).__name__}")
    return doc


def read_spec(doc: Mapping[str, Any], platform: str) -> TargetingSpec:
    """Read a targeting JSON object in the fairmark shape or ``platform``'s own shape.

    Parameters
    ----------
    doc : Mapping
        The JSON object. ``"format": "fairmark"`` or the key ``locations``/``audiences``/
        ``detailed`` selects the neutral shape; otherwise the platform's shape is read.
    platform : {"meta", "google", "tiktok"}

    Returns
    -------
    TargetingSpec

    Raises
    ------
    UsageError
        A field has the wrong type or an unknown value (the message names the field).
    """
    fmt = doc.get("format")
    if fmt is not None and fmt != "fairmark":
        raise _err("format", f"expected 'fairmark' (or no format key), got {fmt!r}")
    if fmt == "fairmark" or {"locations", "audiences", "detailed"} & set(doc):
        return _read_neutral(doc)
    return _READERS[platform](doc)
