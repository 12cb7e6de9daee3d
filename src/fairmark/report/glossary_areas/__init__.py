"""Glossary entries contributed per area (one module each), merged by ``glossary``."""

from fairmark.report.glossary_areas import delivery, explain, mitigation, outcomes, proxies, scores

AREAS = (scores, outcomes, delivery, proxies, explain, mitigation)

__all__ = ["AREAS"]
