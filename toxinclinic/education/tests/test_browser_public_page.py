"""The public treatment page in Chromium, as an anonymous visitor on a desktop and on a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from toxinclinic.education import narration

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opusenc not installed"),
]

PATH = "/treatments/botox-migraine-dystonia/"


@pytest.fixture
def url(live_server: Any, world: Any) -> str:
    from toxinclinic.education.demo import create_demo_page
    from toxinclinic.education.tasks import narrate

    page = create_demo_page(world.clinic, world.user("admin"))
    page.refresh_from_db()
    assert narrate(page.published_version_id) == "ready"
    return live_server.url + PATH


def _serious(page: Page) -> list[dict[str, Any]]:
    violations = Axe().run(page).response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_page_renders_for_an_anonymous_visitor(page: Page, url: str, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Botox for chronic migraine and cervical dystonia"
    )
    expect(page.get_by_role("img", name="Drawn portrait of Dr Sam Okafor")).to_be_visible()
    expect(page.locator(".tp-provider")).to_contain_text("Dr Sam Okafor, MD")
    expect(page.get_by_role("link", name="Book an evaluation")).to_have_attribute("href", "tel:02000000001")
    expect(page.locator(".tp-updated time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(page.locator("#answer")).to_be_hidden()  # no empty answer box before a question
    # the headshot has its space before it loads, so nothing below it moves
    box = page.locator(".tp-headshot").bounding_box()
    assert box and box["width"] == box["height"] > 50
    shift = page.evaluate(
        """() => new Promise(resolve => {
            let total = 0;
            new PerformanceObserver(list => {
                for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
            }).observe({type: 'layout-shift', buffered: true});
            setTimeout(() => resolve(total), 500);
        })"""
    )
    assert shift < 0.01, f"cumulative layout shift {shift}"
    page.screenshot(path=str(screenshot_dir / "treatment-desktop.png"), full_page=True)
    assert _serious(page) == []


def test_audio_loads_and_reports_its_duration(page: Page, url: str) -> None:
    page.goto(url)
    audio = page.locator("audio")
    expect(audio).to_have_attribute("preload", "metadata")
    duration = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const a = document.querySelector('audio');
            if (a.readyState >= 1 && isFinite(a.duration)) return resolve(a.duration);
            a.addEventListener('loadedmetadata', () => resolve(a.duration));
            a.addEventListener('error', () => reject(new Error('audio error ' + (a.error && a.error.code))));
            setTimeout(() => reject(new Error('no metadata after 15 s')), 15000);
        })"""
    )
    assert duration > 60  # the whole page, minutes long
    stated = float(audio.get_attribute("data-seconds"))
    assert abs(duration - stated) < 5  # the length the page states is the file's real length
    expect(page.locator("#listen-note")).to_contain_text("min")


