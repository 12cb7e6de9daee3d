"""Versioned risk-classification questionnaires (package data, read by
:mod:`fairmark.governance.risk`): ``<id with underscores>.v<version>.yaml``."""
