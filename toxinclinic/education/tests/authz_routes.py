"""Treatment pages in the authorization matrix: the public page, its files, the sitemap and the answer API
are open to everyone; the editor is for the clinic's admin only (others 403, anonymous to the login)."""

from __future__ import annotations

from typing import Any

from toxinclinic.core.tests.authz import Route, expect

M = "/treatments/manage/"
PG = M + "pages/{edu_page}/"
# Another clinic's admin edits their own clinic's pages: the lists and blank forms open, clinic A's page or
# provider is a 404 to them.
ADMIN_ONLY = expect(anon=302, admin=200, default=403, own_clinic=True)
ADMIN_A = expect(anon=302, admin=200, default=403, other_admin=404)

ROUTES: list[Route] = [
    Route("education:index", "GET", "/treatments/", expect(default=200)),
    Route("education:page", "GET", "/treatments/{edu_slug}/", expect(default=200)),
    Route("education:file", "GET", "/treatments/files/{edu_headshot}", expect(default=200)),
    Route("education:sitemap", "GET", "/sitemap.xml", expect(default=200)),
    Route("education:manage", "GET", M, ADMIN_ONLY),
    Route("education:provider_create", "GET", M + "providers/new/", ADMIN_ONLY),
    Route("education:provider_edit", "GET", M + "providers/{edu_provider}/", ADMIN_A),
    Route("education:page_create", "GET", M + "pages/new/", ADMIN_ONLY),
    Route("education:page_import", "GET", M + "pages/import/", ADMIN_ONLY),
    Route("education:page_edit", "GET", PG, ADMIN_A),
    Route("education:page_preview", "GET", PG + "preview/", ADMIN_A),
    Route("education:page_versions", "GET", PG + "versions/", ADMIN_A),
    Route("education:readability", "POST", PG + "readability/", ADMIN_A),
    # Without the draft's version number nothing is published: 400 for the admin.
    Route(
        "education:page_publish",
        "POST",
        PG + "publish/",
        expect(anon=302, admin=400, default=403, other_admin=404),
    ),
    # Without a file nothing changes: 400 for the admin.
    Route(
        "education:page_recording",
        "POST",
        PG + "recording/",
        expect(anon=302, admin=400, default=403, other_admin=404),
    ),
    Route("education:transcript", "GET", "/treatments/{edu_slug}/transcript/", expect(default=200)),
    Route(
        "api:answer_question",
        "GET",
        "/api/v1/education/pages/{edu_slug}/answer?q=does+it+hurt",
        expect(default=200),
    ),
]


def path_keys(world: Any) -> dict[str, str]:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from toxinclinic.education.models import Provider, TreatmentPage
    from toxinclinic.education.services import publish

    provider = Provider(
        clinic=world.clinic,
        name="Dr Test",
        practice="Clinic A",
        booking_url="tel:+442000000001",
        headshot_alt="Test headshot",
        headshot_width=1,
        headshot_height=1,
    )
    # One fixed file, written once: the matrix builds these keys for every one of its hundreds of cases.
    name = "education/headshots/authz-matrix.jpg"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"\xff\xd8\xff\xd9"))
    provider.headshot.name = name
    provider.save()
    page = TreatmentPage.objects.create(
        clinic=world.clinic,
        slug="authz-page",
        title="A page",
        summary="About it.",
        conditions=["chronic_migraine"],
        provider=provider,
    )
    page.sections.create(position=0, anchor="what", heading="What it is", body="It helps.")
    page.faqs.create(position=0, question="Does it hurt?", answer="A little pinch.")
    publish(page, actor=world.user("admin"), expected_version=page.version)
    return {
        "edu_slug": page.slug,
        "edu_page": str(page.public_id),
        "edu_provider": str(provider.public_id),
        "edu_headshot": provider.headshot.name,
    }
