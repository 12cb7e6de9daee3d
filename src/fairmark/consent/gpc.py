"""Global Privacy Control: the ``Sec-GPC`` request header and ``navigator.globalPrivacyControl``.

Source: W3C Privacy Community Group, *Global Privacy Control (GPC)* specification, §3.1
"The Sec-GPC Header Field for HTTP Requests" (``Sec-GPC = "1"``; a user agent sends no
header when the preference is unset or false) and §3.2 "The globalPrivacyControl
Property" (a boolean). Legal effect: California CCPA regulations, 11 CCR §7025(b) and (c):
a business must treat an opt-out preference signal such as GPC as a valid request to opt
out of the sale and sharing of the consumer's personal information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.errors import DataError

__all__ = ["GpcSignal", "gpc_from_header", "gpc_from_navigator"]


@dataclass(frozen=True)
class GpcSignal:
    """A Global Privacy Control preference.

    Attributes
    ----------
    enabled : bool
        ``True`` when the user agent signalled GPC.
    source : {"header", "navigator"}
        Where it was read.
    raw : str
        The value as received (``"1"``, ``"true"``; ``""`` for an absent header).
    """

    enabled: bool
    source: str
    raw: str

    def to_dict(self) -> dict[str, Any]:
        """JSON document ``{"schema_version", "kind": "gpc", "enabled", "source", "raw"}``."""
        return {
            "schema_version": "1.0",
            "kind": "gpc",
            "enabled": self.enabled,
            "source": self.source,
            "raw": self.raw,
            "meaning": (
                "opt-out of sale and sharing (11 CCR 7025)" if self.enabled
                else "no GPC preference signalled"
            ),
        }


def gpc_from_header(value: str | None) -> GpcSignal:
    """Read the value of a ``Sec-GPC`` request header.

    Parameters
    ----------
    value : str or None
        The header value (``"1"``) or the whole line (``"Sec-GPC: 1"``); ``None`` or
        ``""`` when the request carried no such header.

    Returns
    -------
    GpcSignal
        ``enabled`` is ``True`` for ``1``; an absent header means no signal.

    Raises
    ------
    DataError
        Any other value: the specification defines only ``"1"``.
    """
    if value is None:
        return GpcSignal(False, "header", "")
    raw = value.strip()
    if raw.lower().startswith("sec-gpc:"):
        raw = raw.split(":", 1)[1].strip()
    if raw == "":
        return GpcSignal(False, "header", "")
    if raw != "1":
        raise DataError(
            f"Sec-GPC header value {raw!r} is not valid; the GPC specification defines only "
            "'1' (send no header for 'not enabled')"
        )
    return GpcSignal(True, "header", raw)


def gpc_from_navigator(value: bool | str | None) -> GpcSignal:
    """Read ``navigator.globalPrivacyControl`` as logged by a page.

    Parameters
    ----------
    value : bool, str or None
        ``True``/``False``, their JSON text ``"true"``/``"false"``, or ``None``/
        ``"undefined"`` when the browser has no such property.

    Returns
    -------
    GpcSignal

    Raises
    ------
    DataError
        Any other value.
    """
    if value is None or value is False or value is True:
        return GpcSignal(value is True, "navigator", str(value).lower())
    text = str(value).strip().lower()
    if text in {"true", "false", "undefined", "null", ""}:
        return GpcSignal(text == "true", "navigator", text)
    raise DataError(
        f"navigator.globalPrivacyControl value {value!r} is not valid; expected true, false "
        "or undefined"
    )
