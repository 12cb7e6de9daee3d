"""Which personal data a model's input columns hold, and which columns the model does not need.

:func:`profile_columns` gives every column of an audited table a *role* and, for the
columns that could be model inputs, a fideslang data category; the checks
``privacy.pii_in_features`` and ``privacy.data_minimisation`` are judged on the result.

Roles (first match wins):

``feature``
    Declared as one of the model's input columns (``features``).
``audit``
    A column the audit itself reads: ``y_true``, ``y_pred``, ``score``, ``sample_weight``,
    ``outcome``. Needed to audit.
``sensitive_feature``
    A column the audit groups people by (``sensitive_features``), not declared as a model
    input. Needed to audit: processing it to detect bias is what GDPR Recital 71 and the
    EU AI Act Art. 10(5) expect, so it is not judged as a model input.
``unused``
    Features were declared and the column is none of the above: the model does not use it.
``undeclared``
    No features were declared: the column may be a model input, so it is examined.

The *examined* columns (``feature`` and ``undeclared``) are judged by
``privacy.pii_in_features``: a direct identifier (ISO/IEC 20889:2018 §3.14) or a GDPR
Art. 9(1) special category among them is a finding.

A column is a *data-minimisation issue* (GDPR Art. 5(1)(c): personal data "adequate,
relevant and limited to what is necessary in relation to the purposes") when

* it is ``unused`` and its category is not declared for the purpose (with declared
  features every unused column counts, whether or not personal data was recognised in it:
  a column in a table of people is data about them, and a model has no reason to receive
  a column it does not use); or
* it is ``undeclared``, a purpose was given, personal data was recognised in it and its
  category is not declared for the purpose. Without declared features a column in which
  no personal data was recognised (category ``None``: an economic indicator, a campaign
  code) is treated as not personal and is not counted.

With neither features nor a purpose the columns that might be inputs cannot be judged
(reason ``not_declared``), unless there are none: when every column is an audit column
or a sensitive feature, nothing can be unneeded and the count is 0.

Categories come from :func:`fairmark.privacy.table_scan.scan_table` (column names, and
values: a sample of :data:`SCAN_SAMPLE_SIZE` values per column drawn from the first
:data:`SCAN_ROWS` rows, so that the profile costs the same on a billion rows as on ten
thousand), unless ``data_categories`` declares them; ``"none"`` declares a column not
personal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fairmark.engine.source import missing_column_message
from fairmark.errors import DataError, Reason, UsageError
from fairmark.privacy.declarations import Declarations, check_declarations
from fairmark.privacy.entities import DATA_CATEGORY, DIRECT_IDENTIFIERS, is_special_category

if TYPE_CHECKING:
    from fairmark.engine.source import DataSource
    from fairmark.fairness.spec import AuditSpec

__all__ = [
    "IDENTIFIER_CATEGORIES",
    "RECORD_KEY_CATEGORIES",
    "SCAN_ROWS",
    "SCAN_SAMPLE_SIZE",
    "ColumnProfile",
    "PrivacyProfile",
    "Role",
    "is_identifier_category",
    "profile_columns",
]

Role = Literal["feature", "audit", "sensitive_feature", "unused", "undeclared"]
CategorySource = Literal["declared", "scan", "none"]

SCAN_SAMPLE_SIZE = 200
"""Values sampled per column to recognise personal data in them."""

SCAN_ROWS = 10_000
"""Rows of the table the scan reads (the first ones); names carry most of the evidence and
ten thousand rows are plenty to recognise e-mail addresses or phone numbers."""

IDENTIFIER_CATEGORIES: frozenset[str] = frozenset(
    {DATA_CATEGORY[entity] for entity in DIRECT_IDENTIFIERS}
    | {
        "user.name",
        "user.government_id",
        "user.contact.fax_number",
        "user.financial.account_number",
        "user.account.username",
        "user.device.device_id",
        "user.device.cookie_id",
        "user.id",
        "user.unique_id",
    }
)
"""fideslang categories (and their sub-categories) that identify a person on their own
(ISO/IEC 20889:2018 §3.14 "direct identifier"): the categories of
:data:`fairmark.privacy.entities.DIRECT_IDENTIFIERS` plus names, government ids, fax
numbers, financial account numbers, user names, device and cookie ids and the ids a
system assigns to a person (``user.id``, pseudonymous ones included: a pseudonym still
singles a person out within the organisation, GDPR Recital 26)."""

RECORD_KEY_CATEGORIES: frozenset[str] = frozenset({"user.id", "user.unique_id"})
"""Categories of the ids a system assigns to a person, which a decision table without
declared features is assumed to carry as its record key (:attr:`ColumnProfile.record_key`)."""

_AUDIT_FIELDS: tuple[str, ...] = ("y_true", "y_pred", "score", "sample_weight", "outcome")
_NOT_FEATURES: tuple[str, ...] = ("y_true", "y_pred", "score")
_EXAMINED: frozenset[str] = frozenset({"feature", "undeclared"})
_NEEDED: frozenset[str] = frozenset({"feature", "audit", "sensitive_feature"})


def is_identifier_category(category: str | None) -> bool:
    """Return whether a fideslang category is a direct identifier's.

    Parameters
    ----------
    category : str or None
        A fideslang data category, e.g. ``"user.contact.email"``.

    Returns
    -------
    bool
        True for a key of :data:`IDENTIFIER_CATEGORIES` or a sub-category of one.
    """
    if category is None:
        return False
    return any(category == c or category.startswith(c + ".") for c in IDENTIFIER_CATEGORIES)


def _is_personal(category: str | None) -> bool:
    return category is not None and (category == "user" or category.startswith("user."))


@dataclass(frozen=True)
class ColumnProfile:
    """One column of the audited table, as the privacy checks see it.

    Attributes
    ----------
    column : str
    role : {"feature", "audit", "sensitive_feature", "unused", "undeclared"}
        How the column is used (module docstring).
    category : str or None
        fideslang data category; ``None`` when no personal data was recognised or the
        column was declared not personal.
    category_source : {"declared", "scan", "none"}
        ``declared``: from ``data_categories``; ``scan``: recognised by the table scan;
        ``none``: no category.
    entity_type : str or None
        Presidio-style entity the scan recognised in the values (``EMAIL_ADDRESS`` …).
    direct_identifier : bool
        The column identifies a person on its own (ISO/IEC 20889:2018 §3.14).
    special_category : str or None
        GDPR Art. 9(1) wording, e.g. ``"racial or ethnic origin (GDPR Art. 9(1))"``.
    declared_for_purpose : bool or None
        Whether the purpose declares the column's category; ``None`` without a purpose,
        for a column without a category and for the audit's own columns (not
        classified).
    minimisation_issue : bool
        The column counts for ``privacy.data_minimisation`` (module docstring).
    evidence : tuple of str
        Why the scan chose the category (column name, share of values matching …).
    """

    column: str
    role: Role
    category: str | None
    category_source: CategorySource
    entity_type: str | None
    direct_identifier: bool
    special_category: str | None
    declared_for_purpose: bool | None
    minimisation_issue: bool
    evidence: tuple[str, ...] = ()

    @property
    def examined(self) -> bool:
        """Whether the column is (or may be) a model input and is judged as one."""
        return self.role in _EXAMINED

    @property
    def needed(self) -> bool:
        """Whether the model or the audit needs the column."""
        return self.role in _NEEDED

    @property
    def personal(self) -> bool:
        """Whether personal data (a ``user`` category) was recognised or declared."""
        return _is_personal(self.category)

    @property
    def record_key(self) -> bool:
        """A system-assigned person id (``user.id``, ``user.unique_id``) in a table whose
        model features were not declared: taken to be the record key that joins decisions
        to people, not a model input (declare ``features`` to have it judged as one)."""
        return self.role == "undeclared" and self.category in RECORD_KEY_CATEGORIES

    @property
    def flagged(self) -> bool:
        """An examined column that is a direct identifier or a special category.

        A record key of a table without declared features (:attr:`record_key`) is not
        flagged: nearly every decision table carries one, and it is not a model input.
        """
        if self.record_key:
            return False
        return self.examined and (self.direct_identifier or self.special_category is not None)

    def describe(self) -> str:
        """Return the column in words for a finding.

        E.g. ``"'email' (user.contact.email: a direct identifier)"`` or ``"'race'
        (user.demographic.race_ethnicity: racial or ethnic origin (GDPR Art. 9(1)))"``.
        """
        notes = [self.special_category] if self.special_category else []
        if self.direct_identifier:
            notes.append("a direct identifier")
        what = self.category or "no personal data recognised"
        tail = f": {'; '.join(notes)}" if notes else ""
        return f"'{self.column}' ({what}{tail})"

    def to_dict(self) -> dict[str, Any]:
        """Return the ``privacy.columns[]`` object of ``report.json``."""
        return {
            "column": self.column,
            "role": self.role,
            "examined": self.examined,
            "needed": self.needed,
            "category": self.category,
            "category_source": self.category_source,
            "entity_type": self.entity_type,
            "direct_identifier": self.direct_identifier,
            "special_category": self.special_category,
            "declared_for_purpose": self.declared_for_purpose,
            "minimisation_issue": self.minimisation_issue,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class PrivacyProfile:
    """The personal data in an audited table and which of it the model needs.

    Attributes
    ----------
    columns : tuple of ColumnProfile
        Every column of the table, in table order.
    features_declared : bool
        Whether the model's input columns were declared (``features``).
    purpose : str or None
        fideslang data-use key of the declared purpose.
    purpose_categories : tuple of str
        Data categories the policy declares for ``purpose``.
    scan_sample_size : int
        Values sampled per column by the scan.
    scan_rows : int
        Most rows the scan read (the first ones).
    scan_warnings : tuple of str
        Warnings of the scan (e.g. a column that could not be read as text).
    text_engine : dict
        What recognised personal data in the values (``PiiScanResult.text_engine``).

    Notes
    -----
    Definitions: GDPR Art. 5(1)(c) (data minimisation), Art. 9(1) (special categories);
    ISO/IEC 20889:2018 §3.14 (direct identifier); fideslang data categories and uses.
    """

    columns: tuple[ColumnProfile, ...]
    features_declared: bool
    purpose: str | None
    purpose_categories: tuple[str, ...] = ()
    scan_sample_size: int = SCAN_SAMPLE_SIZE
    scan_rows: int = SCAN_ROWS
    scan_warnings: tuple[str, ...] = ()
    text_engine: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> ColumnProfile:
        """Return the profile of column ``name``.

        Raises
        ------
        UsageError
            If the table has no such column.
        """
        for c in self.columns:
            if c.column == name:
                return c
        raise UsageError(f"the privacy profile has no column {name!r}")

    def _with_role(self, *roles: str) -> tuple[str, ...]:
        return tuple(c.column for c in self.columns if c.role in roles)

    @property
    def examined(self) -> tuple[str, ...]:
        """The columns judged as model inputs, in table order."""
        return self._with_role(*sorted(_EXAMINED))

    @property
    def sensitive_features(self) -> tuple[str, ...]:
        """Sensitive-feature columns that are only audited by (not declared inputs)."""
        return self._with_role("sensitive_feature")

    @property
    def audit_columns(self) -> tuple[str, ...]:
        """The audit's own columns (label, decision, score, weight, outcome)."""
        return self._with_role("audit")

    @property
    def pii_features(self) -> tuple[ColumnProfile, ...]:
        """Examined columns that are direct identifiers or special categories."""
        return tuple(c for c in self.columns if c.flagged)

    @property
    def minimisation_judged(self) -> bool:
        """Whether data minimisation can be judged (features or purpose declared, or no
        column that might be a model input)."""
        return (
            self.features_declared
            or self.purpose is not None
            or not any(c.role == "undeclared" for c in self.columns)
        )

    @property
    def minimisation_issues(self) -> tuple[ColumnProfile, ...]:
        """Columns present that are neither needed nor of a category declared for the
        purpose (empty when not judged)."""
        return tuple(c for c in self.columns if c.minimisation_issue)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``privacy`` object of ``report.json`` (``docs/report-schema.md``)."""
        judged = self.minimisation_judged
        return {
            "purpose": self.purpose,
            "purpose_categories": list(self.purpose_categories),
            "features_declared": self.features_declared,
            "examined": list(self.examined),
            "sensitive_features": list(self.sensitive_features),
            "audit_columns": list(self.audit_columns),
            "columns": [c.to_dict() for c in self.columns],
            "pii_in_features": {
                "value": len(self.pii_features),
                "columns": [c.column for c in self.pii_features],
            },
            "data_minimisation": {
                "value": len(self.minimisation_issues) if judged else None,
                "reason": None if judged else Reason.NOT_DECLARED.value,
                "columns": [c.column for c in self.minimisation_issues],
            },
            "scan": {
                "sample_size": self.scan_sample_size,
                "max_rows": self.scan_rows,
                "text_engine": _plain(self.text_engine),
                "warnings": list(self.scan_warnings),
            },
        }


def _plain(value: Any) -> Any:
    """A JSON-safe copy: mappings and sequences recursively, other leaves as JSON scalars."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _roles(
    available: Sequence[str], spec: AuditSpec, features: tuple[str, ...] | None
) -> dict[str, Role]:
    audit_cols = {getattr(spec, name) for name in _AUDIT_FIELDS} - {None}
    sensitive = {f.column for f in spec.sensitive_features}
    declared = set(features or ())
    roles: dict[str, Role] = {}
    for column in available:
        if column in declared:
            roles[column] = "feature"
        elif column in audit_cols:
            roles[column] = "audit"
        elif column in sensitive:
            roles[column] = "sensitive_feature"
        elif features is not None:
            roles[column] = "unused"
        else:
            roles[column] = "undeclared"
    return roles


