"""Save and load a fitted model with joblib.

**Security warning.** A joblib or pickle file can run arbitrary code when it is loaded.
Only load model files that you or your organisation produced and trust; never load one
received from an unknown source (Python documentation, :mod:`pickle`: "It is possible to
construct malicious pickle data which will execute arbitrary code during unpickling").
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fairmark.errors import DataError, UsageError

__all__ = ["load_model", "save_model"]


def _looks_like_model(obj: Any) -> bool:
    return callable(getattr(obj, "predict", None)) and callable(getattr(obj, "fit", None))


def save_model(model: Any, path: str | os.PathLike[str]) -> Path:
    """Write a fitted scikit-learn-compatible model to ``path`` with joblib.

    The file is written to a temporary file in the same folder and renamed, so a reader
    never sees half a model. Parent folders are created.

    Parameters
    ----------
    model : estimator
        A fitted model with ``fit`` and ``predict`` (e.g. a :class:`sklearn.pipeline.Pipeline`).
    path : str or os.PathLike
        Target file, conventionally ending in ``.joblib``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    UsageError
        If ``model`` has no ``fit`` and ``predict`` methods.
    DataError
        If the file cannot be written (the message names the path and the cause).

    Notes
    -----
    Uses :func:`joblib.dump` (the persistence format recommended by scikit-learn's
    "Model persistence" guide); load it back with :func:`load_model`.
    """
    import joblib

    if not _looks_like_model(model):
        raise UsageError(
            f"cannot save a {type(model).__name__}: expected a fitted model with fit and predict"
        )
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".tmp", dir=target.parent)
        os.close(fd)
        try:
            joblib.dump(model, tmp, compress=3)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise DataError(f"cannot write model to {str(target)!r}: {exc.strerror or exc}") from None
    return target


def load_model(path: str | os.PathLike[str]) -> Any:
    """Load a model written by :func:`save_model` (or any joblib/pickle file of a model).

    **Loading runs code from the file: only load files you trust.**

    Parameters
    ----------
    path : str or os.PathLike
        A joblib or pickle file holding a fitted estimator.

    Returns
    -------
    estimator
        The model, checked to be fitted (:func:`sklearn.utils.validation.check_is_fitted`).

    Raises
    ------
    DataError
        If the file does not exist, cannot be unpickled (not a joblib/pickle file, or it
        needs a package that is not installed), does not hold a model with ``fit`` and
        ``predict``, or holds an unfitted model.
    """
    import joblib
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    source = Path(path)
    if not source.is_file():
        raise DataError(f"cannot load model {str(source)!r}: no such file")
    try:
        model = joblib.load(source)
    except Exception as exc:  # unpickling can raise almost anything
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"cannot load model {str(source)!r}: {type(exc).__name__}: {first}; "
            "expected a joblib or pickle file of a fitted estimator"
        ) from None
    if not _looks_like_model(model):
        raise DataError(
            f"{str(source)!r} holds a {type(model).__name__}, not a model; "
            "expected a fitted estimator with fit and predict"
        )
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise DataError(
            f"{str(source)!r} holds an unfitted {type(model).__name__}; expected a fitted model"
        ) from None
    except TypeError:  # not a scikit-learn estimator: trust its predict
        pass
    return model
