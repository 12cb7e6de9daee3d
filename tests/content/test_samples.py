"""The sample emails, ads and pages of tests/content/samples cover every pack."""

from __future__ import annotations

from pathlib import Path

from fairmark.content.rules import SHIPPED_PACKS
from fairmark.content.run import scan_files

SAMPLES = Path(__file__).parent / "samples"


def _by_doc() -> dict[str, set[str]]:
    result = scan_files([SAMPLES])
    return {d.name: {f.rule_id for f in d.findings} for d in result.documents}


def test_samples_find_what_they_should() -> None:
    found = _by_doc()
    assert found["flash_sale_email.txt"] >= {
        "dark_patterns.countdown", "dark_patterns.low_stock",
        "dark_patterns.activity_notification", "dark_patterns.confirmshaming",
        "dark_patterns.sneak_into_basket", "dark_patterns.obstruction", "claims.scientific",
    }  # fmt: skip
    # the job ad is not marked employment on the command line, so age/sex rules stay off
    assert not any(r.startswith("special_categories") for r in found["job_ad.md"])
    assert found["landing_page.html"] == {"vulnerability.financial_distress"}
    assert found["variants.csv#1"] == {"reviews.incentivised"}
    assert found["variants.csv#2"] == {"ai_disclosure.missing_label"}
    assert "ai_disclosure.human_claim" in found["variants.csv#3"]
    assert found["variants.csv#4"] == {"vulnerability.minors", "claims.earnings"}
    assert found["variants.csv#5"] == {"special_categories.housing_familial_status"}
    assert found["clean_newsletter.txt"] == set()


def test_samples_cover_every_pack() -> None:
    packs = {r.split(".")[0] for rules in _by_doc().values() for r in rules}
    assert packs >= set(SHIPPED_PACKS)


def test_job_ad_as_employment_and_markdown_offsets() -> None:
    result = scan_files([SAMPLES / "job_ad.md"], ad_category="employment")
    (doc,) = result.documents
    original = (SAMPLES / "job_ad.md").read_text()
    rules = {f.rule_id for f in doc.findings}
    assert rules == {
        "special_categories.employment_age",
        "special_categories.employment_sex_family",
    }
    for f in doc.findings:
        assert original[f.start : f.end] == f.evidence
    assert {f.evidence for f in doc.findings} >= {"young and energetic", "salesman",
                                                   "Recent graduates only"}


def test_html_offsets_refer_to_visible_text_and_scripts_are_dropped() -> None:
    from fairmark.content.inputs import read_documents

    (doc,) = read_documents(SAMPLES / "landing_page.html")
    assert "alert" not in doc.text and "guaranteed approval" not in doc.text
    assert "color" not in doc.text
    result = scan_files([SAMPLES / "landing_page.html"], ad_category="credit")
    (scanned,) = result.documents
    for f in scanned.findings:
        assert doc.text[f.start : f.end] == f.evidence
    assert "married couples only" in {f.evidence for f in scanned.findings}
