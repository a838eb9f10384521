"""Background work: the check-in reminder, run by ``manage.py db_worker`` on its due day."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from toxinclinic.safety.models import CheckIn, CheckInStatus
from toxinclinic.tasklease.effects import ALREADY_DONE, IN_PROGRESS, message_id, once


@task()
def send_check_in_reminder(check_in_id: int) -> str:
    """E-mail the patient that a check-in is waiting. The message names no symptom, drug or diagnosis.

    The attempt is recorded before sending and ``reminded_at`` set after (``tasklease.effects.once``), with
    the check-in's idempotency key as Message-ID, so a re-run after a killed worker does not send it twice.
    """
    ci = CheckIn.objects.select_related("patient", "clinic").filter(pk=check_in_id).first()
    if ci is None or ci.status != CheckInStatus.PENDING:
        return "skipped: answered or gone"
    if not ci.patient.email:
        return "skipped: no e-mail address"
    if ci.reminded_at is not None:
        return "skipped: already reminded"
    url = settings.SITE_URL + reverse("safety:check_in", args=[ci.public_id])
    email = EmailMessage(
        subject=f"{ci.clinic.name}: how are you after your treatment?",
        body=(
            "Your clinic would like to know how you have been since your treatment.\n"
            f"Please sign in and answer one short question: {url}\n\n"
            "If you have trouble swallowing, breathing or speaking, changes in your vision, weakness all "
            f"over your body or signs of an allergic reaction, call {ci.clinic.emergency_number} now.\n"
            f"Questions? Call the clinic on {ci.clinic.phone}."
        ),
        to=[ci.patient.email],
    )

    def send(key: str) -> str:
        email.extra_headers["Message-ID"] = message_id(key)
        email.send()
        return "sent"

    result = once(f"safety.check-in-reminder:{ci.public_id}", send)
    if result == IN_PROGRESS:
        return "skipped: being sent by another task"
    CheckIn.objects.filter(pk=ci.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    return "skipped: already reminded" if result == ALREADY_DONE else result
