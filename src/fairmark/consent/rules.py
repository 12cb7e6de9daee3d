"""Compliance findings on decoded consent signals (TCF v2.2/v2.3 policy, GPP, US Privacy).

Rules (``rule`` ids of :class:`Finding`):

``tcf.legitimate_interest_for_consent_purpose``
    A purpose 3-6 set in ``PurposesLITransparency`` (or the publisher's
    ``PubPurposesLITransparency``). TCF v2.2 removed legitimate interest as a legal basis
    for purposes 3 (create profiles for personalised advertising), 4 (use them), 5 (create
    profiles to personalise content) and 6 (use them): consent is required. Only LI, no
    consent → ``non_compliant``; LI alongside consent → ``warning`` (the LI bit must be
    ignored). Source: IAB Europe, *TCF Policies* v4 (2023), Appendix A; IAB Tech Lab TCF
    v2 specification, version history May 2023 ("removed legitimate interest for purposes
    3 to 6").
``tcf.disclosed_vendors_missing``
    ``Created`` after 2026-02-28 (UTC calendar date) and no DisclosedVendors segment →
    ``non_compliant``. Source: IAB Tech Lab TCF v2 specification, version 2.3 (April
    2025): "making the 'Disclosed Vendors' section a mandatory section of the TC string";
    IAB Europe's TCF v2.3 transition deadline of 28 February 2026.
``tcf.outdated_policy_version``
    ``TcfPolicyVersion`` below 4: the string predates TCF v2.2, which every CMP had to
    use from 2023-11-20 → ``non_compliant``.
``tcf.undefined_purpose``
    A purpose above 11, a special feature above 2 or a publisher restriction on a purpose
    outside 1-11 → ``non_compliant`` (TCF v2.2 Appendix A defines purposes 1-11 and
    special features 1-2).
``tcf.unassigned_cmp_id``
    ``CmpId`` 0 or 1 → ``warning``: no registered CMP has these IDs
    (``@iabtechlabtcf/core`` rejects such strings).
``tcf.v1_retired``
    Any TCF v1.1 string → ``non_compliant`` (TCF v1.1 switched off on 2020-08-15).
``gpp.invalid_value``
    A GPP US choice field outside its defined values (0-2; ``MspaCoveredTransaction`` 1-2)
    → ``non_compliant``.
``gpp.opt_out_without_notice``
    An opt-out field inconsistent with its notice: notice 0 (not applicable) needs opt-out
    0, notice 1 (given) needs 1 or 2, notice 2 (not given) needs 1 "opted out" →
    ``non_compliant``
    (the combinations ``@iabgpp/cmpapi`` refuses to encode; MSPA "Opt-Out Option").
``usprivacy.unknown_version`` / ``usprivacy.deprecated``
    Version other than 1 → ``warning``; every US Privacy string → ``info`` (IAB Tech Lab
    deprecated it on 2024-01-31 in favour of GPP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fairmark.consent.tcf import MAX_PURPOSE, MAX_SPECIAL_FEATURE, TCString

__all__ = [
    "DISCLOSED_VENDORS_MANDATORY_AFTER",
    "Finding",
    "gpp_us_findings",
    "tcf_findings",
    "tcf_v1_findings",
    "usprivacy_findings",
]

DISCLOSED_VENDORS_MANDATORY_AFTER = date(2026, 2, 28)
"""Strings created after this UTC date must carry the DisclosedVendors segment (TCF v2.3)."""

CONSENT_ONLY_PURPOSES = (3, 4, 5, 6)
"""Purposes for which TCF v2.2 allows no legitimate interest."""

_TCF_SOURCE = "IAB Europe TCF Policies v4 (TCF v2.2), Appendix A"
_V23_SOURCE = "IAB Tech Lab TCF v2 specification v2.3 (Apr 2025); IAB Europe deadline 2026-02-28"


@dataclass(frozen=True)
class Finding:
    """One compliance observation on a decoded signal.

    Attributes
    ----------
    rule : str
        Rule id (module docstring).
    severity : {"non_compliant", "warning", "info"}
    message : str
        One sentence naming the field and value.
    source : str
        The policy or specification the rule follows.
    section : str
        Where: ``"tcf"``, ``"gpp.tcfeuv2"``, ``"gpp.usnat"``, ``"usprivacy"``…
    purpose : int or None
        The TCF purpose concerned, when there is one.
    """

    rule: str
    severity: str
    message: str
    source: str
    section: str
    purpose: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict with every attribute."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
            "section": self.section,
            "purpose": self.purpose,
        }


def _created_date(deciseconds: int) -> date:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=deciseconds * 100)).date()


def _li_findings(consent: list[int], li: list[int], field: str, section: str,
                 who: str) -> list[Finding]:
    out = []
    for p in CONSENT_ONLY_PURPOSES:
        if p not in li:
            continue
        if p in consent:
            out.append(Finding(
                "tcf.legitimate_interest_for_consent_purpose", "warning",
                f"{who} purpose {p} has both consent and a legitimate-interest bit in {field}; "
                "TCF v2.2 allows no legitimate interest for purposes 3-6, so the LI bit must "
                "be ignored", _TCF_SOURCE, section, p))
        else:
            out.append(Finding(
                "tcf.legitimate_interest_for_consent_purpose", "non_compliant",
                f"{who} purpose {p} relies on legitimate interest only ({field}); TCF v2.2 "
                "requires consent for purposes 3-6", _TCF_SOURCE, section, p))
    return out


def tcf_findings(tc: TCString, *, section: str = "tcf") -> list[Finding]:
    """Check a TCF v2.x string against the TCF v2.2/v2.3 rules of the module docstring.

    Parameters
    ----------
    tc : TCString
        From :func:`fairmark.consent.tcf.decode_tcf_v2`.
    section : str
        Label of the findings (``"gpp.tcfeuv2"`` inside GPP).

    Returns
    -------
    list of Finding
        Empty when nothing is wrong.
    """
    c = tc.core
    out = _li_findings(c["PurposesConsent"], c["PurposesLITransparency"],
                       "PurposesLITransparency", section, "vendor-level")
    if tc.publisher_tc is not None:
        out += _li_findings(tc.publisher_tc["PubPurposesConsent"],
                            tc.publisher_tc["PubPurposesLITransparency"],
                            "PubPurposesLITransparency", section, "publisher")
    created = _created_date(tc.created)
    if created > DISCLOSED_VENDORS_MANDATORY_AFTER and tc.vendors_disclosed is None:
        out.append(Finding(
            "tcf.disclosed_vendors_missing", "non_compliant",
            f"created {created.isoformat()} (after {DISCLOSED_VENDORS_MANDATORY_AFTER}) without "
            "the DisclosedVendors segment, which TCF v2.3 makes mandatory", _V23_SOURCE,
            section))
    if tc.policy_version < 4:
        out.append(Finding(
            "tcf.outdated_policy_version", "non_compliant",
            f"TcfPolicyVersion {tc.policy_version} predates TCF v2.2 (policy version 4), "
            "mandatory since 2023-11-20; consent must be collected again", _TCF_SOURCE, section))
    fields = [("PurposesConsent", c["PurposesConsent"], MAX_PURPOSE, "purpose"),
              ("PurposesLITransparency", c["PurposesLITransparency"], MAX_PURPOSE, "purpose"),
              ("SpecialFeatureOptIns", c["SpecialFeatureOptIns"], MAX_SPECIAL_FEATURE,
               "special feature")]
    if tc.publisher_tc is not None:
        fields += [(name, tc.publisher_tc[name], MAX_PURPOSE, "purpose")
                   for name in ("PubPurposesConsent", "PubPurposesLITransparency")]
    for name, ids, limit, what in fields:
        for i in ids:
            if i > limit:
                out.append(Finding(
                    "tcf.undefined_purpose", "non_compliant",
                    f"{name} sets {what} {i}; TCF v2.2 defines {what}s 1-{limit} only",
                    _TCF_SOURCE, section, i if what == "purpose" else None))
    for r in c["PublisherRestrictions"]:
        if not 1 <= r.purpose_id <= MAX_PURPOSE:
            out.append(Finding(
                "tcf.undefined_purpose", "non_compliant",
                f"PublisherRestrictions names purpose {r.purpose_id}; TCF v2.2 defines purposes "
                f"1-{MAX_PURPOSE} only", _TCF_SOURCE, section, r.purpose_id))
    if c["CmpId"] in (0, 1):
        out.append(Finding(
            "tcf.unassigned_cmp_id", "warning",
            f"CmpId {c['CmpId']} is not assigned to any registered CMP (IDs start at 2)",
            "IAB Europe CMP list; @iabtechlabtcf/core TCModel.cmpId", section))
    return out


def tcf_v1_findings(cmp_id: int, *, section: str = "tcf") -> list[Finding]:
    """Findings of a TCF v1.1 string: always ``tcf.v1_retired``; ``unassigned_cmp_id``."""
    out = [Finding(
        "tcf.v1_retired", "non_compliant",
        "TCF v1.1 string; TCF v1.1 was switched off on 2020-08-15 and gives no valid consent",
        "IAB Europe, TCF v2.0 switch-over (2020-08-15)", section)]
    if cmp_id in (0, 1):
        out.append(Finding(
            "tcf.unassigned_cmp_id", "warning",
            f"CmpId {cmp_id} is not assigned to any registered CMP (IDs start at 2)",
            "IAB Europe CMP list", section))
    return out


_NOTICE_PAIRS = (
    ("SaleOptOutNotice", "SaleOptOut"),
    ("SharingOptOutNotice", "SharingOptOut"),
    ("TargetedAdvertisingOptOutNotice", "TargetedAdvertisingOptOut"),
)
_NOT_CHOICES = {"Version", "MspaVersion", "Gpc", "GpcSegmentType", "GpcSegmentIncluded",
                "SensitiveDataConsentSegmentIncluded"}


def gpp_us_findings(name: str, fields: dict[str, Any]) -> list[Finding]:
    """Check the values of a decoded GPP US section (``usnat``, ``usca``…).

    Parameters
    ----------
    name : str
        Section API prefix.
    fields : dict
        :func:`fairmark.consent.us_sections.decode_us_section` output.

    Returns
    -------
    list of Finding
    """
    section = f"gpp.{name}"
    source = f"GPP {name} technical specification (field value tables)"
    out = []
    for key, value in fields.items():
        if key in _NOT_CHOICES or isinstance(value, bool):
            continue
        values = value if isinstance(value, list) else [value]
        allowed = (1, 2) if key == "MspaCoveredTransaction" else (0, 1, 2)
        bad = [v for v in values if v not in allowed]
        if bad:
            out.append(Finding(
                "gpp.invalid_value", "non_compliant",
                f"{name} {key} holds {bad[0]}; the specification defines "
                f"{', '.join(map(str, allowed))}", source, section))
    for notice, opt_out in _NOTICE_PAIRS:
        if notice not in fields or opt_out not in fields:
            continue
        n, o = fields[notice], fields[opt_out]
        valid = {0: (0,), 1: (1, 2), 2: (1,)}.get(n, ())
        if n in (0, 1, 2) and o not in valid:
            out.append(Finding(
                "gpp.opt_out_without_notice", "non_compliant",
                f"{name} {notice} = {n} with {opt_out} = {o}; expected {opt_out} "
                f"{' or '.join(map(str, valid))} (without notice the consumer must be treated "
                "as opted out)",
                "@iabgpp/cmpapi section validation; IAB MSPA opt-out requirements", section))
    return out


def usprivacy_findings(version: int, *, section: str = "usprivacy") -> list[Finding]:
    """Findings of a US Privacy string (also GPP ``uspv1``)."""
    out = [Finding(
        "usprivacy.deprecated", "info",
        "US Privacy strings were deprecated by IAB Tech Lab on 2024-01-31; use GPP (usnat or "
        "a state section)", "IAB Tech Lab US Privacy deprecation notice", section)]
    if version != 1:
        out.append(Finding(
            "usprivacy.unknown_version", "warning",
            f"US Privacy version {version}; the specification defines version 1 only",
            "IAB Tech Lab US Privacy String v1.0", section))
    return out
