"""Plain-language glossary entries for the scores checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).

Covers the metrics of ``score_metrics[]`` (``roc_auc``, ``ece``, ``missing_scores``,
``ks``, ``wasserstein``, ``selection_rate_at``, ``disparate_impact_at``), the two checks
(``auc_difference``, ``calibration_difference``), the ``delong`` interval method and the
reason code ``single_class``.
"""

_BORKAN = (
    "Borkan et al. 2019, Nuanced Metrics for Measuring Unintended Bias with Real Data for "
    "Text Classification (subgroup AUC)"
)
_KLEINBERG = (
    "Kleinberg, Mullainathan & Raghavan 2017, Inherent Trade-Offs in the Fair Determination "
    "of Risk Scores (calibration within groups)"
)
_NAEINI = "Naeini, Cooper & Hauskrecht 2015, AAAI 29:2901-2907 (expected calibration error)"

ENTRIES: dict[str, dict[str, str]] = {
    # --- checks -----------------------------------------------------------------------
    "auc_difference": {
        "name": "Gap in how well the score ranks customers, between groups",
        "what_it_means": (
            "The highest ROC AUC among the groups of a feature minus the lowest. The AUC says "
            "how well the score puts customers who respond above those who do not (1 is "
            "perfect, 0.5 is guessing). A gap of 0.05 means the score sorts one group "
            "noticeably worse than another. The report says how many groups the gap covers "
            "and which groups were left out and why."
        ),
        "why_it_matters": (
            "When the score ranks one group worse, the call list or the offer picks the "
            "wrong people in that group more often: interested customers are skipped and "
            "uninterested ones are contacted, even if every group is selected equally often."
        ),
        "what_to_do": (
            "If the gap exceeds the policy's bound, look at the group with the lowest AUC: "
            "the model usually has too little or poorer data about it. Collect more, add "
            "features that describe that group's customers well, or train and check the "
            "model for that group separately."
        ),
        "source": f"{_BORKAN}; DeLong, DeLong & Clarke-Pearson 1988, Biometrics 44:837-845",
        "unit": "difference",
    },
    "calibration_difference": {
        "name": "Gap in how trustworthy the score is, between groups",
        "what_it_means": (
            "The highest expected calibration error among the groups of a feature minus the "
            "lowest, in percentage points. A calibrated score means what it says: of the "
            "customers scored 30%, about 30% respond. A gap means the score says more (or "
            "less) than it should for some groups. The report says how many groups it covers."
        ),
        "why_it_matters": (
            "A score that overstates one group's chances and understates another's leads to "
            "budgets, discounts or credit limits that are set wrongly for a whole group, "
            "even when the same cut-off is used for everybody."
        ),
        "what_to_do": (
            "Look at the reliability curves of the two groups shown. If one group's curve is "
            "far from the diagonal, recalibrate the score (for example with isotonic or "
            "Platt scaling) on recent data that includes enough of that group."
        ),
        "source": f"{_KLEINBERG}; {_NAEINI}",
        "unit": "difference",
    },
    # --- per-group metrics ------------------------------------------------------------
    "roc_auc": {
        "name": "ROC AUC (how well the score ranks the group)",
        "what_it_means": (
            "The chance that a customer of the group who responded got a higher score than "
            "one who did not. 1 is a perfect ranking, 0.5 is no better than chance. It is "
            "computed from at least 1,000 narrow score bands; the report gives the largest "
            "possible error from that banding (usually far smaller in practice)."
        ),
        "why_it_matters": (
            "The call list or offer goes to the top of the ranking. A group with a lower AUC "
            "gets a worse-ordered list: more of its interested customers are missed."
        ),
        "what_to_do": (
            "Compare the groups' AUCs (see the AUC gap). A group whose AUC cannot be "
            "calculated has only responders or only non-responders in the data."
        ),
        "source": (
            "Hanley & McNeil 1982, Radiology 143:29-36; Bamber 1975 (AUC = Mann-Whitney "
            "statistic); scikit-learn roc_auc_score"
        ),
        "unit": "ratio",
    },
    "ece": {
        "name": "Expected calibration error",
        "what_it_means": (
            "How far the score's stated chances are from what actually happened in the "
            "group, on average: customers are put in ten score bands (0-10%, 10-20% …) and "
            "in each band the average score is compared with the share who responded; the "
            "gaps are averaged, weighted by how many customers are in each band. 0 means "
            "the score is exactly right on average in every band."
        ),
        "why_it_matters": (
            "Scores are often read as probabilities to set budgets, expected revenue or "
            "credit limits. A large error for a group means those decisions are based on "
            "wrong numbers for that group."
        ),
        "what_to_do": (
            "Look at the group's reliability curve to see in which score bands the score "
            "is too high or too low, and recalibrate the model if needed."
        ),
        "source": f"{_NAEINI}; scikit-learn calibration_curve",
        "unit": "difference",
    },
    "missing_scores": {
        "name": "Customers without a score",
        "what_it_means": (
            "How many customers of the group have no score (an empty or not-a-number "
            "value). They are left out of every score measure, and counted here so that "
            "nobody disappears silently."
        ),
        "why_it_matters": (
            "If one group is missing scores much more often, the model may fail on that "
            "group's data (for example missing fields), and those customers may never be "
            "considered for the offer."
        ),
        "what_to_do": (
            "Find out why the scores are missing. If the scoring fails for a group's typical "
            "data, fix the pipeline before using the score."
        ),
        "source": "Data-quality reporting; ISO/IEC 25012:2008 (completeness)",
        "unit": "count",
    },
    "ks": {
        "name": "Score distribution gap (Kolmogorov-Smirnov)",
        "what_it_means": (
            "The largest difference, at any score, between the share of the group and the "
            "share of the reference group scoring below it. 0 means both groups' scores are "
            "spread the same way; 0.2 means that at some cut-off 20 percentage points more of "
            "one group falls below it."
        ),
        "why_it_matters": (
            "Whatever cut-off is chosen, a large gap means one group is systematically "
            "scored lower, so it is selected less often."
        ),
        "what_to_do": (
            "Read it with the selection rates at the cut-offs. If a group scores lower, check "
            "whether its actual response rate is lower too, or whether the score is "
            "understating it (see calibration)."
        ),
        "source": "Kolmogorov 1933; Smirnov 1948; scipy.stats.ks_2samp",
        "unit": "difference",
    },
    "wasserstein": {
        "name": "Score distribution distance (Wasserstein)",
        "what_it_means": (
            "How far, on average, the group's scores would have to move to look like the "
            "reference group's scores, in score units (for probabilities: 0.05 means five "
            "percentage points on average)."
        ),
        "why_it_matters": (
            "Unlike the Kolmogorov-Smirnov gap, it also says how big the shift is: a small "
            "shift matters little, a large one moves many people across any cut-off."
        ),
        "what_to_do": (
            "Treat a large distance like a large score gap: check whether the group truly "
            "responds less, or whether the score is biased against it."
        ),
        "source": "Villani 2009, Optimal Transport (Wasserstein-1 distance); "
        "scipy.stats.wasserstein_distance",
        "unit": "ratio",
    },
    "selection_rate_at": {
        "name": "Selection rate at a score cut-off",
        "what_it_means": (
            "The percentage of the group that would be selected if everybody scoring at least "
            "the cut-off were picked. Cut-offs are the top 10%, 20% and 30% of all scored "
            "customers and any thresholds asked for; the report shows the actual share "
            "selected overall at each cut-off."
        ),
        "why_it_matters": (
            "The cut-off is a business choice. Seeing selection rates at several cut-offs "
            "shows whether a group is left out however big the campaign is, or only at some "
            "sizes."
        ),
        "what_to_do": (
            "Compare groups at the cut-off you plan to use and at the neighbouring ones (see "
            "the disparate impact at each cut-off)."
        ),
        "source": "US EEOC Uniform Guidelines, 29 CFR 1607.4(D); Wilson 1927 (interval)",
        "unit": "rate",
    },
    "disparate_impact_at": {
        "name": "Disparate impact ratio at a score cut-off",
        "what_it_means": (
            "At a given cut-off, the group's selection rate divided by the reference "
            "group's. 1 means equal; below 0.8 fails the four-fifths rule."
        ),
        "why_it_matters": (
            "A model can pass the four-fifths rule at one campaign size and fail it at "
            "another; this shows where."
        ),
        "what_to_do": (
            "If the ratio drops below 0.8 at the cut-off you plan to use, treat it like a "
            "low disparate impact ratio: investigate before launch."
        ),
        "source": (
            "US EEOC Uniform Guidelines, 29 CFR 1607.4(D) (four-fifths rule); Katz et al. "
            "1978, Biometrics 34:469-474 (interval)"
        ),
        "unit": "ratio",
    },
    # --- methods and reasons ------------------------------------------------------------
    "delong": {
        "name": "DeLong interval for an AUC",
        "what_it_means": (
            "The range shown next to an AUC or an AUC gap: the true value lies in it with "
            "the report's confidence level. It is computed from how each responder ranks "
            "against the non-responders and vice versa."
        ),
        "why_it_matters": "A wide range means the AUC of a small group is uncertain.",
        "what_to_do": "Treat an AUC gap as real only when its range excludes zero.",
        "source": "DeLong, DeLong & Clarke-Pearson 1988, Biometrics 44:837-845",
    },
    "single_class": {
        "name": "only responders or only non-responders",
        "what_it_means": (
            "Every scored customer of the group has the same actual outcome, so there is no "
            "pair of a responder and a non-responder to rank and the AUC cannot be "
            "calculated."
        ),
        "why_it_matters": "The value is unknown, not zero or perfect.",
        "what_to_do": (
            "Check the group's data: the outcome may be recorded for only one kind of "
            "customer, or the group may need more data."
        ),
        "source": "fairmark reason codes (undefined is never zero)",
    },
}
