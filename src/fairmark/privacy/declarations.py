"""What the caller declares about a model: its input columns, its purpose, column categories.

:func:`check_declarations` validates the declarations of :func:`fairmark.audit`
(``features``, ``purpose``, ``data_categories``) before any data is read, so that a typo
is one line naming what is wrong. The purpose must be one the policy declares in
``settings.purposes`` (a fideslang data use with its data categories: GDPR Art. 5(1)(b)
purpose limitation); a data category must be a dotted fideslang key (as in the policy
schema) or :data:`NOT_PERSONAL`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fairmark.errors import UsageError

__all__ = ["KNOWN_CATEGORY_BRANCHES", "NOT_PERSONAL", "Declarations", "check_declarations"]

NOT_PERSONAL = "none"
"""Value of ``data_categories`` declaring that a column holds no personal data."""

_CATEGORY_KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")  # as policy/schema.json

KNOWN_CATEGORY_BRANCHES: dict[str, frozenset[str]] = {
    "user": frozenset({
        "account", "authorization", "behavior", "biometric", "biometrics", "childrens",
        "contact", "content", "criminal_history", "demographic", "derived", "device",
        "financial", "genetic", "government_id", "health_and_medical", "id", "job_title",
        "location", "name", "non_identified", "observed", "payment", "political_opinion",
        "privacy_preferences", "provided", "race", "religious_belief", "sensor",
        "sexual_orientation", "social", "telemetry", "unique_id", "user_sensor", "workplace",
    }),
    "system": frozenset({"authentication", "operations"}),
    "account": frozenset({"contact", "payment"}),
}  # fmt: skip
"""Top-level fideslang data categories and their second-level keys (fideslang 1.x and 2.x
default taxonomy, Ethyca/IAB Tech Lab, ``data_categories``); deeper levels are free."""


@dataclass(frozen=True)
class Declarations:
    """What the caller declared about the model, validated (see :func:`check_declarations`).

    Attributes
    ----------
    features : tuple of str or None
        The model's input columns, in the given order; ``None`` when not declared.
    purpose : str or None
        fideslang data-use key of the processing purpose.
    purpose_categories : tuple of str
        The data categories the policy declares for ``purpose`` (empty without one).
    data_categories : dict
        ``column -> fideslang category``, or ``None`` for a column declared not personal.
    """

    features: tuple[str, ...] | None
    purpose: str | None
    purpose_categories: tuple[str, ...]
    data_categories: dict[str, str | None]


def _check_features(features: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if features is None:
        return None
    if isinstance(features, str):
        items: list[Any] = [features]
    elif isinstance(features, Iterable) and not isinstance(features, Mapping | bytes):
        items = list(features)  # a list, a tuple, a pandas Index, a numpy array
    else:
        raise UsageError(
            f"features is a {type(features).__name__}; expected a list of column names, "
            "e.g. ['age', 'job']"
        )
    names: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise UsageError(f"features holds {item!r}; expected column names (non-empty text)")
        names.append(str(item))
    if not names:
        raise UsageError("features is empty; expected the model's input columns, e.g. age,job")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"features names {', '.join(repeated)} more than once; expected each once")
    return tuple(names)


def _check_purpose(purpose: str | None, policy: Any) -> tuple[str, ...]:
    if purpose is None:
        return ()
    if not isinstance(purpose, str) or not purpose.strip():
        raise UsageError(
            f"purpose is {purpose!r}; expected a fideslang data-use key declared in the "
            "policy, e.g. marketing.communications"
        )
    settings = getattr(policy, "settings", None)
    purposes: Mapping[str, Any] = getattr(settings, "purposes", None) or {}
    if purpose not in purposes:
        policy_name = getattr(policy, "id", "the policy")
        if not purposes:
            raise UsageError(
                f"purpose {purpose!r} is not declared: policy {policy_name} declares no "
                "purposes; expected settings.purposes in the policy file"
            )
        raise UsageError(
            f"purpose {purpose!r} is not declared in policy {policy_name}; declared purposes: "
            f"{', '.join(sorted(purposes))}"
        )
    return tuple(purposes[purpose].data_categories)


def _check_categories(data_categories: Mapping[str, str] | None) -> dict[str, str | None]:
    if data_categories is None:
        return {}
    if not isinstance(data_categories, Mapping):
        raise UsageError(
            f"data_categories is a {type(data_categories).__name__}; expected a mapping "
            "column -> fideslang data category, e.g. {'income': 'user.financial'}"
        )
    out: dict[str, str | None] = {}
    for column, category in data_categories.items():
        if not isinstance(column, str) or not column:
            raise UsageError(f"data_categories names column {column!r}; expected a column name")
        text = category.strip() if isinstance(category, str) else None
        if text is not None and text.lower() == NOT_PERSONAL:
            out[column] = None
            continue
        parts = text.split(".") if text is not None and _CATEGORY_KEY.match(text) else []
        branches = KNOWN_CATEGORY_BRANCHES.get(parts[0]) if parts else None
        if branches is None or (len(parts) > 1 and parts[1] not in branches):
            raise UsageError(
                f"data category {category!r} of column {column!r} is not a fideslang key; "
                f"expected e.g. user.financial, user.contact.email or "
                f"user.demographic.age_range (under user., system. or account.), or "
                f"{NOT_PERSONAL!r} for a column without personal data"
            )
        out[column] = text
    return out


def check_declarations(
    *,
    features: str | Iterable[str] | None,
    purpose: str | None,
    data_categories: Mapping[str, str] | None,
    policy: Any,
) -> Declarations:
    """Validate what was declared about the model before any data is read.

    Parameters
    ----------
    features : iterable of str, str or None
        The model's input columns: a list, a tuple, a pandas Index
        (``X_train.columns``), a numpy array (``model.feature_names_in_``); a single string
        is one column.
    purpose : str or None
        fideslang data-use key (e.g. ``marketing.advertising.first_party.targeted``);
        must be a key of the policy's ``settings.purposes``.
    data_categories : mapping of str to str, or None
        ``column -> fideslang data category`` overriding the scan; ``"none"`` declares a
        column not personal.
    policy : fairmark.policy.Policy
        The policy whose ``settings.purposes`` declares the purposes.

    Returns
    -------
    Declarations

    Raises
    ------
    UsageError
        Features that are not a non-empty list of distinct names; a purpose the policy
        does not declare (the message lists the declared ones); a category that is not a
        dotted fideslang key under a known top-level and second-level category
        (:data:`KNOWN_CATEGORY_BRANCHES`; ``user.bogus`` is refused).
    """
    return Declarations(
        features=_check_features(features),
        purpose=purpose,
        purpose_categories=_check_purpose(purpose, policy),
        data_categories=_check_categories(data_categories),
    )
