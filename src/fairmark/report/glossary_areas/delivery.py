"""Plain-language glossary entries for the delivery checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).

Covers ad delivery and exposure (``fairmark delivery``), the representativeness of training
data (``fairmark representation``), the methods they name (``agresti_coull``,
``chi_square``) and the reason codes ``no_deliveries`` and ``not_in_reference``.
"""

_VRS = (
    "Meta 2023, Toward fairness in personalized ads (white paper on the Variance Reduction "
    "System); Timmaraju et al. 2023, arXiv:2306.03293; United States v. Meta Platforms, Inc. "
    "(S.D.N.Y., settlement agreement of June 2022)"
)
_ALI = (
    "Ali et al. 2019, Discrimination through optimization: how Facebook's ad delivery can "
    "lead to skewed outcomes, Proc. ACM CSCW 3:199"
)
_ISO = "ISO/IEC TR 24027:2021, Bias in AI systems and AI aided decision making"

ENTRIES: dict[str, dict[str, str]] = {
    # --- ad delivery ------------------------------------------------------------------------
    "delivery_skew": {
        "name": "Delivery skew (total variation distance)",
        "what_it_means": (
            "How far the people who actually saw the ad differ from the people who were "
            "eligible to see it: the share of the delivered audience that would have to move "
            "between groups for both to have the same make-up. 0 means the ad reached each "
            "group in proportion to its part of the eligible audience; 0.3 means 30% of the "
            "delivery would have to move."
        ),
        "why_it_matters": (
            "Ad platforms decide who sees an ad within the audience you target. Even with "
            "neutral targeting, a job, housing or credit ad can end up shown mostly to one "
            "gender or ethnic group. This is the measure Meta agreed to reduce for housing "
            "ads in its settlement with the US Department of Justice."
        ),
        "what_to_do": (
            "If the skew exceeds the policy's bound, look at which groups are under-reached "
            "(delivered share below eligible share), try a different creative or bidding "
            "strategy, split the budget by group, or use the platform's fairness controls, "
            "and audit again."
        ),
        "source": _VRS,
        "unit": "rate",
    },
    "eligible_share": {
        "name": "Share of the eligible audience",
        "what_it_means": (
            "The percentage of the people eligible to see the ad (your targeting) who belong "
            "to the group."
        ),
        "why_it_matters": "It is what a delivery that follows your targeting would look like.",
        "what_to_do": "Compare it with the group's share of the delivered audience.",
        "source": _VRS,
        "unit": "rate",
    },
    "delivered_share": {
        "name": "Share of the delivered audience",
        "what_it_means": (
            "The percentage of the ad's impressions (or of the people reached) that went to "
            "the group."
        ),
        "why_it_matters": "It is who actually saw the ad.",
        "what_to_do": "Compare it with the group's share of the eligible audience.",
        "source": _ALI,
        "unit": "rate",
    },
    "delivery_share_difference": {
        "name": "Delivered share minus eligible share",
        "what_it_means": (
            "The group's share of the delivered audience minus its share of the eligible "
            "audience, in percentage points. Negative: the group saw the ad less than its "
            "part of the targeting."
        ),
        "why_it_matters": (
            "It shows, group by group, who the delivery algorithm favoured and who it left out."
        ),
        "what_to_do": "Look first at groups with a large negative difference.",
        "source": _ALI,
        "unit": "difference",
    },
    "delivery_share_ratio": {
        "name": "Delivered share over eligible share",
        "what_it_means": (
            "The group's share of the delivered audience divided by its share of the eligible "
            "audience. 1 means in proportion; 0.5 means the group saw the ad half as much as "
            "its part of the targeting."
        ),
        "why_it_matters": "Read like the disparate impact ratio: well below 1 is under-delivery.",
        "what_to_do": "Investigate groups far below 1; see the delivery skew for the whole ad.",
        "source": _ALI,
        "unit": "ratio",
    },
    "paired_ad_share_difference": {
        "name": "Difference in delivered share between two paired ads",
        "what_it_means": (
            "For two ads with the same targeting but a different creative, the group's "
            "delivered share under the first ad minus under the second, with a 95% range and "
            "a two-proportion test."
        ),
        "why_it_matters": (
            "Since the targeting is the same, a difference comes from the creative and the "
            "platform's delivery choices, not from who was targeted."
        ),
        "what_to_do": (
            "If the difference is large and its range excludes 0, reconsider the creative or "
            "ask the platform how delivery is optimised."
        ),
        "source": (
            "Imana, Korolova & Heidemann 2021, Auditing for discrimination in algorithms "
            f"delivering job ads, WWW '21; {_ALI}"
        ),
        "unit": "difference",
    },
    "agresti_coull": {
        "name": "Agresti-Coull interval",
        "what_it_means": (
            "A range for a percentage that adds two successes and two failures (at 95%) "
            "before computing the usual range. It is slightly wider than the Wilson range and "
            "simple to check by hand."
        ),
        "why_it_matters": "It keeps ranges honest for small counts and percentages near 0 or 100%.",
        "what_to_do": "Read it like the Wilson range.",
        "source": (
            "Agresti & Coull 1998, Approximate is better than exact for interval estimation "
            "of binomial proportions, The American Statistician 52:119-126"
        ),
    },
    "chi_square": {
        "name": "Chi-square test of delivery against targeting",
        "what_it_means": (
            "The p-value shown with the delivery skew: how surprising the delivered make-up "
            "would be if the ad were shown to each group in proportion to the eligible "
            "audience."
        ),
        "why_it_matters": (
            "A small p-value means the skew is unlikely to be chance. With impressions the "
            "same person can count many times, so the test is then too optimistic; prefer "
            "the unique-reach view."
        ),
        "what_to_do": "Treat skew with a p-value above 0.05 as possibly chance.",
        "source": "Pearson 1900, Philosophical Magazine 50:157-175 (goodness-of-fit test)",
    },
    # --- representativeness of training data ----------------------------------------------
    "representation_ratio": {
        "name": "Representation ratio of the training data",
        "what_it_means": (
            "A group's share of the training data divided by its share of the reference "
            "population (for example census figures). 1 means represented in proportion; "
            "0.5 means the group is half as common in the data as in the population."
        ),
        "why_it_matters": (
            "A model learns little about groups that are rare in its training data, so its "
            "scores for them are less reliable, and campaigns built on it can miss them."
        ),
        "what_to_do": (
            "For groups below the policy's bound, collect more data about them, re-weight "
            "the training data, or check the model's accuracy for them separately before "
            "use."
        ),
        "source": f"{_ISO}; Suresh & Guttag 2021, A framework for understanding sources of harm",
        "unit": "ratio",
    },
    "observed_share": {
        "name": "Share of the training data",
        "what_it_means": "The percentage of the training rows that belong to the group.",
        "why_it_matters": "It is compared with the group's share of the reference population.",
        "what_to_do": "See the representation ratio.",
        "source": f"{_ISO}; Wilson 1927, JASA 22:209-212 (interval)",
        "unit": "rate",
    },
    "reference_share": {
        "name": "Share of the reference population",
        "what_it_means": (
            "The group's share of the population the model is meant to serve, as given in "
            "the reference file (for example census margins)."
        ),
        "why_it_matters": "It is the yardstick for how common the group should be in the data.",
        "what_to_do": "Make sure the reference describes the population the model is used on.",
        "source": _ISO,
        "unit": "rate",
    },
    # --- reasons ------------------------------------------------------------------------------
    "no_deliveries": {
        "name": "the ad was shown to nobody",
        "what_it_means": (
            "The ad has no impressions (or reached nobody), so the make-up of its delivered "
            "audience cannot be calculated."
        ),
        "why_it_matters": "Its delivery skew is unknown, not zero.",
        "what_to_do": "Check that the delivery data covers this ad, or leave the ad out.",
        "source": "fairmark reason codes: undefined is never zero",
    },
    "not_in_reference": {
        "name": "group missing from the reference population",
        "what_it_means": (
            "The group occurs in the data but the reference file gives no share for it, so "
            "its representation cannot be judged."
        ),
        "why_it_matters": "Its representation is unknown, not fine.",
        "what_to_do": (
            "Add the group's share to the reference file, or merge it with a group the "
            "reference describes (after checking the labels match)."
        ),
        "source": "fairmark reason codes: undefined is never zero",
    },
}
