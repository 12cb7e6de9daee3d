"""Plain-language glossary entries for re-identification risk and differentially private releases.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

_SWEENEY = (
    "Samarati & Sweeney 1998, Protecting privacy when disclosing information, SRI-CSL-98-04; "
    "Sweeney 2002, k-anonymity: a model for protecting privacy, IJUFKS 10(5):557-570"
)
_L_DIVERSITY = (
    "Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam, l-Diversity: Privacy beyond "
    "k-anonymity, ICDE 2006 and ACM TKDD 1(1), 2007"
)

ENTRIES: dict[str, dict[str, str]] = {
    "k_anonymity": {
        "name": "k-anonymity",
        "what_it_means": (
            "The size of the smallest group of customers who look exactly alike on the "
            "columns someone could know from elsewhere (the quasi-identifiers: age, sex, "
            "postcode, birth date …). A k of 1 means at least one customer is the only one "
            "with their combination; a k of 10 means every combination is shared by at "
            "least 10 customers."
        ),
        "why_it_matters": (
            "Removing names and e-mail addresses does not make a file anonymous. A "
            "neighbour, a colleague or another data set that knows a person's age, sex and "
            "postcode can find that person's row when the combination is rare, and learn "
            "everything else in it: purchases, scores, segments. Sharing such a file with "
            "an agency or a data partner can then be a disclosure of personal data "
            "(GDPR Art. 4(1), Recital 26)."
        ),
        "what_to_do": (
            "Before sharing, make the quasi-identifiers coarser until k reaches the policy's "
            "value: age bands instead of exact ages, the first part of the postcode, the "
            "year instead of the date, or leave a column out. fairmark lists such changes "
            "with the k each one reaches. If the file does not need to be row-level, share "
            "counts instead (differentially private if they are published)."
        ),
        "source": _SWEENEY,
        "unit": "count",
    },
    "quasi_identifier": {
        "name": "Quasi-identifier",
        "what_it_means": (
            "A column that does not name anyone on its own but, combined with others, can "
            "single a person out: age, sex, postcode, birth date, job title, nationality."
        ),
        "why_it_matters": (
            "About 87% of US residents were unique on 5-digit ZIP code, sex and date of "
            "birth alone in the 1990 census, so these three columns together act like a "
            "name."
        ),
        "what_to_do": (
            "List every column an outsider could plausibly know or look up, and measure "
            "k-anonymity over all of them together, not one at a time."
        ),
        "source": (
            "Sweeney 2000, Simple demographics often identify people uniquely, Carnegie "
            "Mellon University, Data Privacy Working Paper 3; ISO/IEC 20889:2018 §3.28"
        ),
        "unit": "none",
    },
    "equivalence_class": {
        "name": "Equivalence class",
        "what_it_means": (
            "All the customers who share the same values on every quasi-identifier, for "
            "example everyone aged 34, female, in postcode district SW1A. A missing value "
            "counts as a value of its own."
        ),
        "why_it_matters": (
            "Someone who knows a person's quasi-identifiers can narrow them down to their "
            "class but not further: the smaller the class, the more certain the match."
        ),
        "what_to_do": (
            "Look at the class-size histogram: many classes of size 1 or 2 mean the "
            "columns identify people; generalise or drop quasi-identifiers until the "
            "smallest class reaches k."
        ),
        "source": _SWEENEY,
        "unit": "count",
    },
    "records_below_k": {
        "name": "Records below k",
        "what_it_means": (
            "How many customers (and what share of the file) are in a group of look-alikes "
            "smaller than the required k, so they are easier to re-identify than the "
            "policy allows."
        ),
        "why_it_matters": (
            "It tells how big the problem is: a k of 1 can come from a single unusual "
            "customer or from half the file. The first is fixed by a small change or by "
            "leaving a few rows out; the second needs coarser columns."
        ),
        "what_to_do": (
            "When the share is small, consider suppressing those rows (documenting it); "
            "when it is large, apply one of the suggested generalisations and measure "
            "again."
        ),
        "source": (
            "Sweeney 2002, Achieving k-anonymity privacy protection using generalization and "
            "suppression, IJUFKS 10(5):571-588 (suppression of outliers)"
        ),
        "unit": "count",
    },
    "l_diversity": {
        "name": "l-diversity",
        "what_it_means": (
            "Inside each group of look-alike customers, how many different values a "
            "sensitive column takes (distinct l-diversity), or how evenly they are spread "
            "(entropy l-diversity, as an equivalent number of equally common values). An l "
            "of 1 means some group all share the same sensitive value."
        ),
        "why_it_matters": (
            "k-anonymity hides who is who, not what they have in common. If all ten "
            "customers aged 60-64 in one postcode area are in the 'debt collection' segment, "
            "anyone who knows a neighbour is among them learns the segment without finding "
            "the row (the homogeneity attack)."
        ),
        "what_to_do": (
            "When l is 1 or 2, coarsen the quasi-identifiers further so that groups mix "
            "sensitive values, or release the sensitive column only in aggregate."
        ),
        "source": _L_DIVERSITY,
        "unit": "count",
    },
    "homogeneous_class": {
        "name": "Homogeneous class",
        "what_it_means": (
            "A group of look-alike customers who all share the same value of the sensitive column."
        ),
        "why_it_matters": (
            "Knowing that a person belongs to the group is enough to know their sensitive "
            "value, however large the group is."
        ),
        "what_to_do": (
            "Generalise the quasi-identifiers so that these groups merge with others, or do "
            "not release the sensitive column at row level."
        ),
        "source": _L_DIVERSITY + ", §3.1",
        "unit": "count",
    },
    "generalisation": {
        "name": "Generalisation",
        "what_it_means": (
            "Replacing a precise value with a coarser one: an age with a 5- or 10-year band, "
            "a full postcode with its first part, a date with its month or year, a rare "
            "category with 'other', or leaving the column out."
        ),
        "why_it_matters": (
            "It makes more customers look alike, which raises k, at the cost of detail the "
            "recipient may need. fairmark measures every suggestion on the real data, so the "
            "trade-off is visible before anything is shared."
        ),
        "what_to_do": (
            "Pick the first suggestion that reaches k and keeps the detail the purpose "
            "needs; apply it in the export, then run the measurement again on the file you "
            "will actually share."
        ),
        "source": (
            "Samarati 2001, Protecting respondents' identities in microdata release, IEEE "
            "TKDE 13(6):1010-1027; HIPAA Safe Harbor, 45 CFR 164.514(b)(2) (3-digit ZIP, "
            "year only)"
        ),
        "unit": "none",
    },
    "differential_privacy": {
        "name": "Differential privacy",
        "what_it_means": (
            "A guarantee about published numbers: they would look almost the same whether "
            "or not any one customer were in the data, because calibrated random noise is "
            "added. How close 'almost the same' is is set by the privacy budget epsilon."
        ),
        "why_it_matters": (
            "Exact counts can be combined or compared over time to reveal individuals "
            "(differencing). With differential privacy no combination of releases reveals "
            "more than the total budget spent, whatever else the reader knows."
        ),
        "what_to_do": (
            "Use it for counts that leave the organisation (partner reports, public "
            "dashboards, clean-room outputs). Decide a total epsilon per data set and "
            "period, and keep a record of each release against it."
        ),
        "source": (
            "Dwork, McSherry, Nissim & Smith 2006, Calibrating noise to sensitivity in "
            "private data analysis, TCC; Dwork & Roth 2014, The Algorithmic Foundations of "
            "Differential Privacy"
        ),
        "unit": "none",
    },
    "dp_epsilon": {
        "name": "Privacy budget (epsilon)",
        "what_it_means": (
            "The number that sets how much any one customer can change the published "
            "numbers: smaller epsilon means more noise and stronger privacy. Epsilon 1 "
            "means the chance of any output changes by at most a factor of e (about 2.7) "
            "when one person is added or removed."
        ),
        "why_it_matters": (
            "It is the price of each release. Budgets add up over releases of the same "
            "data, so many small releases can cost as much as one precise one."
        ),
        "what_to_do": (
            "Common practice is an epsilon between 0.1 and a few units per release. Read "
            "the confidence interval next to each count: if it is too wide for the decision, "
            "release fewer groups (coarser categories) rather than raising epsilon."
        ),
        "source": "Dwork & Roth 2014, The Algorithmic Foundations of Differential Privacy, §2.3",
        "unit": "ratio",
    },
    "dp_delta": {
        "name": "Delta (failure probability)",
        "what_it_means": (
            "For Gaussian noise, the small probability that the epsilon guarantee does not "
            "hold. It should be far smaller than one divided by the number of customers, "
            "for example one in a million."
        ),
        "why_it_matters": (
            "A delta close to one over the number of customers would allow releasing one "
            "person's data outright."
        ),
        "what_to_do": (
            "Keep delta at 1e-6 or smaller, or use the Laplace mechanism, which needs none."
        ),
        "source": "Dwork & Roth 2014, The Algorithmic Foundations of Differential Privacy, §2.3",
        "unit": "ratio",
    },
    "dp_mechanism": {
        "name": "Noise mechanism (Laplace or Gaussian)",
        "what_it_means": (
            "How the random noise is drawn. Laplace noise gives pure epsilon-differential "
            "privacy and is the usual choice for a single table of counts; Gaussian noise "
            "needs a delta, has lighter tails and adds up better over many releases. fairmark "
            "uses the whole-number versions of both (OpenDP), so released counts stay whole "
            "numbers."
        ),
        "why_it_matters": (
            "The mechanism decides how wide the confidence intervals are for a given budget "
            "and how the budget of repeated releases adds up."
        ),
        "what_to_do": (
            "Use Laplace unless you publish many related tables; then consider Gaussian and "
            "account the budget with zero-concentrated DP."
        ),
        "source": (
            "Ghosh, Roughgarden & Sundararajan 2012, SIAM J. Comput. 41(6) (discrete "
            "Laplace); Canonne, Kamath & Steinke 2020, The discrete Gaussian for differential "
            "privacy, NeurIPS; Bun & Steinke 2016, TCC (zCDP); OpenDP library"
        ),
        "unit": "none",
    },
    "dp_confidence_interval": {
        "name": "Noise-aware confidence interval",
        "what_it_means": (
            "The range that contains the true count with the stated probability (for "
            "example 95%), given only the known noise distribution. It is the same width "
            "for every group and is computed without looking at the data, so it costs no "
            "privacy."
        ),
        "why_it_matters": (
            "A noisy count on its own can mislead: a group of 3 may be published as 0 or 7. "
            "The interval shows which differences between groups are real and which are "
            "noise."
        ),
        "what_to_do": (
            "Only draw conclusions from differences larger than the intervals. If they are "
            "too wide, merge groups or spend more budget on fewer numbers."
        ),
        "source": "OpenDP accuracy functions (discrete_laplacian_scale_to_accuracy, "
        "discrete_gaussian_scale_to_accuracy); Dwork & Roth 2014, Theorem 3.8",
        "unit": "count",
    },
    "dp_keys": {
        "name": "Public group list (keys)",
        "what_it_means": (
            "The list of all groups a differentially private table may contain (every "
            "region, every age band), fixed before looking at the data. Every listed group "
            "is published, even when nobody in the data belongs to it."
        ),
        "why_it_matters": (
            "If only the groups found in the data are published, the list itself can give "
            "someone away: a row for a tiny village shows that someone from there is in the "
            "file, whatever noise is added to its count."
        ),
        "what_to_do": (
            "Pass the full list of possible groups (--keys). Without it, fairmark says that "
            "the list of groups is not protected."
        ),
        "source": (
            "Desfontaines, Voss, Gipson & Mandayam 2022, Differentially private partition "
            "selection, PoPETs 2022(1); Dwork & Roth 2014, §3.3"
        ),
        "unit": "none",
    },
}
