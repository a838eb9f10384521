"""Background work of the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from toxinclinic.accounts.models import User


@task()
def send_invitation_email(user_id: int, link: str) -> str:
    """Email the one-time password link. Runs in the worker so a slow mail server never blocks the desk.

    Only the user id and the link travel through the queue table; the address is read at send time.
    """
    user = User.objects.get(pk=user_id)
    if not user.email:
        return "no address"
    send_mail(
        "Your Toxin Clinic portal",
        f"Your clinic has invited you to its patient portal. Your username is {user.username}.\n"
        f"Set your password here (valid {settings.TOXINCLINIC_INVITE_VALID_DAYS} days): {link}\n",
        None,
        [user.email],
    )
    return "sent"
