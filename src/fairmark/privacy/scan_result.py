"""The result of a PII scan of a table: one finding per column, as typed objects and JSON.

The JSON document (``kind: "pii_scan"``, ``schema_version: "1.0"``) is described by
``fairmark/privacy/pii_scan.schema.json`` (JSON Schema draft 2020-12). It never holds a
raw value: examples are masked by :func:`fairmark.privacy.masking.mask`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fairmark.errors import UsageError

__all__ = [
    "SCHEMA_PATH",
    "SCHEMA_VERSION",
    "ColumnFinding",
    "EmbeddedEntity",
    "PiiScanResult",
]

SCHEMA_VERSION = "1.0"
KIND = "pii_scan"
SCHEMA_PATH = Path(__file__).with_name("pii_scan.schema.json")
"""Path of the JSON Schema of :meth:`PiiScanResult.to_dict`."""


def _r(x: float) -> float:
    return round(float(x), 4)


@dataclass(frozen=True)
class EmbeddedEntity:
    """Personal data found *inside* the values of a column (free text).

    Parameters
    ----------
    entity_type : str
        Entity name (``EMAIL_ADDRESS`` …; Presidio entities without a fairmark
        counterpart keep Presidio's name, such as ``URL`` or ``DATE_TIME``).
    fairmark_share : float
        Share of the sampled texts in which :func:`fairmark.privacy.scan_text.scan_texts`
        found at least one span, in [0, 1].
    presidio_share : float or None
        Share of the texts given to Presidio (the first ones of the sample, see
        ``text_engine.presidio_texts``) in which Presidio found one; ``None`` when
        Presidio did not run.
    n_spans : int
        Spans found by fairmark in the sample; Presidio's count when only Presidio found
        the type.
    found_by : tuple of str
        ``"fairmark"``, ``"presidio"`` or both.
    """

    entity_type: str
    fairmark_share: float
    presidio_share: float | None
    n_spans: int
    found_by: tuple[str, ...]

    @property
    def value_share(self) -> float:
        """The larger of the two engines' shares."""
        return max(self.fairmark_share, self.presidio_share or 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "entity_type": self.entity_type,
            "value_share": _r(self.value_share),
            "fairmark_share": _r(self.fairmark_share),
            "presidio_share": None if self.presidio_share is None else _r(self.presidio_share),
            "n_spans": int(self.n_spans),
            "found_by": list(self.found_by),
        }


@dataclass(frozen=True)
class ColumnFinding:
    """What one column holds, how sure the scan is, and why.

    Parameters
    ----------
    column : str
    entity_type : str or None
        Kind of personal data the *values* are (``EMAIL_ADDRESS`` …, ``FREE_TEXT`` for
        text fields); ``None`` when the values are not one of the detected entity types
        (an age, a marital status, a non-personal column).
    match_share : float
        Estimated share of the non-null values that are ``entity_type``, in [0, 1]
        (0 when ``entity_type`` is None or comes from the name only). See
        :func:`fairmark.privacy.table_scan.scan_table` for the estimator.
    confidence : float
        Confidence in ``entity_type`` / ``data_category``, in [0, 1], combining name and
        value evidence (see :func:`~fairmark.privacy.table_scan.scan_table`).
    data_category : str or None
        fideslang data category (``user.contact.email``, ``user.demographic.age_range``
        …); ``None`` when the column is not recognised as personal data.
    examples_masked : tuple of str
        Up to three masked example values (never raw values).
    special_category : str or None
        GDPR Art. 9(1) wording when ``data_category`` is a special category.
    direct_identifier : bool
        The column identifies people on their own (ISO/IEC 20889:2018 §3.14), or free
        text containing direct identifiers.
    evidence : tuple of str
        One plain sentence per fact used (name, value shares, validation, warnings).
    n_non_null : int
        Non-null values in the whole column (counted by the engine).
    dtype : str
        Engine type of the column (``string``, ``int64``, ``date`` …).
    n_distinct_approx : int or None
        Approximate number of distinct values (HyperLogLog in the engine).
    n_sampled : int
        Non-null values drawn into the validation sample.
    contains : tuple of EmbeddedEntity
        Entities found inside the sampled values (free-text columns).
    label : str or None
        Plain words for what the column holds (``"email address"``, ``"age"``).
    """

    column: str
    entity_type: str | None
    match_share: float
    confidence: float
    data_category: str | None
    examples_masked: tuple[str, ...]
    special_category: str | None
    direct_identifier: bool
    evidence: tuple[str, ...]
    n_non_null: int
    dtype: str = ""
    n_distinct_approx: int | None = None
    n_sampled: int = 0
    contains: tuple[EmbeddedEntity, ...] = ()
    label: str | None = None

    @property
    def is_personal(self) -> bool:
        """Whether the column was recognised as personal data (it has a category)."""
        return self.data_category is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (one item of the document's ``columns``)."""
        return {
            "column": self.column,
            "entity_type": self.entity_type,
            "label": self.label,
            "match_share": _r(self.match_share),
            "confidence": _r(self.confidence),
            "data_category": self.data_category,
            "special_category": self.special_category,
            "direct_identifier": bool(self.direct_identifier),
            "examples_masked": list(self.examples_masked),
            "contains": [c.to_dict() for c in self.contains],
            "evidence": list(self.evidence),
            "n_non_null": int(self.n_non_null),
            "n_distinct_approx": (
                None if self.n_distinct_approx is None else int(self.n_distinct_approx)
            ),
            "n_sampled": int(self.n_sampled),
            "dtype": self.dtype,
        }


@dataclass(frozen=True)
class PiiScanResult:
    """Findings of :func:`fairmark.privacy.table_scan.scan_table` for every scanned column.

    Parameters
    ----------
    columns : tuple of ColumnFinding
        In the table's column order.
    n_rows : int
        Rows in the table.
    text_engine : dict
        Which text engines ran on free-text columns: ``{"used": False}`` when no column
        was free text; else ``used: True`` plus
        :func:`fairmark.privacy.presidio_adapter.presidio_engine_info` (``presidio``
        version, ``recognizers`` = ``"pattern"`` or ``"pattern+ner"``, ``ner_model``),
        ``fairmark_texts`` and ``presidio_texts`` (texts each engine scanned, summed
        over the free-text columns); ``presidio: None`` and a ``reason`` when Presidio
        did not run.
    warnings : tuple of str
        One line each (all-null columns, undecodable bytes, unscanned types).
    data_name : str
        What was scanned (a path, ``pandas.DataFrame`` …).
    sample_size : int
        Most non-null values validated per column.
    region : str or None
        Default phone region (ISO 3166-1 alpha-2) given to the scan.
    """

    columns: tuple[ColumnFinding, ...]
    n_rows: int
    text_engine: dict[str, Any]
    warnings: tuple[str, ...]
    data_name: str
    sample_size: int = 1000
    region: str | None = None
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False,
                                   compare=False)  # fmt: skip

    def __post_init__(self) -> None:
        self._index.update({c.column: i for i, c in enumerate(self.columns)})

    def column(self, name: str) -> ColumnFinding:
        """Return the finding of column ``name``.

        Raises
        ------
        UsageError
            If ``name`` was not scanned (the message lists the scanned columns).
        """
        if name not in self._index:
            shown = ", ".join(c.column for c in self.columns[:40])
            raise UsageError(f"column {name!r} was not scanned; scanned columns: {shown}")
        return self.columns[self._index[name]]

    @property
    def direct_identifiers(self) -> tuple[str, ...]:
        """Columns that identify people on their own."""
        return tuple(c.column for c in self.columns if c.direct_identifier)

    @property
    def special_categories(self) -> tuple[str, ...]:
        """Columns of a GDPR Art. 9(1) special category."""
        return tuple(c.column for c in self.columns if c.special_category)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Columns recognised as personal data (any data category)."""
        return tuple(c.column for c in self.columns if c.is_personal)

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON document (``kind: "pii_scan"``), valid against the schema."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "data": self.data_name,
            "n_rows": int(self.n_rows),
            "n_columns": len(self.columns),
            "sample_size": int(self.sample_size),
            "region": self.region,
            "text_engine": dict(self.text_engine),
            "summary": {
                "direct_identifiers": list(self.direct_identifiers),
                "special_categories": list(self.special_categories),
                "personal_columns": list(self.personal_columns),
            },
            "columns": [c.to_dict() for c in self.columns],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 safe, non-ASCII kept)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
