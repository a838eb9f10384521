"""The public page: what an anonymous visitor and a search engine get, and what they never get."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from toxinclinic.education.models import AudioStatus, PageVersion, Provider, TreatmentPage
from toxinclinic.education.services import publish

URL = "/treatments/botox-migraine-dystonia/"


def _jsonld(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD block"
    return json.loads(m.group(2))


def test_anonymous_visitor_reads_the_published_page(client: Any, demo_page: TreatmentPage) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    v = demo_page.published_version
    # provider card
    assert 'alt="Drawn portrait of Dr Sam Okafor' in html
    assert 'width="320" height="320"' in html
    assert (
        "Dr Sam Okafor, MD" in html
        and "Harbour Neurology Clinic" in html
        and "Consultant neurologist" in html
    )
    assert 'href="tel:02000000001"' in html and "Book an evaluation (020 0000 0001)" in html
    # title and the date for people and machines
    assert "<h1>Botox for chronic migraine and cervical dystonia</h1>" in html
    local = timezone.localtime(v.published_at)
    # The first publication is the publish date; "Updated" appears only on a later day.
    assert (
        f'Published <time datetime="{local.isoformat()}">{local:%B} {local.day}, {local.year}</time>' in html
    )
    assert "Updated <time" not in html
    # every section, and the FAQ as disclosure widgets
    for s in v.content["sections"]:
        assert f'id="{s["anchor"]}"' in html and s["heading"] in html
    assert html.count("<details") == len(v.content["faqs"]) >= 6
    assert "<summary>Does it hurt?</summary>" in html
    # honest while the narration is being made
    assert "Audio is being prepared" in html and "<audio" not in html


def test_structured_data_and_open_graph(client: Any, narrated_page: TreatmentPage) -> None:
    html = client.get(URL).content.decode()
    data = _jsonld(html)
    graph = {node["@type"]: node for node in data["@graph"]}
    page = graph["MedicalWebPage"]
    assert {c["name"] for c in page["about"]} == {"Chronic migraine", "Cervical dystonia"}
    assert {c["code"]["code"] for c in page["about"]} == {"G43.7", "G24.3"}
    assert page["about"][0]["possibleTreatment"]["@type"] == "MedicalTherapy"
    audio = page["audio"] if isinstance(page["audio"], list) else [page["audio"]]
    assert page["dateModified"] and all(a["duration"].startswith("PT") for a in audio)
    assert page["datePublished"][:10] == page["dateModified"][:10]
    questions = [q["name"] for q in graph["FAQPage"]["mainEntity"]]
    assert "Does it hurt?" in questions and "How long does it last?" in questions
    assert all(q["acceptedAnswer"]["text"] for q in graph["FAQPage"]["mainEntity"])
    assert graph["Physician"]["name"] == "Dr Sam Okafor, MD"
    assert graph["Physician"]["image"].endswith(".jpg")
    for prop in ("og:title", "og:description", "og:url", "og:image", "og:type"):
        assert f'property="{prop}"' in html
    assert '<link rel="canonical"' in html


def test_json_ld_cannot_break_out_of_its_script(client: Any, demo_page: TreatmentPage, world: Any) -> None:
    faq = demo_page.faqs.first()
    faq.question = "Is </script><script>alert(1)</script> safe?"
    faq.save()
    publish(demo_page, actor=world.user("admin"), expected_version=demo_page.version)
    html = client.get(URL).content.decode()
    assert "<script>alert(1)" not in html
    assert any("alert(1)" in q["name"] for q in _jsonld(html)["@graph"][1]["mainEntity"])


def test_markdown_cannot_carry_scripts_or_handlers(client: Any, demo_page: TreatmentPage, world: Any) -> None:
    s = demo_page.sections.first()
    s.body = 'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3)) **ok**'
    s.save()
    publish(demo_page, actor=world.user("admin"), expected_version=demo_page.version)
    html = client.get(URL).content.decode()
    assert "alert(1)" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>ok</strong>" in html


def test_the_csp_nonce_is_fresh_on_every_response_even_when_cached(client: Any, demo_page: Any) -> None:
    first, second = client.get(URL), client.get(URL)
    n1 = re.search(r'nonce="([^"]+)"', first.content.decode()).group(1)
    n2 = re.search(r'nonce="([^"]+)"', second.content.decode()).group(1)
    assert n1 != n2
    assert f"'nonce-{n2}'" in second["Content-Security-Policy"]


def test_second_request_is_served_from_the_cache(client: Any, demo_page: Any) -> None:
    client.get(URL)
    with CaptureQueriesContext(connection) as cold:
        from django.core.cache import cache

        cache.clear()
        client.get(URL)
    with CaptureQueriesContext(connection) as warm:
        client.get(URL)
    assert len(warm) <= len(cold)
    # Publishing a new version changes the key, so the old text is never served.
    sec = demo_page.sections.first()
    sec.heading = "What Botox is, in short"
    sec.save()
    publish(demo_page, actor=demo_page.published_version.published_by, expected_version=demo_page.version)
    assert "What Botox is, in short" in client.get(URL).content.decode()


def test_index_and_root_list_published_pages_for_anonymous_visitors(client: Any, demo_page: Any) -> None:
    for url in ("/", "/treatments/"):
        html = client.get(url).content.decode()
        assert f'href="{URL}"' in html and "sign in" in html


def test_unpublished_and_unknown_pages_are_404(client: Any, world: Any) -> None:
    provider = Provider.objects.create(
        clinic=world.clinic, name="Dr X", practice="A", booking_url="tel:+4400000000"
    )
    TreatmentPage.objects.create(
        clinic=world.clinic, slug="draft-only", title="Draft", summary="s", provider=provider
    )
    assert client.get("/treatments/draft-only/").status_code == 404
    assert client.get("/treatments/no-such-page/").status_code == 404
    assert client.get("/api/v1/education/pages/draft-only/answer?q=hi").status_code == 404


def test_sitemap_lists_published_pages_with_their_date(client: Any, demo_page: Any) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    v = demo_page.published_version
    # The date where the site is (its time zone), as the sitemap writes it.
    assert f"{URL}</loc><lastmod>{timezone.localtime(v.published_at).date().isoformat()}</lastmod>" in xml
    assert "/treatments/</loc>" in xml


def test_page_is_printable_and_light(client: Any, narrated_page: Any) -> None:
    from django.contrib.staticfiles import finders

    html = client.get(URL).content.decode()
    css = open(finders.find("education/education.css")).read()
    assert "@media print" in css and ".tp-audio, .tp-ask" in css
    assert len(html.encode()) < 60_000
    assert '<audio controls preload="metadata"' in html


def test_audio_failure_is_said_plainly(client: Any, demo_page: Any) -> None:
    PageVersion.objects.filter(pk=demo_page.published_version_id).update(
        audio_status=AudioStatus.FAILED, audio_error="espeak-ng is not installed"
    )
    html = client.get(URL).content.decode()
    assert "Audio is not available for this version" in html and "<audio" not in html


def test_files_are_served_with_byte_ranges(client: Any, demo_page: Any) -> None:
    name = demo_page.provider.headshot.name
    full = client.get(f"/treatments/files/{name}")
    body = b"".join(full.streaming_content)
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    assert "immutable" in full["Cache-Control"]
    part = client.get(f"/treatments/files/{name}", HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206 and part.content == body[:10]
    assert part["Content-Range"] == f"bytes 0-9/{len(body)}"
    tail = client.get(f"/treatments/files/{name}", HTTP_RANGE="bytes=-4")
    assert tail.content == body[-4:]
    assert client.get(f"/treatments/files/{name}", HTTP_RANGE=f"bytes={len(body) + 5}-").status_code == 416
    for bad in ("../../secret_key", "education/headshots/../../x.jpg", "other/file.jpg", "education/x.py"):
        assert client.get(f"/treatments/files/{bad}").status_code == 404
    demo_page.provider.headshot.storage.save("education/headshots/ghost.jpg", ContentFile(b"x"))
    assert client.get("/treatments/files/education/headshots/missing.jpg").status_code == 404
