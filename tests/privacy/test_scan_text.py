"""scan_text / scan_texts: spans, offsets in the original text, context, overlaps, errors;
and the offline Presidio adapter."""

from __future__ import annotations

import json

import pytest

from fairmark.errors import UsageError
from fairmark.privacy.presidio_adapter import (
    PRESIDIO_TO_ENTITY,
    presidio_engine_info,
    scan_texts_presidio,
)
from fairmark.privacy.scan_text import TextFinding, decode_text, scan_text, scan_texts

NOTE = (
    "Called Mr. Jansen on +44 20 7946 0958; new e-mail jan.jansen@example.org. "
    "Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32. "
    "Born on 12/03/1985. Login from 203.0.113.7. Lives at 14 Crown Street."
)


def _spans(text: str, findings: list[TextFinding]) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in findings]


def test_a_crm_note_with_one_of_everything() -> None:
    found = scan_text(NOTE)
    assert _spans(NOTE, found) == [
        ("PERSON", "Jansen"),
        ("PHONE_NUMBER", "+44 20 7946 0958"),
        ("EMAIL_ADDRESS", "jan.jansen@example.org"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("DATE_OF_BIRTH", "12/03/1985"),
        ("IP_ADDRESS", "203.0.113.7"),
        ("STREET_ADDRESS", "14 Crown Street"),
    ]
    by_type = {f.entity_type: f for f in found}
    assert by_type["CREDIT_CARD"].score == 1.0  # 0.95 + context "card", capped
    assert by_type["CREDIT_CARD"].text_masked == "**** **** **** 1111"
    assert by_type["PHONE_NUMBER"].score == 0.75  # no phone context word within reach
    assert by_type["DATE_OF_BIRTH"].score == 0.75  # 0.4 + "born"
    for f in found:  # the raw value never appears in the masked text or the document
        raw = NOTE[f.start : f.end]
        assert raw not in json.dumps(f.to_dict())


def test_offsets_refer_to_the_original_text_after_nfkc() -> None:
    text = "ﬁle: mail ｊａｎ＠ｅｘａｍｐｌｅ．ｏｒｇ or call ０２０\u200b７９４６ ０９５８"
    found = scan_text(text)
    assert _spans(text, found) == [
        ("EMAIL_ADDRESS", "ｊａｎ＠ｅｘａｍｐｌｅ．ｏｒｇ"),
        ("PHONE_NUMBER", "０２０\u200b７９４６ ０９５８"),
    ]
    assert found[1].score == 0.95  # 0.6 national + "call"


def test_context_decides_for_weak_candidates() -> None:
    assert scan_text("invoice 2079460958 paid") == []  # bare digits, no context
    [f] = scan_text("phone 2079460958")
    assert (f.entity_type, f.score) == ("PHONE_NUMBER", 0.8)
    assert scan_text("Meeting on 12/03/1985 went well") == []  # a date, no birth context
    assert scan_text("order 90210 shipped") == []
    [zip_code] = scan_text("zip code 90210")
    assert (zip_code.entity_type, zip_code.score) == ("POSTAL_CODE", 0.65)
    assert scan_text("ref 9111111111111110") == []  # Luhn ok, unknown issuer
    [card] = scan_text("card number 9111111111111110")
    assert (card.entity_type, card.score) == ("CREDIT_CARD", 0.65)


def test_context_word_must_be_a_whole_word() -> None:
    assert scan_text("telephoned 2079460958") == []
    assert scan_text("stubborn 12/03/1985") == []


def test_overlaps_keep_the_stronger_finding() -> None:
    # The IBAN's digits are also a phone candidate; the IBAN wins on confidence.
    text = "GB82 WEST 1234 5698 7654 32"
    assert _spans(text, scan_text(text)) == [("IBAN_CODE", text)]
    # A card number is never also reported as a phone number.
    assert [f.entity_type for f in scan_text("4111-1111-1111-1111")] == ["CREDIT_CARD"]


def test_entities_and_region_and_threshold() -> None:
    text = "mail a@b.io, call 020 7946 0958"
    assert [f.entity_type for f in scan_text(text, entities=["EMAIL_ADDRESS"])] == ["EMAIL_ADDRESS"]
    assert [f.entity_type for f in scan_text(text, entities="phone_number")] == ["PHONE_NUMBER"]
    # A French national number is not a valid British one.
    assert scan_text("call 0490 75 40 81", region="GB") == []
    assert len(scan_text("call 0490 75 40 81", region="fr")) == 1
    assert scan_text("phone 2079460958", min_score=0.9) == []
    [weak] = scan_text("number 2079460958 paid", min_score=0.3)
    assert weak.score == 0.8


def test_bytes_are_decoded_with_replacement() -> None:
    raw = "mail jan@example.org caf\u00e9".encode("latin-1")
    found = scan_text(raw)
    text, replaced = decode_text(raw)
    assert replaced
    assert _spans(text, found) == [("EMAIL_ADDRESS", "jan@example.org")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": 42}, "text must be str or bytes, got int"),
        ({"text": "x", "entities": ["SHOE_SIZE"]}, "unknown entity type 'SHOE_SIZE'"),
        ({"text": "x", "entities": []}, "entities is empty"),
        ({"text": "x", "entities": ["FREE_TEXT"]}, "FREE_TEXT has no span detector"),
        ({"text": "x", "region": "XX"}, "unknown region 'XX'"),
        ({"text": "x", "min_score": 0}, r"min_score must be a number in \(0, 1\]"),
        ({"text": "x", "min_score": 1.5}, r"min_score must be a number in \(0, 1\]"),
    ],
)
def test_bad_input_is_a_usage_error(kwargs: dict, message: str) -> None:
    text = kwargs.pop("text")
    with pytest.raises(UsageError, match=message):
        scan_text(text, **kwargs)


