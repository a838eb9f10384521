"""Every staff and patient screen of the demo shows words, names and the clinic's dates — never a rule code,
a site id, a raw enum value or an ISO date — and no other country's strings in the US demo clinic.

A small demo is seeded with the demo generator; then, per role, the test follows the navigation and the
links on each page (two of each kind of page: one patient's chart stands for all) with the test client.

Visit screens (/visits/…) are crawled too: the dose-check findings, vials, screening and billing lines are in
words there.
"""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from toxinclinic.accounts.models import Clinic, User
from toxinclinic.core.tests.screen_text import codes_in, day_first_dates_in, foreign_in, visible_text
from toxinclinic.patients.models import Patient

pytestmark = pytest.mark.django_db

ROLES = ["admin", "nurse", "clinician", "injector", "coordinator", "patient"]
SKIP_PREFIXES = (
    "/accounts/logout",
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "/treatments/files/",
    "/sitemap.xml",
    "/robots.txt",
    "/favicon.ico",
)
SKIP_SUFFIXES = (".svg", ".pdf", ".png", ".xml", ".json")
# Findings on screens another piece of work owns this session, left for it and reported to the lead; each
# is allowed only on its own pages and only for the finding named. Remove an entry once it is fixed.
KNOWN_ELSEWHERE: dict[str, list[tuple[str, str]]] = {}
PER_PATTERN = 2
MAX_PAGES = 80

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}(?:-\d{2})?|\d+")


def _pattern(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return _ID.sub("<id>", parts.path) + ("?" + query if query else "")


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """{url: html} of every page reachable from ``start`` inside the app (GET only)."""
    seen: dict[str, str] = {}
    per_pattern: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        pat = _pattern(url)
        if per_pattern.get(pat, 0) >= PER_PATTERN:
            continue
        per_pattern[pat] = per_pattern.get(pat, 0) + 1
        r = client.get(url)
        if r.status_code in (301, 302):
            queue.appendleft(r["Location"])
            seen[url] = ""
            continue
        assert r.status_code in (200, 400, 403, 404), f"{url}: HTTP {r.status_code}"
        html = r.content.decode() if "html" in r.get("Content-Type", "") else ""
        seen[url] = html
        for href in visible_text(html)[1]:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # mailto:, tel:, other sites, #anchors
            target = parts.path + ("?" + parts.query if parts.query else "")
            if target.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
                continue
            if target not in seen:
                queue.append(target)
    return seen


@pytest.fixture
def demo() -> None:
    call_command("demo_seed", patients=10, seed=11, stdout=io.StringIO())


def _pages_for(username: str) -> dict[str, str]:
    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    start = ["/home/"]
    if username != "patient":
        demo_patient = Patient.objects.get(user__username="patient")
        start.append(f"/patients/{demo_patient.public_id}/")
    return crawl(client, start)


@pytest.mark.parametrize("username", ROLES)
def test_every_screen_shows_words_not_codes(demo: None, username: str) -> None:
    pages = _pages_for(username)
    assert len(pages) >= 3, f"the crawl as {username} reached only {list(pages)}"
    problems = {}
    for url, html in pages.items():
        text, _ = visible_text(html)
        found = codes_in(text) + foreign_in(text) + day_first_dates_in(text)
        for prefix, known in KNOWN_ELSEWHERE.items():
            if url.startswith(prefix):
                found = [f for f in found if not any(f.startswith(k) for k, _ in known)]
        if found:
            problems[url] = found
    assert not problems, f"as {username}:\n" + "\n".join(
        f"{url}\n    " + "\n    ".join(found) for url, found in problems.items()
    )


def test_anonymous_public_pages_are_us_too(demo: None) -> None:
    pages = crawl(Client(), ["/", "/treatments/", "/accounts/login/"])
    assert any("/treatments/" in u for u in pages)
    for url, html in pages.items():
        text, _ = visible_text(html)
        found = foreign_in(text) + codes_in(text)
        for prefix, known in KNOWN_ELSEWHERE.items():
            if url.startswith(prefix):
                found = [f for f in found if not any(f.startswith(k) for k, _ in known)]
        assert not found, (url, found)


def test_demo_clinic_is_a_us_clinic(demo: None) -> None:
    for clinic in Clinic.objects.all():
        assert (clinic.country, clinic.emergency_number, clinic.phone_format) == ("US", "911", "nanp")
        assert clinic.time_zone.startswith("America/")
        assert re.fullmatch(r"\(\d{3}\) 555-01\d{2}", clinic.phone), clinic.phone
    phones = set(Patient.objects.values_list("phone", flat=True))
    assert phones and all(re.fullmatch(r"\(\d{3}\) 555-01\d{2}", p) for p in phones), phones


def test_the_check_can_fail() -> None:
    """The detectors see codes in text, but not in attributes a person never reads."""
    html = (
        "<p>Hard stop (session_max) at temporalis_left_1 on 2026-03-12; call 999 or 020 7946 0123</p>"
        '<a href="/x/2026-03-12/" data-site="frontalis_right_2">ok</a><input value="2026-01-01">'
        "<script>var a = 'not_seen_1999-01-01';</script>"
    )
    text, links = visible_text(html)
    assert links == ["/x/2026-03-12/"]
    found = " ".join(codes_in(text))
    assert "'session_max'" in found and "'temporalis_left_1'" in found and "'2026-03-12'" in found
    assert "frontalis" not in found and "2026-01-01" not in found and "not_seen" not in found
    foreign = " ".join(foreign_in(text))
    assert "999" in foreign and "UK phone" in foreign
    assert not codes_in("Mar 12, 2026 · Triage item for Maya Hart: called back by Nia Roberts")
    assert not foreign_in("Call 911 or the clinic at (617) 555-0123 · 1,999 U in stock")
    assert not foreign_in("Visit id: e7f999ee-ab96-4ee7-8abb-6d390a786207")  # a UUID, not the UK number
    assert day_first_dates_in("Saved 12 Mar 2026 and 1 Dec 18:52")
    assert not day_first_dates_in("Mar 12, 2026 · 3 months · 20 days recorded · May 12")
