"""Plain-language glossary entries for the mitigation checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "list_size": {
        "name": "People on the list",
        "what_it_means": (
            "How many people the model selects: the number of customers who would get the "
            "call, the offer or the ad."
        ),
        "why_it_matters": (
            "A fairer list is only comparable with the original if it is about the same "
            "size: a smaller list costs less but also reaches fewer customers, a larger one "
            "the opposite."
        ),
        "what_to_do": (
            "Check that the list before and after the fix are of similar size before "
            "comparing their conversions; fix the list size (a share of the pool) if they "
            "differ much."
        ),
        "source": (
            "Top-k targeting in direct marketing (Moro, Cortez & Rita 2014, Decision "
            "Support Systems 62:22-31)"
        ),
        "unit": "count",
    },
    "expected_conversions": {
        "name": "Expected conversions in the list",
        "what_it_means": (
            "How many of the selected people actually converted (bought, subscribed, "
            "responded) in the evaluation data: the number of successes the list would have "
            "brought."
        ),
        "why_it_matters": (
            "This is the business value of the list. A fairness fix usually moves some "
            "places on the list from one group to another; this number shows what that costs "
            "or gains in sales."
        ),
        "what_to_do": (
            "Compare it before and after the fix, together with the fairness numbers: a "
            "small loss of conversions for a large gain in fairness is usually a good trade, "
            "and should be recorded as a decision."
        ),
        "source": (
            "True positives of the selection (Fawcett 2006, An introduction to ROC analysis, "
            "Pattern Recognition Letters 27:861-874)"
        ),
        "unit": "count",
    },
    "list_conversion_rate": {
        "name": "Conversion rate of the list",
        "what_it_means": (
            "The percentage of the selected people who converted: conversions divided by "
            "the number of people on the list (also called precision)."
        ),
        "why_it_matters": (
            "It tells how well the campaign budget is spent: every call or offer to someone "
            "who does not convert has a cost, and a fairness fix can raise or lower this "
            "rate."
        ),
        "what_to_do": (
            "If the rate drops a lot after the fix, look at which groups gained places and "
            "whether a better model (more data about those groups) could keep the rate up."
        ),
        "source": (
            "Positive predictive value (Fawcett 2006, An introduction to ROC analysis, "
            "Pattern Recognition Letters 27:861-874)"
        ),
        "unit": "rate",
    },
    "disparate_impact_min": {
        "name": "Lowest disparate impact",
        "what_it_means": (
            "For the group selected least often compared with the reference group: its "
            "selection rate divided by the reference group's. 1 means equal; 0.5 means the "
            "group is selected half as often."
        ),
        "why_it_matters": (
            "It summarises the worst-treated group in one number. Below 0.8 (the "
            "four-fifths rule) regulators and courts treat a selection as evidence of "
            "adverse impact on that group, whoever was meant to be targeted."
        ),
        "what_to_do": (
            "If it is below 0.8 before the fix, check that it rises above 0.8 after; if it "
            "stays low, try another method or constraint, or review the features that drive "
            "the gap."
        ),
        "source": (
            "US EEOC Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D) "
            "(four-fifths rule); Feldman et al. 2015, KDD"
        ),
        "unit": "ratio",
    },
}
