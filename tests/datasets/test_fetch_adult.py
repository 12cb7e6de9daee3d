"""fetch_adult against the shared UCI Adult files.

Expected numbers come from ``shared/data/uci-adult/PROVENANCE.md`` and ``adult.names``,
and from an independent parse of both files with plain string splitting.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fairmark.datasets import fetch_adult
from fairmark.errors import DataError

EXPECTED_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income", "split",
]  # fmt: skip
INTEGER = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


@pytest.fixture(scope="module")
def adult(adult_home: Path) -> pd.DataFrame:
    return fetch_adult(adult_home)


def test_shape_columns_and_split_sizes(adult: pd.DataFrame) -> None:
    assert adult.shape == (48_842, 16)
    assert list(adult.columns) == EXPECTED_COLUMNS
    assert adult["split"].value_counts().to_dict() == {"train": 32_561, "test": 16_281}
    # train rows first, then test rows
    assert (adult["split"].iloc[:32_561] == "train").all()
    assert (adult["split"].iloc[32_561:] == "test").all()
    assert isinstance(adult.index, pd.RangeIndex)


def test_income_labels_are_normalised(adult: pd.DataFrame) -> None:
    counts = adult.groupby("split")["income"].value_counts().to_dict()
    assert counts == {
        ("train", "<=50K"): 24_720,
        ("train", ">50K"): 7_841,
        ("test", "<=50K"): 12_435,
        ("test", ">50K"): 3_846,
    }
    # adult.names: 23.93% of all records have income >50K
    assert round(100 * float((adult["income"] == ">50K").mean()), 2) == 23.93


def test_question_marks_become_proper_missing_values(adult: pd.DataFrame) -> None:
    by_split = adult.groupby("split")
    expected = {
        "workclass": (1_836, 963),
        "occupation": (1_843, 966),
        "native-country": (583, 274),
    }
    for column, (n_train, n_test) in expected.items():
        missing = by_split[column].apply(lambda s: int(s.isna().sum()))
        assert (missing["train"], missing["test"]) == (n_train, n_test), column
    other = [c for c in EXPECTED_COLUMNS if c not in expected]
    assert not adult[other].isna().any().any()
    first_missing = adult.loc[adult["workclass"].isna(), "workclass"].iloc[0]
    assert first_missing is pd.NA
    assert not any((adult[c] == "?").any() for c in ("workclass", "occupation", "native-country"))


def test_complete_record_counts_match_adult_names(adult: pd.DataFrame) -> None:
    complete = adult.dropna()
    assert complete["split"].value_counts().to_dict() == {"train": 30_162, "test": 15_060}


def test_sex_race_and_duplicates(adult: pd.DataFrame) -> None:
    assert adult.groupby("split")["sex"].value_counts().to_dict() == {
        ("train", "Male"): 21_790,
        ("train", "Female"): 10_771,
        ("test", "Male"): 10_860,
        ("test", "Female"): 5_421,
    }
    assert set(adult["race"].unique()) == {
        "White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other",
    }  # fmt: skip
    dups = adult.groupby("split").apply(lambda f: int(f.duplicated().sum()), include_groups=False)
    assert dups.to_dict() == {"train": 24, "test": 5}


def test_values_match_an_independent_parse(adult: pd.DataFrame, adult_home: Path) -> None:
    records: list[list[str]] = []
    for name in ("adult.data", "adult.test"):
        for line in (adult_home / "uci-adult" / name).read_text().splitlines():
            if line and not line.startswith("|"):
                records.append(line.split(", "))
    assert len(records) == len(adult)
    assert all(len(r) == 15 for r in records)
    for j, column in enumerate(EXPECTED_COLUMNS[:-1]):
        raw = [r[j] for r in records]
        if column in INTEGER:
            np.testing.assert_array_equal(adult[column].to_numpy(), np.array(raw, dtype=np.int64))
        elif column == "income":
            assert adult[column].tolist() == [v.rstrip(".") for v in raw]
        else:
            got = [None if v is pd.NA else v for v in adult[column].tolist()]
            assert got == [None if v == "?" else v for v in raw], column


def test_dtypes(adult: pd.DataFrame) -> None:
    for column in INTEGER:
        assert adult[column].dtype == np.int64, column
    for column in ("workclass", "sex", "race", "income", "split"):
        assert isinstance(adult[column].dtype, pd.StringDtype), column


def _copy_home(adult_home: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "uci-adult"
    folder.mkdir()
    for name in ("adult.data", "adult.test"):
        shutil.copyfile(adult_home / "uci-adult" / name, folder / name)
    return folder


def test_test_file_without_the_junk_line_loses_no_record(
    adult_home: Path, adult: pd.DataFrame, tmp_path: Path
) -> None:
    folder = _copy_home(adult_home, tmp_path)
    lines = (folder / "adult.test").read_text().splitlines(keepends=True)
    assert lines[0].startswith("|1x3 Cross validator")
    (folder / "adult.test").write_text("".join(lines[1:]))
    pd.testing.assert_frame_equal(fetch_adult(tmp_path), adult)


def test_missing_files_raise_naming_the_paths(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        fetch_adult(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "uci-adult" / "adult.data") in message
    assert str(tmp_path / "uci-adult" / "adult.test") in message
    assert "FAIRMARK_DATA_HOME" in message and "\n" not in message


def test_wrong_record_count_is_rejected(adult_home: Path, tmp_path: Path) -> None:
    folder = _copy_home(adult_home, tmp_path)
    lines = (folder / "adult.data").read_text().splitlines(keepends=True)
    (folder / "adult.data").write_text("".join(lines[:-5]))
    with pytest.raises(DataError, match="32557 records; expected 32561"):
        fetch_adult(tmp_path)


def test_unknown_label_is_rejected(adult_home: Path, tmp_path: Path) -> None:
    folder = _copy_home(adult_home, tmp_path)
    lines = (folder / "adult.data").read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace("<=50K", "50K-ish")
    (folder / "adult.data").write_text("".join(lines))
    with pytest.raises(DataError, match="50K-ish"):
        fetch_adult(tmp_path)


def test_short_record_is_rejected(adult_home: Path, tmp_path: Path) -> None:
    folder = _copy_home(adult_home, tmp_path)
    lines = (folder / "adult.data").read_text().splitlines(keepends=True)
    lines[3] = lines[3].rsplit(", ", 1)[0] + "\n"  # drop the label field
    (folder / "adult.data").write_text("".join(lines))
    with pytest.raises(DataError, match="missing labels"):
        fetch_adult(tmp_path)


def test_non_numeric_age_is_rejected(adult_home: Path, tmp_path: Path) -> None:
    folder = _copy_home(adult_home, tmp_path)
    lines = (folder / "adult.data").read_text().splitlines(keepends=True)
    lines[0] = "?" + lines[0][2:]
    (folder / "adult.data").write_text("".join(lines))
    with pytest.raises(DataError, match="cannot parse"):
        fetch_adult(tmp_path)