def test_faq_expands_and_collapses_by_keyboard(page: Page, url: str) -> None:
    page.goto(url)
    item = page.locator("#faq-does-it-hurt")
    summary = item.locator("summary")
    answer = item.locator(".tp-faq-answer")
    expect(answer).to_be_hidden()
    summary.focus()
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("quick pinch")
    page.keyboard.press("Space")
    expect(answer).to_be_hidden()
    # Tab reaches the next question; Space opens it.
    page.keyboard.press("Tab")
    expect(page.locator("#faq-how-long-does-it-last summary")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#faq-how-long-does-it-last .tp-faq-answer")).to_be_visible()


@pytest.mark.parametrize(
    ("question", "title", "snippet"),
    [
        ("does it hurt?", "Does it hurt?", "quick pinch"),
        ("how long does it last", "How long does it last?", "about 3 months"),
    ],
)
def test_ask_a_question_finds_the_answer(
    page: Page, url: str, question: str, title: str, snippet: str
) -> None:
    page.goto(url)
    page.get_by_label("Your question").fill(question)
    with page.expect_response(lambda r: "/answer?" in r.url):
        page.get_by_role("button", name="Find the answer").click()
    answer = page.locator("#answer")
    expect(answer.get_by_role("link", name=title)).to_be_visible()
    expect(answer).to_contain_text(snippet)
    assert "?q=" not in page.url  # answered in place, by the JSON endpoint
    answer.get_by_role("link", name=title).click()
    expect(page.locator(f"details:has(summary:text-is('{title}'))")).to_have_attribute("open", "")


def test_ask_without_javascript_and_honest_miss(browser: Any, live_server: Any, url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Your question").fill("does it hurt?")
    page.get_by_role("button", name="Find the answer").click()
    expect(page.locator("#answer")).to_contain_text("From the page: Does it hurt?")
    assert "q=does+it+hurt" in page.url
    page.get_by_label("Your question").fill("where can I park my bicycle")
    page.get_by_role("button", name="Find the answer").click()
    expect(page.locator("#answer")).to_contain_text("could not find a good answer")
    context.close()


def test_structured_data_parses_and_lists_the_faq(page: Page, url: str) -> None:
    page.goto(url)
    raw = page.locator('script[type="application/ld+json"]').text_content()
    data = json.loads(raw or "")
    types = [n["@type"] for n in data["@graph"]]
    assert types == ["MedicalWebPage", "FAQPage", "Physician"]
    questions = [q["name"] for q in data["@graph"][1]["mainEntity"]]
    faq_on_page = page.locator(".tp-faq summary").all_text_contents()
    assert questions == faq_on_page and "Does it hurt?" in questions


def test_phone_layout_and_print(page: Page, url: str, screenshot_dir: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: {width}px"
    page.screenshot(path=str(screenshot_dir / "treatment-phone.png"), full_page=False)
    page.screenshot(path=str(screenshot_dir / "treatment-phone-full.png"), full_page=True)
    assert _serious(page) == []
    page.emulate_media(media="print")
    expect(page.locator(".tp-audio")).to_be_hidden()
    expect(page.locator(".tp-ask")).to_be_hidden()
    expect(page.locator("#faq-does-it-hurt .tp-faq-answer")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "treatment-print.png"), full_page=True)


def test_both_audio_formats_report_their_duration(page: Page, url: str) -> None:
    """Each <source> (Ogg Opus, MP3) loads on its own and states the same length as the page."""
    page.goto(url)
    sources = page.locator("audio source")
    expect(sources).to_have_count(2)
    types = [sources.nth(i).get_attribute("type") for i in range(2)]
    assert types == ["audio/ogg; codecs=opus", "audio/mpeg"]
    stated = float(page.locator("audio").get_attribute("data-seconds") or 0)
    durations = page.evaluate(
        """() => Promise.all([...document.querySelectorAll('audio source')].map(s =>
            new Promise((resolve, reject) => {
                const a = new Audio();
                a.preload = 'metadata';
                a.addEventListener('loadedmetadata', () => resolve([s.type, a.duration]));
                a.addEventListener('error', () => reject(new Error(s.type)));
                setTimeout(() => reject(new Error(s.type + ': no metadata after 15 s')), 15000);
                a.src = s.src;
            })))"""
    )
    assert [t for t, _ in durations] == types
    for kind, seconds in durations:
        assert abs(seconds - stated) < 2, (kind, seconds, stated)
    # The player itself picks the first format it can play (Opus in Chromium).
    current = page.evaluate(
        """() => new Promise(resolve => {
            const a = document.querySelector('audio');
            if (a.currentSrc) return resolve(a.currentSrc);
            a.addEventListener('loadedmetadata', () => resolve(a.currentSrc));
        })"""
    )
    assert current.endswith(".opus")
    link = page.get_by_role("link", name="Read the transcript")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transcript of the audio")
    expect(page.locator("article")).to_contain_text("What is Botox treatment?")


@pytest.mark.parametrize(("width", "height", "name"), [(390, 844, "phone"), (1280, 900, "desktop")])
def test_ask_box_journey(
    page: Page, url: str, screenshot_dir: Path, width: int, height: int, name: str
) -> None:
    """A patient's own words find the sentence that answers; a question the page cannot answer gets the
    clinic's phone number instead of a guess."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    box = page.get_by_label("Your question")
    box.fill("how do I get ready for my appointment?")
    with page.expect_response(lambda r: "/answer?" in r.url):
        page.get_by_role("button", name="Find the answer").click()
    answer = page.locator("#answer")
    expect(answer.get_by_role("link", name="Before your visit")).to_be_visible()
    # What to tell us, or what to wear and bring: both are the section's answer to getting ready.
    expect(answer).to_contain_text(re.compile("Please tell us about|Wear a top"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"treatment-ask-{name}.png"))
    assert _serious(page) == []
    # Worded unlike the page (“travel to other bits” for “spread past the places”): the sentence model.
    box.fill("can the stuff travel to other bits of my body?")
    with page.expect_response(lambda r: "/answer?" in r.url):
        page.get_by_role("button", name="Find the answer").click()
    expect(answer).to_contain_text("spread past the places where it was put")
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"treatment-ask-meaning-{name}.png"))
    box.fill("does my insurance pay for it")
    with page.expect_response(lambda r: "/answer?" in r.url):
        page.get_by_role("button", name="Find the answer").click()
    expect(answer).to_contain_text("could not find a good answer")
    expect(answer).to_contain_text("020 0000 0001")
    page.screenshot(path=str(screenshot_dir / f"treatment-ask-miss-{name}.png"))
    page.locator("#listen").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"treatment-player-{name}.png"))
