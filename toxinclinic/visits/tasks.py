"""Background work of the visits app: archive each signed note version as a PDF."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django_tasks import task


@task()
def archive_note_pdf(note_id: int) -> str:
    """Render the signed note version to PDF and attach it to the (otherwise immutable) note row."""
    from toxinclinic.visits.models import SignedNote
    from toxinclinic.visits.pdf import render_note_pdf

    note = SignedNote.objects.select_related("visit").get(pk=note_id)
    if note.pdf:
        return note.pdf.name
    data = render_note_pdf(note)
    note.pdf.save(f"visit-{note.visit.public_id}-v{note.version}.pdf", ContentFile(data), save=False)
    note.save(update_fields=["pdf"])
    return note.pdf.name
