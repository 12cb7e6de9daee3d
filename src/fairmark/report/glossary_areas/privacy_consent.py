"""Plain-language glossary entries for the consent checks.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "consent_coverage": {
        "name": "People in the data without consent for the model's purpose",
        "what_it_means": (
            "The share of the people in the training or scoring data whom the consent ledger "
            "does not allow to be processed for the purpose the model serves: nobody recorded "
            "their choice, they refused or withdrew consent, they objected, they opted out "
            "of sale, sharing or targeted advertising (a Global Privacy Control signal "
            "included), they are under 16 without an explicit opt-in, or their consent "
            "expired. Each person is judged by their latest recorded choice for the purpose "
            "(or a broader purpose that contains it) at the time of the audit."
        ),
        "why_it_matters": (
            "Using someone's data for a purpose they did not agree to, or objected to, is "
            "unlawful processing. An objection to direct marketing is absolute: after it, "
            "only a new explicit consent allows marketing again. A model trained or scored "
            "on such people carries the breach into every decision it makes."
        ),
        "what_to_do": (
            "Filter the data with 'fairmark consent filter DATA --purpose PURPOSE' before "
            "training or scoring, and re-run the audit on the filtered data. If people are "
            "missing from the ledger, import your consent platform's export with 'fairmark "
            "consent import'. Check one person with 'fairmark consent status SUBJECT'."
        ),
        "source": (
            "GDPR Art. 6(1) (lawfulness), Art. 7(1) and 7(3) (demonstrating and withdrawing "
            "consent), Art. 8(1) (children), Art. 21(2)-(3) (objection to direct "
            "marketing); Cal. Civ. Code §1798.120 and §1798.135; 11 CCR §7025 (Global "
            "Privacy Control); fideslang data uses"
        ),
        "unit": "rate",
    },
}
