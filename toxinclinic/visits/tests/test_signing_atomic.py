"""The signature and everything signing announces commit together: the treatment session and the note's
PDF task are written in the signing transaction, so a web worker killed right after the commit cannot
leave a signed visit without its session or its PDF task. The crash suite (crash/test_visit_signing.py)
kills a real process at that moment; this is the same rule in-process: no commit callback runs here, so
whatever is present was written by the transaction itself."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from toxinclinic.treatment.models import TreatmentSession
from toxinclinic.visits import services as svc
from toxinclinic.visits.tests.helpers import prepared_visit

pytestmark = pytest.mark.django_db


def test_the_session_and_the_pdf_task_are_written_in_the_signing_transaction(world: Any) -> None:
    v = prepared_visit(world)
    note = svc.sign_visit(v, world.user("clinician"), expected_version=v.version)
    session = TreatmentSession.objects.get(visit_id=v.public_id)
    assert session.total_units == 155 and session.injected_on == v.visit_date
    queued = DBTaskResult.objects.filter(task_path__endswith="archive_note_pdf")
    assert [r.args_kwargs["args"] for r in queued] == [[note.pk]]
