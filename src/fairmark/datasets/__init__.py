"""Loaders for the public data sets used by fairmark's demo, tests and benchmarks.

Files are read from a data home (see :func:`data_home`), never from inside the package.
"""

from fairmark.datasets._home import data_home
from fairmark.datasets.adult import fetch_adult
from fairmark.datasets.bank_marketing import bank_marketing_path, fetch_bank_marketing

__all__ = ["bank_marketing_path", "data_home", "fetch_adult", "fetch_bank_marketing"]
