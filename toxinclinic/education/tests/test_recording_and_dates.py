"""Issue 18 §4: the publish date the editor sets (Published / Updated, datePublished / dateModified), the
page's real address in the editor, narration as Ogg Opus and MP3, an uploaded recording replacing the
computer voice (duration checked, bad files refused) and the transcript beside the player."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import struct
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from mutagen.mp3 import MP3

from toxinclinic.audit.models import AuditEvent
from toxinclinic.education import narration
from toxinclinic.education.models import AudioSource, AudioStatus, PageVersion
from toxinclinic.education.tests.test_editor import editor_data

URL = "/treatments/botox-migraine-dystonia/"
M = "/treatments/manage/"
needs_tools = pytest.mark.skipif(not narration.tools_available(), reason="espeak-ng/opus-tools/lame missing")


def _wav(seconds: float, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / rate)))
                for i in range(int(seconds * rate))
            )
        )
    return out.getvalue()


def _jsonld(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def _webpage(html: str) -> dict[str, Any]:
    return next(n for n in _jsonld(html)["@graph"] if n["@type"] == "MedicalWebPage")


@pytest.mark.django_db
def test_editor_sets_the_publish_date_and_updated_shows_apart(client_as: Any, demo_page: Any) -> None:
    client = client_as("admin")
    edit = client.get(f"{M}pages/{demo_page.public_id}/").content.decode()
    assert f"The page's address is {settings.SITE_URL}{URL}." in edit
    data = editor_data(demo_page, action="publish", date_published="2024-04-25")
    data["faqs-0-answer"] = data["faqs-0-answer"] + " We can tell you more."
    r = client.post(f"{M}pages/{demo_page.public_id}/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    demo_page.refresh_from_db()
    v2 = demo_page.published_version
    assert v2.number == 2 and v2.content["date_published"].startswith("2024-04-25")
    html = client.get(URL).content.decode()
    assert 'Published <time datetime="2024-04-25' in html and ">April 25, 2024</time>" in html
    assert "· Updated <time" in html
    page = _webpage(html)
    assert page["datePublished"].startswith("2024-04-25")
    # The same moment, written in the clinic's time zone (so its date is the clinic's, not UTC's).
    modified = dt.datetime.fromisoformat(page["dateModified"])
    assert modified == v2.published_at
    assert modified.date() == timezone.localtime(v2.published_at).date()
    edit = client.get(f"{M}pages/{demo_page.public_id}/").content.decode()
    assert "Publish date: <strong>April 25, 2024</strong>" in edit and "<h3>Updated</h3>" in edit
    # A date that is not a date is refused by field, nothing saved.
    bad = editor_data(demo_page, date_published="25/04/2024x")
    r = client.post(f"{M}pages/{demo_page.public_id}/", bad)
    assert r.status_code == 400 and "Enter a valid date" in r.content.decode()


@needs_tools
@pytest.mark.django_db
def test_narration_is_served_as_opus_and_mp3_with_a_transcript(client: Any, narrated_page: Any) -> None:
    v = PageVersion.objects.get(pk=narrated_page.published_version_id)
    assert v.audio.name.endswith(".opus") and v.audio_mp3.name.endswith(".mp3")
    mp3 = MP3(v.audio_mp3.path)
    assert abs(mp3.info.length - v.audio_duration_seconds) < 1.0
    html = client.get(URL).content.decode()
    opus_url, mp3_url = f"/treatments/files/{v.audio.name}", f"/treatments/files/{v.audio_mp3.name}"
    assert f'<source src="{opus_url}" type="audio/ogg; codecs=opus">' in html
    assert f'<source src="{mp3_url}" type="audio/mpeg">' in html
    assert html.index('type="audio/ogg') < html.index('type="audio/mpeg"')
    r = client.get(mp3_url)
    assert r.status_code == 200 and r["Content-Type"] == "audio/mpeg"
    formats = {a["encodingFormat"] for a in _webpage(html)["audio"]}
    assert formats == {"audio/ogg", "audio/mpeg"}
    assert 'href="/treatments/botox-migraine-dystonia/transcript/">Read the transcript</a>' in html
    t = client.get(URL + "transcript/").content.decode()
    assert "A computer voice reads these words" in t and "What is Botox treatment?" in t


@needs_tools
@pytest.mark.django_db
def test_uploaded_recording_replaces_the_computer_voice(client_as: Any, narrated_page: Any) -> None:
    client = client_as("admin")
    before = PageVersion.objects.get(pk=narrated_page.published_version_id)
    upload = SimpleUploadedFile("voice.wav", _wav(6.0), "audio/wav")
    r = client.post(f"{M}pages/{narrated_page.public_id}/recording/", {"recording": upload}, follow=True)
    assert r.status_code == 200 and "The recording (6 s) now plays on version 1" in r.content.decode()
    v = PageVersion.objects.get(pk=before.pk)
    assert v.audio_source == AudioSource.RECORDED and v.audio_status == AudioStatus.READY
    assert abs(v.audio_duration_seconds - 6.0) < 0.05 and v.audio.name != before.audio.name
    assert Path(v.audio.path).read_bytes()[:4] == b"OggS" and abs(MP3(v.audio_mp3.path).info.length - 6) < 0.5
    html = client.get(URL).content.decode()
    assert v.audio.name in html and before.audio.name not in html  # the cache follows the new file
    assert "A recorded voice reads this page aloud." in html and "Length <strong>6 s</strong>" in html
    assert AuditEvent.objects.filter(action="education.recording_uploaded").count() == 1


@needs_tools
@pytest.mark.django_db
def test_mp3_and_opus_recordings_are_accepted(client_as: Any, narrated_page: Any, tmp_path: Path) -> None:
    wav = tmp_path / "v.wav"
    wav.write_bytes(_wav(7.0))
    subprocess.run(["lame", "--quiet", str(wav), str(tmp_path / "v.mp3")], check=True)
    subprocess.run(["opusenc", "--quiet", str(wav), str(tmp_path / "v.opus")], check=True)
    client = client_as("admin")
    for name in ("v.mp3", "v.opus"):
        upload = SimpleUploadedFile(name, (tmp_path / name).read_bytes())
        r = client.post(f"{M}pages/{narrated_page.public_id}/recording/", {"recording": upload})
        assert r.status_code == 302, r.content.decode()[:500]
        v = PageVersion.objects.get(pk=narrated_page.published_version_id)
        assert abs(v.audio_duration_seconds - 7.0) < 0.2


@needs_tools
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The submitted file is empty"),
        (b"not audio at all, just text", "not a recording we can read"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not a recording we can read"),
        (_wav(2.0), "The recording is 2.0 s long; it must be between 5 s and 60 minutes"),
        (_wav(10.0)[: len(_wav(10.0)) // 2], "it may be cut short"),
    ],
)
def test_bad_recordings_are_refused_and_change_nothing(
    client_as: Any, narrated_page: Any, data: bytes, expected: str
) -> None:
    before = PageVersion.objects.get(pk=narrated_page.published_version_id)
    upload = SimpleUploadedFile("voice.wav", data, "audio/wav")
    r = client_as("admin").post(f"{M}pages/{narrated_page.public_id}/recording/", {"recording": upload})
    assert r.status_code == 400 and expected in r.content.decode(), r.content.decode()[-1500:]
    assert "the audio did not change" in r.content.decode()
    after = PageVersion.objects.get(pk=before.pk)
    assert (after.audio.name, after.audio_source) == (before.audio.name, AudioSource.GENERATED)


@pytest.mark.django_db
def test_only_the_admin_uploads_a_recording(client_as: Any, demo_page: Any) -> None:
    upload = SimpleUploadedFile("voice.wav", _wav(6.0), "audio/wav")
    r = client_as("nurse").post(f"{M}pages/{demo_page.public_id}/recording/", {"recording": upload})
    assert r.status_code == 403
