"""Accountability: AI system inventory, risk classification, ethics-committee review,
people and access, the tamper-evident audit log and evidence bundles for auditors."""
