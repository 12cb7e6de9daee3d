"""C2PA content credentials of images: is AI generation declared, by whom, and is it valid?

Content credentials (C2PA, Coalition for Content Provenance and Authenticity, Technical
Specification 2.x) are a signed manifest store embedded in the file. An AI-generated image
declares it in a ``c2pa.actions`` assertion whose action carries the IPTC digital source
type ``trainedAlgorithmicMedia`` (made by a trained model) or
``compositeWithTrainedAlgorithmicMedia`` (a composite with AI-made parts) — C2PA spec,
section "Actions", and IPTC NewsCodes *Digital Source Type*
(https://cv.iptc.org/newscodes/digitalsourcetype/). EU AI Act Art. 50(2) requires AI
output to be marked in a machine-readable format; credentials are one such marking.

Reading uses ``c2pa-python`` (the CAI's c2pa-rs library; it runs offline). Certificates are
validated against the library's default trust settings, which trust no root: a correctly
signed file reads ``Valid`` (signature and hashes check out) rather than ``Trusted``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.content.finding import ContentFinding
from fairmark.errors import DataError, UsageError

__all__ = [
    "AI_SOURCE_TYPES",
    "SOURCE",
    "ImageCredentials",
    "credentials_from_manifest_store",
    "image_findings",
    "read_content_credentials",
]

AI_SOURCE_TYPES: tuple[str, ...] = (
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
)
"""IPTC digital source types that mean generative AI made (part of) the media."""

SOURCE = (
    "C2PA Technical Specification 2.1, Actions assertion (digitalSourceType); IPTC NewsCodes "
    "Digital Source Type; EU AI Act (Regulation (EU) 2024/1689) Art. 50(2)"
)


@dataclass(frozen=True)
class ImageCredentials:
    """What the content credentials of one image say.

    Parameters
    ----------
    path : str
        The image (or ``"<manifest>"`` for a parsed manifest store).
    has_credentials : bool
        A C2PA manifest store was found.
    ai_generated : bool
        Some manifest (the active one or an ingredient's) declares an AI digital source type.
    digital_source_types : tuple of str
        Every digital source type declared in an actions assertion (full IRIs).
    claim_generator : str or None
        Software that made the active manifest (``name/version``), when stated.
    validation_state : str or None
        ``Valid``, ``Trusted`` or ``Invalid`` as c2pa reports it; ``None`` without
        credentials.
    validation_errors : tuple of str
        Validation status codes (``code: explanation``) other than the untrusted-signer
        notice, which every file signed outside the C2PA trust list carries.
    signer : str or None
        Issuer / common name of the signing certificate.
    """

    path: str
    has_credentials: bool
    ai_generated: bool
    digital_source_types: tuple[str, ...]
    claim_generator: str | None
    validation_state: str | None
    validation_errors: tuple[str, ...]
    signer: str | None

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON-safe document (``kind: "image_credentials"``)."""
        return {
            "schema_version": "1.0",
            "kind": "image_credentials",
            "path": self.path,
            "has_credentials": self.has_credentials,
            "ai_generated": self.ai_generated,
            "digital_source_types": list(self.digital_source_types),
            "claim_generator": self.claim_generator,
            "validation_state": self.validation_state,
            "validation_errors": list(self.validation_errors),
            "signer": self.signer,
        }


def _generator(manifest: Mapping[str, Any]) -> str | None:
    if manifest.get("claim_generator"):
        return str(manifest["claim_generator"])
    infos = manifest.get("claim_generator_info") or []
    if infos and isinstance(infos[0], Mapping) and infos[0].get("name"):
        first = infos[0]
        return f"{first['name']}/{first['version']}" if first.get("version") else first["name"]
    return None


def _source_types(manifest: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            dst = action.get("digitalSourceType")
            if dst:
                out.append(str(dst))
    return out


def credentials_from_manifest_store(
    store: Mapping[str, Any] | str, *, path: str = "<manifest>", state: str | None = None
) -> ImageCredentials:
    """Interpret a C2PA manifest store report (the JSON that ``c2pa.Reader.json()`` gives).

    Parameters
    ----------
    store : Mapping or str
        The report (``active_manifest``, ``manifests``, ``validation_status``) or its JSON.
    path : str
        Label of the image, for messages.
    state : str or None
        Validation state from the reader; read from ``store["validation_state"]`` if absent.

    Returns
    -------
    ImageCredentials

    Raises
    ------
    DataError
        If ``store`` is not JSON or has no ``manifests`` object.
    """
    if isinstance(store, str):
        try:
            store = json.loads(store)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: manifest store is not valid JSON: {exc.msg}") from None
    if not isinstance(store, Mapping) or not isinstance(store.get("manifests"), Mapping):
        raise DataError(f"{path}: not a C2PA manifest store (expected a 'manifests' object)")
    manifests: Mapping[str, Any] = store["manifests"]
    active = manifests.get(str(store.get("active_manifest")), {})
    types = [t for m in manifests.values() for t in _source_types(m)]
    ai = any(t.rstrip("/").rsplit("/", 1)[-1] in AI_SOURCE_TYPES for t in types)
    errors = tuple(
        f"{s.get('code')}: {s.get('explanation', '')}".strip()
        for s in store.get("validation_status") or []
        if s.get("code") != "signingCredential.untrusted"
    )
    sig = active.get("signature_info") or {}
    signer = " / ".join(str(sig[k]) for k in ("issuer", "common_name") if sig.get(k)) or None
    return ImageCredentials(
        path=path,
        has_credentials=True,
        ai_generated=ai,
        digital_source_types=tuple(dict.fromkeys(types)),
        claim_generator=_generator(active),
        validation_state=state or store.get("validation_state"),
        validation_errors=errors,
        signer=signer,
    )


def read_content_credentials(path: str | Path) -> ImageCredentials:
    """Read and interpret the C2PA content credentials of an image file.

    Parameters
    ----------
    path : str or pathlib.Path
        A JPEG, PNG, WebP, HEIC, AVIF, TIFF, GIF … file (any format c2pa supports).

    Returns
    -------
    ImageCredentials
        ``has_credentials=False`` when the file has no manifest store.

    Raises
    ------
    DataError
        The file is missing, unreadable, not a supported image, or its manifest is corrupt.
    UsageError
        ``c2pa-python`` is not installed.
    """
    try:
        import c2pa
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError("reading image credentials needs c2pa-python: pip install "
                         "c2pa-python") from None
    p = Path(path)
    if not p.is_file():
        raise DataError(f"cannot read image {str(p)!r}: no such file")
    if p.stat().st_size == 0:
        raise DataError(f"cannot read image {str(p)!r}: the file is empty")
    try:
        reader = c2pa.Reader.try_create(str(p))
        if reader is None:
            return ImageCredentials(str(p), False, False, (), None, None, (), None)
        with reader:
            report, state = reader.json(), reader.get_validation_state()
    except c2pa.C2paError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(
            f"cannot read image {str(p)!r}: {first} (expected an image c2pa supports)"
        ) from None
    return credentials_from_manifest_store(report, path=str(p), state=state)


def image_findings(creds: ImageCredentials, *, ai_generated: bool | None) -> list[ContentFinding]:
    """Findings about one image's AI disclosure (rule pack ``ai_disclosure``).

    Parameters
    ----------
    creds : ImageCredentials
    ai_generated : bool or None
        What the campaign metadata says about the image.

    Returns
    -------
    list of ContentFinding
        Spans are ``0..0`` (an image has no text); ``evidence`` is the path.

        * ``ai_disclosure.image_no_credentials`` (warn): ``ai_generated`` is true and the
          image has no content credentials;
        * ``ai_disclosure.image_credentials_silent`` (warn): ``ai_generated`` is true, the
          image has credentials, but none declares an AI digital source type;
        * ``ai_disclosure.image_credentials_invalid`` (warn): the credentials fail
          validation (state ``Invalid``);
        * ``ai_disclosure.image_ai_declared`` (info): the credentials declare AI generation.
    """
    out: list[ContentFinding] = []

    def add(rule: str, severity: str, message: str) -> None:
        out.append(ContentFinding(f"ai_disclosure.{rule}", "ai_disclosure", severity,  # type: ignore[arg-type]
                                  0, 0, creds.path, message, SOURCE, None, "ai_disclosure"))

    if ai_generated and not creds.has_credentials:
        add("image_no_credentials", "warn",
            "AI-generated image without content credentials: nothing machine-readable marks "
            "it as AI output (EU AI Act Art. 50(2)); export it with C2PA credentials.")
    elif ai_generated and not creds.ai_generated:
        add("image_credentials_silent", "warn",
            "AI-generated image whose content credentials do not declare AI generation "
            "(no trainedAlgorithmicMedia digital source type).")
    if creds.has_credentials and str(creds.validation_state).lower() == "invalid":
        add("image_credentials_invalid", "warn",
            "the image's content credentials fail validation: "
            + ("; ".join(creds.validation_errors) or "state Invalid"))
    if creds.ai_generated:
        by = f" by {creds.claim_generator}" if creds.claim_generator else ""
        add("image_ai_declared", "info", f"content credentials{by} declare AI generation.")
    return out
