"""The public treatment page: server time (uncached and cached) beside the framework floor, page weight
beside the 100 KB budget, and the time to narrate the default page beside the audio's own length.

Runs in-process with Django's test client on the shared benchmark database (benchmarks/django_env.py),
with the default page published afresh and narrated by the real espeak-ng + opusenc pipeline.
"""

from __future__ import annotations

import os
import tempfile
import time

from benchmarks.common import BenchResult, best_of
from benchmarks.django_env import ensure_django

PAGE_BUDGET_BYTES = 100 * 1024


def run(quick: bool) -> list[BenchResult]:
    ensure_django()
    from django.contrib.staticfiles import finders
    from django.core.cache import cache
    from django.test import Client, override_settings

    from toxinclinic.accounts.models import Clinic, Role, User
    from toxinclinic.education import narration
    from toxinclinic.education.content import DEFAULT_SLUG
    from toxinclinic.education.demo import create_demo_page
    from toxinclinic.education.models import PageVersion, TreatmentPage
    from toxinclinic.education.tasks import narrate

    repeat = 5 if quick else 15
    number = 5 if quick else 20
    results: list[BenchResult] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-media-") as media,
        override_settings(
            MEDIA_ROOT=media,
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
        ),
    ):
        TreatmentPage.objects.filter(slug=DEFAULT_SLUG).delete()  # e.g. the one demo_seed made
        clinic = Clinic.objects.create(name="Bench Neurology Clinic", phone="020 7946 0123")
        admin = User.objects.create_user(username="bench-edu-admin", role=Role.ADMIN, clinic=clinic)
        page = create_demo_page(clinic, admin)
        version = PageVersion.objects.get(pk=page.published_version_id)

        if narration.tools_available():
            t0 = time.perf_counter()
            narrate(version.pk)
            wall = time.perf_counter() - t0
            version.refresh_from_db()
            results.append(
                BenchResult(
                    "narrate the default page (espeak-ng + opusenc + lame)",
                    wall,
                    "s",
                    "length of the audio it makes",
                    version.audio_duration_seconds or 0.0,
                    higher_is_better=False,
                    note=f"real-time factor {wall / (version.audio_duration_seconds or 1):.3f}; "
                    f"{(version.audio_bytes or 0) / 1024:.0f} KB Ogg Opus",
                )
            )

        client = Client()
        url = f"/treatments/{page.slug}/"
        assert client.get(url).status_code == 200
        floor = best_of(lambda: client.get("/healthz"), repeat=repeat, number=number)

        def uncached() -> None:
            cache.clear()
            client.get(url)

        cold = best_of(uncached, repeat=repeat, number=number)
        client.get(url)
        warm = best_of(lambda: client.get(url), repeat=repeat, number=number)
        answer_url = f"/api/v1/education/pages/{page.slug}/answer"
        ask = best_of(lambda: client.get(answer_url, {"q": "does it hurt"}), repeat=repeat, number=number)
        ms = 1000.0
        results += [
            BenchResult(
                "public page, uncached (render + cache fill)",
                cold * ms,
                "ms",
                "/healthz (framework floor)",
                floor * ms,
                higher_is_better=False,
            ),
            BenchResult(
                "public page, cached fragments",
                warm * ms,
                "ms",
                "/healthz (framework floor)",
                floor * ms,
                higher_is_better=False,
            ),
            BenchResult(
                "answer a question (JSON, BM25 over FAQ + sections)",
                ask * ms,
                "ms",
                "/healthz (framework floor)",
                floor * ms,
                higher_is_better=False,
            ),
        ]

        html = client.get(url).content
        names = ("css/app.css", "education/education.css", "education/page.js")
        assets = [finders.find(p) for p in names]
        asset_bytes = sum(os.path.getsize(p) for p in assets if p)
        headshot = os.path.getsize(page.provider.headshot.path)
        total = len(html) + asset_bytes + headshot
        results.append(
            BenchResult(
                "page weight without audio (HTML + CSS + JS + headshot)",
                total / 1024,
                "KB",
                "budget",
                PAGE_BUDGET_BYTES / 1024,
                higher_is_better=False,
                note=f"HTML {len(html) / 1024:.1f} KB, CSS+JS {asset_bytes / 1024:.1f} KB, "
                f"headshot {headshot / 1024:.1f} KB; uncompressed",
            )
        )
    return results
