"""Decoded consent signals → ledger-entry dicts, one per data use (and vendor).

Each entry is a plain, JSON-safe dict (:meth:`LedgerEntry.to_dict`)::

    {"purpose": "marketing.advertising.profiling",   # fideslang data use
     "state": "granted" | "denied" | "objected",
     "lawful_basis": "consent" | "legitimate_interests" | None,
     "vendor": 755 | None,                            # None: the purpose-level signal
     "source": "tcf" | "gpp.tcfeuv2" | "gpp.tcfcav1" | "gpp.usnat" | … | "usprivacy" | "gpc",
     "jurisdiction": "EU" | "CA" | "US" | "US-CA" | …,  # ISO 3166 code, "EU" for TCF
     "raw_signal": "<the whole consent string>",
     "signal": "PurposesConsent[3]=1"}                # the field that decided the state

The consent ledger (another module) stores and filters these; this module only states
what a signal says, never whether processing may happen (that also needs the vendor's
declared purposes in the Global Vendor List, which a TC string does not carry).

TCF (EU v2.x; ``tcfeuv2`` of GPP)
    For each purpose 1-11 and each of its fideslang data uses (:data:`TCF_PURPOSES`): a
    consent entry (bit set → ``granted``, else ``denied``) and, except for purpose 1 and
    purposes 3-6 where TCF v2.2 allows no legitimate interest, a legitimate-interest entry
    (bit set → ``granted``, else ``objected``: the TCF bit cannot tell "not established"
    from "the user objected", and both forbid relying on legitimate interest). Vendor
    entries (``vendor`` set) combine the purpose bit with the vendor's bit, for every
    vendor named in the consent, legitimate-interest or disclosed-vendors lists; a
    publisher restriction of type 0 makes the pair ``denied``, type 1 (consent only) drops
    the legitimate-interest entry, type 2 (legitimate interest only) drops the consent
    entry. Special features (precise geolocation, device scanning) are not purposes and
    give no entry.
TCF Canada (``tcfcav1``)
    Purpose-level only, purposes 2-11 (the section spec: "purpose 1 bit is not used in
    TCF Canada"): express and implied consent both have lawful basis ``consent``
    (Canadian law has no legitimate-interest basis); jurisdiction ``CA``.
US Privacy, GPP ``uspv1``/``usnat``/states, GPC
    Opt-out signals: ``1``/``Y`` opted out → ``objected``, ``2``/``N`` did not opt out →
    ``granted``, ``0``/``-`` not applicable → no entry; lawful basis ``None`` (US state
    laws are opt-out regimes). A GPC signal (``Gpc`` of a GPP section, or the
    ``Sec-GPC`` header) is an opt-out of sale and sharing (CCPA regulations, 11 CCR
    §7025). Data uses: :data:`US_OPT_OUT_USES`.
TCF v1.1
    Refused (:class:`~fairmark.errors.DataError`): retired since 2020-08-15.

A purpose that TCF v2.2 does not define (12-24) set in a string cannot be mapped and is a
``DataError`` naming the field and purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.consent.detect import DecodedSignal, decode_signal
from fairmark.consent.gpc import GpcSignal
from fairmark.consent.gpp import GppString
from fairmark.consent.tcf import MAX_PURPOSE, TCString
from fairmark.consent.tcf_v1 import TCStringV1
from fairmark.consent.us_sections import US_SECTIONS
from fairmark.consent.usprivacy import UsPrivacy
from fairmark.errors import DataError, UsageError

__all__ = ["TCF_PURPOSES", "US_OPT_OUT_USES", "LedgerEntry", "ledger_entries"]

TCF_PURPOSES: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("Store and/or access information on a device", ("functional.storage",)),
    2: ("Use limited data to select advertising", (
        "marketing.advertising.first_party.contextual",
        "marketing.advertising.frequency_capping",
        "marketing.advertising.negative_targeting",
    )),
    3: ("Create profiles for personalised advertising", ("marketing.advertising.profiling",)),
    4: ("Use profiles to select personalised advertising", (
        "marketing.advertising.first_party.targeted",
        "marketing.advertising.third_party.targeted",
    )),
    5: ("Create profiles to personalise content", ("personalize.content.profiling",)),
    6: ("Use profiles to select personalised content", ("personalize.content.profiled",)),
    7: ("Measure advertising performance", ("analytics.reporting.ad_performance",)),
    8: ("Measure content performance", ("analytics.reporting.content_performance",)),
    9: ("Understand audiences through statistics or combinations of data from different "
        "sources", ("analytics.reporting.campaign_insights",)),
    10: ("Develop and improve services", ("functional.service.improve",)),
    11: ("Use limited data to select content", ("personalize.content.limited",)),
}
"""TCF v2.2 purpose → (name, fideslang data uses).

