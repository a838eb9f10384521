"""Background work of the accounts app."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task

from toxinclinic.accounts.models import User
from toxinclinic.tasklease.effects import ALREADY_DONE, IN_PROGRESS, message_id, once


@task()
def send_invitation_email(user_id: int, link: str) -> str:
    """Email the one-time password link. Runs in the worker so a slow mail server never blocks the desk.

    Only the user id and the link travel through the queue table; the address is read at send time. Sent
    once per link (``tasklease.effects.once``): a re-run after a killed worker repeats the same Message-ID.
    """
    user = User.objects.get(pk=user_id)
    if not user.email:
        return "no address"
    email = EmailMessage(
        "Your Toxin Clinic portal",
        f"Your clinic has invited you to its patient portal. Your username is {user.username}.\n"
        f"Set your password here (valid {settings.TOXINCLINIC_INVITE_VALID_DAYS} days): {link}\n",
        None,
        [user.email],
    )

    def send(key: str) -> str:
        email.extra_headers["Message-ID"] = message_id(key)
        email.send()
        return "sent"

    # The link's hash, not the link: the key is stored, the link is a password-setting secret.
    result = once(f"accounts.invite:{user.pk}:{hashlib.sha256(link.encode()).hexdigest()[:32]}", send)
    return {ALREADY_DONE: "skipped: already sent", IN_PROGRESS: "skipped: being sent by another task"}.get(
        result, result
    )
