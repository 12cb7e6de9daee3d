"""Plain-language glossary entries for the explain checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).

The explanation numbers are in the model's own units (log-odds, probability or a
predicted value, see ``output`` in the explanation document) or in the units of a
scorer, so none of them is a rate, difference, ratio or count: their unit is ``none``.
"""

ENTRIES: dict[str, dict[str, str]] = {
    "shap_value": {
        "name": "Contribution to one decision (SHAP value)",
        "what_it_means": (
            "How much one detail about a customer (for example a previous campaign's result) "
            "moved the model's score for that customer up or down, compared with a typical "
            "customer. The contributions of all details add up to the difference between the "
            "customer's score and the typical score."
        ),
        "why_it_matters": (
            "It is the basis of the 'why am I seeing this offer?' answer: the details with "
            "the largest contributions are the main reasons a customer got, or did not get, "
            "the call, the offer or the ad. If a sensitive detail such as age is among them, "
            "the decision depends on it for that person."
        ),
        "what_to_do": (
            "Read the largest contributions first. If a sensitive characteristic, or a "
            "detail that stands in for one, often drives decisions, review whether the model "
            "should use it and audit the outcome by group."
        ),
        "source": (
            "Lundberg & Lee 2017, A unified approach to interpreting model predictions "
            "(NeurIPS); GDPR Art. 15(1)(h), meaningful information about the logic involved"
        ),
        "unit": "none",
    },
    "mean_abs_shap": {
        "name": "Overall importance of a detail (mean absolute SHAP value)",
        "what_it_means": (
            "The average size of a detail's contribution over a sample of customers, "
            "ignoring its direction: how much the model relies on that detail overall."
        ),
        "why_it_matters": (
            "It shows which customer details decide who is targeted. A model that leans "
            "heavily on age, marital status, or a stand-in for them selects people by those "
            "characteristics even if nobody intended it."
        ),
        "what_to_do": (
            "Check the top of the list with the business and legal owners: is each detail a "
            "legitimate reason to target someone? Run a fairness audit by the groups of any "
            "sensitive detail near the top."
        ),
        "source": (
            "Lundberg et al. 2020, From local explanations to global understanding with "
            "explainable AI for trees, Nature Machine Intelligence 2:56-67"
        ),
        "unit": "none",
    },
    "permutation_importance": {
        "name": "Overall importance of a detail (permutation importance)",
        "what_it_means": (
            "How much the model's accuracy (or another score) drops when one detail is "
            "shuffled between customers, so that it carries no information. A large drop "
            "means the model depends on that detail."
        ),
        "why_it_matters": (
            "It works for any model, even ones that cannot be explained customer by customer, "
            "and shows which details drive who gets the call, the offer or the ad."
        ),
        "what_to_do": (
            "Treat details with a large drop as the model's main inputs and review them as "
            "for the SHAP importance; details whose drop is within its spread (std) are not "
            "clearly used."
        ),
        "source": (
            "Breiman 2001, Random Forests, Machine Learning 45:5-32; Fisher, Rudin & "
            "Dominici 2019, JMLR 20(177); scikit-learn permutation_importance"
        ),
        "unit": "none",
    },
}
