"""PII scan of a table: classify every column from its name and its values.

:func:`scan_table` is the engine of ``fairmark pii scan``. For each column it reports the
kind of personal data the values are (an :class:`~fairmark.privacy.entities.EntityType`),
the estimated share of values that are it, a confidence, the fideslang data category,
whether it is a direct identifier or a GDPR Art. 9(1) special category, masked examples
and the evidence, one sentence per fact. The work is split as follows:

1. :func:`fairmark.privacy.table_profile.profile_columns`: one aggregation in the data
   engine (counts, distinct counts, candidate counts of every detector, text lengths …);
2. :func:`fairmark.privacy.table_profile.draw_sample`: a bounded random sample;
3. :func:`fairmark.privacy.value_evidence.evaluate_values`: whole-value validation of the
   sample with the detectors of :mod:`fairmark.privacy.detectors`;
4. :func:`fairmark.privacy.column_names.classify_name`: what the name says;
5. :func:`fairmark.privacy.free_text.scan_embedded`: identifiers typed into free text,
   found by fairmark's text scan and by Presidio.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import tempfile
import warnings as _warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fairmark.engine.source import (
    DataSource,
    as_table,
    missing_column_message,
    transcode_to_utf8,
)
from fairmark.errors import DataError, DataWarning, UsageError
from fairmark.privacy import column_names as cn
from fairmark.privacy.column_names import NameHint, classify_name
from fairmark.privacy.entities import (
    DATA_CATEGORY,
    DIRECT_IDENTIFIERS,
    EntityType,
    is_special_category,
)
from fairmark.privacy.masking import mask
from fairmark.privacy.scan_result import ColumnFinding, EmbeddedEntity, PiiScanResult
from fairmark.privacy.table_profile import (
    ColumnProfile,
    draw_sample,
    profile_columns,
    quiet_engine,
)
from fairmark.privacy.value_evidence import (
    FULL_SCORE,
    EntityEvidence,
    evaluate_values,
    name_shape_share,
    vocabulary_hint,
)

__all__ = [
    "CONTRADICTION",
    "DEFAULT_SAMPLE_SIZE",
    "ENTITY_LABELS",
    "MAX_SAMPLE_SIZE",
    "MIN_VALUE_CONFIDENCE",
    "MIN_VALUE_SHARE",
    "header_looks_like_data",
    "name_value_confidence",
    "scan_table",
]

DEFAULT_SAMPLE_SIZE = 1000
"""Non-null values validated per column by default."""

MAX_SAMPLE_SIZE = 1_000_000
"""Largest ``sample_size`` accepted."""

MIN_VALUE_SHARE = 0.5
"""Without a name saying so, a column is an entity only if at least this share of its
values are."""

MIN_VALUE_CONFIDENCE = 0.4
"""…and the confidence from its values alone reaches this."""

CONTRADICTION = 0.1
"""Value evidence below this, for the entity the name announces, contradicts the name."""

WEAK_VALUE_FACTOR = 0.5
"""Value-only confidence is multiplied by this for entities whose values alone are weak
evidence (detectors that need context in text, or scores below the reporting threshold:
dates, bare digit postal codes, capitalised words)."""

FREE_TEXT_MIN_LENGTH = 30.0
"""Mean length (characters) from which text with spaces is free text."""

FREE_TEXT_MIN_WHITESPACE = 0.5
"""Share of values containing whitespace from which long text is free text."""

ENTITY_LABELS: dict[str, str] = {
    EntityType.EMAIL_ADDRESS: "email address",
    EntityType.PHONE_NUMBER: "phone number",
    EntityType.CREDIT_CARD: "payment card number",
    EntityType.IBAN_CODE: "IBAN",
    EntityType.NATIONAL_ID: "national identification number",
    EntityType.IP_ADDRESS: "IP address",
    EntityType.DATE_OF_BIRTH: "date of birth",
    EntityType.POSTAL_CODE: "postal code",
    EntityType.PERSON: "person name",
    EntityType.STREET_ADDRESS: "street address",
    EntityType.FREE_TEXT: "free text",
}
"""Plain words for each entity type."""

SAMPLE_ONLY = frozenset({EntityType.PERSON})
"""Entities whose share is estimated from the sample alone, so the engine does not count
their candidates (a person-name candidate needs a cue word a column value lacks)."""


def name_value_confidence(name_strength: float, value_strength: float) -> float:
    """Combine name and value evidence for the entity a column name announces.

    ``a = min(1, v / 0.5)`` measures how far the values agree; the name counts for
    ``s · (0.25 + 0.75 a)`` (a quarter of its strength when the values contradict it)
    and the two are combined as independent evidence (noisy-OR):
    ``1 − (1 − s · (0.25 + 0.75 a)) · (1 − v)``.

    Parameters
    ----------
    name_strength : float
        ``s`` in (0, 1]: :attr:`fairmark.privacy.column_names.NameHint.strength`.
    value_strength : float
        ``v`` in [0, 1]: :attr:`fairmark.privacy.value_evidence.EntityEvidence.strength`.

    Returns
    -------
    float
        In [0, 1]. E.g. ``s = 0.9``: 0.225 when no value agrees (``v = 0``), 0.95 when
        half the values are valid (``v = 0.5``), 1 when all are.
    """
    agree = min(1.0, value_strength / 0.5)
    name_part = name_strength * (0.25 + 0.75 * agree)
    return 1.0 - (1.0 - name_part) * (1.0 - value_strength)


def _pct(x: float) -> str:
    """A share as a percentage: one decimal near 0 and 1, so neither is shown by rounding."""
    return f"{100 * x:.1f}%" if 0 < x < 0.01 or 0.99 < x < 1 else f"{100 * x:.0f}%"


def _check_sample_size(sample_size: Any) -> int:
    if isinstance(sample_size, bool) or not isinstance(sample_size, int):
        raise UsageError(f"sample_size must be a whole number, got {sample_size!r}")
    if not 1 <= sample_size <= MAX_SAMPLE_SIZE:
        raise UsageError(
            f"sample_size must be between 1 and {MAX_SAMPLE_SIZE:,}, got {sample_size:,}"
        )
    return sample_size


def _check_region(region: str | None) -> str | None:
    if region is None:
        return None
    import phonenumbers

    code = str(region).strip().upper()
    if code == "UK":
        code = "GB"
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(
            f"unknown region {region!r}; expected an ISO 3166-1 alpha-2 code such as GB, "
            "US or DE"
        )
    return code


def _row_region(value: Any, default: str | None, regions: frozenset[str]) -> str | None:
    if isinstance(value, str):
        code = value.strip().upper()
        code = "GB" if code == "UK" else code
        if code in regions:
            return code
    return default


# --- decoding input that is not UTF-8 -----------------------------------------------------


_CSV_LIKE = (".csv", ".tsv", ".txt", ".dat", ".data")


def _is_text_path(data: Any) -> bool:
    if not isinstance(data, str | os.PathLike):
        return False
    name = os.fspath(data).lower().removesuffix(".gz")
    return name.endswith(_CSV_LIKE) or Path(name).suffix == ""


def _not_utf8(exc: DataError) -> bool:
    text = exc.message.lower()
    return "unicode" in text or "utf-8" in text or "utf8" in text or "not utf-8" in text


@contextmanager
def _utf8_copy(data: Any) -> Iterator[tuple[DataSource, str]]:
    tmp = tempfile.mkdtemp(prefix="fairmark-pii-")
    try:
        out = Path(tmp) / "data.csv"
        replaced = transcode_to_utf8(data, out)
        shown = os.fspath(data)
        warning = f"{shown} is not valid UTF-8: {replaced:,} bytes replaced with U+FFFD"
        _warnings.warn(warning, DataWarning, stacklevel=4)
        source = as_table(out)
        yield DataSource(source.table, shown, source.backend, source.categories), warning
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- progress ------------------------------------------------------------------------------


class _Progress:
    """A Rich progress bar on a terminal, one plain line per step otherwise, or nothing."""

    def __init__(self, enabled: bool) -> None:
        import sys

        self._bar: Any = None
        self._task: Any = None
        self._plain = enabled and not sys.stderr.isatty()
        self._total: int | None = None
        self._done = 0
        if enabled and not self._plain:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("[bold]pii scan[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.description}"), console=Console(stderr=True),
                transient=True,
            )  # fmt: skip

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("profiling in the engine", total=None)
        elif self._plain:
            import sys

            print("pii scan: profiling in the engine", file=sys.stderr, flush=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def total(self, n: int) -> None:
        self._total = n
        if self._bar is not None:
            self._bar.update(self._task, total=n)

    def step(self, description: str, advance: int = 1) -> None:
        self._done += advance
        if self._bar is not None:
            self._bar.update(self._task, description=description, advance=advance)
        elif self._plain:
            import sys

            of = f"{self._done}/{self._total}" if self._total else str(self._done)
            print(f"pii scan [{of}] {description}", file=sys.stderr, flush=True)


# --- per-column decisions ------------------------------------------------------------------


def _finding(
    column: str, profile: ColumnProfile, n_sampled: int, *, entity: str | None, share: float,
    confidence: float, category: str | None, direct: bool, evidence: list[str],
    examples: Sequence[str] = (), contains: Sequence[EmbeddedEntity] = (),
    label: str | None = None,
) -> ColumnFinding:  # fmt: skip
    return ColumnFinding(
        column=column,
        entity_type=None if entity is None else str(entity),
        match_share=max(0.0, min(1.0, share)),
        confidence=max(0.0, min(1.0, confidence)),
        data_category=category,
        examples_masked=tuple(examples)[:3],
        special_category=is_special_category(category) if category else None,
        direct_identifier=direct,
        evidence=tuple(evidence),
        n_non_null=profile.n_non_null,
        dtype=profile.dtype,
        n_distinct_approx=profile.n_distinct_approx,
        n_sampled=n_sampled,
        contains=tuple(contains),
        label=label,
    )


def _name_sentence(column: str, hint: NameHint) -> str:
    special = f", {hint.special_category}" if hint.special_category else ""
    return f"name {column!r} suggests {hint.label} ({hint.data_category}{special})"


def _ordinary(
    column: str, profile: ColumnProfile, hint: NameHint | None, n_sampled: int,
    evidence: list[str], none_confidence: float,
) -> ColumnFinding:  # fmt: skip
    """A column whose values are none of the entity types: the name alone decides."""
    if hint is None:
        evidence.append("not recognised as personal data")
        return _finding(column, profile, n_sampled, entity=None, share=0.0,
                        confidence=none_confidence, category=None, direct=False,
                        evidence=evidence)  # fmt: skip
    confidence = hint.strength
    evidence.insert(0, _name_sentence(column, hint))
    if hint.data_category == cn.AGE and profile.kind in {"integer", "float"}:
        lo, hi = profile.minimum, profile.maximum
        if lo is not None and hi is not None:
            if 0 <= lo and hi <= 120:
                confidence = 1 - (1 - confidence) * 0.5
                evidence.append(f"values from {lo:g} to {hi:g} are plausible ages in years")
            else:
                confidence *= 0.5
                evidence.append(f"values from {lo:g} to {hi:g} are not ages in years (0-120)")
    return _finding(column, profile, n_sampled, entity=None, share=0.0, confidence=confidence,
                    category=hint.data_category, direct=hint.direct_identifier,
                    evidence=evidence, label=hint.label)  # fmt: skip


def _evidence_sentence(ev: EntityEvidence, nn: int) -> str:
    label = ENTITY_LABELS[ev.entity_type]
    if ev.estimator == "shape":
        return f"estimated share {_pct(ev.match_share)} (name-shaped values)"
    parts = []
    if ev.engine_share is not None and ev.estimator == "engine × sample":
        parts.append(f"{_pct(ev.engine_share)} of {nn:,} non-null values match the {label} "
                     "candidate pattern (engine)")  # fmt: skip
        if ev.n_candidates:
            parts.append(f"{ev.n_valid_candidates} of {ev.n_candidates} sampled candidates "
                         "validate as a whole value")  # fmt: skip
        else:
            parts.append(f"none of {ev.n_sampled} sampled values does")
    else:
        parts.append(f"{ev.n_valid} of {ev.n_sampled} sampled values validate as {label}")
    if ev.n_valid:
        ctx = ", column name as context" if ev.name_context else ""
        parts.append(f"mean score {ev.mean_score:.2f}{ctx}")
    return "; ".join(parts) + f": estimated share {_pct(ev.match_share)}"


def _weak(ev: EntityEvidence, detectors: dict[EntityType, Any]) -> bool:
    detector = detectors.get(ev.entity_type)
    needs_context = bool(getattr(detector, "needs_context", False))
    return needs_context or ev.mean_score < FULL_SCORE


def _temporal(
    column: str, profile: ColumnProfile, hint: NameHint | None, values: list[Any],
    today: dt.date,
) -> ColumnFinding:  # fmt: skip
    nn = profile.n_non_null
    in_range = (profile.n_birth_range or 0) / nn if nn else 0.0
    days = []
    for v in values:
        d = v.date() if isinstance(v, dt.datetime) else v
        if isinstance(d, dt.date):
            days.append(d)
    ages = [(today - d).days / 365.2425 for d in days]
    median_age = statistics.median(ages) if ages else None
    evidence = [f"{_pct(in_range)} of {nn:,} dates lie within 120 years before today "
                "(possible birth dates)"]  # fmt: skip
    if median_age is not None:
        evidence.append(f"median age in the sample {median_age:.0f} years")
    examples = [mask(d.isoformat(), EntityType.DATE_OF_BIRTH) for d in days[:3]]
    dob = EntityType.DATE_OF_BIRTH
    category = DATA_CATEGORY[dob]
    if hint is not None and hint.entity_type == dob:
        evidence.insert(0, _name_sentence(column, hint))
        confidence = name_value_confidence(hint.strength, in_range)
        if in_range < CONTRADICTION:
            evidence.append("the name says date of birth but the dates are not plausible "
                            "birth dates")  # fmt: skip
        return _finding(column, profile, len(values), entity=dob, share=in_range,
                        confidence=confidence, category=category, direct=False,
                        evidence=evidence, examples=examples, label=hint.label)  # fmt: skip
    plausible = median_age is not None and 18 <= median_age <= 100
    if in_range >= 0.95 and plausible and (hint is None or hint.entity_type is None):
        if hint is not None:
            evidence.insert(0, _name_sentence(column, hint))
        evidence.append("no birth-related column name: weak evidence of dates of birth")
        confidence = in_range * WEAK_VALUE_FACTOR * 0.9
        return _finding(column, profile, len(values), entity=dob, share=in_range,
                        confidence=confidence, category=category, direct=False,
                        evidence=evidence, examples=examples,
                        label=ENTITY_LABELS[dob])  # fmt: skip
    return _ordinary(column, profile, hint, len(values), evidence,
                     none_confidence=1.0 - in_range * WEAK_VALUE_FACTOR * 0.9)  # fmt: skip


def _text_values(values: list[Any], kind: str) -> tuple[list[str], int]:
    """Values as text; bytes decoded as UTF-8 with replacement (count of those replaced)."""
    out: list[str] = []
    bad = 0
    for v in values:
        if isinstance(v, bytes | bytearray | memoryview):
            raw = bytes(v)
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                bad += 1
                out.append(raw.decode("utf-8", errors="replace"))
        elif kind == "integer":
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return out, bad


def _textual(
    column: str, profile: ColumnProfile, hint: NameHint | None, values: list[str],
    regions: list[str | None], detectors: Sequence[Any], *, boost: float,
) -> tuple[ColumnFinding, bool]:  # fmt: skip
    """Classify a text, integer or bytes column; the bool says "scan it as free text"."""
    nn = profile.n_non_null
    n = len(values)
    by_type = {d.entity_type: d for d in detectors}
    engine = profile.candidates if profile.kind != "binary" else None
    found = evaluate_values(values, regions, detectors, column=column, hint=hint,
                            engine_candidates=engine or None, n_non_null=nn,
                            boost=boost)  # fmt: skip
    if profile.kind == "binary" or profile.mean_length is None:
        ws = sum(any(ch.isspace() for ch in v) for v in values) / n if n else 0.0
        mean_len = sum(len(v) for v in values) / n if n else 0.0
    else:
        ws = (profile.n_whitespace or 0) / nn if nn else 0.0
        mean_len = profile.mean_length
    shape_share, shape_examples = name_shape_share(values)

    def effective(ev: EntityEvidence) -> float:
        return ev.strength * (WEAK_VALUE_FACTOR if _weak(ev, by_type) else 1.0)

    ranked = sorted(found.values(), key=lambda e: (-effective(e), e.entity_type))
    best = ranked[0] if ranked else None
    best_ok = (best is not None and best.match_share >= MIN_VALUE_SHARE
               and effective(best) >= MIN_VALUE_CONFIDENCE)  # fmt: skip
    evidence: list[str] = []
    text_like = ws >= FREE_TEXT_MIN_WHITESPACE and mean_len >= FREE_TEXT_MIN_LENGTH
    free = EntityType.FREE_TEXT
    text_sentence = (f"mean length {mean_len:.0f} characters; {_pct(ws)} of values contain "
                     "whitespace")  # fmt: skip

    def from_values(ev: EntityEvidence, confidence: float, extra: list[str]) -> ColumnFinding:
        entity = ev.entity_type
        same = hint is not None and hint.entity_type == entity
        category = hint.data_category if same and hint else DATA_CATEGORY[entity]
        direct = entity in DIRECT_IDENTIFIERS or bool(same and hint and hint.direct_identifier)
        examples = [mask(x, entity) for x in ev.examples]
        if entity == EntityType.PERSON and not examples:
            examples = [mask(x, entity) for x in shape_examples]
        return _finding(column, profile, n, entity=entity, share=ev.match_share,
                        confidence=confidence, category=category, direct=direct,
                        evidence=[*extra, _evidence_sentence(ev, nn)], examples=examples,
                        label=hint.label if same and hint else ENTITY_LABELS[entity])  # fmt: skip

    # 1. the name announces an entity the values can confirm or contradict
    if hint is not None and hint.entity_type is not None and hint.entity_type != free:
        announced = found[hint.entity_type]
        v = announced.strength
        if hint.entity_type == EntityType.PERSON:
            shape_strength = shape_share * 0.6
            if shape_strength > v:
                v = shape_strength
                announced = EntityEvidence(**{**announced.__dict__,
                                              "match_share": shape_share,
                                              "estimator": "shape"})  # fmt: skip
        if v < CONTRADICTION and best_ok and best is not None \
                and best.entity_type != hint.entity_type and not _weak(best, by_type):
            extra = [_name_sentence(column, hint),
                     f"but the values are {ENTITY_LABELS[best.entity_type]} values, not "
                     f"{hint.label} values"]  # fmt: skip
            return from_values(best, effective(best) * 0.8, extra), False
        extra = [_name_sentence(column, hint)]
        if announced.entity_type == EntityType.PERSON and announced.estimator == "shape":
            extra.append(f"{_pct(shape_share)} of {n:,} sampled values are shaped like "
                         "names (1-4 capitalised words): a shape, not a validation")
        if v < CONTRADICTION and n:
            extra.append(f"the name says {hint.label} but only "
                         f"{_pct(announced.match_share)} of the values are: low confidence")
        if not n:
            extra.append("no values to check")
        return from_values(announced, name_value_confidence(hint.strength, v), extra), False

    # 2. the values are an entity
    if best_ok and best is not None:
        extra = [] if hint is None else [_name_sentence(column, hint)]
        if hint is not None and hint.entity_type is None:
            extra.append(f"but the values are {ENTITY_LABELS[best.entity_type]} values")
        factor = 0.8 if hint is not None and hint.entity_type is None else 1.0
        return from_values(best, effective(best) * factor, extra), False

    # 3. free text, by name or by shape
    named_text = hint is not None and hint.entity_type == free
    if text_like or (named_text and ws >= 0.2):
        t = ws * min(1.0, mean_len / 40.0)
        s = hint.strength if named_text and hint else 0.0
        confidence = 1 - (1 - s) * (1 - t)
        if named_text and hint:
            evidence.append(_name_sentence(column, hint))
        evidence.append(text_sentence)
        category = DATA_CATEGORY[free]
        return _finding(column, profile, n, entity=free, share=ws, confidence=confidence,
                        category=category, direct=False, evidence=evidence,
                        examples=[mask(v, free) for v in dict.fromkeys(values)][:3],
                        label=ENTITY_LABELS[free]), True  # fmt: skip
    if named_text and hint:
        evidence.append(_name_sentence(column, hint))
        evidence.append(text_sentence + ": not free text, low confidence")
        return _finding(column, profile, n, entity=free, share=ws,
                        confidence=hint.strength * 0.25, category=DATA_CATEGORY[free],
                        direct=False, evidence=evidence, label=hint.label), False  # fmt: skip

    # 4. a small vocabulary of demographic values (White/Black …, Male/Female …)
    vocab = vocabulary_hint(values)
    if vocab is not None and (hint is None or (hint.entity_type is None
                                               and hint.data_category != vocab[0].data_category)):
        known, share, n_words = vocab
        extra = [] if hint is None else [_name_sentence(column, hint), "but the values say "
                                         "otherwise"]  # fmt: skip
        special = f", {known.special_category}" if known.special_category else ""
        extra.append(f"{_pct(share)} of {n:,} sampled values ({n_words} distinct words) are "
                     f"{known.label} values ({known.data_category}{special})")  # fmt: skip
        return _finding(column, profile, n, entity=None, share=share,
                        confidence=known.strength * share, category=known.data_category,
                        direct=False, evidence=extra, label=known.label), False  # fmt: skip

    # 5. nothing in the values: the name alone (ordinary personal data) or nothing
    strongest = effective(best) if best is not None else 0.0
    if best is not None and best.n_valid:
        evidence.append(_evidence_sentence(best, nn) + " (too weak to classify)")
    return _ordinary(column, profile, hint, n, evidence, 1.0 - strongest), False


def _with_embedded(finding: ColumnFinding, found: Sequence[EmbeddedEntity]) -> ColumnFinding:
    direct_found = [e for e in found if e.entity_type in {str(x) for x in DIRECT_IDENTIFIERS}]
    evidence = list(finding.evidence)
    for e in found:
        shares = []
        if "fairmark" in e.found_by:
            shares.append(f"fairmark {_pct(e.fairmark_share)}")
        if e.presidio_share is not None:
            shares.append(f"Presidio {_pct(e.presidio_share)}")
        evidence.append(f"contains {e.entity_type} ({', '.join(shares)} of sampled texts)")
    if not found:
        evidence.append("no personal data found inside the sampled texts")
    return ColumnFinding(**{**finding.__dict__, "contains": tuple(found),
                            "direct_identifier": bool(direct_found),
                            "evidence": tuple(evidence)})  # fmt: skip


# --- the scan -------------------------------------------------------------------------------


def scan_table(
    data: Any,
    *,
    columns: Sequence[str] | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    region: str | None = None,
    progress: bool = False,
    data_name: str | None = None,
    presidio: bool = True,
) -> PiiScanResult:
    """Find the columns of a table that hold personal data, and which kind.

    Parameters
    ----------
    data : str, os.PathLike, pandas/polars/pyarrow table, ibis.Table or Spark DataFrame
        Anything :func:`fairmark.engine.source.as_table` reads. A CSV file that is not
        valid UTF-8 is decoded with replacement characters (U+FFFD) and the result says
        how many byte sequences were replaced.
    columns : sequence of str, optional
        Columns to scan (default: all), in the order given.
    sample_size : int, default 1000
        Most non-null values per column validated in Python (1 to 1,000,000).
    region : str, optional
        Default phone region (ISO 3166-1 alpha-2, ``"GB"``) for numbers written in
        national format. When the table has a country column of ISO alpha-2 codes (its name
        says ``country``), each row's own country is used instead, and ``region`` only
        where that is missing. Without either, national numbers are tried against the
        detector's default regions.
    progress : bool, default False
        Show a Rich progress bar on standard error.
    data_name : str, optional
        Name of the data in the result (default: the path or the table type).
    presidio : bool, default True
        Also run Presidio's analyzer on free-text columns (at most
        :data:`fairmark.privacy.free_text.PRESIDIO_MAX_TEXTS` texts per column).

    Returns
    -------
    PiiScanResult
        One :class:`~fairmark.privacy.scan_result.ColumnFinding` per scanned column.

    Raises
    ------
    UsageError
        ``sample_size`` out of range, unknown ``region``, or an empty ``columns`` list.
    DataError
        Unreadable data, a column not in the table, no rows, or an engine failure.

    Notes
    -----
    **Share.** ``match_share`` estimates the share of the column's non-null values that
    are ``entity_type`` as ``c × f``: ``c`` is the share of values containing a
    candidate of the detector's pattern, counted by the engine over the whole column,
    and ``f`` the fraction of the *sampled* candidates that validate as a whole value
    (their validated spans cover at least 80 % of the value). When some validated values
    are not candidates (person names) or the engine cannot count (bytes), the sample
    share of validating values is used instead. Dates: the share of dates within 120
    years before today. Free text: the share of values containing whitespace.

    **Confidence.** Value evidence is ``v = share × min(1, mean score / 0.5)`` (scores as
    the detectors give them, plus the text scan's context boost when the column name is
    the detector's context). When the name announces an entity (``email``), confidence
    is :func:`name_value_confidence` of the name's strength and ``v``: high when both
    agree, about a quarter of the name's strength when the values contradict it (both
    facts are in ``evidence``); values that are clearly another entity win. Without such
    a name, a column is an entity when at least :data:`MIN_VALUE_SHARE` of its values are
    and ``v`` (halved for weak entities: dates, bare-digit postal codes, capitalised
    words) reaches :data:`MIN_VALUE_CONFIDENCE`; confidence is then ``v``. Ordinary
    personal columns recognised by name (age, marital status …) get the name's strength
    (ages raised when the values lie in 0-120, halved when not). A date column is a date
    of birth when its name says so (confidence as above, ``v`` = share of plausible
    dates), or, without such a name, when at least 95 % of its dates are plausible and
    the sample's median age is 18 to 100 (confidence ``0.45 × share``: weak evidence).
    Float and boolean columns are never identifiers (a name such as ``phone`` on a flag
    is not trusted). Columns with nothing recognised get the confidence that they hold
    none of the entity types, ``1 − max v``.

    **Free text.** Text columns with a mean length of at least 30 characters and
    whitespace in at least half the values (or named like ``notes`` with some
    whitespace) are ``FREE_TEXT``; their sample goes through fairmark's text scan and
    Presidio (:func:`fairmark.privacy.free_text.scan_embedded`), the entity types found
    are listed in ``contains``, and the column is a direct identifier when one of them is.
    ``text_engine`` in the result says which Presidio recognizers ran.

    Sources: GDPR Art. 4(1) (personal data), Art. 9(1) (special categories); ISO/IEC
    20889:2018 §3.14 (direct identifier); fideslang 2.x data categories; detectors'
    sources in :mod:`fairmark.privacy.detectors`.
    """
    size = _check_sample_size(sample_size)
    default_region = _check_region(region)
    if columns is not None:
        if isinstance(columns, str):
            columns = [columns]
        columns = list(dict.fromkeys(str(c) for c in columns))
        if not columns:
            raise UsageError("columns is empty; name at least one column or pass None for all")
    source, read_warnings = _read(data)
    header = _is_text_path(data)
    try:
        return _scan(source, columns, size, default_region, progress, data_name, presidio,
                     read_warnings, check_header=header)  # fmt: skip
    except DataError as exc:  # a byte past DuckDB's sniffing sample fails only in the scan
        if not (_is_text_path(data) and _not_utf8(exc)):
            raise
    with _utf8_copy(data) as (copy, warning):
        return _scan(copy, columns, size, default_region, progress, data_name, presidio,
                     [warning], check_header=header)


def _read(data: Any) -> tuple[DataSource, list[str]]:
    """``as_table(data)`` plus the :class:`~fairmark.errors.DataWarning` messages it gave.

    The warnings are emitted again, so the command line still prints them on stderr.
    """
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        source = as_table(data)
    for w in caught:
        _warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return source, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def _numeric_name(name: str) -> bool:
    text = name.strip().lstrip("+-")
    return bool(text) and text.replace(".", "", 1).replace(",", "").isdigit()


def header_looks_like_data(
    columns: Sequence[str], values: dict[str, list[Any]]
) -> str | None:
    """Say whether a CSV's header row looks like a data row (a file with no header).

    A column name is data-like when it is a number (``39``, ``77516``) or equals, trimmed
    and ignoring case, one of the column's own sampled values (``State-gov`` in a column of
    ``State-gov``, ``Private`` …). The header looks like data when at least half of the
    columns (and at least one) have data-like names.

    Parameters
    ----------
    columns : sequence of str
        Column names as the reader took them from the first row.
    values : dict
        ``column -> sampled values`` (any type; compared as trimmed text).

    Returns
    -------
    str or None
        A one-line warning naming up to five such names, or ``None``.
        Source: the CSV header convention of RFC 4180 §2.3 (an optional first line of
        field names); UCI ``adult.data`` is a well-known file without one.
    """
    flagged = []
    for c in columns:
        own = {str(v).strip().lower() for v in values.get(c, []) if v is not None}
        if _numeric_name(c) or c.strip().lower() in own:
            flagged.append(c)
    if not flagged or 2 * len(flagged) < len(columns):
        return None
    shown = ", ".join(repr(c) for c in flagged[:5]) + (" …" if len(flagged) > 5 else "")
    return (f"the first row looks like data, not a header: {len(flagged)} of {len(columns)} "
            f"column names are numbers or values of their own column ({shown}); add a "
            "header row so that columns are named and classified correctly")  # fmt: skip


def _country_column(source: DataSource) -> str | None:
    schema = source.table.schema()
    for name in source.table.columns:
        hint = classify_name(name)
        if hint is not None and hint.data_category == cn.COUNTRY and schema[name].is_string():
            return str(name)
    return None


def _scan(
    source: DataSource, columns: list[str] | None, sample_size: int, region: str | None,
    progress: bool, data_name: str | None, presidio: bool, warnings: list[str], *,
    check_header: bool = False,
) -> PiiScanResult:  # fmt: skip
    import phonenumbers

    from fairmark.privacy.detectors import DETECTORS
    from fairmark.privacy.free_text import PRESIDIO_MAX_TEXTS, scan_embedded
    from fairmark.privacy.scan_text import CONTEXT_BOOST

    t = source.table
    available = [str(c) for c in t.columns]
    if not available:
        raise DataError(f"{source.description!r} has no columns; expected a table")
    if columns is None:
        selected = available
    else:
        for c in columns:
            if c not in available:
                raise DataError(missing_column_message(c, available))
        selected = columns
    today = dt.date.today()
    quiet_engine(source)
    counted = [d for d in DETECTORS if d.entity_type not in SAMPLE_ONLY]
    with _Progress(progress) as bar:
        n_rows, profiles = profile_columns(source, selected, counted, today=today)
        if n_rows == 0:
            raise DataError(f"{source.description!r} has no rows; expected at least one")
        bar.total(len(selected) + 1)
        bar.step("drawing the sample")
        country = _country_column(source)
        sampled = [c for c in selected if profiles[c].kind != "other"
                   and profiles[c].n_non_null > 0]  # fmt: skip
        samples = draw_sample(source, sampled, sample_size=sample_size,
                              n_non_null={c: profiles[c].n_non_null for c in sampled},
                              extra=country)  # fmt: skip
        regions = frozenset(phonenumbers.SUPPORTED_REGIONS)
        if country is not None:
            seen = [v for _, ext in samples.values() for v in ext[:50] if v is not None]
            known = sum(_row_region(v, None, regions) is not None for v in seen)
            if not seen or known < 0.8 * len(seen):
                country = None
        if check_header:
            message = header_looks_like_data(selected, {c: v for c, (v, _) in samples.items()})
            if message is not None:
                warnings.append(message)
                _warnings.warn(message, DataWarning, stacklevel=3)
        findings: list[ColumnFinding] = []
        free_text_used = False
        presidio_info: dict[str, Any] = {}
        n_fairmark = n_presidio = 0
        for name in selected:
            bar.step(f"classifying {name}")
            profile = profiles[name]
            hint = classify_name(name)
            values, extras = samples.get(name, ([], []))
            if profile.n_non_null == 0:
                warnings.append(f"column {name!r} is empty (every value is null): nothing "
                                "to classify from its values")  # fmt: skip
                findings.append(_empty(name, profile, hint))
                continue
            if profile.kind == "other":
                warnings.append(f"column {name!r} has type {profile.dtype}, which the PII "
                                "scan does not read: classified by its name only")  # fmt: skip
                findings.append(_ordinary(name, profile, hint, 0,
                                          [f"type {profile.dtype} not scanned"], 0.0))
                continue
            if profile.kind == "temporal":
                findings.append(_temporal(name, profile, hint, values, today))
                continue
            if profile.kind in {"float", "boolean"}:
                note = [f"{profile.kind} values are not searched for identifiers"]
                if hint is not None and hint.entity_type is not None:
                    note.append(f"name {name!r} suggests {hint.label}, but {profile.kind} "
                                "values cannot be one: not classified by the name")
                    hint = None
                findings.append(_ordinary(name, profile, hint, len(values), note, 1.0))
                continue
            texts, bad = _text_values(values, profile.kind)
            if profile.kind == "binary":
                if profile.n_undecodable is not None:
                    where = f"{profile.n_undecodable:,} of {profile.n_non_null:,} values"
                    count = profile.n_undecodable
                else:
                    where = f"{bad:,} of {len(texts):,} sampled values"
                    count = bad
                message = (f"column {name!r} holds bytes, decoded as UTF-8 with replacement "
                           f"(U+FFFD): {where} are not valid UTF-8")  # fmt: skip
                warnings.append(message if count else f"column {name!r} holds bytes, "
                                "decoded as UTF-8 (all valid)")  # fmt: skip
            row_regions = [_row_region(x, region, regions) if country else region
                           for x in extras]  # fmt: skip
            finding, is_free = _textual(name, profile, hint, texts, row_regions, DETECTORS,
                                        boost=CONTEXT_BOOST)  # fmt: skip
            if profile.kind == "binary":
                finding = ColumnFinding(**{**finding.__dict__, "evidence": (
                    *finding.evidence, "bytes decoded as UTF-8 with replacement")})
            if is_free:
                engines = "fairmark and Presidio" if presidio else "fairmark"
                bar.step(f"free text {name}: {engines}", advance=0)
                embedded = scan_embedded(texts, row_regions, presidio=presidio)
                free_text_used = True
                presidio_info = embedded.presidio
                n_fairmark += embedded.n_fairmark
                n_presidio += embedded.n_presidio
                finding = _with_embedded(finding, embedded.found)
            findings.append(finding)
    text_engine: dict[str, Any] = {"used": free_text_used}
    if free_text_used:
        text_engine.update(presidio_info)
        text_engine.update(fairmark_texts=n_fairmark, presidio_texts=n_presidio,
                           presidio_max_texts=PRESIDIO_MAX_TEXTS if presidio else 0)
        if presidio and presidio_info.get("presidio") is None and presidio_info.get("reason"):
            warnings.append(str(presidio_info["reason"]))
    return PiiScanResult(
        columns=tuple(findings),
        n_rows=n_rows,
        text_engine=text_engine,
        warnings=tuple(warnings),
        data_name=data_name or source.description,
        sample_size=sample_size,
        region=region,
    )


def _empty(name: str, profile: ColumnProfile, hint: NameHint | None) -> ColumnFinding:
    evidence = ["every value is null"]
    if hint is None:
        return _finding(name, profile, 0, entity=None, share=0.0, confidence=0.0,
                        category=None, direct=False, evidence=evidence)  # fmt: skip
    evidence.insert(0, _name_sentence(name, hint))
    evidence.append("category from the name only, no values to confirm it")
    return _finding(name, profile, 0, entity=None, share=0.0, confidence=hint.strength * 0.5,
                    category=hint.data_category, direct=hint.direct_identifier,
                    evidence=evidence, label=hint.label)  # fmt: skip
