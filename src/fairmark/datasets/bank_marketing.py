"""UCI Bank Marketing (``bank-additional-full.csv``): loader with checksum and download.

Source: S. Moro, P. Cortez and P. Rita, *A Data-Driven Approach to Predict the Success of
Bank Telemarketing*, Decision Support Systems 62:22-31, 2014,
doi:10.1016/j.dss.2014.03.001; UCI Machine Learning Repository, data set 222,
https://archive.ics.uci.edu/dataset/222/bank+marketing (CC BY 4.0).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Final, Literal, overload

import numpy as np
import pandas as pd

from fairmark.datasets._checksum import verify_sha256
from fairmark.datasets._download import atomic_write_bytes, download_bytes
from fairmark.datasets._home import DATA_HOME_ENV
from fairmark.datasets._home import data_home as _resolve_home
from fairmark.errors import DataError

__all__ = [
    "BANK_ADDITIONAL_ZIP_SHA256",
    "BANK_CATEGORICAL_COLUMNS",
    "BANK_COLUMNS",
    "BANK_FLOAT_COLUMNS",
    "BANK_INTEGER_COLUMNS",
    "BANK_MARKETING_URL",
    "BANK_N_ROWS",
    "bank_marketing_path",
    "fetch_bank_marketing",
]

#: Official UCI archive; it nests ``bank.zip`` and ``bank-additional.zip``.
BANK_MARKETING_URL: Final = "https://archive.ics.uci.edu/static/public/222/bank+marketing.zip"
#: SHA-256 of ``bank-additional.zip`` (the archive holding ``bank-additional-full.csv``).
BANK_ADDITIONAL_ZIP_SHA256: Final = (
    "e689f38cc6bd689f64f031e7a1fbe0849aabb7ad57544fc75068e30129bbd514"
)

_SUBDIR: Final = "uci-bank-marketing"
_ZIP_NAME: Final = "bank-additional.zip"
_CSV_MEMBER: Final = "bank-additional/bank-additional-full.csv"

#: Number of data rows (header excluded) of ``bank-additional-full.csv``.
BANK_N_ROWS: Final = 41_188
#: Columns of ``bank-additional-full.csv``, in file order.
BANK_COLUMNS: Final = (
    "age", "job", "marital", "education", "default", "housing", "loan", "contact",
    "month", "day_of_week", "duration", "campaign", "pdays", "previous", "poutcome",
    "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed", "y",
)  # fmt: skip
#: String-valued columns (``y`` included); missing values are the string ``"unknown"``.
BANK_CATEGORICAL_COLUMNS: Final = (
    "job", "marital", "education", "default", "housing", "loan", "contact", "month",
    "day_of_week", "poutcome", "y",
)  # fmt: skip
#: Integer columns: age (years), duration (s), campaign, pdays (days; 999 = never
#: contacted before), previous.
BANK_INTEGER_COLUMNS: Final = ("age", "duration", "campaign", "pdays", "previous")
#: Quarterly/monthly macro-economic indicators (floats).
BANK_FLOAT_COLUMNS: Final = (
    "emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed",
)  # fmt: skip

_DTYPES: Final[dict[str, str | pd.StringDtype]] = {
    **{c: pd.StringDtype() for c in BANK_CATEGORICAL_COLUMNS},
    **dict.fromkeys(BANK_INTEGER_COLUMNS, "int64"),
    **dict.fromkeys(BANK_FLOAT_COLUMNS, "float64"),
}


@overload
def fetch_bank_marketing(
    data_home: str | os.PathLike[str] | None = ...,
    *,
    download_if_missing: bool = ...,
    as_frame: Literal[True] = ...,
) -> pd.DataFrame: ...


@overload
def fetch_bank_marketing(
    data_home: str | os.PathLike[str] | None = ...,
    *,
    download_if_missing: bool = ...,
    as_frame: Literal[False],
) -> np.recarray: ...


def fetch_bank_marketing(
    data_home: str | os.PathLike[str] | None = None,
    *,
    download_if_missing: bool = True,
    as_frame: bool = True,
) -> pd.DataFrame | np.recarray:
    """Load UCI Bank Marketing ``bank-additional-full.csv`` (41,188 calls × 21 columns).

    Each row is one telemarketing call of a Portuguese bank, May 2008 to November 2010;
    ``y`` says whether the client subscribed a term deposit (``"yes"``/``"no"``: 4,640
    yes, 36,548 no). The file is read as published: ``;``-separated, CRLF line ends,
    **row order kept** (the rows are in date order, so split by position for
    time-respecting train/test splits), and the 12 exact duplicate rows are kept.

    Lookup order, inside ``<home>/uci-bank-marketing/`` where ``<home>`` is
    :func:`fairmark.datasets.data_home` of ``data_home``:

    1. ``bank-additional/bank-additional-full.csv`` (the unzipped file);
    2. ``bank-additional.zip``: its SHA-256 must equal
       :data:`BANK_ADDITIONAL_ZIP_SHA256`; the CSV member is read from the archive;
    3. if ``download_if_missing``: the official UCI archive :data:`BANK_MARKETING_URL`
       is downloaded, the nested ``bank-additional.zip`` is checked against the same
       SHA-256, stored atomically (temporary file + rename) as
       ``<home>/uci-bank-marketing/bank-additional.zip`` and read.

    Parameters
    ----------
    data_home : str or os.PathLike or None, default None
        Data folder; ``None`` uses ``$FAIRMARK_DATA_HOME``, then ``~/fairmark_data``.
    download_if_missing : bool, default True
        Download from UCI when neither the CSV nor the zip is present.
    as_frame : bool, default True
        ``True`` returns a :class:`pandas.DataFrame`; ``False`` returns the same table as
        a NumPy record array (``DataFrame.to_records(index=False)``; field names are the
        column names).

    Returns
    -------
    pandas.DataFrame or numpy.recarray
        41,188 rows, the 21 columns of :data:`BANK_COLUMNS` in file order, a default
        ``RangeIndex`` (position = date order). Dtypes: :data:`BANK_CATEGORICAL_COLUMNS`
        are pandas ``string``; :data:`BANK_INTEGER_COLUMNS` are ``int64`` (``age`` in
        years, ``duration`` in seconds, ``pdays`` in days with ``999`` = not previously
        contacted); :data:`BANK_FLOAT_COLUMNS` are ``float64``.

        **Missing values are coded as the string** ``"unknown"`` (in job, marital,
        education, default, housing, loan) **and kept as that string**, as in the
        source; no cell is ``NA``. ``duration`` leaks the target (it is known only after
        the call) and must not be used as a model feature.

    Raises
    ------
    DataError
        If no data is found and ``download_if_missing`` is false (the message says
        where it looked and how to set ``FAIRMARK_DATA_HOME``); if a SHA-256 differs
        (the message gives expected and actual digests); if the download or the write
        fails; if the file cannot be parsed or its shape, column names or ``y`` values
        differ from the published ones.

    Notes
    -----
    Counts and quirks as documented by UCI (``bank-additional-names.txt``) and the
    paper cited in the module docstring.
    """
    folder = _resolve_home(data_home) / _SUBDIR
    csv_path = folder / _CSV_MEMBER
    zip_path = folder / _ZIP_NAME
    if csv_path.is_file():
        frame = _read_csv_file(csv_path)
    elif zip_path.is_file():
        frame = _read_from_zip(zip_path.read_bytes(), str(zip_path))
    elif download_if_missing:
        archive = _download_bank_additional_zip(BANK_MARKETING_URL)
        atomic_write_bytes(zip_path, archive)
        frame = _read_from_zip(archive, str(zip_path))
    else:
        raise DataError(
            f"UCI Bank Marketing not found: looked for {csv_path} and {zip_path}; "
            f"set {DATA_HOME_ENV} (or data_home=) to the folder holding {_SUBDIR}/, "
            "or pass download_if_missing=True"
        )
    if as_frame:
        return frame
    return frame.to_records(index=False)


def bank_marketing_path(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the unzipped ``bank-additional-full.csv``.

    Meant for command-line examples that read the CSV directly
    (``<home>/uci-bank-marketing/bank-additional/bank-additional-full.csv``).

    Parameters
    ----------
    data_home : str or os.PathLike or None, default None
        Data folder; ``None`` uses ``$FAIRMARK_DATA_HOME``, then ``~/fairmark_data``.

    Returns
    -------
    pathlib.Path
        Absolute path of the existing CSV file (not validated; use
        :func:`fetch_bank_marketing` for a checked table).

    Raises
    ------
    DataError
        If the unzipped CSV does not exist; the message names the path looked at.
    """
    csv_path = _resolve_home(data_home) / _SUBDIR / _CSV_MEMBER
    if not csv_path.is_file():
        raise DataError(
            f"UCI Bank Marketing CSV not found at {csv_path}; unzip {_ZIP_NAME} there "
            f"or set {DATA_HOME_ENV} (or data_home=) to the folder holding {_SUBDIR}/"
        )
    return csv_path


