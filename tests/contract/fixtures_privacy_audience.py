"""Contract fixtures of the audience checks: a small customer list prepared for Meta.

``FIXTURES[check_id]()`` returns the
:class:`fairmark.privacy.audience.result.AudienceResult` the check measures, computed by
:func:`fairmark.privacy.audience.prepare.prepare_audience` on 150 synthetic customers
(e-mail and UK phone numbers) written to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import pandas as pd


@cache
def _audience_result():
    from fairmark.privacy.audience.prepare import prepare_audience

    frame = pd.DataFrame(
        {
            "email": [f"Customer.{i}@Example.com" for i in range(150)],
            "phone": [f"020 7946 {i:04d}" for i in range(150)],
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        return prepare_audience(
            frame, platform="meta", region="GB", out=Path(folder) / "meta_upload.csv"
        )


FIXTURES = {"privacy.min_audience_size": _audience_result}
