"""The audit screen in words: names and sentences, the clinic's dates, and a From-after-To error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from toxinclinic.audit.services import log_action, record_read
from toxinclinic.safety import services as safety
from toxinclinic.testing import days_ago, sign_visit

pytestmark = pytest.mark.django_db


def test_a_triage_call_back_reads_as_a_sentence_with_names(world: Any, client_as: Any) -> None:
    sign_visit(world.patient, days_ago(5))
    report = safety.report_side_effect(world.patient, symptoms=["bruising"], actor=world.user("patient"))
    item = report.triage_item
    safety.record_call_back(
        item,
        actor=world.user("nurse"),
        version=item.version,
        notes="Reassured; review in 2 weeks.",
        outcome="advice_given",
    )
    page = client_as("admin").get("/audit/").content.decode()
    assert "Triage item for Ada Lovelace: called back by Nurse Tester" in page
    assert "Side effect report for Ada Lovelace: reported by Patient Tester" in page
    # The action filter lists words; the codes stay in the option values only.
    assert ">Triage item: called back</option>" in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert "triage.called_back" not in text and "called_back" not in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_changes_show_field_names_choice_labels_and_clinic_dates(world: Any, client_as: Any) -> None:
    log_action(
        "patient.updated",
        actor=world.user("nurse"),
        obj=world.patient,
        changes={"sex": ["female", "other"], "enrolled_on": ["2025-01-06", "2025-02-03"]},
    )
    log_action(
        "dose.stop_overridden",
        actor=world.user("clinician"),
        obj=world.patient,
        data={
            "rule": "min_interval",
            "finding": "70 days after the session of 2026-07-12",
            "reason": "Paper",
        },
    )
    page = client_as("admin").get("/audit/").content.decode()
    assert "Patient record of Ada Lovelace: changed by Nurse Tester" in page
    assert "<strong>Sex</strong>: Female → Other" in page
    assert "Jan 6, 2025 → Feb 3, 2025" in page  # a US clinic by default
    assert "Rule: Minimum interval between sessions" in page and "session of Jul 12, 2026" in page


def test_from_after_to_is_an_error_not_an_empty_list(world: Any, client_as: Any) -> None:
    client_as("clinician").get(f"/patients/{world.patient.public_id}/")
    r = client_as("admin").get("/audit/", {"since": "2026-03-12", "until": "2026-03-01"})
    body = r.content.decode()
    assert r.status_code == 400
    assert "To (Mar 1, 2026) is before From (Mar 12, 2026)" in body and 'aria-invalid="true"' in body
    assert "No events match." not in body and "Chart of" not in body
    ok = client_as("admin").get("/audit/", {"since": timezone.localdate().isoformat()})
    assert ok.status_code == 200 and "Chart of Ada Lovelace" in ok.content.decode()


def test_days_are_the_clinics_days(world: Any, client_as: Any) -> None:
    """An event at 03:30 UTC on Mar 12 happened on Mar 11 in New York, and is filtered as such."""
    past = dt.datetime(2026, 3, 12, 3, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=past):  # the row is stamped at write
        event = record_read(world.patient, actor=world.user("nurse"))
    assert event is not None and event.at == past
    page = client_as("admin").get("/audit/", {"since": "2026-03-11", "until": "2026-03-11"}).content.decode()
    assert "Mar 11, 2026, 11:30 PM" in page and "Chart of Ada Lovelace" in page
    page = client_as("admin").get("/audit/", {"since": "2026-03-12", "until": "2026-03-12"}).content.decode()
    assert "No events match." in page
