"""Plain-language glossary entries for gender-coded wording, targeting restrictions,
image content credentials and the persona comparison (fairmark.content).

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {
    "gender_coded_wording": {
        "name": "Gender-coded wording",
        "what_it_means": (
            "How far a job ad leans towards masculine-coded words (competitive, dominant, "
            "leader) or feminine-coded words (supportive, understanding, interpersonal): the "
            "difference between the two counts. 0 means balanced; more than 3 is what the "
            "Gender Decoder calls strongly coded."
        ),
        "why_it_matters": (
            "In the research behind the word lists, ads with more masculine wording were "
            "less appealing to women, who also expected to belong less in the job. Women "
            "may not apply even when they are qualified."
        ),
        "what_to_do": (
            "Describe the tasks rather than the traits, replace or balance the masculine "
            "words the report lists, and check the ad again. Only employment ads are judged."
        ),
        "source": (
            "Gaucher, Friesen & Kay 2011, Evidence that gendered wording in job "
            "advertisements exists and sustains gender inequality, J. Pers. Soc. Psychol. "
            "101(1):109-128; Kat Matfield's Gender Decoder"
        ),
        "unit": "count",
    },
    "targeting_restriction": {
        "name": "Restricted targeting in a special ad category",
        "what_it_means": (
            "How many choices in an ad's targeting spec the ad platform does not allow for "
            "housing, employment and credit or financial ads: narrowing by age or gender, "
            "ZIP or postal codes, a radius smaller than the minimum, lookalike audiences or "
            "exclusions. 0 means none."
        ),
        "why_it_matters": (
            "These options let an ad skip people by age, sex, family status or where they "
            "live, which anti-discrimination law forbids for housing, jobs and credit. The "
            "platforms reject or change such ads, and the advertiser stays responsible."
        ),
        "what_to_do": (
            "Remove each listed choice (age 18 to 65+, all genders, no postcodes, radius of "
            "at least 15 miles on Meta or 1 km on Google, no lookalikes or exclusions) and "
            "lint the spec again before the campaign starts."
        ),
        "source": (
            "Meta Business Help Center, About audiences for housing, employment or financial "
            "products and services campaigns; Google Ads Personalized advertising policy; "
            "TikTok Housing, employment and credit ad policy"
        ),
        "unit": "count",
    },
    "content_credentials": {
        "name": "Content credentials (C2PA)",
        "what_it_means": (
            "A signed record embedded in an image that says how it was made. An image made "
            "with generative AI declares it with the digital source type 'trained "
            "algorithmic media'."
        ),
        "why_it_matters": (
            "From 2 August 2026 the EU AI Act requires AI-generated images to be marked in a "
            "machine-readable way; credentials are the common way to do it, and they show "
            "whether an image was changed after signing."
        ),
        "what_to_do": (
            "Export AI-generated images with content credentials from the tool that made "
            "them, keep them through editing, and label the image visibly as well."
        ),
        "source": (
            "C2PA Technical Specification 2.1 (actions, digitalSourceType); IPTC Digital "
            "Source Type vocabulary; EU AI Act (Regulation (EU) 2024/1689) Art. 50(2)"
        ),
        "unit": "none",
    },
    "persona_consistency": {
        "name": "Consistency of copy across personas",
        "what_it_means": (
            "Whether copy generated for different groups of people differs systematically "
            "in the discount offered, prices, free shipping, reading level, length, tone or "
            "the number of manipulative phrases. A difference is flagged when it is both "
            "statistically clear (Holm-corrected test) and large enough to matter."
        ),
        "why_it_matters": (
            "If older customers, one gender or one neighbourhood get smaller discounts or "
            "pushier copy, the campaign treats groups differently, even if nobody meant it."
        ),
        "what_to_do": (
            "Look at the flagged group and feature, read a sample of its texts, and fix the "
            "prompt or template that produced them; compare again."
        ),
        "source": (
            "Kincaid et al. 1975 (reading grade); Hutto & Gilbert 2014 (VADER sentiment); "
            "Welch 1947; Mann & Whitney 1947; Holm 1979"
        ),
        "unit": "none",
    },
}
