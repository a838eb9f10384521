"""The editor: only the clinic's admin edits; drafts, preview, publishing (versions, diff, audio, audit)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image

from toxinclinic.accounts.models import Role, User
from toxinclinic.audit.models import AuditEvent
from toxinclinic.education import narration
from toxinclinic.education.models import AudioStatus, PageVersion, Provider, TreatmentPage

M = "/treatments/manage/"


def editor_data(page: TreatmentPage, **changes: Any) -> dict[str, Any]:
    """What the editor form posts for the page as stored, with ``changes`` applied."""
    page.refresh_from_db()
    data: dict[str, Any] = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "therapy": page.therapy,
        "conditions": list(page.conditions),
        "provider": page.provider_id,
        "version": page.version,
        "action": "save",
    }
    for prefix, rows, fields in (
        ("sections", list(page.sections.all()), ("heading", "anchor", "body")),
        ("faqs", list(page.faqs.all()), ("question", "answer")),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": len(rows),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-page"] = page.pk
            data[f"{prefix}-{i}-ORDER"] = i + 1
            for f in fields:
                data[f"{prefix}-{i}-{f}"] = getattr(row, f)
    data.update(changes)
    return data


def _image(fmt: str = "PNG", size: tuple[int, int] = (800, 600), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(out, fmt, **save)
    return out.getvalue()


def provider_data(provider: Provider | None = None, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Dr Ana Lima",
        "credentials": "MD",
        "role": "Neurologist",
        "practice": "Clinic A",
        "location": "London",
        "booking_url": "https://example.org/book",
        "booking_label": "Book an evaluation",
        "headshot_alt": "Photo of Dr Ana Lima",
    }
    if provider is not None:
        data |= {k: getattr(provider, k) for k in data} | {"version": provider.version}
    return data | changes


# --- who may edit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["nurse", "clinician", "injector", "coordinator", "patient", "other_clinician"]
)
def test_a_non_admin_cannot_edit(client_as: Any, demo_page: TreatmentPage, role: str) -> None:
    client = client_as(role)
    before = demo_page.version
    pid, prov = demo_page.public_id, demo_page.provider.public_id
    assert client.get(f"{M}pages/{pid}/").status_code == 403
    assert client.post(f"{M}pages/{pid}/", editor_data(demo_page, title="Hacked")).status_code == 403
    assert client.post(f"{M}pages/{pid}/publish/", {"version": before}).status_code == 403
    assert (
        client.post(f"{M}providers/{prov}/", provider_data(demo_page.provider, name="X")).status_code == 403
    )
    assert client.post(f"{M}providers/new/", provider_data()).status_code == 403
    demo_page.refresh_from_db()
    assert demo_page.version == before and demo_page.title != "Hacked"
    assert PageVersion.objects.filter(page=demo_page).count() == 1
    assert Provider.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client: Any, demo_page: TreatmentPage) -> None:
    r = client.get(f"{M}pages/{demo_page.public_id}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_another_clinics_admin_gets_404(client: Any, world: Any, demo_page: TreatmentPage) -> None:
    other_admin = User.objects.create_user(
        username="admin-b", password="x-long-password-1", role=Role.ADMIN, clinic=world.other_clinic
    )
    client.force_login(other_admin, backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        f"{M}pages/{demo_page.public_id}/",
        f"{M}pages/{demo_page.public_id}/preview/",
        f"{M}pages/{demo_page.public_id}/versions/",
        f"{M}providers/{demo_page.provider.public_id}/",
    ):
        r = client.get(url)
        assert r.status_code == 404 and "Okafor" not in r.content.decode()
    assert client.post(f"{M}pages/{demo_page.public_id}/publish/", {"version": 1}).status_code == 404
    assert "Botox" not in client.get(M).content.decode()  # their list shows only their clinic


# --- drafts, preview, readability ---------------------------------------------------------------------


def test_saving_a_draft_changes_nothing_public(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    url = f"{M}pages/{demo_page.public_id}/"
    data = editor_data(demo_page, **{"faqs-0-answer": "Only a little pinch."})
    r = client.post(url, data)
    assert r.status_code == 302
    demo_page.refresh_from_db()
    assert demo_page.version == 2 and demo_page.faqs.first().answer == "Only a little pinch."
    assert "Only a little pinch." not in client.get("/treatments/botox-migraine-dystonia/").content.decode()
    assert "Only a little pinch." in client.get(url + "preview/").content.decode()
    event = AuditEvent.objects.filter(action="education.page_updated").latest("pk")
    assert "+Only a little pinch." in event.data["draft_diff"]
    # A stale version is refused and changes nothing.
    r = client.post(url, data | {"faqs-0-answer": "Stale edit."})
    assert r.status_code == 409
    assert demo_page.faqs.first().answer == "Only a little pinch."


def test_bad_input_names_the_field(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    url = f"{M}pages/{demo_page.public_id}/"
    r = client.post(url, editor_data(demo_page, **{"sections-1-anchor": "what-it-is", "title": ""}))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Two sections would both be #what-it-is" in html and "This field is required" in html
    demo_page.refresh_from_db()
    assert demo_page.version == 1


def test_sections_can_be_added_reordered_and_deleted(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    n = demo_page.sections.count()
    data = editor_data(demo_page)
    data |= {
        "sections-TOTAL_FORMS": n + 1,
        f"sections-{n}-heading": "Parking",
        f"sections-{n}-body": "There is free parking behind the clinic.",
        f"sections-{n}-ORDER": 0,
        "sections-1-DELETE": "on",
    }
    assert client.post(f"{M}pages/{demo_page.public_id}/", data).status_code == 302
    headings = list(demo_page.sections.values_list("heading", "anchor"))
    assert headings[0] == ("Parking", "parking") and len(headings) == n
    assert "How it helps chronic migraine" not in [h for h, _ in headings]


def test_readability_is_shown_with_a_warning_above_grade_8(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    url = f"{M}pages/{demo_page.public_id}/"
    html = client.get(url).content.decode()
    assert "Reading grade <strong>" in html and "Above grade 8" not in html
    hard = (
        "Onabotulinumtoxin administration necessitates comprehensive neuromuscular evaluation, "
        "individualised dosing considerations and longitudinal documentation of therapeutic responsiveness."
    )
    data = editor_data(demo_page, **{"sections-0-body": hard})
    graded = client.post(url + "readability/", data).json()
    assert graded["parts"]["sections-0"]["too_hard"] and graded["parts"]["sections-0"]["grade"] > 8
    assert not graded["parts"]["sections-1"]["too_hard"]
    assert graded["max_grade"] == 8.0
    client.post(url, data)
    assert "Above grade 8" in client.get(url).content.decode()


def test_new_page_starts_from_the_default_text(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    form = client.get(f"{M}pages/new/").content.decode()
    assert "Botox for chronic migraine and cervical dystonia" in form
    r = client.post(
        f"{M}pages/new/",
        {
            "title": "Botox at our Riverside clinic",
            "slug": "riverside-botox",
            "summary": "The same treatment at our satellite clinic.",
            "therapy": "OnabotulinumtoxinA (Botox) injections",
            "conditions": ["chronic_migraine"],
            "provider": demo_page.provider_id,
            "start_from_default": "on",
        },
    )
    assert r.status_code == 302
    page = TreatmentPage.objects.get(slug="riverside-botox")
    assert page.sections.count() == demo_page.sections.count() and page.published_version is None
    taken = client.post(
        f"{M}pages/new/",
        {
            "title": "x",
            "slug": "riverside-botox",
            "summary": "s",
            "therapy": "t",
            "conditions": ["chronic_migraine"],
            "provider": demo_page.provider_id,
        },
    )
    assert taken.status_code == 400 and "already exists" in taken.content.decode()


# --- publishing ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opusenc not installed")
@pytest.mark.django_db(transaction=True)  # real commits: publishing queues the audio on commit
def test_publishing_creates_a_version_and_new_audio(client_as: Any, narrated_page: TreatmentPage) -> None:
    client = client_as("admin")
    v1 = narrated_page.published_version
    DBTaskResult.objects.all().delete()  # version 1's own queue entry; its audio is already made
    first_answer = narrated_page.faqs.order_by("position").first().answer
    data = editor_data(
        narrated_page, action="publish", **{"faqs-0-answer": "It feels like a quick pinch. It is over fast."}
    )
    r = client.post(f"{M}pages/{narrated_page.public_id}/", data)
    assert r.status_code == 302 and r["Location"].endswith("/versions/")
    narrated_page.refresh_from_db()
    v2 = narrated_page.published_version
    assert v2.number == 2 and v2.pk != v1.pk and v2.published_by.username == "admin"
    assert "+It feels like a quick pinch. It is over fast." in v2.diff
    assert any(line.startswith("-" + first_answer[:25]) for line in v2.diff.splitlines())
    event = AuditEvent.objects.get(action="education.page_published", data__version=2)
    assert event.actor.username == "admin" and event.data["version_id"] == str(v2.public_id)
    # The new version's audio is queued, then made by the worker from the new text.
    assert v2.audio_status == AudioStatus.PENDING
    assert "Audio is being prepared" in client.get("/treatments/botox-migraine-dystonia/").content.decode()
    queued = {t.task_path.rsplit(".", 1)[-1]: t.args_kwargs["args"] for t in DBTaskResult.objects.all()}
    assert queued == {"narrate_version": [v2.pk], "prepare_answers": [v2.pk]}
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    # The worker also encoded the new version's sentences for “Ask a question” (kept on disk).
    prepared = DBTaskResult.objects.get(task_path__endswith="prepare_answers")
    assert prepared.status == "SUCCESSFUL" and prepared.return_value.endswith("sentences encoded")
    v2.refresh_from_db()
    v1.refresh_from_db()
    assert v2.audio_status == AudioStatus.READY and v2.audio.name != v1.audio.name
    assert v1.audio_status == AudioStatus.READY and v1.content["faqs"][0]["answer"] == first_answer
    html = client.get("/treatments/botox-migraine-dystonia/").content.decode()
    assert v2.audio.name in html and v1.audio.name not in html
    versions = client.get(f"{M}pages/{narrated_page.public_id}/versions/").content.decode()
    assert "Version 2" in versions and "Version 1" in versions and "It is over fast." in versions


def test_publishing_nothing_new_or_a_stale_draft_is_refused(client_as: Any, demo_page: TreatmentPage) -> None:
    client = client_as("admin")
    url = f"{M}pages/{demo_page.public_id}/publish/"
    r = client.post(url, {"version": demo_page.version}, follow=True)
    assert "Nothing changed since version 1" in r.content.decode()
    r = client.post(url, {"version": demo_page.version + 5}, follow=True)
    assert "changed by someone else" in r.content.decode()
    assert client.post(url, {}).status_code == 400
    assert PageVersion.objects.filter(page=demo_page).count() == 1


# --- provider and headshot upload ---------------------------------------------------------------------


def test_headshot_is_checked_cropped_and_stripped(client_as: Any, world: Any) -> None:
    client = client_as("admin")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker: must not survive
    upload = SimpleUploadedFile("me.png", _image("JPEG", (900, 600), exif=exif), content_type="image/png")
    r = client.post(f"{M}providers/new/", provider_data(headshot_upload=upload))
    assert r.status_code == 302
    p = Provider.objects.get(name="Dr Ana Lima")
    assert p.clinic == world.clinic and (p.headshot_width, p.headshot_height) == (320, 320)
    with p.headshot.open("rb") as fh:
        data = fh.read()
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.size == (320, 320)
    assert b"SecretCam" not in data and not img.getexif()
    assert AuditEvent.objects.filter(action="education.provider_created").exists()


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("photo.jpg", b"this is not a picture at all", "could not be read as a picture"),
        ("photo.gif", _image("GIF", (50, 50)), "This is a GIF file"),
        ("photo.jpg", _image("JPEG")[:200], "could not be read as a picture"),
        ("huge.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), "the limit is 5 MB"),
    ],
)
def test_a_malformed_upload_is_refused(
    client_as: Any, demo_page: TreatmentPage, name: str, payload: bytes, message: str
) -> None:
    client = client_as("admin")
    provider = demo_page.provider
    before = (provider.headshot.name, provider.version)
    upload = SimpleUploadedFile(name, payload, content_type="image/jpeg")
    r = client.post(
        f"{M}providers/{provider.public_id}/", provider_data(provider, name="Changed", headshot_upload=upload)
    )
    assert r.status_code == 400
    assert message in r.content.decode()
    provider.refresh_from_db()
    assert (provider.headshot.name, provider.version) == before and provider.name == "Dr Sam Okafor"


def test_headshot_needs_a_description(client_as: Any) -> None:
    client = client_as("admin")
    upload = SimpleUploadedFile("me.png", _image("PNG", (400, 400)), content_type="image/png")
    r = client.post(f"{M}providers/new/", provider_data(headshot_upload=upload, headshot_alt=""))
    assert r.status_code == 400 and "Describe the headshot" in r.content.decode()
    r = client.post(f"{M}providers/new/", provider_data(booking_url="javascript:alert(1)"))
    assert r.status_code == 400 and "Enter a web address" in r.content.decode()
    assert not Provider.objects.exists()