Names: IAB Europe TCF Policies v4, Appendix A. Data uses: fideslang's own GVL mapping,
``src/fideslang/gvl/gvl_data_use_mapping.json`` (IABTechLab/fideslang, commit 7371ff7f),
which uses the fideslang ≥ 2.1.1 keys ``personalize.content.profiling``/``.profiled``/
``.limited`` for purposes 5, 6 and 11.
"""

US_OPT_OUT_USES: dict[str, tuple[str, ...]] = {
    "sale": ("third_party_sharing",),
    "sharing": ("marketing.advertising.third_party.targeted",),
    "targeted_advertising": (
        "marketing.advertising.profiling",
        "marketing.advertising.third_party.targeted",
    ),
}
"""Opt-out right → fideslang data uses it stops.

Sale of personal information (Cal. Civ. Code §1798.120) is a transfer to third parties
(``third_party_sharing``); "sharing" (CPRA, §1798.140(ah)) is disclosure for cross-context
behavioural advertising (third-party targeted ads); targeted advertising (e.g. Va. Code
§59.1-575, Colo. Rev. Stat. §6-1-1303(25)) is ads based on a profile of activity across
non-affiliated sites (profiling plus targeted ads).
"""

_US_FIELDS = (
    ("SaleOptOut", "sale"),
    ("SharingOptOut", "sharing"),
    ("TargetedAdvertisingOptOut", "targeted_advertising"),
)
_JURISDICTION = {name: s.jurisdiction for name, s in US_SECTIONS.items()}


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger-shaped statement of a consent signal (module docstring).

    Attributes
    ----------
    purpose : str
        fideslang data use.
    state : {"granted", "denied", "objected"}
    lawful_basis : {"consent", "legitimate_interests"} or None
        GDPR Art. 6(1)(a) or (f); ``None`` for US opt-out signals.
    vendor : int or None
        GVL vendor ID; ``None`` for a purpose-level (publisher/user) signal.
    source : str
        Signal kind and section (``"gpp.usnat"``).
    jurisdiction : str
    raw_signal : str
        The full consent string (or ``"Sec-GPC: 1"``).
    signal : str
        Field and value that decided ``state``.
    """

    purpose: str
    state: str
    lawful_basis: str | None
    vendor: int | None
    source: str
    jurisdiction: str
    raw_signal: str
    signal: str

    def to_dict(self) -> dict[str, Any]:
        """The plain dict of the module docstring."""
        return {
            "purpose": self.purpose,
            "state": self.state,
            "lawful_basis": self.lawful_basis,
            "vendor": self.vendor,
            "source": self.source,
            "jurisdiction": self.jurisdiction,
            "raw_signal": self.raw_signal,
            "signal": self.signal,
        }


def _check_defined(ids: list[int], field: str) -> None:
    for p in ids:
        if p > MAX_PURPOSE:
            raise DataError(
                f"{field} sets purpose {p}, which TCF v2.2 does not define (purposes "
                f"1-{MAX_PURPOSE}); it has no data use to map to"
            )


