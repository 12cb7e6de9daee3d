"""Errors and reason codes.

Exception tree::

    FairmarkError            base; carries ``exit_code`` (2) and a one-line message
    ├── UsageError           the request is malformed: unknown option, bad spec value
    ├── DataError            the data cannot support the request: missing column,
    │                        non-binary labels, empty table, unreadable file
    ├── PolicyError          a policy file is malformed or names an unknown check
    └── StoreError           the run store cannot be opened or written

Every message is one line that names what is wrong and what was expected; the CLI prints
it to stderr and exits with ``exit_code`` (2), never with a traceback.

``Reason`` lists the machine-readable codes attached to a value that is *undefined*
(``None`` in Python, ``null`` in JSON) or infinite. Undefined is never zero: a value with
a reason never counts as a pass in a policy verdict.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DataError",
    "DataWarning",
    "FairmarkError",
    "PolicyError",
    "Reason",
    "StoreError",
    "UsageError",
]


class FairmarkError(Exception):
    """Base class of every error fairmark raises on purpose.

    Parameters
    ----------
    message : str
        One line: what is wrong and what was expected.
    """

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UsageError(FairmarkError, ValueError):
    """The request is malformed (an option, a spec field, a parameter value)."""


class DataError(FairmarkError, ValueError):
    """The data cannot support the request (missing column, bad labels, unreadable file)."""


class DataWarning(UserWarning):
    """The data was read, but not as it is: e.g. bytes that are not UTF-8 were replaced.

    Emitted with :func:`warnings.warn`; the command line prints each as one line on stderr.
    """


class PolicyError(FairmarkError, ValueError):
    """A policy file is malformed or refers to something unknown."""


class StoreError(FairmarkError, RuntimeError):
    """The run store cannot be opened, migrated or written."""


class Reason(StrEnum):
    """Why a value is undefined (``None``) or infinite.

    Members
    -------
    EMPTY_GROUP : the group has no rows (a declared category level with n = 0).
    BELOW_MIN_GROUP_SIZE : the group has fewer rows than ``min_group_size``; its values
        are not estimated and its counts are suppressed in every report.
    NO_POSITIVES : the denominator counts actual positives and there are none
        (TPR, FNR).
    NO_NEGATIVES : the denominator counts actual negatives and there are none (FPR, TNR).
    NO_SELECTIONS : the denominator counts predicted positives and there are none (PPV),
        or every compared selection rate is zero (0/0 ratio).
    NO_REJECTIONS : the denominator counts predicted negatives and there are none (NPV).
    REFERENCE_RATE_ZERO : a ratio whose reference rate is zero while the group's is not;
        the value is ``+inf``.
    SINGLE_GROUP : fewer than two groups with a defined value, so no disparity exists.
    NOT_ESTIMABLE : a composite measure with an undefined component.
    SINGLE_CLASS : the group's labelled, scored rows are all positive or all negative, so a
        ranking measure such as ROC AUC is undefined.
    SINGLE_LEVEL : the feature has a single level (a constant column, or a numeric column
        whose values are all equal or all missing), so its association is undefined.
    NO_OUTCOME_VALUES : every value of the audited numeric outcome is missing in the group.
    ZERO_TOTAL : the outcome values of a feature's groups sum to zero, so shares of the
        total value are undefined.
    NOT_IN_REFERENCE : the group occurs in the data but not in the reference population,
        so its representation cannot be judged.
    NO_DELIVERIES : the ad was delivered to nobody, so its delivered shares are undefined.
    NOT_DECLARED : neither the model's input features nor the purpose of the processing
        were declared, so it is unknown which columns are needed (data minimisation,
        GDPR Art. 5(1)(c)).
    """

    EMPTY_GROUP = "empty_group"
    BELOW_MIN_GROUP_SIZE = "below_min_group_size"
    NO_POSITIVES = "no_positives"
    NO_NEGATIVES = "no_negatives"
    NO_SELECTIONS = "no_selections"
    NO_REJECTIONS = "no_rejections"
    REFERENCE_RATE_ZERO = "reference_rate_zero"
    SINGLE_GROUP = "single_group"
    NOT_ESTIMABLE = "not_estimable"
    SINGLE_CLASS = "single_class"
    SINGLE_LEVEL = "single_level"
    NO_OUTCOME_VALUES = "no_outcome_values"
    ZERO_TOTAL = "zero_total"
    NOT_IN_REFERENCE = "not_in_reference"
    NO_DELIVERIES = "no_deliveries"
    NOT_DECLARED = "not_declared"
