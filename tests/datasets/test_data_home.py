"""fairmark.datasets.data_home: explicit argument > $FAIRMARK_DATA_HOME > ~/fairmark_data."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairmark.datasets import data_home
from fairmark.errors import UsageError


def test_explicit_argument_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARK_DATA_HOME", str(tmp_path / "from-env"))
    assert data_home(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_home(str(tmp_path / "explicit")) == tmp_path / "explicit"


def test_env_used_when_no_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARK_DATA_HOME", str(tmp_path / "from-env"))
    assert data_home() == tmp_path / "from-env"
    assert data_home(None) == tmp_path / "from-env"


@pytest.mark.parametrize("env_value", [None, ""])
def test_default_is_home_fairmark_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env_value: str | None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if env_value is None:
        monkeypatch.delenv("FAIRMARK_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("FAIRMARK_DATA_HOME", env_value)
    assert data_home() == tmp_path / "fairmark_data"


def test_tilde_and_dotdot_are_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_home("~/a/../data") == tmp_path / "data"
    assert data_home("~/a/../data").is_absolute()


def test_does_not_create_the_folder(tmp_path: Path) -> None:
    data_home(tmp_path / "not-yet")
    assert not (tmp_path / "not-yet").exists()


@pytest.mark.parametrize("bad", [3, b"/tmp", ""])
def test_bad_argument_raises_usage_error(bad: object) -> None:
    with pytest.raises(UsageError, match="data_home"):
        data_home(bad)  # type: ignore[arg-type]
