"""Plain-language glossary entries for the privacy checks of an audit.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "pii_in_features": {
        "name": "Identifying or special-category data among the model's inputs",
        "what_it_means": (
            "How many of the columns the model uses identify a person on their own (an "
            "e-mail address, a phone number, a name, a national ID) or hold data the GDPR "
            "treats as special: health, racial or ethnic origin, religion or beliefs, "
            "political opinions, trade-union membership, sex life or sexual orientation, "
            "genetic or biometric data. Columns are recognised by their names and a sample "
            "of their values, or by the categories declared for them."
        ),
        "why_it_matters": (
            "A targeting model does not need to know who someone is to choose an offer, and "
            "using special-category data to target marketing is prohibited unless a narrow "
            "exception applies (usually explicit consent). A model that uses such columns "
            "can also single people out or treat groups differently by the very "
            "characteristics the law protects."
        ),
        "what_to_do": (
            "Remove the named columns from the model's inputs and retrain. If a column was "
            "recognised wrongly, declare its real category (--data-category COLUMN=CATEGORY, "
            "or 'none' for a column without personal data) and record why."
        ),
        "source": (
            "GDPR Art. 5(1)(c) (data minimisation) and Art. 9(1) (special categories of "
            "personal data); ISO/IEC 20889:2018 §3.14 (direct identifier); fideslang data "
            "categories"
        ),
        "unit": "count",
    },
    "data_minimisation": {
        "name": "Data the model does not need (data minimisation)",
        "what_it_means": (
            "How many columns in the data are neither used by the model (its declared "
            "features) nor by the audit, and are not of a kind of personal data the policy "
            "declares for the campaign's purpose. Without declared features, only columns "
            "holding recognised personal data that the purpose does not declare are counted."
        ),
        "why_it_matters": (
            "Personal data may only be processed when it is needed for the purpose it was "
            "collected for. Every extra column handed to a model or a campaign tool is data "
            "that can leak, be misused or be used for something the customer never agreed "
            "to."
        ),
        "what_to_do": (
            "Drop the named columns before the data reaches the model, or, if the purpose "
            "really needs them, add their data category to the purpose in the policy "
            "(settings.purposes) with the reason. Declare the model's features (--features) "
            "and its purpose (--purpose) so the check can be judged."
        ),
        "source": (
            "GDPR Art. 5(1)(c) (data minimisation) and Art. 5(1)(b) (purpose limitation); "
            "fideslang data uses and data categories (Ethyca)"
        ),
        "unit": "count",
    },
    "not_declared": {
        "name": "model's inputs and purpose not declared",
        "what_it_means": (
            "Nobody said which columns the model uses or what the data is processed for, "
            "so it is unknown which columns are needed and data minimisation could not be "
            "judged."
        ),
        "why_it_matters": (
            "Data minimisation is judged against a purpose: without one, any column could "
            "be claimed as needed. An unjudged check is never counted as a pass."
        ),
        "what_to_do": (
            "Run the audit again with the model's input columns (--features) and the "
            "campaign's purpose (--purpose), as declared in the policy's settings.purposes."
        ),
        "source": "fairmark reason code; GDPR Art. 5(1)(c) and Art. 5(2) (accountability)",
        "unit": "none",
    },
}
