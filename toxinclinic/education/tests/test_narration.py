"""Narration: espeak-ng + opusenc make real Ogg Opus audio and its exact duration, via the real worker."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from toxinclinic.education import narration
from toxinclinic.education.models import AudioStatus, PageVersion
from toxinclinic.education.services import narration_text
from toxinclinic.education.tasks import narrate

needs_tools = pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opusenc not installed")


@needs_tools
def test_synthesize_makes_ogg_opus_with_the_wav_duration() -> None:
    result = narration.synthesize("Botox is a medicine. It is given with a very fine needle.", title="t")
    assert result.audio[:4] == b"OggS" and b"OpusHead" in result.audio[:200]
    assert 2.0 < result.duration_seconds < 10.0


def test_narration_reads_the_page_in_order(demo_page: Any) -> None:
    text = narration_text(demo_page.published_version.content, "25 November 2026")
    assert text.startswith("Botox for chronic migraine and cervical dystonia.")
    assert "From Dr Sam Okafor, MD, Consultant neurologist, Harbour Neurology Clinic." in text
    assert "Updated 25 November 2026." in text
    assert text.index("What is Botox treatment?") < text.index("Frequently asked questions.")
    assert "Does it hurt?" in text and "**" not in text and "- " not in text


@needs_tools
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_narrates_a_published_version(world: Any) -> None:
    from toxinclinic.education.demo import create_demo_page

    page = create_demo_page(world.clinic, world.user("admin"))  # publishing queues the narration
    page.refresh_from_db()
    v = page.published_version
    assert v.audio_status == AudioStatus.PENDING
    [queued] = DBTaskResult.objects.filter(status="READY", task_path__endswith="narrate_version")
    assert queued.task_path.endswith("narrate_version") and queued.args_kwargs["args"] == [v.pk]
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [t.status for t in DBTaskResult.objects.all()] == ["SUCCESSFUL", "SUCCESSFUL"]
    v.refresh_from_db()
    assert v.audio_status == AudioStatus.READY and v.audio.name.endswith(".opus")
    assert v.audio_duration_seconds > 60  # the whole page, read at 160 words a minute
    assert v.audio_bytes == v.audio.size and v.narration_seconds > 0
    # Running it again does no work.
    assert narrate(v.pk) == "already narrated"


def test_missing_tools_fail_honestly(demo_page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = shutil.which
    monkeypatch.setattr(narration.shutil, "which", lambda name: None if name == "espeak-ng" else real(name))
    assert narrate(demo_page.published_version_id) == "failed"
    v = PageVersion.objects.get(pk=demo_page.published_version_id)
    assert v.audio_status == AudioStatus.FAILED and "espeak-ng is not installed" in v.audio_error


def test_versions_are_immutable(demo_page: Any) -> None:
    from toxinclinic.education.models import ImmutableVersion

    v = demo_page.published_version
    v.content = {"title": "changed"}
    with pytest.raises(ImmutableVersion):
        v.save()
    with pytest.raises(ImmutableVersion):
        v.delete()
