"""Background work of the education app: narrate a published version, and prepare its answers."""

from __future__ import annotations

import logging
import re
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django_tasks import task

from toxinclinic.education import narration
from toxinclinic.education.models import AudioSource, AudioStatus, PageVersion
from toxinclinic.education.services import narration_text
from toxinclinic.tasklease.policy import current_attempt, is_transient

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
        attempt = current_attempt()
        if is_transient(exc) and attempt is not None and not attempt.is_last:
            # The worker retries it with back-off, so "being prepared" stays true.
            log.warning("narration of page version %s interrupted, retried: %s", version.public_id, exc)
            raise
        # Otherwise the page must stop saying the audio is on its way.
        error = str(exc)[:300] or type(exc).__name__
        if is_transient(exc):
            error = f"{error[:240]}. It is tried again when the task worker next starts."
        PageVersion.objects.filter(pk=version.pk).update(audio_status=AudioStatus.FAILED, audio_error=error)
        log.warning("narration of page version %s failed: %s", version.public_id, exc)
        if isinstance(exc, narration.NarrationError) and not is_transient(exc):
            return "failed"
        raise
    # Only while no audio is recorded: a second run of the same version (queued twice) keeps the first file,
    # and an uploaded recording that arrived while this ran wins (it is a real voice).
    took = (
        PageVersion.objects.filter(pk=version.pk, audio="")
        .exclude(audio_source=AudioSource.RECORDED)
        .update(
            audio=name,
            audio_status=AudioStatus.READY,
            audio_duration_seconds=round(result.duration_seconds, 2),
            audio_bytes=len(result.audio),
            audio_mp3=mp3_name,
            audio_mp3_bytes=len(result.mp3) or None,
            audio_error="",
            narration_seconds=round(result.wall_seconds, 3),
        )
    )
    if not took:
        default_storage.delete(name)
        if mp3_name:
            default_storage.delete(mp3_name)
        return "already narrated"
    return "ready"


@task()
def narrate_version(version_id: int) -> str:
    """Queue entry point: only the version's integer id travels through the queue table."""
    return narrate(version_id)


@task()
def prepare_answers(version_id: int) -> str:
    """Encode a published version's sentences for “Ask a question” (semantic.py keeps them on disk), so
    the first patient to ask does not wait the few seconds that takes. Idempotent: a second run reads
    the file. A version deleted before the worker got to it needs nothing."""
    from toxinclinic.education import search

    version = PageVersion.objects.filter(pk=version_id).first()
    if version is None:
        return "no such version"
    index = search.index_for_version(version)
    if index.unit_vectors is None:
        return "words only: the sentence model is not installed"
    return f"{len(index.units)} sentences encoded"


# A passing failure: "espeak-ng failed (-15)" (a killed tool, from before such failures were retried) and
# the message narrate() records when the worker gave up on one.
INTERRUPTED = re.compile(r"failed \(-\d+\)|tried again when the task worker next starts")


def requeue_interrupted_narrations() -> int:
    """Queue again the narrations a stopped run left failed or never queued; returns how many.

    Run by every ``db_worker`` as it starts (settings ``TASK_WORKER_STARTUP_HOOKS``): a killed child process
    is a passing failure, so the next start retries it instead of leaving the public page silent.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    queued = {
        args[0]
        for args in DBTaskResult.objects.filter(
            task_path=narrate_version.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs__args", flat=True)
        if args
    }
    failed = [
        pk
        for pk, error in PageVersion.objects.filter(audio_status=AudioStatus.FAILED).values_list(
            "pk", "audio_error"
        )
        if INTERRUPTED.search(error or "")
    ]
    pending = PageVersion.objects.filter(audio_status=AudioStatus.PENDING).values_list("pk", flat=True)
    count = 0
    for pk in sorted(set(failed) | set(pending)):
        if pk in queued:
            continue
        PageVersion.objects.filter(pk=pk, audio_status=AudioStatus.FAILED).update(
            audio_status=AudioStatus.PENDING, audio_error=""
        )
        narrate_version.enqueue(pk)
        count += 1
    if count:
        log.info("queued %d interrupted narration(s) again", count)
    return count
