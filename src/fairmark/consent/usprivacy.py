"""IAB US Privacy (CCPA) strings: four characters, e.g. ``1YNN``.

Source: IAB Tech Lab, *US Privacy String* v1.0 (``CCPA/US Privacy String.md`` of the
InteractiveAdvertisingBureau/USPrivacy repository), "US Privacy String Format":

========  ===================================================  ============
position  field                                                values
========  ===================================================  ============
1         Specification Version                                digit (1)
2         Explicit Notice/Opportunity to Opt Out               ``Y N -``
3         Opt-Out Sale                                         ``Y N -``
4         Limited Service Provider Agreement Covered           ``Y N -``
========  ===================================================  ============

``-`` means "not applicable" (``1---``: the CCPA does not apply). The same four characters
are GPP section 6 (``uspv1``); the field names below are that section's.
IAB Tech Lab deprecated the US Privacy String on 31 January 2024 in favour of GPP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.errors import DataError

__all__ = ["UsPrivacy", "decode_usprivacy", "looks_like_usprivacy"]

_FLAGS = "YN-"


@dataclass(frozen=True)
class UsPrivacy:
    """A decoded US Privacy string.

    Attributes
    ----------
    version : int
        Specification version (the spec defines 1; iabgpp-es also reads ``2NYY``).
    notice, opt_out_sale, lspa_covered : {"Y", "N", "-"}
    """

    version: int
    notice: str
    opt_out_sale: str
    lspa_covered: str

    @property
    def ccpa_applies(self) -> bool:
        """``False`` for ``1---`` ("CCPA does not apply"), else ``True``."""
        return not (self.notice == self.opt_out_sale == self.lspa_covered == "-")

    def to_fields(self) -> dict[str, Any]:
        """Fields with the GPP ``uspv1`` names plus ``ccpa_applies``."""
        return {
            "Version": self.version,
            "Notice": self.notice,
            "OptOutSale": self.opt_out_sale,
            "LspaCovered": self.lspa_covered,
            "ccpa_applies": self.ccpa_applies,
        }


def looks_like_usprivacy(text: str) -> bool:
    """Whether ``text`` has the shape of a US Privacy string (digit + 3 of ``Y N -``)."""
    return len(text) == 4 and text[0].isdigit() and all(c in _FLAGS for c in text[1:])


def decode_usprivacy(text: str, *, where: str = "US Privacy string") -> UsPrivacy:
    """Decode a four-character US Privacy string.

    Parameters
    ----------
    text : str
        E.g. ``"1YNN"``.
    where : str
        Prefix of messages (``"GPP uspv1 section"`` from GPP).

    Returns
    -------
    UsPrivacy

    Raises
    ------
    DataError
        Not 4 characters, a version that is not a digit, or a flag other than
        ``Y``, ``N`` or ``-`` (the message names the position).
    """
    if len(text) != 4:
        raise DataError(f"{where}: {len(text)} characters {text!r}; expected 4 such as '1YNN'")
    if not text[0].isdigit():
        raise DataError(f"{where}: version {text[0]!r} at position 1 is not a digit")
    names = ("Notice", "OptOutSale", "LspaCovered")
    for pos, (name, ch) in enumerate(zip(names, text[1:], strict=True), start=2):
        if ch not in _FLAGS:
            raise DataError(
                f"{where}: {name} {ch!r} at position {pos}; expected 'Y', 'N' or '-'"
            )
    return UsPrivacy(int(text[0]), text[1], text[2], text[3])
