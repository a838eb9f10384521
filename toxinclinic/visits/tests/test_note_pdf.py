"""The signed note as PDF: map, sites and units, product, lot, expiry, dilution, waste, billing lines;
archived by a real task worker and served with Content-Disposition."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from toxinclinic.visits import services as svc
from toxinclinic.visits.models import SignedNote
from toxinclinic.visits.tasks import archive_note_pdf
from toxinclinic.visits.tests.helpers import prepared_visit


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "note.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.django_db
def test_pdf_download(world: Any, client_as: Any, tmp_path: Path) -> None:
    v = prepared_visit(world)
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    resp = client_as("coordinator").get(f"/visits/{v.public_id}/notes/1/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith('attachment; filename="injection-note-A001-')
    out = Path(__file__).resolve().parents[3] / "var" / "test-output"
    out.mkdir(parents=True, exist_ok=True)
    (out / "note.pdf").write_bytes(resp.content)
    text = _text(resp.content, tmp_path)
    for expected in (
        "Ada Lovelace",
        "C1234A",
        "0023-1145-01",
        "J0585-JW",
        "64615",
        "Temporalis",
        "155",
        "Front",
    ):
        assert expected in text, expected
    assert "5 U" in text  # units per 0.1 mL from 100 U in 2 mL


@pytest.mark.django_db
def test_note_and_pdf_state_screening_results_as_sentences(
    world: Any, client_as: Any, tmp_path: Path
) -> None:
    from toxinclinic.patients.models import Medication

    world.patient.sex = "male"
    world.patient.save()
    Medication.objects.create(patient=world.patient, name="Warfarin", drug_class="anticoagulant")
    v = prepared_visit(world, answers={"anticoagulant_or_antiplatelet": True})
    svc.sign_visit(v, world.user("clinician"), expected_version=v.version, acknowledge_warnings=True)
    page = client_as("clinician").get(f"/visits/{v.public_id}/").content.decode()
    pdf = " ".join(
        _text(client_as("clinician").get(f"/visits/{v.public_id}/notes/1/pdf/").content, tmp_path).split()
    )
    for text in (page, pdf):
        assert "No infection at the injection sites." in text
        assert "Pregnancy not asked: sex recorded as male." in text
        assert "Takes an anticoagulant or antiplatelet medicine." in text
        assert "Yes — Warfarin on the medication list, added" in text
        assert "No: " not in text and "Not pregnant" not in text


@pytest.mark.django_db(transaction=True)
def test_real_worker_archives_the_pdf(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    v = prepared_visit(world)
    note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    archive_note_pdf.enqueue(note.pk)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    note = SignedNote.objects.get(pk=note.pk)
    assert note.pdf.name.endswith("-v1.pdf")
    assert note.pdf.read().startswith(b"%PDF")
    assert note.content["totals"]["total"] == 155  # attaching the file changed nothing else


@pytest.mark.django_db
@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_signing_enqueues_the_archive(
    world: Any, tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    v = prepared_visit(world)
    with django_capture_on_commit_callbacks(execute=True):
        note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    note.refresh_from_db()
    assert note.pdf


@pytest.mark.django_db
def test_archived_pdf_is_not_served_as_a_media_file(world: Any, client: Any, client_as: Any) -> None:
    """A note PDF lives under MEDIA_ROOT but is patient data: only the visit views (signed in, same
    clinic, audited) hand it out, never a plain /media/ URL — not even in development."""
    from django.conf import settings as django_settings

    v = prepared_visit(world)
    note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version, archive_pdf=False)
    archive_note_pdf.call(note.pk)
    note.refresh_from_db()
    path = Path(django_settings.MEDIA_ROOT) / note.pdf.name
    try:
        assert path.is_file()
        url = f"/media/{note.pdf.name}"
        assert client.get(url).status_code == 404
        assert client_as("other_clinician").get(url).status_code == 404
        assert client_as("coordinator").get(url).status_code == 404
        assert client_as("coordinator").get(f"/visits/{v.public_id}/notes/1/pdf/").status_code == 200
    finally:
        note.pdf.delete(save=False)


@pytest.mark.django_db
def test_rendering_a_pdf_logs_no_layout_steps(world: Any, caplog: Any) -> None:
    import logging

    from toxinclinic.visits.pdf import render_note_pdf

    v = prepared_visit(world)
    note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version, archive_pdf=False)
    with caplog.at_level(logging.INFO):
        assert render_note_pdf(note).startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
