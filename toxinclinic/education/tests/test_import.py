"""``manage.py import_page`` and the editor's import: good exports become a published page; broken ones
are refused with the line and what was expected, and nothing is stored."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from toxinclinic.audit.models import AuditEvent
from toxinclinic.education.models import FAQItem, PageSection, PageVersion, Provider, TreatmentPage

SAMPLES = Path(__file__).parent / "import_samples"
HEAD = b"Jane Doe MD\nPractice\nTitle\n1714000000\n"
pytestmark = pytest.mark.django_db


def _run(path: Path | str, *args: str) -> str:
    out = StringIO()
    call_command("import_page", str(path), *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Provider.objects.count(),
        TreatmentPage.objects.count(),
        PageSection.objects.count(),
        FAQItem.objects.count(),
        PageVersion.objects.count(),
        DBTaskResult.objects.count(),
    )


def test_good_file_makes_provider_page_version_and_queues_narration(
    world: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(SAMPLES / "good_full.txt", "--clinic", "clinic a")
    assert "Created provider Jane Doe, MD, FAAN (Lakeside Headache Center)." in out
    assert (
        "Created page “Botox Injections for Chronic Migraine” at "
        "/treatments/botox-injections-for-chronic-migraine/" in out
    )
    assert "3 sections, 2 questions, published on 24 April 2024." in out
    assert "Published version 1; its narration is queued." in out
    provider = Provider.objects.get(clinic=world.clinic)
    assert (provider.name, provider.credentials, provider.practice) == (
        "Jane Doe",
        "MD, FAAN",
        "Lakeside Headache Center",
    )
    assert provider.headshot_alt == "Headshot of the Doctor"
    page = TreatmentPage.objects.get(clinic=world.clinic)
    assert page.date_published is not None and int(page.date_published.timestamp()) == 1714000000
    assert [s.heading for s in page.sections.all()] == [
        "About this treatment",
        "Who can have it",
        "What happens at the visit",
    ]
    visit = page.sections.get(anchor="what-happens-at-the-visit")
    assert "- forehead\n- temples" in visit.body
    assert [f.question for f in page.faqs.all()] == ["Does it hurt?", "How often do I need it?"]
    assert page.faqs.get(position=1).answer.count("\n\n") == 1  # two answer paragraphs
    assert page.conditions == ["chronic_migraine"]
    version = page.published_version
    assert version is not None and version.number == 1 and version.published_by_label == "import"
    tasks = {t.task_path.rsplit(".", 1)[-1]: t.args_kwargs["args"] for t in DBTaskResult.objects.all()}
    assert tasks == {"narrate_version": [version.pk], "prepare_answers": [version.pk]}
    assert AuditEvent.objects.filter(action="education.page_imported").count() == 1
    # The page shows the publish date from the file, and JSON-LD says the same.
    html = client.get("/treatments/botox-injections-for-chronic-migraine/").content.decode()
    assert 'Published <time datetime="2024-04-24' in html or 'Published <time datetime="2024-04-25' in html
    assert '"datePublished": "2024-04-2' in html or '"datePublished":"2024-04-2' in html
    assert "0:00 / 0:00" not in html
    assert "Every 12 weeks." in html


def test_import_again_updates_and_by_public_id(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _run(SAMPLES / "good_full.txt", "--clinic", "Clinic A")
        again = _run(SAMPLES / "good_full.txt", "--clinic", str(world.clinic.public_id))
    assert "Updated provider Jane Doe" in again and "Updated page" in again
    assert "Nothing changed since version 1; it stays live." in again
    assert Provider.objects.count() == 1 and TreatmentPage.objects.count() == 1
    assert PageVersion.objects.count() == 1


def test_draft_is_not_published(world: Any, tmp_path: Path) -> None:
    out = _run(SAMPLES / "good_minimal.txt", "--clinic", "Clinic A", "--draft")
    assert "Saved as a draft: not published." in out
    page = TreatmentPage.objects.get()
    assert page.published_version is None and PageVersion.objects.count() == 0
    assert page.provider.name == "Sam Lee" and page.provider.credentials == ""
    assert page.conditions == ["cervical_dystonia"]


def _refused(path: Path, expected: str) -> None:
    before = _counts()
    with pytest.raises(CommandError) as exc:
        _run(path, "--clinic", "Clinic A")
    assert expected in str(exc.value), str(exc.value)
    assert "Nothing was imported." in str(exc.value)
    assert _counts() == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_no_title.txt", "line 5: expected the page title, found the number “1714000000”"),
        (
            "bad_timestamp.txt",
            "line 6: expected the publish date as a Unix timestamp in seconds (digits only, for example "
            "1714000000), found “April 25, 2024”",
        ),
        ("bad_faq_no_answer.txt", "line 10: the question “Is it covered by insurance?” has no answer"),
        ("empty.txt", "line 1: the file is empty"),
        ("binary.png", "line 3: this is not a text file (it contains binary data)"),
    ],
)
def test_broken_files_are_refused_with_the_line(world: Any, name: str, expected: str) -> None:
    _refused(SAMPLES / name, expected)


def test_ten_megabyte_file_is_refused_without_reading_it_all(world: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    line = b"Botox is a prescription medicine that is injected into muscles.\n"
    with big.open("wb") as fh:
        for _ in range(10 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    assert big.stat().st_size >= 10 * 1024 * 1024
    _refused(big, "the file is 10.0 MB; a page export is at most 1 MB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"Jane Doe MD\nPractice\nTitle\n1714000000000\nBody text.\n", "looks like milliseconds"),
        (b"Jane Doe MD\nPractice\nTitle\n", "line 4: the file ends here; expected the publish date"),
        (b"Jane Doe MD\nPractice\nTitle\n1714000000\nFAQs\nQ?\nA.\n", "expected the page's body"),
        (HEAD + b"Body.\nFAQs\nNot a question.\n", "line 7: expected a question"),
        (HEAD + b"Body.\nFAQs\nLast one?\n", "line 7: the question “Last one?” has no answer"),
        (HEAD + b"Body.\nA heading\n", "line 6: the heading “A heading” has no text"),
        (b"Jane Doe MD\nPractice\n\xff\xfeTitle\n1714000000\nBody.\n", "line 3: byte 0xff is not UTF-8"),
        (
            b"Jane Doe MD\nPractice\n" + b"T" * 161 + b"\n1714000000\nB.\n",
            "line 3: the title is 161 characters",
        ),
    ],
)
def test_other_mistakes_name_the_line(world: Any, tmp_path: Path, text: bytes, expected: str) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(text)
    _refused(path, expected)


def test_unknown_clinic_and_missing_file(world: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No clinic is called “Nowhere”"):
        _run(SAMPLES / "good_full.txt", "--clinic", "Nowhere")
    with pytest.raises(CommandError, match="no such file"):
        _run(tmp_path / "missing.txt", "--clinic", "Clinic A")
    assert TreatmentPage.objects.count() == 0


def test_editor_import_by_upload_and_paste(world: Any, client: Any) -> None:
    client.force_login(world.user("admin"))
    url = "/treatments/manage/pages/import/"
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("page.txt", (SAMPLES / "bad_timestamp.txt").read_bytes(), "text/plain")
    r = client.post(url, {"file": bad})
    html = r.content.decode()
    assert r.status_code == 400 and "nothing was changed. Line 6: Expected the publish date" in html
    assert TreatmentPage.objects.count() == 0
    good = SimpleUploadedFile("page.txt", (SAMPLES / "good_full.txt").read_bytes(), "text/plain")
    r = client.post(url, {"file": good}, follow=True)
    assert r.status_code == 200 and "Published version 1; its narration is queued." in r.content.decode()
    page = TreatmentPage.objects.get()
    assert page.published_version.published_by == world.user("admin")
    r = client.post(url, {"text": (SAMPLES / "good_minimal.txt").read_text(), "draft": "on"}, follow=True)
    assert "Saved as a draft" in r.content.decode()
    assert TreatmentPage.objects.count() == 2
    r = client.post(url, {})
    assert r.status_code == 400 and "Choose a file or paste the page" in r.content.decode()


def test_editor_import_is_for_admins_only(world: Any, client: Any) -> None:
    client.force_login(world.user("nurse"))
    r = client.post("/treatments/manage/pages/import/", {"text": (SAMPLES / "good_full.txt").read_text()})
    assert r.status_code == 403 and TreatmentPage.objects.count() == 0
