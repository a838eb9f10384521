"""Background work: the check-in reminder, run by ``manage.py db_worker`` on its due day."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from toxinclinic.safety.models import CheckIn, CheckInStatus


@task()
def send_check_in_reminder(check_in_id: int) -> str:
    """E-mail the patient that a check-in is waiting. The message names no symptom, drug or diagnosis.

    Claimed with a conditional update (``reminded_at IS NULL``) so two workers never both send it.
    """
    ci = CheckIn.objects.select_related("patient", "clinic").filter(pk=check_in_id).first()
    if ci is None or ci.status != CheckInStatus.PENDING:
        return "skipped: answered or gone"
    if not ci.patient.email:
        return "skipped: no e-mail address"
    claimed = CheckIn.objects.filter(pk=ci.pk, reminded_at__isnull=True).update(reminded_at=timezone.now())
    if not claimed:
        return "skipped: already reminded"
    url = settings.SITE_URL + reverse("safety:check_in", args=[ci.public_id])
    send_mail(
        subject=f"{ci.clinic.name}: how are you after your treatment?",
        message=(
            "Your clinic would like to know how you have been since your treatment.\n"
            f"Please sign in and answer one short question: {url}\n\n"
            "If you have trouble swallowing, breathing or speaking, changes in your vision, weakness all "
            f"over your body or signs of an allergic reaction, call {ci.clinic.emergency_number} now.\n"
            f"Questions? Call the clinic on {ci.clinic.phone}."
        ),
        from_email=None,
        recipient_list=[ci.patient.email],
    )
    return "sent"
