"""Targeting-spec linter: Meta, Google and TikTok restrictions for special ad categories."""

from fairmark.content.targeting.lint import TargetingFinding, TargetingLintResult, lint_targeting
from fairmark.content.targeting.spec import PLATFORMS, Criterion, TargetingSpec, read_spec

__all__ = [
    "PLATFORMS",
    "Criterion",
    "TargetingFinding",
    "TargetingLintResult",
    "TargetingSpec",
    "lint_targeting",
    "read_spec",
]
