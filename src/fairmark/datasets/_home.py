"""Where the dataset loaders look for (and store) their files."""

from __future__ import annotations

import os
from pathlib import Path

from fairmark.errors import UsageError

__all__ = ["DATA_HOME_ENV", "data_home"]

#: Environment variable naming the data home when no explicit folder is given.
DATA_HOME_ENV = "FAIRMARK_DATA_HOME"

_DEFAULT_DATA_HOME = Path("~") / "fairmark_data"


def data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder the dataset loaders read from and download into.

    The folder is chosen in this order: the explicit ``data_home`` argument, else the
    environment variable ``FAIRMARK_DATA_HOME`` (ignored when unset or empty), else
    ``~/fairmark_data``. A leading ``~`` is expanded and the result is made absolute
    (symbolic links and ``..`` resolved).
    Each data set lives in its own sub-folder of this home, e.g.
    ``<home>/uci-bank-marketing/`` and ``<home>/uci-adult/``.

    Unlike :func:`sklearn.datasets.get_data_home`, this function never creates the
    folder: loaders that download create the sub-folder they write to, and loaders
    that only read report where they looked.

    Parameters
    ----------
    data_home : str or os.PathLike or None, default None
        Explicit folder. ``None`` falls back to the environment variable, then to the
        default.

    Returns
    -------
    pathlib.Path
        Absolute path of the data home (it may not exist).

    Raises
    ------
    UsageError
        If ``data_home`` is neither ``None``, a ``str`` nor an ``os.PathLike``, or is
        an empty string.

    Notes
    -----
    Modelled on scikit-learn's ``get_data_home`` (argument > ``SCIKIT_LEARN_DATA`` >
    ``~/scikit_learn_data``), https://scikit-learn.org/stable/modules/generated/sklearn.datasets.get_data_home.html
    """
    if data_home is None:
        from_env = os.environ.get(DATA_HOME_ENV, "")
        chosen: str | os.PathLike[str] = from_env if from_env else _DEFAULT_DATA_HOME
    elif isinstance(data_home, str | os.PathLike):
        if os.fsdecode(data_home) == "":
            raise UsageError(
                "data_home is an empty string; expected a folder path or None "
                f"(None uses ${DATA_HOME_ENV}, then ~/fairmark_data)"
            )
        chosen = data_home
    else:
        raise UsageError(
            f"data_home must be a str, os.PathLike or None, got {type(data_home).__name__}"
        )
    return Path(os.fsdecode(chosen)).expanduser().resolve()
