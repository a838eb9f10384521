"""Every fact a patient expects on the demo's page, checked against the page as a visitor receives it
(the rendered HTML, tags removed), with the numbers taken from the clinical engine."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest

from toxinclinic.clinical import aftercare, eligibility, protocols, recall
from toxinclinic.education import content

URL = "/treatments/botox-migraine-dystonia/"


@pytest.fixture
def text(client: Any, demo_page: Any) -> str:
    body = client.get(URL).content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _has(text: str, *phrases: str) -> None:
    missing = [p for p in phrases if p.lower() not in text.lower()]
    assert not missing, missing


def test_what_the_conditions_are(text: str) -> None:
    headache_days, migraine_days = content.chronic_migraine_days()
    assert (headache_days, migraine_days) == (15, 8)  # ICHD-3 1.3, as the engine applies it
    _has(
        text,
        f"a headache on {headache_days} or more days a month",
        f"On at least {migraine_days} of those days, the headache has migraine features",
        "Cervical dystonia is a condition in which neck muscles tighten on their own",
    )


def test_numbers_come_from_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Change the engine's defaults and the page's words follow (nothing typed twice)."""
    real = eligibility.chronic_migraine

    def stricter(*args: Any, headache_days_min: int = 16, migraine_days_min: int = 9, **kw: Any) -> Any:
        return real(*args, headache_days_min=headache_days_min, migraine_days_min=migraine_days_min, **kw)

    monkeypatch.setattr(eligibility, "chronic_migraine", stricter)
    page = content.default_page(clinic_phone="1", emergency_number="2")
    body = " ".join(s["body"] for s in page["sections"])
    assert "16 or more days a month" in body and "at least 9 of those days" in body
    assert "15 or more" not in body


def test_how_it_works(text: str) -> None:
    _has(text, "blocks the release of acetylcholine where the nerve meets the muscle")


def test_procedure(text: str) -> None:
    _has(text, "very fine needle", "over in a few minutes", "muscles of the head and neck")
    for muscle in protocols.PREEMPT_SITES:
        _has(text, muscle.replace("_", " "))
    _has(text, "sternocleidomastoid", "splenius capitis")


def test_side_effects_common_and_rare(text: str) -> None:
    _has(text, "Common side effects", "neck pain", "droopy eyelid", "Rare but serious side effects")
    _has(text, "trouble swallowing, breathing", "blurred or double vision", "serious allergic reaction")


def test_preparation(text: str) -> None:
    _has(text, "your health history", "any allergies", "blood thinners")
    _has(text, "Do not stop any medicine on your own", "the doctor who prescribes your treatment")


def test_aftercare(text: str) -> None:
    for item in aftercare.AFTERCARE:
        _has(text, item.text)
    _has(text, "Do not rub")


def test_timeline(text: str) -> None:
    weeks = recall.DEFAULT_INTERVAL_DAYS // 7
    _has(
        text,
        "change within a few days",
        "full effect builds over about 2 weeks",
        "relief lasts about 3 months, and for some people up to 4 months",
        f"every {weeks} weeks",
    )
    assert weeks == 12


def test_alternatives(text: str) -> None:
    _has(text, "anticonvulsants, such as topiramate", "beta-blockers, such as propranolol")
    _has(text, "CGRP medicines", "lifestyle changes")
    # The page's classes are the engine's classes for these drugs.
    assert eligibility.DRUG_CLASSES["topiramate"] == "anticonvulsant"
    assert eligibility.DRUG_CLASSES["propranolol"] == "beta_blocker"
    _has(text, "muscle relaxants taken by mouth", "physical therapy")
    _has(text, "rarely, surgery, such as deep brain stimulation")


@pytest.mark.parametrize(
    "question",
    [
        "What are the side effects?",
        "How does it work?",
        "What other treatments are there?",
        "What is Botox used for?",
        "What happens during and after the procedure?",
    ],
)
def test_faqs_cover_what_patients_ask(client: Any, demo_page: Any, question: str) -> None:
    page = client.get(URL).content.decode()
    assert f"<summary>{question}</summary>" in page