def _check_against_data(decl: Declarations, available: Sequence[str], spec: AuditSpec) -> None:
    known = set(available)
    for column in decl.features or ():
        if column not in known:
            raise DataError(f"features: {missing_column_message(column, list(available))}")
        for name in _NOT_FEATURES:
            if getattr(spec, name) == column:
                raise UsageError(
                    f"features names {column!r}, the audit's {name} column; expected the "
                    "model's input columns, never its label, decision or score"
                )
    for column in decl.data_categories:
        if column not in known:
            raise DataError(f"data_categories: {missing_column_message(column, list(available))}")


def _scan(source: DataSource, columns: list[str]) -> Any:
    from fairmark.privacy.table_scan import scan_table

    return scan_table(
        source.table.limit(SCAN_ROWS),
        columns=columns,
        sample_size=SCAN_SAMPLE_SIZE,
        data_name=source.description,
        # fairmark's own validated text scan still runs on free-text columns; Presidio's
        # second opinion (seconds to load) is for `fairmark pii scan`, not every audit.
        presidio=False,
    )


def _column_profile(
    column: str, role: Role, decl: Declarations, finding: Any, judged_roles: frozenset[str]
) -> ColumnProfile:
    entity_type: str | None = None
    evidence: tuple[str, ...] = ()
    scanned_direct = False
    if column in decl.data_categories:
        category = decl.data_categories[column]
        source: CategorySource = "declared"
        evidence = ("declared in data_categories",)
    elif finding is not None and finding.data_category:
        category = str(finding.data_category)
        source = "scan"
        entity_type = finding.entity_type
        evidence = tuple(str(e) for e in finding.evidence)
        scanned_direct = bool(finding.direct_identifier)
    else:
        category, source = None, "none"
        if finding is not None:
            evidence = tuple(str(e) for e in finding.evidence)
    direct = scanned_direct or is_identifier_category(category)
    special = is_special_category(category) if category is not None else None
    if decl.purpose is None or category is None or role in ("audit", "sensitive_feature"):
        declared: bool | None = None  # no purpose, nothing to declare, or not classified
    else:
        declared = any(
            category == c or category.startswith(c + ".") for c in decl.purpose_categories
        )
    issue = False
    if role in judged_roles and declared is not True:
        issue = role == "unused" or (decl.purpose is not None and _is_personal(category))
    return ColumnProfile(
        column=column,
        role=role,
        category=category,
        category_source=source,
        entity_type=entity_type,
        direct_identifier=direct,
        special_category=special,
        declared_for_purpose=declared,
        minimisation_issue=issue,
        evidence=evidence,
    )


