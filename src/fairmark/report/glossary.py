"""Plain-language glossary for every number, reason code, verdict and method in a report.

Each entry is written for a marketing manager: what the number means, why it matters for
who gets the call, the offer or the ad, and what to do next. Keys are the ``metric`` keys
of the registered checks (:attr:`fairmark.checks.Check.metric`), the group metrics of
``report.json`` (``groups[].selection_rate`` …), the reason codes of
:class:`fairmark.errors.Reason`, the verdicts (``pass``, ``warn``, ``fail``,
``insufficient_evidence``) and the statistical methods named in a report (``wilson``,
``newcombe``, ``katz_log``, ``z``, ``fisher``, ``holm``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from fairmark.errors import Reason, UsageError

__all__ = [
    "GROUP_METRIC_KEYS",
    "METHOD_KEYS",
    "VERDICT_KEYS",
    "GlossaryEntry",
    "Unit",
    "glossary",
    "glossary_entry",
]

Unit = Literal["rate", "difference", "ratio", "count", "none"]


@dataclass(frozen=True)
class GlossaryEntry:
    """One plain-language glossary entry.

    Parameters
    ----------
    name : str
        Human name, e.g. ``"Selection rate"``.
    what_it_means : str
        What the number (or code, or verdict) says, without unexplained jargon.
    why_it_matters : str
        Why it matters in marketing: who gets the call, the offer or sees the ad. For a
        verdict: what it means for the launch.
    what_to_do : str
        Next steps for the reader.
    source : str
        Where the definition comes from (paper, standard, regulation article).
    unit : {"rate", "difference", "ratio", "count", "none"}
        How a value of this metric is shown: ``rate`` as a percentage, ``difference`` in
        percentage points, ``ratio`` as a plain number, ``count`` as an integer; ``none``
        for entries that are not numbers (reasons, verdicts, methods).
    """

    name: str
    what_it_means: str
    why_it_matters: str
    what_to_do: str
    source: str
    unit: Unit = "none"


_CONFUSION = "Standard confusion-matrix definitions (Fawcett 2006, An introduction to ROC analysis)"

_METRICS: dict[str, GlossaryEntry] = {
    # --- group metrics -------------------------------------------------------------------
    "share": GlossaryEntry(
        name="Share of the audience",
        what_it_means="The percentage of all audited customers who belong to this group.",
        why_it_matters=(
            "A group that is a small share of the data is easy to overlook: the model learns "
            "less about it, and its results are less certain (wider ranges)."
        ),
        what_to_do=(
            "Compare the shares with your real customer base or market. If a group is much "
            "smaller in the data than in reality, collect more data about it before relying on "
            "the model for it."
        ),
        source=(
            "Descriptive statistic; ISO/IEC TR 24027:2021 (bias in AI systems), "
            "data representativeness"
        ),
        unit="rate",
    ),
    "base_rate": GlossaryEntry(
        name="Actual response rate (base rate)",
        what_it_means=(
            "The percentage of the group who actually did what the campaign aims for (for "
            "example bought, converted or responded), whatever the model predicted."
        ),
        why_it_matters=(
            "Groups can genuinely behave differently. Differences in who gets selected can "
            "partly reflect this, but the recorded outcomes can also carry past bias: a group "
            "that was rarely offered a product in the past rarely bought it."
        ),
        what_to_do=(
            "Ask how the outcome was recorded. If some groups were seldom targeted before, "
            "their low response rate may be a result of that, not a preference."
        ),
        source="Barocas, Hardt & Narayanan, Fairness and Machine Learning (2023), ch. 3",
        unit="rate",
    ),
    "selection_rate": GlossaryEntry(
        name="Selection rate",
        what_it_means=(
            "The percentage of the group that the model picked: the people who get the call, "
            "the offer or see the ad."
        ),
        why_it_matters=(
            "This is who receives the marketing action. If one group is selected much less "
            "often, its members miss the offer, which can be unfair and, for credit, housing, "
            "insurance or job adverts, unlawful."
        ),
        what_to_do=(
            "Compare each group's selection rate with the reference group's (see disparate "
            "impact). Large gaps need an explanation that does not depend on the group itself."
        ),
        source=(
            "US EEOC Uniform Guidelines on Employee Selection Procedures, "
            "29 CFR 1607.4(D) and 1607.16"
        ),
        unit="rate",
    ),
    "tpr": GlossaryEntry(
        name="True positive rate (share of interested customers reached)",
        what_it_means=(
            "Of the people in the group who actually responded, the percentage the model "
            "selected. Also called recall or sensitivity."
        ),
        why_it_matters=(
            "Interested customers who are not selected never hear about an offer they wanted. "
            "If this rate is lower for one group, that group's interested customers are "
            "systematically left out, which is unfair and loses revenue."
        ),
        what_to_do=(
            "Compare groups (see equal opportunity difference). If one group is reached less, "
            "look for inputs that stand in for group membership (postcode, device, channel) "
            "and for too little training data about that group."
        ),
        source=(
            "Hardt, Price & Srebro 2016, Equality of Opportunity in Supervised Learning; "
            f"{_CONFUSION}"
        ),
        unit="rate",
    ),
    "fpr": GlossaryEntry(
        name="False positive rate (share of uninterested customers contacted)",
        what_it_means=(
            "Of the people in the group who did not respond, the percentage the model still "
            "selected."
        ),
        why_it_matters=(
            "These people are contacted without interest: wasted budget and unwanted contact. "
            "For risky products (high-interest credit, gambling) being over-targeted can harm "
            "the group that is over-selected."
        ),
        what_to_do=(
            "Compare groups (see false positive rate difference). A group contacted much more "
            "often without interest may need a higher bar or a different offer."
        ),
        source=f"Hardt, Price & Srebro 2016; {_CONFUSION}",
        unit="rate",
    ),
    "fnr": GlossaryEntry(
        name="False negative rate (share of interested customers missed)",
        what_it_means=(
            "Of the people in the group who actually responded, the percentage the model did "
            "not select. It is 100% minus the true positive rate."
        ),
        why_it_matters=(
            "These are interested customers who never get the offer. A higher miss rate for "
            "one group means that group loses out on offers it wanted."
        ),
        what_to_do="Read it together with the true positive rate; the same next steps apply.",
        source=_CONFUSION,
        unit="rate",
    ),
    "tnr": GlossaryEntry(
        name="True negative rate (share of uninterested customers left alone)",
        what_it_means=(
            "Of the people in the group who did not respond, the percentage the model "
            "correctly did not select. Also called specificity; 100% minus the false positive "
            "rate."
        ),
        why_it_matters=(
            "A low value means many uninterested people in the group are contacted anyway: "
            "cost and annoyance."
        ),
        what_to_do="Read it together with the false positive rate; the same next steps apply.",
        source=_CONFUSION,
        unit="rate",
    ),
    "ppv": GlossaryEntry(
        name="Precision (share of selected customers who respond)",
        what_it_means=(
            "Of the people in the group the model selected, the percentage who actually "
            "responded. Also called positive predictive value."
        ),
        why_it_matters=(
            "If precision is lower for a group, the model's picks in that group are less "
            "accurate. That can later be used to justify cutting the group's budget, and it "
            "often means the model knows less about that group."
        ),
        what_to_do=(
            "Compare groups (see predictive parity difference). A lower value usually points "
            "to too little or poorer data about the group."
        ),
        source=f"Chouldechova 2017, Fair prediction with disparate impact; {_CONFUSION}",
        unit="rate",
    ),
    "npv": GlossaryEntry(
        name="Negative predictive value (share of skipped customers who indeed do not respond)",
        what_it_means=(
            "Of the people in the group the model did not select, the percentage who indeed "
            "did not respond."
        ),
        why_it_matters=(
            "A lower value means more interested customers of that group are among those left out."
        ),
        what_to_do="Read it together with the true positive rate for the same group.",
        source=_CONFUSION,
        unit="rate",
    ),
    "accuracy": GlossaryEntry(
        name="Accuracy",
        what_it_means=(
            "The percentage of the group for whom the model's choice (select or not) matched "
            "what the person actually did."
        ),
        why_it_matters=(
            "A model that is less accurate for one group makes more mistakes about those "
            "customers, in both directions. Accuracy alone can hide unfairness when few "
            "people respond, so read it with the other rates."
        ),
        what_to_do="Do not judge fairness on accuracy alone; look at the rates above.",
        source=_CONFUSION,
        unit="rate",
    ),
    # --- disparities (check metrics) ----------------------------------------------------
    "disparate_impact": GlossaryEntry(
        name="Disparate impact ratio",
        what_it_means=(
            "A group's selection rate divided by the reference group's. 1 means both are "
            "selected equally often; 0.8 means the group is selected 80% as often as the "
            "reference group."
        ),
        why_it_matters=(
            "This is the best-known yardstick for unequal treatment: the 'four-fifths rule' "
            "flags a ratio below 0.8. A low ratio means the group gets the offer or sees the "
            "ad far less often than others."
        ),
        what_to_do=(
            "If the ratio is below the policy's bound, do not launch yet: check which inputs "
            "drive the gap (postcode, age-related signals, device), test a version of the "
            "model without them, and document the decision with the policy owner."
        ),
        source=(
            "US EEOC Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D) "
            "(four-fifths rule); Feldman et al. 2015, KDD"
        ),
        unit="ratio",
    ),
    "statistical_parity_difference": GlossaryEntry(
        name="Selection rate gap to the reference group",
        what_it_means=(
            "A group's selection rate minus the reference group's, in percentage points. 0 "
            "means equal; -5 points means the group is selected 5 percentage points less "
            "often."
        ),
        why_it_matters=(
            "It shows in absolute terms how many fewer (or more) people of the group receive "
            "the offer for every hundred."
        ),
        what_to_do=(
            "Read it with the disparate impact ratio: a small gap on a rare offer can still be "
            "a large ratio. Investigate gaps beyond the policy's bound."
        ),
        source=(
            "Dwork et al. 2012, Fairness through awareness; AIF360 statistical_parity_difference"
        ),
        unit="difference",
    ),
    "demographic_parity_difference": GlossaryEntry(
        name="Largest selection rate gap",
        what_it_means=(
            "The highest selection rate among the groups of a feature minus the lowest, in "
            "percentage points. 0 means every group is selected equally often."
        ),
        why_it_matters=(
            "One number that says how unevenly the offer is spread across the groups of a "
            "feature (for example age bands)."
        ),
        what_to_do=(
            "If it exceeds the policy's bound, look at which two groups are furthest apart "
            "(shown next to the value) and investigate why."
        ),
        source="fairlearn demographic_parity_difference; Agarwal et al. 2018",
        unit="difference",
    ),
    "demographic_parity_ratio": GlossaryEntry(
        name="Lowest-to-highest selection rate ratio",
        what_it_means=(
            "The lowest selection rate among the groups of a feature divided by the highest. "
            "1 means equal; 0.5 means the least-selected group is picked half as often as the "
            "most-selected one."
        ),
        why_it_matters=(
            "It is the four-fifths rule applied to the two most distant groups: the "
            "strictest view of unequal reach."
        ),
        what_to_do=(
            "If it is below the policy's bound, treat it like a low disparate impact ratio "
            "for the group shown."
        ),
        source="fairlearn demographic_parity_ratio; Agarwal et al. 2018",
        unit="ratio",
    ),
    "equal_opportunity_difference": GlossaryEntry(
        name="Largest gap in reaching interested customers",
        what_it_means=(
            "The highest true positive rate among the groups of a feature minus the lowest, "
            "in percentage points: how much more likely an interested customer in one group "
            "is to get the offer than an interested customer in another."
        ),
        why_it_matters=(
            "Customers who would respond should have the same chance of being reached "
            "whatever their group. A large gap means interested people of one group are "
            "systematically passed over."
        ),
        what_to_do=(
            "Investigate the group with the lowest rate: too little data about it, or inputs "
            "that stand in for group membership, are the usual causes."
        ),
        source=(
            "Hardt, Price & Srebro 2016, Equality of Opportunity in Supervised Learning; "
            "fairlearn equal_opportunity_difference"
        ),
        unit="difference",
    ),
    "equalized_odds_difference": GlossaryEntry(
        name="Largest error-rate gap (equalized odds)",
        what_it_means=(
            "The larger of two gaps between the groups of a feature: the gap in reaching "
            "interested customers (true positive rate) and the gap in contacting uninterested "
            "ones (false positive rate), in percentage points."
        ),
        why_it_matters=(
            "A fair model makes the same kinds of mistakes at the same rates for every group. "
            "A large value means one group is either missed or over-contacted more often."
        ),
        what_to_do=(
            "Look at the true and false positive rate gaps separately to see which mistake "
            "drives it."
        ),
        source="Hardt, Price & Srebro 2016; fairlearn equalized_odds_difference",
        unit="difference",
    ),
    "predictive_parity_difference": GlossaryEntry(
        name="Largest precision gap",
        what_it_means=(
            "The highest precision (share of selected customers who respond) among the groups "
            "of a feature minus the lowest, in percentage points."
        ),
        why_it_matters=(
            "If the model's picks are much less accurate for one group, that group is served "
            "worse, and low response there can be misread as low interest."
        ),
        what_to_do=(
            "A large gap usually means the model knows less about that group: review the data "
            "about it."
        ),
        source="Chouldechova 2017, Fair prediction with disparate impact",
        unit="difference",
    ),
    "true_positive_rate_difference": GlossaryEntry(
        name="Gap in reaching interested customers, against the reference group",
        what_it_means=(
            "A group's true positive rate minus the reference group's, in percentage points. "
            "Negative means interested customers of the group are reached less often."
        ),
        why_it_matters=(
            "It shows, group by group, whether interested customers have the same chance of "
            "getting the offer as in the reference group."
        ),
        what_to_do=(
            "For a clearly negative gap, investigate that group's data and the inputs that "
            "stand in for group membership."
        ),
        source=(
            "Hardt, Price & Srebro 2016; AIF360 true_positive_rate_difference "
            "(equal_opportunity_difference)"
        ),
        unit="difference",
    ),
    "false_positive_rate_difference": GlossaryEntry(
        name="Gap in contacting uninterested customers, against the reference group",
        what_it_means=(
            "A group's false positive rate minus the reference group's, in percentage points. "
            "Positive means uninterested customers of the group are contacted more often."
        ),
        why_it_matters=(
            "Over-contacting a group wastes budget and can be harmful for risky products; "
            "under-contacting can be a sign the group is being skipped."
        ),
        what_to_do="Investigate large gaps in either direction.",
        source="Hardt, Price & Srebro 2016; AIF360 false_positive_rate_difference",
        unit="difference",
    ),
    "small_groups": GlossaryEntry(
        name="Groups too small to audit",
        what_it_means=(
            "How many groups of a feature have fewer customers than the minimum group size. "
            "Their numbers are not estimated and not shown."
        ),
        why_it_matters=(
            "With very few people, rates jump around by chance and cannot show fairness or "
            "unfairness; showing them could also reveal information about individuals. These "
            "groups are not protected by the audit."
        ),
        what_to_do=(
            "Collect more data for these groups, merge them with similar groups where that "
            "makes sense, or review the campaign's effect on them by hand."
        ),
        source=(
            "Small-cell rule of official statistics (e.g. Eurostat SDC handbook 2010); minimum "
            "sample sizes for disparity estimates"
        ),
        unit="count",
    ),
}

_REASON_SOURCE = "fairmark report schema 1.0 (docs/report-schema.md), reason codes"

_REASONS: dict[str, GlossaryEntry] = {
    Reason.EMPTY_GROUP.value: GlossaryEntry(
        name="empty group",
        what_it_means="The group exists in the data's categories but has no customers at all.",
        why_it_matters="Nothing can be said about a group with nobody in it.",
        what_to_do="Check that the data covers the whole audience you want to reach.",
        source=_REASON_SOURCE,
    ),
    Reason.BELOW_MIN_GROUP_SIZE.value: GlossaryEntry(
        name="too few customers to show",
        what_it_means=(
            "The group has fewer customers than the minimum group size, so its numbers are "
            "not estimated and are hidden."
        ),
        why_it_matters=(
            "Rates for very small groups are unreliable and could reveal information about "
            "individuals."
        ),
        what_to_do="Collect more data for this group or review its treatment by hand.",
        source=_REASON_SOURCE,
    ),
    Reason.NO_POSITIVES.value: GlossaryEntry(
        name="nobody in the group responded",
        what_it_means=(
            "Nobody in this group actually responded, so rates that are measured among "
            "responders (such as the share of interested customers reached) cannot be "
            "calculated."
        ),
        why_it_matters=(
            "It is unknown whether interested customers of this group would be reached; "
            "this is not the same as zero."
        ),
        what_to_do="Gather more outcome data for this group before judging it.",
        source=_REASON_SOURCE,
    ),
    Reason.NO_NEGATIVES.value: GlossaryEntry(
        name="everybody in the group responded",
        what_it_means=(
            "Everyone in this group responded, so rates measured among non-responders (such "
            "as the share of uninterested customers contacted) cannot be calculated."
        ),
        why_it_matters="The value is unknown, not zero.",
        what_to_do="Check the outcome data for this group; it may be incomplete.",
        source=_REASON_SOURCE,
    ),
    Reason.NO_SELECTIONS.value: GlossaryEntry(
        name="nobody was selected",
        what_it_means=(
            "The model selected nobody in the group (or in both compared groups), so rates "
            "measured among selected customers, or a ratio of two zero rates, cannot be "
            "calculated."
        ),
        why_it_matters=(
            "A group that nobody in is selected never receives the offer: that itself may be "
            "the problem to look at."
        ),
        what_to_do="Look at the group's selection rate and find out why nobody was picked.",
        source=_REASON_SOURCE,
    ),
    Reason.NO_REJECTIONS.value: GlossaryEntry(
        name="everybody was selected",
        what_it_means=(
            "The model selected everybody in the group, so rates measured among customers who "
            "were not selected cannot be calculated."
        ),
        why_it_matters="The value is unknown, not zero.",
        what_to_do="Check whether the decision rule is meant to select the whole group.",
        source=_REASON_SOURCE,
    ),
    Reason.REFERENCE_RATE_ZERO.value: GlossaryEntry(
        name="reference group's rate is zero",
        what_it_means=(
            "The reference group's rate is zero while this group's is not, so the ratio is "
            "infinite (∞)."
        ),
        why_it_matters=(
            "An infinite ratio is not a measure of fairness: the comparison is against a "
            "group that nobody in is selected."
        ),
        what_to_do=(
            "Choose a reference group that is selected at all, and ask why the current "
            "reference group is never selected."
        ),
        source=_REASON_SOURCE,
    ),
    Reason.SINGLE_GROUP.value: GlossaryEntry(
        name="only one group to compare",
        what_it_means=(
            "Fewer than two groups have a value, so there is nothing to compare and no gap "
            "can be calculated."
        ),
        why_it_matters="Fairness between groups cannot be checked on this feature.",
        what_to_do="Check the feature's data: most of its groups are missing, empty or too small.",
        source=_REASON_SOURCE,
    ),
    Reason.NOT_ESTIMABLE.value: GlossaryEntry(
        name="a part of the measure is missing",
        what_it_means=(
            "This measure combines several rates and at least one of them cannot be "
            "calculated, so the measure cannot be either."
        ),
        why_it_matters="The value is unknown, not zero.",
        what_to_do="Look at the individual rates of the groups to see which one is missing.",
        source=_REASON_SOURCE,
    ),
}

_VERDICT_SOURCE = "The organisation's policy file: its rules, bounds and severities"

_VERDICTS: dict[str, GlossaryEntry] = {
    "pass": GlossaryEntry(
        name="Pass",
        what_it_means="Every rule of the policy was checked and met.",
        why_it_matters=(
            "As far as this audit can tell, the campaign may go ahead under the policy."
        ),
        what_to_do=(
            "Keep this report with the campaign's records and re-run the audit when the "
            "model, the data or the policy changes."
        ),
        source=_VERDICT_SOURCE,
    ),
    "warn": GlossaryEntry(
        name="Warning",
        what_it_means=("No blocking rule was broken, but at least one rule raised a warning."),
        why_it_matters=(
            "The campaign may go ahead under the policy, but the warnings should be reviewed "
            "and their acceptance recorded by someone accountable."
        ),
        what_to_do="Read each warning below, decide, and record who accepted it and why.",
        source=_VERDICT_SOURCE,
    ),
    "fail": GlossaryEntry(
        name="Fail",
        what_it_means="At least one blocking rule of the policy was broken.",
        why_it_matters=(
            "The campaign should not launch as it is: some groups are treated in a way the "
            "policy does not allow."
        ),
        what_to_do=(
            "Fix the problems listed below and audit again, or obtain a documented exception "
            "from the policy owner."
        ),
        source=_VERDICT_SOURCE,
    ),
    "insufficient_evidence": GlossaryEntry(
        name="Insufficient evidence",
        what_it_means=(
            "Some rules could not be judged because the data is too thin: a number could not "
            "be calculated (for example a group where nobody responded) or a group is too "
            "small."
        ),
        why_it_matters=(
            "The audit cannot show that the campaign is fair for everyone; an unknown is "
            "never counted as a pass. Do not launch on the strength of this report alone."
        ),
        what_to_do=(
            "Collect more data for the groups named below, choose a different reference "
            "group, or have the policy owner review those groups by hand."
        ),
        source=_VERDICT_SOURCE,
    ),
}

_METHODS: dict[str, GlossaryEntry] = {
    "wilson": GlossaryEntry(
        name="Wilson score interval",
        what_it_means=(
            "The range shown next to a rate: the true rate lies in it with the report's "
            "confidence level (usually 95%). It stays sensible for small groups and for "
            "rates near 0% or 100%."
        ),
        why_it_matters=(
            "A wide range means the rate is uncertain; do not over-read small differences."
        ),
        what_to_do="Treat two groups as different only when the ranges of their gap exclude zero.",
        source="Wilson 1927, JASA 22:209-212",
    ),
    "newcombe": GlossaryEntry(
        name="Newcombe interval for a difference",
        what_it_means=(
            "The range shown next to a gap between two rates, built from the two groups' "
            "Wilson ranges."
        ),
        why_it_matters="If the range includes 0, the gap could be chance.",
        what_to_do="Focus on gaps whose whole range lies beyond the policy's bound.",
        source="Newcombe 1998, Statistics in Medicine 17:873-890 (method 10)",
    ),
    "katz_log": GlossaryEntry(
        name="Katz log interval for a ratio",
        what_it_means="The range shown next to a ratio of two rates, computed on the log scale.",
        why_it_matters="If the range includes 1, the two rates could be equal.",
        what_to_do="Focus on ratios whose whole range lies beyond the policy's bound.",
        source="Katz, Baptista, Azen & Pike 1978, Biometrics 34:469-474",
    ),
    "z": GlossaryEntry(
        name="Two-proportion z-test",
        what_it_means=(
            "The test behind the p-value: how surprising the observed gap would be if both "
            "groups truly had the same rate."
        ),
        why_it_matters="A small p-value (say below 0.05) means the gap is unlikely to be chance.",
        what_to_do="Use the Holm-adjusted p-value when many comparisons are made.",
        source="Pooled two-proportion z-test (Agresti 2013, Categorical Data Analysis, 3rd ed.)",
    ),
    "fisher": GlossaryEntry(
        name="Fisher's exact test",
        what_it_means=(
            "Used instead of the z-test when groups are small: it computes the p-value "
            "exactly rather than approximately."
        ),
        why_it_matters="It keeps p-values honest for small groups.",
        what_to_do="Read its p-value like any other.",
        source="Fisher 1922, JRSS 85:87-94; Agresti 2013, Categorical Data Analysis, 3rd ed.",
    ),
    "holm": GlossaryEntry(
        name="Holm-adjusted p-value",
        what_it_means=(
            "The p-value corrected for the number of comparisons in this audit. Making many "
            "comparisons makes some small p-values appear by chance; the adjustment removes "
            "that effect."
        ),
        why_it_matters="It prevents raising the alarm on gaps that are just noise.",
        what_to_do="Treat a gap as real when its Holm-adjusted p-value is small (say below 0.05).",
        source="Holm 1979, Scandinavian Journal of Statistics 6:65-70",
    ),
}

GROUP_METRIC_KEYS: tuple[str, ...] = (
    "share",
    "base_rate",
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "tnr",
    "ppv",
    "npv",
    "accuracy",
)
VERDICT_KEYS: tuple[str, ...] = ("pass", "warn", "fail", "insufficient_evidence")
METHOD_KEYS: tuple[str, ...] = tuple(_METHODS)


def _merge(*parts: dict[str, GlossaryEntry]) -> Mapping[str, GlossaryEntry]:
    merged: dict[str, GlossaryEntry] = {}
    for part in parts:
        for key, entry in part.items():
            if key in merged:
                raise RuntimeError(f"duplicate glossary key {key!r}")
            merged[key] = entry
    return MappingProxyType(merged)


def _area_entries() -> dict[str, GlossaryEntry]:
    from fairmark.report.glossary_areas import AREAS

    merged: dict[str, GlossaryEntry] = {}
    for area in AREAS:
        for key, fields in area.ENTRIES.items():
            if key in merged:
                raise RuntimeError(f"duplicate glossary key {key!r}")
            merged[key] = GlossaryEntry(**fields)  # type: ignore[arg-type]
    return merged


_GLOSSARY = _merge(_METRICS, _REASONS, _VERDICTS, _METHODS, _area_entries())


def glossary() -> Mapping[str, GlossaryEntry]:
    """Return the read-only mapping ``key -> GlossaryEntry`` of every entry.

    Returns
    -------
    Mapping of str to GlossaryEntry
        Metric keys, reason codes, verdicts and method names.
    """
    return _GLOSSARY


def glossary_entry(key: str) -> GlossaryEntry:
    """Return the plain-language entry for a metric key, reason code, verdict or method.

    Parameters
    ----------
    key : str
        E.g. ``"selection_rate"``, ``"disparate_impact"``, ``"no_positives"``,
        ``"insufficient_evidence"`` or ``"wilson"``.

    Returns
    -------
    GlossaryEntry

    Raises
    ------
    UsageError
        If ``key`` has no entry; the message suggests the nearest keys.
    """
    entry = _GLOSSARY.get(key)
    if entry is None:
        near = difflib.get_close_matches(str(key), list(_GLOSSARY), n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(near)}?"
            if near
            else "expected a metric key, reason code, verdict or method name"
        )
        raise UsageError(f"no glossary entry for {key!r}; {hint}")
    return entry