def _tcf_entries(tc: TCString, raw: str, source: str, vendors: bool) -> list[LedgerEntry]:
    c = tc.core
    consent, li = set(c["PurposesConsent"]), set(c["PurposesLITransparency"])
    _check_defined(c["PurposesConsent"], "PurposesConsent")
    _check_defined(c["PurposesLITransparency"], "PurposesLITransparency")
    out: list[LedgerEntry] = []

    def add(use: str, ok: bool, basis: str, vendor: int | None, signal: str) -> None:
        if basis == "consent":
            state = "granted" if ok else "denied"
        else:
            state = "granted" if ok else "objected"
        out.append(LedgerEntry(use, state, basis, vendor, source, "EU", raw, signal))

    li_allowed = [p for p in TCF_PURPOSES if p != 1 and p not in (3, 4, 5, 6)]
    for p, (_, uses) in TCF_PURPOSES.items():
        for use in uses:
            add(use, p in consent, "consent", None, f"PurposesConsent[{p}]={int(p in consent)}")
            if p in li_allowed:
                add(use, p in li, "legitimate_interests", None,
                    f"PurposesLITransparency[{p}]={int(p in li)}")
    if not vendors:
        return out
    v_consent, v_li = set(c["VendorConsents"]), set(c["VendorLegitimateInterests"])
    restricted: dict[tuple[int, int], int] = {}
    for r in c["PublisherRestrictions"]:
        for v in r.vendor_ids:
            restricted[(r.purpose_id, v)] = r.restriction_type
    universe = sorted(v_consent | v_li | set(tc.vendors_disclosed or []))
    for v in universe:
        for p, (_, uses) in TCF_PURPOSES.items():
            rtype = restricted.get((p, v))
            for use in uses:
                if rtype != 2:
                    ok = p in consent and v in v_consent and rtype != 0
                    add(use, ok, "consent", v,
                        f"PurposesConsent[{p}]={int(p in consent)} & VendorConsents[{v}]="
                        f"{int(v in v_consent)}"
                        + (f" & restriction {rtype}" if rtype is not None else ""))
                if p in li_allowed and rtype != 1:
                    ok = p in li and v in v_li and rtype != 0
                    add(use, ok, "legitimate_interests", v,
                        f"PurposesLITransparency[{p}]={int(p in li)} & "
                        f"VendorLegitimateInterests[{v}]={int(v in v_li)}"
                        + (f" & restriction {rtype}" if rtype is not None else ""))
    return out


def _tcfca_entries(fields: dict[str, Any], raw: str) -> list[LedgerEntry]:
    out = []
    for name in ("PurposesExpressConsent", "PurposesImpliedConsent"):
        flags = fields[name]
        _check_defined([i + 1 for i, on in enumerate(flags) if on], name)
        for p, (_, uses) in TCF_PURPOSES.items():
            if p == 1:  # "purpose 1 bit is not used in TCF Canada" (section spec)
                continue
            on = bool(flags[p - 1])
            for use in uses:
                out.append(LedgerEntry(use, "granted" if on else "denied", "consent", None,
                                       "gpp.tcfcav1", "CA", raw, f"{name}[{p}]={int(on)}"))
    return out


def _opt_out(right: str, value: int | str, field: str, source: str, jurisdiction: str,
             raw: str) -> list[LedgerEntry]:
    if value in (1, "Y"):
        state = "objected"
    elif value in (2, "N"):
        state = "granted"
    elif value in (0, "-"):
        return []
    else:
        raise DataError(f"{source} {field} is {value!r}; expected 0, 1 or 2 (or Y, N, -)")
    return [LedgerEntry(use, state, None, None, source, jurisdiction, raw, f"{field}={value}")
            for use in US_OPT_OUT_USES[right]]