BATCH = [
    NOTE,
    "",
    None,
    "nothing personal here",
    "ﬁle: mail ｊａｎ＠ｅｘａｍｐｌｅ．ｏｒｇ",
    "Order #48213 shipped on 2024-03-05, total EUR 129.99.",
    "phone 2079460958",
    "zip code 90210",
    "Dear Ms Nowak, thanks. Regards,\nŠárka Ottová",
    "server 2001:db8::1 and fe80::1",
    "SSN 460-89-9847, NINO AB 12 34 56 C",
    "b\xe9ad".encode("latin-1"),
    "Renewal due 28/05/2025, discount 19% approved.",
    "Via Franscini 71 and SW1A 1AA",
]


def test_scan_texts_equals_scan_text_per_text() -> None:
    batch = scan_texts(BATCH)
    assert len(batch) == len(BATCH)
    for text, found in zip(BATCH, batch, strict=True):
        assert found == ([] if text is None else scan_text(text))
    assert [[f.entity_type for f in found] for found in batch] == [
        [
            "PERSON",
            "PHONE_NUMBER",
            "EMAIL_ADDRESS",
            "CREDIT_CARD",
            "IBAN_CODE",
            "DATE_OF_BIRTH",
            "IP_ADDRESS",
            "STREET_ADDRESS",
        ],
        [],
        [],
        [],
        ["EMAIL_ADDRESS"],
        [],  # order number, ISO date, amount: no personal data
        ["PHONE_NUMBER"],
        ["POSTAL_CODE"],
        ["PERSON", "PERSON"],
        ["IP_ADDRESS", "IP_ADDRESS"],
        ["NATIONAL_ID", "NATIONAL_ID"],
        [],
        [],
        ["STREET_ADDRESS", "POSTAL_CODE"],
    ]


def test_scan_texts_with_options_and_errors() -> None:
    assert scan_texts([]) == []
    assert scan_texts(["phone 2079460958"], min_score=0.9) == [[]]
    assert scan_texts(["number 2079460958"], min_score=0.3) == [
        scan_text("number 2079460958", min_score=0.3)
    ]
    assert scan_texts(["zip code 90210", "a@b.io"], entities=["POSTAL_CODE"]) == [
        scan_text("zip code 90210"),
        [],
    ]
    with pytest.raises(UsageError, match=r"texts\[1\] must be str or bytes, got float"):
        scan_texts(["ok", 1.5])  # type: ignore[list-item]


# ----------------------------------------------------------------------------- Presidio


def test_presidio_engine_info_names_what_ran() -> None:
    info = presidio_engine_info()
    assert set(info) == {"presidio", "recognizers", "ner_model"}
    assert info["presidio"][0].isdigit()
    assert (info["recognizers"] == "pattern") == (info["ner_model"] is None)


@pytest.mark.slow  # builds Presidio's analyzer (a few seconds, once per process)
def test_presidio_adapter_finds_pattern_entities_offline() -> None:
    texts = ["mail jan@example.org or card 4111 1111 1111 1111", None, "nothing"]
    found = scan_texts_presidio(texts)
    assert len(found) == 3 and found[1] == [] and found[2] == []
    kinds = {(f.entity_type, texts[0][f.start : f.end]) for f in found[0]}
    assert ("EMAIL_ADDRESS", "jan@example.org") in kinds
    assert ("CREDIT_CARD", "4111 1111 1111 1111") in kinds
    assert all("4111 1111" not in f.text_masked for f in found[0])
    assert PRESIDIO_TO_ENTITY["US_SSN"].value == "NATIONAL_ID"


def test_presidio_adapter_rejects_bad_input() -> None:
    with pytest.raises(UsageError, match=r"texts\[0\] must be str, got bytes"):
        scan_texts_presidio([b"x"])  # type: ignore[list-item]
    with pytest.raises(UsageError, match=r"score_threshold must be in \[0, 1\]"):
        scan_texts_presidio(["x"], score_threshold=2)
