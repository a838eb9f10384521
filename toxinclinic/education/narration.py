"""Read a page aloud offline: Debian's espeak-ng writes a WAV, opusenc compresses it to Ogg Opus and lame
to MP3.

Ogg Opus plays natively in Chromium, Firefox and Safari 15+; speech at 20 kbit/s is about 150 KB a
minute. MP3 (mono, 32 kbit/s, about 240 KB a minute) is the second <source> for the Safari of older
iPhones, which cannot play Opus. The duration comes from the WAV's frame count (exact), not from the
compressed files.

A clinic may also upload a recording of a real voice (``from_recording``): WAV, MP3 or Ogg Opus, decoded
to a WAV by the same tools and encoded to both formats, its length read by mutagen and checked against
the decoded audio.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

VOICE = "en-us"
WORDS_PER_MINUTE = 160
OPUS_KBITS = 20
MP3_KBITS = 32
# Complexity 3 with 60 ms frames encodes about 2.5× faster than the defaults (10, 20 ms); for a
# synthetic voice at 20 kbit/s the difference is not audible.
OPUS_SPEED = ("--comp", "3", "--framesize", "60")
TIMEOUT_SECONDS = 600


class NarrationError(Exception):
    """The narration tools are missing or failed; the message says which."""


class NarrationInterrupted(NarrationError):
    """A tool was killed by a signal (a stopped worker, Ctrl-C): the task worker tries again."""

    transient = True


@dataclass(frozen=True)
class Narration:
    audio: bytes  # Ogg Opus
    duration_seconds: float
    wall_seconds: float  # time it took to make
    mp3: bytes = b""


TOOLS = (("espeak-ng", "espeak-ng"), ("opusenc", "opus-tools"), ("opusdec", "opus-tools"), ("lame", "lame"))


def tools_available() -> bool:
    return all(shutil.which(tool) is not None for tool, _ in TOOLS)


def _check_tools(needed: tuple[str, ...]) -> None:
    for tool, package in TOOLS:
        if tool in needed and shutil.which(tool) is None:
            raise NarrationError(
                f"{tool} is not installed (Debian package {package}; see scripts/install-system.sh)."
            )


def _encode(wav: Path, title: str, artist: str) -> tuple[bytes, bytes]:
    """(Ogg Opus, MP3) of one WAV."""
    opus, mp3 = wav.with_suffix(".opus"), wav.with_suffix(".mp3")
    cmd = ["opusenc", "--quiet", "--speech", "--bitrate", str(OPUS_KBITS), *OPUS_SPEED]
    if title:
        cmd += ["--title", title]
    if artist:
        cmd += ["--artist", artist]
    _run([*cmd, str(wav), str(opus)])
    lame = ["lame", "--quiet", "-m", "m", "-b", str(MP3_KBITS), "-q", "7"]  # -q 7: fast, fine for speech
    if title:
        lame += ["--tt", title]
    if artist:
        lame += ["--ta", artist]
    _run([*lame, str(wav), str(mp3)])
    return opus.read_bytes(), mp3.read_bytes()


def synthesize(text: str, *, title: str = "", artist: str = "") -> Narration:
    """Speak ``text`` (plain sentences) and return Ogg Opus bytes with the exact duration in seconds."""
    _check_tools(("espeak-ng", "opusenc", "lame"))
    if not text.strip():
        raise NarrationError("There is no text to read.")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
        src, wav = Path(tmp, "text.txt"), Path(tmp, "speech.wav")
        src.write_text(text, encoding="utf-8")
        _run(["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), "-f", str(src)])
        with wave.open(str(wav), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
        if frames == 0 or rate == 0:
            raise NarrationError("espeak-ng produced no audio.")
        audio, mp3 = _encode(wav, title, artist)
    return Narration(
        audio=audio, duration_seconds=frames / rate, wall_seconds=time.perf_counter() - t0, mp3=mp3
    )


def _run(cmd: list[str]) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise NarrationError(f"{cmd[0]} took longer than {TIMEOUT_SECONDS} s.") from exc
    if done.returncode < 0:
        raise NarrationInterrupted(f"{cmd[0]} was stopped (signal {-done.returncode})")
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        raise NarrationError(f"{cmd[0]} failed ({done.returncode}): {err[-1] if err else 'no message'}")


MAX_RECORDING_BYTES = 50 * 1024 * 1024
MIN_RECORDING_SECONDS = 5.0
MAX_RECORDING_SECONDS = 60 * 60.0
#: How far the file's own stated length may differ from the decoded audio's before it is refused.
DURATION_TOLERANCE_SECONDS = 1.0


class BadRecording(Exception):
    """An uploaded recording that cannot be used; the message says why and what to do."""


def recording_info(data: bytes) -> tuple[str, float]:
    """(format: "wav" | "mp3" | "opus", length in seconds) read by mutagen; BadRecording when unreadable."""
    import io

    import mutagen
    from mutagen.mp3 import MP3
    from mutagen.oggopus import OggOpus
    from mutagen.wave import WAVE

    if len(data) > MAX_RECORDING_BYTES:
        raise BadRecording(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; a recording may be at most "
            f"{MAX_RECORDING_BYTES // 1024 // 1024} MB."
        )
    if not data:
        raise BadRecording("The file is empty. Choose a WAV, MP3 or Ogg Opus recording.")
    try:
        found = mutagen.File(io.BytesIO(data), options=[WAVE, MP3, OggOpus])
    except Exception:  # mutagen raises its own error per format for a damaged file
        found = None
    kinds = {WAVE: "wav", MP3: "mp3", OggOpus: "opus"}
    kind = next((k for cls, k in kinds.items() if isinstance(found, cls)), None)
    length = float(getattr(getattr(found, "info", None), "length", 0) or 0)
    if kind is None or length <= 0:
        raise BadRecording(
            "This file is not a recording we can read. Upload a WAV, MP3 or Ogg Opus audio file."
        )
    if not MIN_RECORDING_SECONDS <= length <= MAX_RECORDING_SECONDS:
        raise BadRecording(
            f"The recording is {length:.1f} s long; it must be between {MIN_RECORDING_SECONDS:.0f} s "
            f"and {MAX_RECORDING_SECONDS / 60:.0f} minutes."
        )
    return kind, length


def from_recording(data: bytes, *, title: str = "", artist: str = "") -> Narration:
    """An uploaded recording as Ogg Opus + MP3, with its checked duration (s)."""
    _check_tools(("opusenc", "opusdec", "lame"))
    kind, stated = recording_info(data)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="recording-") as tmp:
        src, wav = Path(tmp, f"upload.{kind}"), Path(tmp, "voice.wav")
        src.write_bytes(data)
        try:
            if kind == "wav":
                wav = src
            elif kind == "mp3":
                _run(["lame", "--quiet", "--decode", str(src), str(wav)])
            else:
                _run(["opusdec", "--quiet", str(src), str(wav)])
            with wave.open(str(wav), "rb") as w:
                rate, width = w.getframerate(), w.getsampwidth() * w.getnchannels()
                # Count the frames actually there, not the header's promise (a cut-short file lies).
                frames = len(w.readframes(w.getnframes())) // width if width else 0
        except (NarrationError, wave.Error, EOFError) as exc:
            raise BadRecording(f"The recording could not be decoded ({exc}); is the file complete?") from None
        decoded = frames / rate if rate else 0.0
        if abs(decoded - stated) > DURATION_TOLERANCE_SECONDS:
            raise BadRecording(
                f"The file says it is {stated:.1f} s long but holds {decoded:.1f} s of audio; "
                "it may be cut short. Export it again and upload the new file."
            )
        audio, mp3 = _encode(wav, title, artist)
    return Narration(audio=audio, duration_seconds=decoded, wall_seconds=time.perf_counter() - t0, mp3=mp3)
