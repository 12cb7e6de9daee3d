"""Audience match keys: customer lists normalised and hashed the way each ad platform asks.

:func:`match_key` and :func:`normalise` work on one value; :func:`prepare_audience`
turns a whole list into the platform's upload file, reporting every value it cannot
normalise and refusing lists below the platform's minimum audience size.
"""

from fairmark.privacy.audience.match_key import match_key, normalise
from fairmark.privacy.audience.normalise import NormalisationError
from fairmark.privacy.audience.profiles import PLATFORMS, PROFILES, get_profile

__all__ = [
    "PLATFORMS",
    "PROFILES",
    "NormalisationError",
    "get_profile",
    "match_key",
    "normalise",
]
