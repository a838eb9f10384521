"""The default page is plain language (grade 8 or below) and says what the clinical reference says."""

from __future__ import annotations

import re

from toxinclinic.clinical import aftercare, protocols
from toxinclinic.education import content, markup, readability


def _page() -> dict:
    return content.default_page(clinic_phone="020 7946 0123", emergency_number="999")


def test_whole_page_and_every_part_read_at_grade_8_or_below() -> None:
    report = readability.page_report(_page())
    assert report["page"].grade is not None and report["page"].grade <= readability.DEFAULT_MAX_READING_GRADE
    for part in report["parts"]:
        assert part.grade is not None and part.grade <= 8.0, (part.label, part.grade)
    assert report["page"].words > 1000  # it is the full page, not a stub
    for f in _page()["faqs"]:
        s = readability.score(f["question"], f["answer"])
        assert s.grade is not None and s.grade <= 8.0, (f["question"], s.grade)


def test_grade_rises_for_long_sentences_and_long_words() -> None:
    hard = (
        "Onabotulinumtoxin administration necessitates comprehensive neuromuscular evaluation, "
        "individualised dosing considerations and longitudinal documentation of therapeutic responsiveness."
    )
    assert readability.flesch_kincaid_grade(hard) > 12
    assert readability.score("x", hard).too_hard
    assert readability.flesch_kincaid_grade("The cat sat. It was warm.") < 3
    assert readability.flesch_kincaid_grade("") is None


def _text() -> str:
    page = _page()
    parts = [s["heading"] + ". " + markup.sentences(s["body"]) for s in page["sections"]]
    parts += [f["question"] + " " + markup.sentences(f["answer"]) for f in page["faqs"]]
    return " ".join(parts)


def test_facts_match_the_clinical_reference_and_engine() -> None:
    text = _text()
    p = protocols.preempt()
    assert f"{p.site_count} small shots" in text and p.site_count == 31
    assert f"total is {round(p.total_units)} units" in text and round(p.total_units) == 155
    assert "every 12 weeks" in text
    assert "15 or more days a month" in text
    assert "within days" in text and "about 2 weeks" in text and "about 3 months" in text
    assert "after 2 rounds" in text
    assert "within 2 weeks" in text and "about 6 weeks" in text
    for side_effect in ("neck pain", "headache", "droopy eyelid", "weak muscles"):
        assert side_effect in text
    for serious in ("trouble swallowing", "breathing", "speaking", "vision"):
        assert serious in text
    assert "allergic reaction" in text
    for alternative in (
        "topiramate",
        "propranolol",
        "amitriptyline",
        "candesartan",
        "CGRP",
        "gepants",
        "physical therapy",
        "deep brain stimulation",
    ):
        assert alternative in text
    # Blood thinners are discussed with the prescriber; the page never tells people to stop them.
    assert "Do not stop any medicine on your own" in text
    assert not re.search(r"\bstop (taking )?your (blood thinner|medicine)", text, re.I)
    # The aftercare the portal gives is the aftercare the page gives.
    for item in aftercare.AFTERCARE:
        assert item.text in text
    assert "Call 999" in text and "020 7946 0123" in text


def test_every_faq_and_section_is_short_enough_to_scan() -> None:
    page = _page()
    assert len(page["faqs"]) >= 6
    for s in page["sections"]:
        assert len(s["body"].split()) < 250, s["heading"]
