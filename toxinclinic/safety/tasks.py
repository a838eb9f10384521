"""Background work: the check-in reminder, run by ``manage.py db_worker`` on its due day."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from toxinclinic.messaging.services import queue_for_patient
from toxinclinic.safety.models import CheckIn, CheckInStatus


@task()
def send_check_in_reminder(check_in_id: int) -> str:
    """Put the "a check-in is waiting" e-mail in the outbox. It names no symptom, drug or diagnosis.

    The outbox sends it once (idempotency key per check-in), retries it with back-off and shows it on the
    outbox screen; ``reminded_at`` records when it was queued.
    """
    ci = CheckIn.objects.select_related("patient", "clinic").filter(pk=check_in_id).first()
    if ci is None or ci.status != CheckInStatus.PENDING:
        return "skipped: answered or gone"
    url = settings.SITE_URL + reverse("safety:check_in", args=[ci.public_id])
    # The patient's channel, opt-out and the clinic's quiet hours apply (messaging decides).
    msg = queue_for_patient(
        ci.patient,
        kind="check_in_reminder",
        key=f"check-in-reminder:{ci.public_id}",
        topic=f"check-in:{ci.public_id}",
        subject=f"{ci.clinic.name}: how are you after your treatment?",
        body=(
            "Your clinic would like to know how you have been since your treatment.\n"
            f"Please sign in and answer one short question: {url}\n\n"
            "If you have trouble swallowing, breathing or speaking, changes in your vision, weakness all "
            f"over your body or signs of an allergic reaction, call {ci.clinic.emergency_number} now.\n"
            f"Questions? Call the clinic on {ci.clinic.phone}."
        ),
    )
    if msg is None:
        return "skipped: the patient turned check-in reminders off, or has no address on their channel"
    CheckIn.objects.filter(pk=ci.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    return "queued"
