"""Contract fixtures of the re-identification risk checks: a small k-anonymity run.

``FIXTURES[check_id]()`` returns the :class:`fairmark.privacy.kanon_result.KAnonymityMetrics`
the check measures, computed by :func:`fairmark.privacy.kanon.k_anonymity` on a frame
whose (age band, sex) classes hold 4, 3 and 1 records (k achieved 1).
"""

from __future__ import annotations

from functools import cache

import pandas as pd


@cache
def _kanon_metrics():
    from fairmark.privacy.kanon import k_anonymity

    frame = pd.DataFrame(
        {
            "age_band": ["30-39"] * 4 + ["40-49"] * 3 + ["50-59"],
            "sex": ["f"] * 4 + ["m"] * 3 + ["f"],
            "segment": ["a", "b", "a", "b", "a", "a", "b", "a"],
        }
    )
    return k_anonymity(
        frame, quasi_identifiers=["age_band", "sex"], sensitive="segment", k=3, suggest=False
    ).metrics


FIXTURES = {"privacy.k_anonymity": _kanon_metrics}
