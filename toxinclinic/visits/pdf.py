"""The printable PDF of a signed note (WeasyPrint): the map, sites and units, product, lot, expiry,
dilution, waste and billing lines, rendered from the note version's frozen content."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string

from toxinclinic.visits.models import SignedNote
from toxinclinic.visits.notes import note_context


def render_note_html(note: SignedNote) -> str:
    return render_to_string("visits/note_pdf.html", note_context(note))


def render_note_pdf(note: SignedNote) -> bytes:
    import weasyprint  # imported lazily: pango is loaded only when a PDF is made

    # WeasyPrint logs every layout step at INFO; only its warnings are worth a log line.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)

    return weasyprint.HTML(string=render_note_html(note)).write_pdf()
