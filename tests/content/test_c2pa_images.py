"""C2PA content credentials: images signed in the test with a throw-away certificate chain.

c2pa-python ships no test images, so each test session makes an EC P-256 CA and signer
certificate with ``cryptography`` and signs small JPEGs with ``c2pa.Builder`` (offline).
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest

from fairmark.content.c2pa_images import (
    credentials_from_manifest_store,
    image_findings,
    read_content_credentials,
)
from fairmark.errors import DataError

c2pa = pytest.importorskip("c2pa")
Image = pytest.importorskip("PIL.Image")

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def _chain() -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fairmark tests")])

    now = datetime.datetime.now(datetime.UTC)
    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False,
                 key_agreement=False, encipher_only=False, decipher_only=False)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("test ca")).issuer_name(name("test ca"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True,
                                     crl_sign=True, **usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder().subject_name(name("test signer")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False,
                                     crl_sign=False, **usage), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    chain = (leaf.public_bytes(pem) + ca.public_bytes(pem)).decode()
    private = key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return chain, private


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "JPEG")
    buf.seek(0)
    return buf


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    chain, private = _chain()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain.encode(),
                                                       private.encode(), None))
    folder = tmp_path_factory.mktemp("images")
    out: dict[str, Path] = {}
    for name, source_type in (("ai", "trainedAlgorithmicMedia"),
                              ("composite", "compositeWithTrainedAlgorithmicMedia"),
                              ("camera", "digitalCapture")):
        manifest = {
            "claim_generator_info": [{"name": "fairmark-test", "version": "1.0"}],
            "title": f"{name}.jpg",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": IPTC + source_type}]}}],
        }
        dest = io.BytesIO()
        with c2pa.Builder(manifest) as builder:
            builder.sign(signer, "image/jpeg", _jpeg(), dest)
        out[name] = folder / f"{name}.jpg"
        out[name].write_bytes(dest.getvalue())
    out["plain"] = folder / "plain.jpg"
    out["plain"].write_bytes(_jpeg().getvalue())
    tampered = bytearray(out["ai"].read_bytes())
    tampered[-10] ^= 0xFF  # flip a byte of the image data after the manifest
    out["tampered"] = folder / "tampered.jpg"
    out["tampered"].write_bytes(bytes(tampered))
    return out


def test_ai_generated_image(images):
    creds = read_content_credentials(images["ai"])
    assert creds.has_credentials and creds.ai_generated
    assert creds.digital_source_types == (IPTC + "trainedAlgorithmicMedia",)
    assert creds.claim_generator == "fairmark-test/1.0"
    assert creds.validation_state == "Valid"  # signature fine; the test root is not trusted
    assert creds.validation_errors == ()
    assert creds.signer == "fairmark tests / test signer"
    (f,) = image_findings(creds, ai_generated=True)
    assert (f.rule_id, f.severity) == ("ai_disclosure.image_ai_declared", "info")
    doc = creds.to_dict()
    assert doc["kind"] == "image_credentials" and json.dumps(doc)


def test_composite_counts_as_ai(images):
    assert read_content_credentials(images["composite"]).ai_generated


def test_camera_image_with_credentials_but_no_ai_declaration(images):
    creds = read_content_credentials(images["camera"])
    assert creds.has_credentials and not creds.ai_generated
    (f,) = image_findings(creds, ai_generated=True)
    assert f.rule_id == "ai_disclosure.image_credentials_silent" and f.severity == "warn"
    assert image_findings(creds, ai_generated=False) == []


def test_image_without_credentials(images):
    creds = read_content_credentials(images["plain"])
    assert not creds.has_credentials and creds.validation_state is None
    (f,) = image_findings(creds, ai_generated=True)
    assert f.rule_id == "ai_disclosure.image_no_credentials" and f.severity == "warn"
    assert f.evidence == str(images["plain"])
    assert image_findings(creds, ai_generated=None) == []


def test_tampered_image_fails_validation(images):
    creds = read_content_credentials(images["tampered"])
    assert creds.validation_state == "Invalid"
    assert any("dataHash.mismatch" in e for e in creds.validation_errors)
    rules = {f.rule_id for f in image_findings(creds, ai_generated=True)}
    assert "ai_disclosure.image_credentials_invalid" in rules


def test_unreadable_images_are_one_line_errors(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\x00not an image at all" * 5)
    with pytest.raises(DataError, match="cannot read image") as info:
        read_content_credentials(bad)
    assert "\n" not in str(info.value)
    with pytest.raises(DataError, match="no such file"):
        read_content_credentials(tmp_path / "missing.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        read_content_credentials(empty)


def test_manifest_json_parsing_without_an_image():
    store = {
        "active_manifest": "urn:a",
        "manifests": {
            "urn:a": {"claim_generator": "Editor/2.0", "assertions": [
                {"label": "c2pa.actions.v2",
                 "data": {"actions": [{"action": "c2pa.edited"}]}}],
                "signature_info": {"issuer": "Example"}},
            "urn:b": {"assertions": [{"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created",
                 "digitalSourceType": IPTC + "trainedAlgorithmicMedia"}]}}]},
        },
        "validation_status": [
            {"code": "signingCredential.untrusted", "explanation": "untrusted"},
            {"code": "assertion.dataHash.mismatch", "explanation": "hash differs"},
        ],
    }
    creds = credentials_from_manifest_store(json.dumps(store), state="Invalid")
    # the AI declaration sits in an ingredient's manifest (urn:b): still AI-generated
    assert creds.ai_generated and creds.claim_generator == "Editor/2.0"
    assert creds.validation_errors == ("assertion.dataHash.mismatch: hash differs",)
    with pytest.raises(DataError, match="manifest store"):
        credentials_from_manifest_store({"foo": 1})
    with pytest.raises(DataError, match="not valid JSON"):
        credentials_from_manifest_store("{")