def _download_bank_additional_zip(url: str) -> bytes:
    """Download the UCI archive and return its verified nested ``bank-additional.zip``."""
    outer = download_bytes(url)
    try:
        with zipfile.ZipFile(io.BytesIO(outer)) as archive:
            names = [
                name
                for name in archive.namelist()
                if PurePosixPath(name).name == _ZIP_NAME and not name.startswith("__MACOSX")
            ]
            if len(names) != 1:
                raise DataError(
                    f"archive from {url} holds {len(names)} members named {_ZIP_NAME}; "
                    "expected exactly one"
                )
            inner = archive.read(names[0])
    except zipfile.BadZipFile as exc:
        raise DataError(f"download from {url} is not a valid zip archive: {exc}") from exc
    verify_sha256(inner, BANK_ADDITIONAL_ZIP_SHA256, f"{_ZIP_NAME} inside {url}")
    return inner


def _read_from_zip(data: bytes, source: str) -> pd.DataFrame:
    """Verify the archive bytes' SHA-256, then parse its CSV member."""
    verify_sha256(data, BANK_ADDITIONAL_ZIP_SHA256, source)
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            archive.open(_CSV_MEMBER) as handle,
        ):
            return _parse(handle, f"{source}:{_CSV_MEMBER}")
    except KeyError as exc:
        raise DataError(f"{source} has no member {_CSV_MEMBER}") from exc
    except zipfile.BadZipFile as exc:
        raise DataError(f"{source} is not a valid zip archive: {exc}") from exc


