"""Plain-language glossary entries for the proxies checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "proxy_association": {
        "name": "Proxy association",
        "what_it_means": (
            "How strongly a customer feature that is not itself sensitive (job, postcode, "
            "family role, spending) goes together with a sensitive one such as sex or age, "
            "on a scale from 0 (tells nothing about it) to 1 (gives it away completely). "
            "Text features are measured with a bias-corrected Cramér's V, numbers with the "
            "correlation ratio."
        ),
        "why_it_matters": (
            "Leaving sex or age out of a targeting model does not stop it from treating "
            "those groups differently if another feature carries the same information. A "
            "model that uses 'relationship = husband' is partly selecting by sex, and the "
            "people left out of an offer are the same ones as if sex had been used."
        ),
        "what_to_do": (
            "For each flagged feature, ask whether it is needed for the campaign's purpose. "
            "If not, drop it; if it is, audit the model's decisions by the sensitive group "
            "(fairmark audit) and consider mitigation. Keep the reasoning in the record."
        ),
        "source": (
            "Bergsma 2013, A bias-correction for Cramér's V and Tschuprow's T, J. Korean "
            "Stat. Soc. 42:323; Pearson 1905 (correlation ratio); Feldman et al. 2015, "
            "Certifying and removing disparate impact, KDD"
        ),
        "unit": "ratio",
    },
    "cramers_v": {
        "name": "Cramér's V (bias-corrected)",
        "what_it_means": (
            "A number from 0 to 1 saying how much knowing one text feature (for example job) "
            "tells you about another (for example age band): 0 means the mix of groups is "
            "the same for every value, 1 means each value belongs to one group only. The "
            "correction removes the inflation that features with many values would "
            "otherwise show by chance."
        ),
        "why_it_matters": (
            "It is the standard way to spot a categorical feature that stands in for a "
            "sensitive one: a targeting rule on such a feature reaches some groups far more "
            "than others."
        ),
        "what_to_do": (
            "Above about 0.3 treat the feature as a likely proxy; above 0.5 as a strong one. "
            "Look at which values drive it before deciding whether to keep the feature."
        ),
        "source": (
            "Cramér 1946, Mathematical Methods of Statistics, p. 282; Bergsma 2013, J. Korean "
            "Stat. Soc. 42:323"
        ),
        "unit": "ratio",
    },
    "correlation_ratio": {
        "name": "Correlation ratio (eta)",
        "what_it_means": (
            "A number from 0 to 1 saying how much of the spread of a numeric feature (such "
            "as income or hours worked) is explained by which sensitive group a person is "
            "in: 0 when every group has the same average, 1 when the group fixes the value."
        ),
        "why_it_matters": (
            "A numeric feature whose average differs a lot between groups lets a model tell "
            "the groups apart, so a score or cut-off on it can select by group without "
            "naming the group."
        ),
        "what_to_do": (
            "Compare the groups' averages of the flagged feature; if the difference is not "
            "needed for the campaign's purpose, drop or transform the feature, and audit the "
            "decisions by group."
        ),
        "source": (
            "Pearson 1905, On the general theory of skew correlation and non-linear "
            "regression; Cohen 1988, Statistical Power Analysis, §8.2"
        ),
        "unit": "ratio",
    },
    "nmi": {
        "name": "Normalised mutual information",
        "what_it_means": (
            "A second measure, from 0 to 1, of how much information a feature shares with a "
            "sensitive feature, counting any kind of relationship, not only differences in "
            "averages. Numeric features are first cut into equal-sized bands."
        ),
        "why_it_matters": (
            "It catches relationships the main measure can miss, such as a numeric feature "
            "whose extremes, not its average, differ between groups."
        ),
        "what_to_do": (
            "Read it next to the proxy association: when it is clearly higher, look at the "
            "feature's distribution by group, not only its average."
        ),
        "source": (
            "Vinh, Epps & Bailey 2010, Information theoretic measures for clusterings "
            "comparison, JMLR 11:2837 (arithmetic-mean normalisation, scikit-learn default)"
        ),
        "unit": "ratio",
    },
    "redundant_encoding_auc": {
        "name": "Redundant encoding (joint proxy test)",
        "what_it_means": (
            "How well all the customer features together can guess a person's sensitive "
            "group, measured by a model's cross-validated ROC AUC on a sample: 0.5 means no "
            "better than a coin toss, 1 means the group can be read off the data exactly."
        ),
        "why_it_matters": (
            "Features that are each harmless can together reveal sex, age or ethnicity. If "
            "they do, any model trained on them can learn to treat groups differently even "
            "though the sensitive feature was removed."
        ),
        "what_to_do": (
            "Above about 0.7 the data encode the group: removing the sensitive column does "
            "not make the model blind to it. Audit the model's decisions by group and "
            "consider mitigation rather than relying on leaving the column out."
        ),
        "source": (
            "Dwork et al. 2012, Fairness through awareness, ITCS; Feldman et al. 2015, KDD; "
            "Hanley & McNeil 1982, Radiology 143:29 (ROC AUC)"
        ),
        "unit": "ratio",
    },
    "single_level": {
        "name": "Single level",
        "what_it_means": (
            "The feature has only one value in the data (or all its numbers are equal, or "
            "all are missing), so it cannot be associated with anything and no value is "
            "computed."
        ),
        "why_it_matters": (
            "A constant feature cannot stand in for a sensitive group in this data, but it "
            "was not measured either: it is reported, never silently dropped, and it never "
            "counts as a pass."
        ),
        "what_to_do": (
            "Check whether the column was loaded correctly. If it really is constant, "
            "exclude it from the analysis and from the model."
        ),
        "source": "fairmark reason code; undefined values are reported, never set to zero",
        "unit": "none",
    },
}