def profile_columns(
    source: DataSource,
    spec: AuditSpec,
    *,
    features: str | Sequence[str] | None = None,
    purpose: str | None = None,
    data_categories: Mapping[str, str] | None = None,
    policy: Any,
) -> PrivacyProfile:
    """Classify the audited table's columns for the privacy checks.

    Parameters
    ----------
    source : DataSource
        The audited table (:func:`fairmark.engine.as_table`).
    spec : AuditSpec
        The audit spec: its label, decision, score, weight, outcome and sensitive-feature
        columns are the audit's own.
    features : sequence of str, optional
        The model's input columns. Default: every column that is not an audit column or
        a sensitive feature is examined as a possible input.
    purpose : str, optional
        fideslang data-use key declared in ``policy.settings.purposes``.
    data_categories : mapping of str to str, optional
        ``column -> fideslang category`` overriding the scan (``"none"``: not personal).
    policy : fairmark.policy.Policy
        Declares the purposes and their data categories.

    Returns
    -------
    PrivacyProfile
        Every column with its role, category, identifier and Art. 9 flags; the columns
        that are not audit columns or audited-by sensitive features are scanned on a
        sample of :data:`SCAN_SAMPLE_SIZE` values among the first :data:`SCAN_ROWS` rows
        (names and values) unless declared.

    Raises
    ------
    UsageError
        As :func:`fairmark.privacy.declarations.check_declarations`; also a feature that
        is the audit's label, decision or score column.
    DataError
        A feature or ``data_categories`` column that is not in the data (the message lists
        the available columns).

    Notes
    -----
    Roles and the data-minimisation rule are defined in the module docstring. Sources:
    GDPR Art. 5(1)(c) and Art. 9(1); ISO/IEC 20889:2018 §3.14; fideslang taxonomy
    (data categories, data uses).
    """
    decl = check_declarations(
        features=features, purpose=purpose, data_categories=data_categories, policy=policy
    )
    available = [str(c) for c in source.table.columns]
    _check_against_data(decl, available, spec)
    roles = _roles(available, spec, decl.features)
    to_scan = [
        c
        for c in available
        if roles[c] in ("feature", "unused", "undeclared")
        and (c not in decl.data_categories or decl.data_categories[c] is None)
    ]  # columns declared "none" are scanned too, to warn when the values contradict it
    scan = _scan(source, to_scan) if to_scan else None
    judged = (
        decl.features is not None or decl.purpose is not None or "undeclared" not in roles.values()
    )
    judged_roles = frozenset({"unused", "undeclared"}) if judged else frozenset()
    columns = tuple(
        _column_profile(
            c,
            roles[c],
            decl,
            scan.column(c) if scan is not None and c in to_scan else None,
            judged_roles,
        )
        for c in available
    )
    return PrivacyProfile(
        columns=columns,
        features_declared=decl.features is not None,
        purpose=decl.purpose,
        purpose_categories=decl.purpose_categories,
        scan_sample_size=SCAN_SAMPLE_SIZE,
        scan_rows=SCAN_ROWS,
        scan_warnings=(
            tuple(str(w) for w in scan.warnings) + _contradicted_declarations(decl, scan)
            if scan is not None
            else ()
        ),
        text_engine=dict(scan.text_engine) if scan is not None else {},
    )


def _contradicted_declarations(decl: Declarations, scan: Any) -> tuple[str, ...]:
    """Warnings for columns declared not personal whose values the scan finds to be direct
    identifiers; the declaration still stands (the caller knows the data best)."""
    notes = []
    scanned = {f.column: f for f in scan.columns}
    for column, category in decl.data_categories.items():
        finding = scanned.get(column) if category is None else None
        if finding is not None and finding.direct_identifier and finding.entity_type:
            notes.append(
                f"column {column!r} is declared 'none' (not personal) but "
                f"{finding.match_share:.0%} of its scanned values look like "
                f"{finding.entity_type} ({finding.data_category}), a direct identifier; "
                "the declaration is kept — check it"
            )
    return tuple(notes)