def _read_csv_file(path: Path) -> pd.DataFrame:
    """Parse the unzipped CSV file."""
    with path.open("rb") as handle:
        return _parse(handle, str(path))


def _parse(handle: IO[bytes], source: str) -> pd.DataFrame:
    """Read the ``;``-separated CSV with fixed dtypes and check it is the published table."""
    try:
        frame = pd.read_csv(handle, sep=";", dtype=_DTYPES, na_filter=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"cannot parse {source} as the Bank Marketing CSV (';'-separated, "
            f"{len(BANK_COLUMNS)} columns): {first_line}"
        ) from exc
    _validate(frame, source)
    return frame


def _validate(frame: pd.DataFrame, source: str) -> None:
    """Raise DataError unless ``frame`` has the published columns, row count and labels."""
    columns = tuple(str(c) for c in frame.columns)
    if columns != BANK_COLUMNS:
        raise DataError(f"{source} has columns {list(columns)}; expected {list(BANK_COLUMNS)}")
    if len(frame) != BANK_N_ROWS:
        raise DataError(f"{source} has {len(frame)} rows; expected {BANK_N_ROWS}")
    empty = (frame[list(BANK_CATEGORICAL_COLUMNS)] == "").any(axis=1).to_numpy(dtype=bool)
    if empty.any():
        raise DataError(
            f"{source} has {int(empty.sum())} rows with empty fields (first at data row "
            f"{int(np.flatnonzero(empty)[0]) + 1}); expected every field filled (missing is "
            "coded 'unknown')"
        )
    labels = set(frame["y"].unique())
    if not labels <= {"yes", "no"}:
        raise DataError(
            f"{source} column y has values {sorted(map(str, labels))}; expected only 'yes' and 'no'"
        )
