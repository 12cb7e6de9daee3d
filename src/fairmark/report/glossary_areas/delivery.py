"""Plain-language glossary entries for the delivery checks and metrics.

ENTRIES maps a glossary key to the keyword arguments of
:class:`fairmark.report.glossary.GlossaryEntry` (name, what_it_means, why_it_matters,
what_to_do, source, unit).
"""

ENTRIES: dict[str, dict[str, str]] = {}
