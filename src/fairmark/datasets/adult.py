"""UCI Adult (Census Income): ``adult.data`` + ``adult.test`` as one table.

Source: R. Kohavi, *Scaling Up the Accuracy of Naive-Bayes Classifiers: a Decision-Tree
Hybrid*, KDD 1996; donors R. Kohavi and B. Becker (1994 US Census extract); UCI Machine
Learning Repository, data set 2, https://archive.ics.uci.edu/dataset/2/adult (CC BY 4.0).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pandas as pd

from fairmark.datasets._home import DATA_HOME_ENV
from fairmark.datasets._home import data_home as _resolve_home
from fairmark.errors import DataError

__all__ = [
    "ADULT_CATEGORICAL_COLUMNS",
    "ADULT_COLUMNS",
    "ADULT_INTEGER_COLUMNS",
    "ADULT_N_TEST",
    "ADULT_N_TRAIN",
    "ADULT_URL",
    "fetch_adult",
]

#: UCI page of the data set (download ``adult.data`` and ``adult.test`` from there).
ADULT_URL: Final = "https://archive.ics.uci.edu/dataset/2/adult"
#: Columns as documented in ``adult.names`` (the files have no header row).
ADULT_COLUMNS: Final = (
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
)  # fmt: skip
#: Integer columns (age in years, fnlwgt a census weight, capital-* in US dollars,
#: hours-per-week in hours).
ADULT_INTEGER_COLUMNS: Final = (
    "age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week",
)  # fmt: skip
#: String columns (``income`` included).
ADULT_CATEGORICAL_COLUMNS: Final = tuple(c for c in ADULT_COLUMNS if c not in ADULT_INTEGER_COLUMNS)
#: Records in ``adult.data`` and ``adult.test``.
ADULT_N_TRAIN: Final = 32_561
ADULT_N_TEST: Final = 16_281

_SUBDIR: Final = "uci-adult"
_LABELS: Final = frozenset({"<=50K", ">50K"})
_DTYPES: Final[dict[str, str | pd.StringDtype]] = {
    **{c: pd.StringDtype() for c in ADULT_CATEGORICAL_COLUMNS},
    **dict.fromkeys(ADULT_INTEGER_COLUMNS, "int64"),
}


def fetch_adult(data_home: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load UCI Adult, training and test files combined (48,842 people × 16 columns).

    Reads ``<home>/uci-adult/adult.data`` (32,561 records) and
    ``<home>/uci-adult/adult.test`` (16,281 records), where ``<home>`` is
    :func:`fairmark.datasets.data_home` of ``data_home``. Local files only: nothing is
    downloaded (UCI publishes no checksums for them).

    The source quirks are handled as follows:

    - fields are separated by ``", "``; the leading space is removed;
    - ``?`` marks a missing value (in workclass, occupation and native-country) and is
      returned as a **proper missing value** (``pandas.NA``), never as the string ``?``;
    - the test file's first line ``|1x3 Cross validator`` is skipped (only when it
      starts with ``|``, so copies without that line lose no record);
    - test labels ``<=50K.`` / ``>50K.`` are normalised to ``<=50K`` / ``>50K``;
    - the trailing blank lines are ignored; duplicate records (24 train, 5 test) are kept.

    Parameters
    ----------
    data_home : str or os.PathLike or None, default None
        Data folder; ``None`` uses ``$FAIRMARK_DATA_HOME``, then ``~/fairmark_data``.

    Returns
    -------
    pandas.DataFrame
        48,842 rows: the training records (file order) followed by the test records
        (file order), with a default ``RangeIndex``. Columns: :data:`ADULT_COLUMNS`
        (``int64`` for :data:`ADULT_INTEGER_COLUMNS`, pandas ``string`` otherwise) and
        ``split`` (``"train"`` or ``"test"``, pandas ``string``).

    Raises
    ------
    DataError
        If either file is missing (the message names the paths and how to set
        ``FAIRMARK_DATA_HOME``), cannot be parsed, has a record count other than the
        published one, or has an income label other than ``<=50K``/``>50K`` (with or
        without the trailing period).

    Notes
    -----
    Counts as documented by UCI (``adult.names``): 48,842 records (train 32,561, test
    16,281); 45,222 without unknowns (train 30,162, test 15,060); 23.93% with income
    ``>50K``.
    """
    folder = _resolve_home(data_home) / _SUBDIR
    train_path, test_path = folder / "adult.data", folder / "adult.test"
    missing = [p for p in (train_path, test_path) if not p.is_file()]
    if missing:
        raise DataError(
            f"UCI Adult not found: missing {', '.join(map(str, missing))}; download "
            f"adult.data and adult.test from {ADULT_URL} into {folder} or set "
            f"{DATA_HOME_ENV} (or data_home=) to the folder holding {_SUBDIR}/"
        )
    train = _read(train_path, ADULT_N_TRAIN, "train")
    test = _read(test_path, ADULT_N_TEST, "test")
    return pd.concat([train, test], ignore_index=True)


def _read(path: Path, expected_rows: int, split: str) -> pd.DataFrame:
    """Parse one Adult file, normalise its labels and check its record count."""
    with path.open("rb") as handle:
        skip = 1 if handle.readline().startswith(b"|") else 0
    try:
        frame = pd.read_csv(
            path,
            header=None,
            names=list(ADULT_COLUMNS),
            sep=",",
            skipinitialspace=True,
            skiprows=skip,
            na_values=["?"],
            keep_default_na=False,
            dtype=_DTYPES,
            index_col=False,
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"cannot parse {path} as UCI Adult (', '-separated, {len(ADULT_COLUMNS)} "
            f"fields): {message}"
        ) from exc
    if len(frame) != expected_rows:
        raise DataError(f"{path} has {len(frame)} records; expected {expected_rows}")
    frame["income"] = frame["income"].str.removesuffix(".")
    labels = set(frame["income"].dropna().unique())
    if frame["income"].isna().any() or not labels <= _LABELS:
        raise DataError(
            f"{path} has income values {sorted(map(str, labels))} or missing labels; "
            "expected only '<=50K' and '>50K' (optionally with a trailing '.')"
        )
    frame["split"] = pd.Series(split, index=frame.index, dtype=pd.StringDtype())
    return frame
