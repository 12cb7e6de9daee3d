"""Registered personal-data detectors (one module per entity type)."""
