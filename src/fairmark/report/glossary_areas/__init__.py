"""Glossary entries contributed per area (one module each), merged by ``glossary``."""

from fairmark.report.glossary_areas import (
    content,
    content_c2,
    delivery,
    disclosure,
    explain,
    mitigation,
    outcomes,
    privacy_audience,
    privacy_audit,
    privacy_consent,
    privacy_kanon,
    proxies,
    scores,
)

AREAS = (
    scores,
    outcomes,
    delivery,
    proxies,
    explain,
    mitigation,
    disclosure,
    privacy_audit,
    privacy_consent,
    privacy_audience,
    privacy_kanon,
    content,
    content_c2,
)

__all__ = ["AREAS"]
