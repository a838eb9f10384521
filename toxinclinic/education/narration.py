"""Read a page aloud offline: Debian's espeak-ng writes a WAV, opusenc compresses it to Ogg Opus.

Ogg Opus plays natively in Chromium, Firefox and Safari 15+; speech at 20 kbit/s is about 150 KB a
minute. The duration comes from the WAV's frame count (exact), not from the compressed file.
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


def tools_available() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("opusenc") is not None


def synthesize(text: str, *, title: str = "", artist: str = "") -> Narration:
    """Speak ``text`` (plain sentences) and return Ogg Opus bytes with the exact duration in seconds."""
    for tool, package in (("espeak-ng", "espeak-ng"), ("opusenc", "opus-tools")):
        if shutil.which(tool) is None:
            raise NarrationError(
                f"{tool} is not installed (Debian package {package}; see scripts/install-system.sh)."
            )
    if not text.strip():
        raise NarrationError("There is no text to read.")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
        src, wav, opus = Path(tmp, "text.txt"), Path(tmp, "speech.wav"), Path(tmp, "speech.opus")
        src.write_text(text, encoding="utf-8")
        _run(["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(wav), "-f", str(src)])
        with wave.open(str(wav), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
        if frames == 0 or rate == 0:
            raise NarrationError("espeak-ng produced no audio.")
        cmd = ["opusenc", "--quiet", "--speech", "--bitrate", str(OPUS_KBITS), *OPUS_SPEED]
        if title:
            cmd += ["--title", title]
        if artist:
            cmd += ["--artist", artist]
        _run([*cmd, str(wav), str(opus)])
        audio = opus.read_bytes()
    return Narration(audio=audio, duration_seconds=frames / rate, wall_seconds=time.perf_counter() - t0)


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
