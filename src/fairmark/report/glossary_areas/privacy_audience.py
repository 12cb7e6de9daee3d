"""Plain-language glossary entries for customer-list audiences (``fairmark audience``).

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "min_audience_size": {
        "name": "Audience size against the platform minimum",
        "what_it_means": (
            "How many people the ad platform is expected to find from your customer list, "
            "as a multiple of the smallest audience it allows: the unique people on the "
            "list times the share the platform is assumed to match, divided by the "
            "platform's minimum (Google, Meta and X 100, LinkedIn 300, TikTok 1,000). "
            "1 means exactly the minimum; 0.5 means half of it."
        ),
        "why_it_matters": (
            "A very small audience lets an ad be aimed at a handful of people who could be "
            "told apart, which the platforms forbid to protect privacy. A list below the "
            "minimum is also simply unusable: the platform will not serve it."
        ),
        "what_to_do": (
            "Below 1, fairmark does not write the upload file. Add more customers who "
            "agreed to this use of their data, combine lists with the same purpose, or use "
            "a broader targeting option instead of a customer list. If you know your real "
            "match rate, set it in the policy (settings.audience.assumed_match_rate)."
        ),
        "source": (
            "Platform minimums for customer-list audiences (Google Customer Match, Meta "
            "custom audiences, X custom audiences, LinkedIn matched audiences, TikTok "
            "custom audiences help pages); small-cell protection, Eurostat SDC handbook 2010"
        ),
        "unit": "ratio",
    },
    "match_key": {
        "name": "Match key",
        "what_it_means": (
            "An identifier such as an e-mail address or phone number, tidied into the exact "
            "form the ad platform asks for (lowercase, phone number with its country code) "
            "and then scrambled with SHA-256, a one-way hash. The platform scrambles its own "
            "users' details the same way and compares the results."
        ),
        "why_it_matters": (
            "If the tidying differs from the platform's by one character, the keys never "
            "match and the customer is silently missing from the audience. Hashing is not "
            "anonymisation: a hashed e-mail is still personal data under the GDPR, so a "
            "lawful basis for the upload is still needed."
        ),
        "what_to_do": (
            "Upload only customers whose data you may use for this purpose. Check the "
            "rejected values fairmark lists (by row and reason), fix them in your source "
            "system, and keep phone numbers with their country code or give --region."
        ),
        "source": (
            "FIPS 180-4 (SHA-256); ITU-T E.164 (phone numbers); platform normalisation "
            "pages (Meta custom audiences, Google Data Manager API, TikTok, X, LinkedIn); "
            "GDPR Recital 26 and Art. 4(5) (pseudonymised data remain personal data)"
        ),
        "unit": "none",
    },
    "sensitive_audience_name": {
        "name": "Sensitive audience name",
        "what_it_means": (
            "The audience's name or description contains a word suggesting that the people "
            "in it share a health condition, money trouble, a sexual orientation, a "
            "religion or another sensitive status, such as 'diabetes' or 'payday loan'."
        ),
        "why_it_matters": (
            "The name tells the platform, and anyone who can see the audience, something "
            "sensitive about every person on the list. Meta flags and blocks such "
            "audiences, Google restricts personalised ads on these topics, and several of "
            "them are special categories of personal data under GDPR Art. 9."
        ),
        "what_to_do": (
            "Rename the audience after what you offer or how people became customers "
            "('Spring newsletter subscribers'), not after what you believe about them, and "
            "check that the list itself was not built from sensitive data."
        ),
        "source": (
            "Meta Advertising Standards, Personal Attributes; Meta custom-audience "
            "restrictions (2 September 2025); Google personalised advertising policy; "
            "GDPR Art. 9(1)"
        ),
        "unit": "none",
    },
}
