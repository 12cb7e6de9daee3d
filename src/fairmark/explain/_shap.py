"""The optional SHAP dependency (extra ``[explain]``), imported only when needed."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

from fairmark.errors import UsageError

__all__ = ["SHAP_MISSING", "require_shap"]

#: The one line shown when SHAP is needed but not installed.
SHAP_MISSING = "SHAP is not installed: pip install 'fairmark[explain]'"


def require_shap() -> ModuleType:
    """Import and return the ``shap`` package.

    Returns
    -------
    module
        The imported :mod:`shap` package (Lundberg & Lee 2017, *A unified approach to
        interpreting model predictions*, NeurIPS).

    Raises
    ------
    UsageError
        If SHAP is not installed (message :data:`SHAP_MISSING`).
    """
    try:
        with warnings.catch_warnings():  # shap's own matplotlib deprecations on import
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module("shap")
    except ImportError:
        raise UsageError(SHAP_MISSING) from None
