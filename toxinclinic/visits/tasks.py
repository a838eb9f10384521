"""Background work of the visits app: archive each signed note version as a PDF."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django_tasks import task


@task()
def archive_note_pdf(note_id: int) -> str:
    """Render the signed note version to PDF and attach it to the (otherwise immutable) note row.

    Idempotent: the file name is fixed per note version, a file a killed earlier run left unrecorded is
    replaced, and the row takes the name only while it has none (a conditional UPDATE), so one PDF per note.
    """
    from toxinclinic.visits.models import SignedNote
    from toxinclinic.visits.pdf import render_note_pdf

    note = SignedNote.objects.select_related("visit").get(pk=note_id)
    if note.pdf:
        return note.pdf.name
    data = render_note_pdf(note)
    storage = note.pdf.storage
    wanted = note.pdf.field.generate_filename(note, f"visit-{note.visit.public_id}-v{note.version}.pdf")
    if storage.exists(wanted) and not SignedNote.objects.filter(pdf=wanted).exists():
        storage.delete(wanted)
    name = storage.save(wanted, ContentFile(data))
    if not SignedNote.objects.filter(pk=note.pk, pdf="").update(pdf=name):
        recorded = SignedNote.objects.get(pk=note.pk).pdf.name  # archived meanwhile by another task row
        if name != recorded:
            storage.delete(name)
        return recorded
    return name
