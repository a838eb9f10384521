"""Background work of the education app: narrate a published version."""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django_tasks import task

from toxinclinic.education import narration
from toxinclinic.education.models import AudioSource, AudioStatus, PageVersion
from toxinclinic.education.services import narration_text

log = logging.getLogger(__name__)


def updated_label(version: PageVersion) -> str:
    """“10 May 2025”, in the clinic's time zone: the same words the page shows."""
    return date_format(timezone.localtime(version.published_at), "j F Y")


def narrate(version_id: int) -> str:
    """Make the audio for one version and record it on the version (status, file, duration)."""
    version = PageVersion.objects.select_related("page").get(pk=version_id)
    if version.audio_status == AudioStatus.READY and version.audio:
        return "already narrated"
    content = version.content
    try:
        result = narration.synthesize(
            narration_text(content, updated_label(version)),
            title=content["title"],
            artist=content["provider"]["practice"],
        )
        # A fresh random part in the name: the file is served with a year-long cache and never changes.
        stem = f"education/audio/{version.page.public_id}-v{version.number}-{secrets.token_hex(4)}"
        name = default_storage.save(f"{stem}.opus", ContentFile(result.audio))
        mp3_name = default_storage.save(f"{stem}.mp3", ContentFile(result.mp3)) if result.mp3 else ""
    except Exception as exc:
        # Whatever went wrong, the page must stop saying the audio is on its way.
        PageVersion.objects.filter(pk=version.pk).update(
            audio_status=AudioStatus.FAILED, audio_error=str(exc)[:300] or type(exc).__name__
        )
        log.warning("narration of page version %s failed: %s", version.public_id, exc)
        if isinstance(exc, narration.NarrationError):
            return "failed"
        raise
    # An uploaded recording that arrived while this ran wins: it is a real voice.
    PageVersion.objects.filter(pk=version.pk).exclude(audio_source=AudioSource.RECORDED).update(
        audio=name,
        audio_status=AudioStatus.READY,
        audio_duration_seconds=round(result.duration_seconds, 2),
        audio_bytes=len(result.audio),
        audio_mp3=mp3_name,
        audio_mp3_bytes=len(result.mp3) or None,
        audio_error="",
        narration_seconds=round(result.wall_seconds, 3),
    )
    return "ready"


@task()
def narrate_version(version_id: int) -> str:
    """Queue entry point: only the version's integer id travels through the queue table."""
    return narrate(version_id)
