"""Plain-language glossary entries for the outcomes checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).

Covers the numeric-outcome metrics of ``outcome_metrics[]`` (offer values, discounts,
prices, credit limits), their two checks, the interval methods they name (``student_t``,
``welch``, ``delta_log``) and the reason codes ``no_outcome_values`` and ``zero_total``.
"""

_WELCH = "Welch 1947, Biometrika 34:28-35"

ENTRIES: dict[str, dict[str, str]] = {
    # --- checks -----------------------------------------------------------------------
    "mean_outcome_ratio": {
        "name": "Average offer ratio to the reference group",
        "what_it_means": (
            "A group's average outcome (for example its average discount or credit limit) "
            "divided by the reference group's. 1 means both get the same on average; 0.8 "
            "means the group gets 80% of what the reference group gets."
        ),
        "why_it_matters": (
            "A campaign can contact every group equally often and still give one group "
            "smaller discounts, lower limits or higher prices. This ratio shows that gap in "
            "the value people actually receive."
        ),
        "what_to_do": (
            "If the ratio is below the policy's bound, find what drives the offer size "
            "(tenure, channel, postcode, predicted value) and check that none of it stands in "
            "for group membership. For prices, where more is worse, give the policy rule a "
            "maximum as well, for example 1.25."
        ),
        "source": (
            "US EEOC Uniform Guidelines, 29 CFR 1607.4(D) (the four-fifths rule, here applied "
            "to average values); delta-method interval: Casella & Berger 2002, Statistical "
            "Inference, 5.5.4"
        ),
        "unit": "ratio",
    },
    "value_share_gap": {
        "name": "Gap between share of value and share of customers",
        "what_it_means": (
            "The group's share of all the value handed out (discounts, credit, offer value) "
            "minus its share of the customers, in percentage points. 0 means the group gets "
            "value in proportion to its size; -5 points means five points less than its size."
        ),
        "why_it_matters": (
            "It shows who the budget actually goes to. A group that is 30% of the customers "
            "but receives 20% of the discounts is under-served, even if no single offer looks "
            "unfair."
        ),
        "what_to_do": (
            "Investigate groups below the policy's bound: are they offered cheaper products, "
            "smaller amounts, or fewer offers? Read it with the average offer ratio."
        ),
        "source": (
            "Lorenz 1905, Methods of measuring the concentration of wealth, Publications of "
            "the American Statistical Association 9:209-219 (share of value against share of "
            "population)"
        ),
        "unit": "difference",
    },
    # --- per-group metrics ---------------------------------------------------------------
    "outcome_n": {
        "name": "Customers with an outcome value",
        "what_it_means": "How many people of the group have a value of the audited outcome.",
        "why_it_matters": (
            "Averages and shares are computed over these people only; a small number makes "
            "them uncertain."
        ),
        "what_to_do": "Compare it with the group's size and with the number of missing values.",
        "source": "Descriptive count; small-cell rule of official statistics (Eurostat 2010)",
        "unit": "count",
    },
    "outcome_n_missing": {
        "name": "Customers without an outcome value",
        "what_it_means": (
            "How many people of the group have no value of the audited outcome (empty or "
            "not a number). They are counted here, never silently dropped."
        ),
        "why_it_matters": (
            "If one group has many more missing values, its average may describe only part "
            "of the group, and 'missing' may hide 'no offer made'."
        ),
        "what_to_do": (
            "Find out what a missing value means in your data. If it means 'no offer', "
            "record it as 0 and audit again."
        ),
        "source": "Little & Rubin 2019, Statistical Analysis with Missing Data, 3rd ed.",
        "unit": "count",
    },
    "outcome_mean": {
        "name": "Average outcome",
        "what_it_means": (
            "The group's average value of the outcome (for example the average discount in "
            "euros or the average credit limit), with a 95% range."
        ),
        "why_it_matters": "It is what a typical member of the group receives on average.",
        "what_to_do": "Compare groups with the average offer ratio and the difference below.",
        "source": "Arithmetic mean; Student 1908, Biometrika 6:1-25 (t interval)",
        "unit": "none",
    },
    "outcome_median": {
        "name": "Median outcome (approximate)",
        "what_it_means": (
            "The middle value of the group: half the group receives less, half more. It is "
            "computed approximately by the data engine (t-digest), so it can differ slightly "
            "from an exact median."
        ),
        "why_it_matters": (
            "Unlike the average, a few very large offers do not move it; a gap in medians "
            "means the typical customer of one group gets less."
        ),
        "what_to_do": (
            "Read it with the average; if they disagree, a few large values drive the average."
        ),
        "source": "Dunning & Ertl 2019, Computing extremely accurate quantiles using t-digests",
        "unit": "none",
    },
    "outcome_total": {
        "name": "Total outcome value",
        "what_it_means": "The sum of the outcome over the group (for example all discounts given).",
        "why_it_matters": "It is the budget the group actually received.",
        "what_to_do": "See the group's share of the total value and the gap to its size.",
        "source": "Descriptive total; Lorenz 1905 (shares of a total)",
        "unit": "none",
    },
    "population_share": {
        "name": "Share of the customers",
        "what_it_means": (
            "The percentage of the customers with an outcome value who belong to the group."
        ),
        "why_it_matters": "It is the yardstick the group's share of the value is compared with.",
        "what_to_do": "Compare it with the group's share of the value.",
        "source": "Descriptive share; Wilson 1927, JASA 22:209-212 (interval)",
        "unit": "rate",
    },
    "value_share": {
        "name": "Share of the total value",
        "what_it_means": "The percentage of all the value handed out that went to the group.",
        "why_it_matters": (
            "Set against the group's share of the customers it shows whether the group gets "
            "its proportional part of the budget."
        ),
        "what_to_do": "See the gap between share of value and share of customers.",
        "source": "Lorenz 1905 (share of value against share of population)",
        "unit": "rate",
    },
    "mean_outcome_difference": {
        "name": "Difference in average outcome from the reference group",
        "what_it_means": (
            "The group's average outcome minus the reference group's, in the outcome's own "
            "units (euros, percentage points, months), with a 95% range."
        ),
        "why_it_matters": (
            "It says how much more or less a member of the group receives on average. If the "
            "range includes 0, the difference could be chance."
        ),
        "what_to_do": (
            "Focus on differences whose whole range is away from 0, and use the "
            "Holm-adjusted p-value when many groups are compared."
        ),
        "source": f"{_WELCH} (unequal-variance t interval and test)",
        "unit": "none",
    },
    # --- methods --------------------------------------------------------------------------
    "student_t": {
        "name": "Student t interval for an average",
        "what_it_means": (
            "The range shown next to an average: the true average lies in it with the "
            "report's confidence level, given the spread of the values and the group's size."
        ),
        "why_it_matters": "A wide range means the average is uncertain.",
        "what_to_do": "Do not read much into differences between overlapping ranges.",
        "source": "Student 1908, The probable error of a mean, Biometrika 6:1-25",
    },
    "welch": {
        "name": "Welch interval and test for a difference of averages",
        "what_it_means": (
            "The range and p-value shown next to a difference of two averages. It allows the "
            "two groups' values to be spread differently (Welch-Satterthwaite degrees of "
            "freedom)."
        ),
        "why_it_matters": "If the range includes 0, the two averages could be equal.",
        "what_to_do": "Treat the gap as real only when the whole range lies on one side of 0.",
        "source": f"{_WELCH}; Satterthwaite 1946, Biometrics Bulletin 2:110-114",
    },
    "delta_log": {
        "name": "Delta-method interval for a ratio of averages",
        "what_it_means": (
            "The range shown next to a ratio of two averages, computed on the log scale from "
            "the standard errors of both averages. It exists when both averages are positive."
        ),
        "why_it_matters": "If the range includes 1, the two averages could be equal.",
        "what_to_do": "Focus on ratios whose whole range lies beyond the policy's bound.",
        "source": "Casella & Berger 2002, Statistical Inference, 2nd ed., 5.5.4",
    },
    # --- reasons ----------------------------------------------------------------------------
    "no_outcome_values": {
        "name": "no outcome values in the group",
        "what_it_means": (
            "Every member of the group has a missing value of the audited outcome, so its "
            "average, median and shares cannot be calculated."
        ),
        "why_it_matters": "The value the group receives is unknown, not zero.",
        "what_to_do": (
            "Check how the outcome is recorded for this group; if missing means 'no offer', "
            "record 0 instead."
        ),
        "source": "fairmark reason codes: undefined is never zero",
    },
    "zero_total": {
        "name": "the total value is zero",
        "what_it_means": (
            "The outcome values of all groups add up to zero, so no group can have a share "
            "of the total."
        ),
        "why_it_matters": "Shares of value cannot be compared; they are unknown, not zero.",
        "what_to_do": (
            "Check the outcome column: a share of value makes sense for amounts that are zero "
            "or positive, such as discounts or credit limits."
        ),
        "source": "fairmark reason codes: undefined is never zero",
    },
}
