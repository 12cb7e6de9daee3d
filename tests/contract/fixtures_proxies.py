"""Contract fixtures of the proxy checks: a small proxy-detection run.

``FIXTURES[check_id]()`` returns the :class:`fairmark.fairness.proxy_result.ProxyMetrics`
the check measures, computed by :func:`fairmark.fairness.proxies.proxies` on a frame with
a strong proxy, a weak one, a numeric one and a constant (undefined) one.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd


@cache
def _proxy_metrics():
    from fairmark.fairness.proxies import proxies

    rng = np.random.default_rng(11)
    n = 400
    sex = rng.choice(["f", "m"], size=n)
    frame = pd.DataFrame(
        {
            "sex": sex,
            "title": np.where(rng.random(n) < 0.9, np.where(sex == "f", "Ms", "Mr"), "Dr"),
            "region": rng.choice(["n", "s", "e", "w"], size=n),
            "spend": rng.normal(100, 20, n) + (sex == "f") * 5,
            "segment": "retail",
        }
    )
    return proxies(frame, sensitive_features="sex", sample_size=400).metrics


FIXTURES = {"fairness.proxy_association": _proxy_metrics}