def _gpc(source: str, jurisdiction: str, raw: str, signal: str) -> list[LedgerEntry]:
    return [LedgerEntry(use, "objected", None, None, source, jurisdiction, raw, signal)
            for right in ("sale", "sharing") for use in US_OPT_OUT_USES[right]]


def _us_entries(name: str, fields: dict[str, Any], raw: str) -> list[LedgerEntry]:
    source, where = f"gpp.{name}", _JURISDICTION[name]
    out = []
    for field, right in _US_FIELDS:
        if field in fields:
            out += _opt_out(right, fields[field], field, source, where, raw)
    if fields.get("Gpc") is True:
        out += _gpc(source, where, raw, "Gpc=true")
    return out


def _gpp_entries(gpp: GppString, raw: str, vendors: bool) -> list[LedgerEntry]:
    out: list[LedgerEntry] = []
    for s in gpp.sections:
        if s.tcf is not None:
            out += _tcf_entries(s.tcf, raw, "gpp.tcfeuv2", vendors)
        elif s.name == "tcfcav1":
            out += _tcfca_entries(s.fields, raw)
        elif s.name == "uspv1":
            out += _opt_out("sale", s.fields["OptOutSale"], "OptOutSale", "gpp.uspv1", "US-CA",
                            raw)
        elif s.name in US_SECTIONS:
            out += _us_entries(s.name, s.fields, raw)
    return out


def ledger_entries(
    signal: str | dict[str, Any] | DecodedSignal | GpcSignal, *, vendors: bool = True
) -> list[dict[str, Any]]:
    """Turn a consent signal into ledger-entry dicts (module docstring).

    Parameters
    ----------
    signal : str, dict, DecodedSignal or GpcSignal
        A consent string, the document :func:`fairmark.consent.decode` returned (its
        ``string`` is decoded again), a :class:`DecodedSignal`, or a GPC signal
        (:func:`fairmark.consent.gpc.gpc_from_header`).
    vendors : bool
        Also give the per-vendor entries of TCF strings (one per vendor, purpose, data use
        and legal basis; thousands for a full string).

    Returns
    -------
    list of dict
        In signal order: purpose-level entries first, then vendors by ID.

    Raises
    ------
    UsageError
        ``signal`` is none of the accepted types.
    DataError
        The string cannot be decoded; it is TCF v1.1 (retired); it sets a TCF purpose
        above 11; a US choice field holds a value outside 0-2.
    """
    if isinstance(signal, GpcSignal):
        if not signal.enabled:
            return []
        raw = "Sec-GPC: 1" if signal.source == "header" else "globalPrivacyControl=true"
        return [e.to_dict() for e in _gpc("gpc", "US-CA", raw, raw)]
    if isinstance(signal, dict):
        if "string" not in signal:
            raise UsageError("ledger_entries: the dict has no 'string'; pass decode()'s result")
        signal = str(signal["string"])
    if isinstance(signal, str):
        signal = decode_signal(signal)
    if not isinstance(signal, DecodedSignal):
        raise UsageError(
            f"ledger_entries: got {type(signal).__name__}; expected a consent string, "
            "decode()'s dict, a DecodedSignal or a GpcSignal"
        )
    model, raw = signal.model, signal.string
    if isinstance(model, TCStringV1):
        raise DataError(
            "TCF v1.1 string: TCF v1.1 was retired on 2020-08-15 and gives no valid consent; "
            "no ledger entries"
        )
    if isinstance(model, TCString):
        entries = _tcf_entries(model, raw, "tcf", vendors)
    elif isinstance(model, GppString):
        entries = _gpp_entries(model, raw, vendors)
    elif isinstance(model, UsPrivacy):
        entries = _opt_out("sale", model.opt_out_sale, "OptOutSale", "usprivacy", "US-CA", raw)
    else:  # pragma: no cover - DecodedSignal.model is one of the above
        raise UsageError(f"ledger_entries: unsupported model {type(model).__name__}")
    return [e.to_dict() for e in entries]
