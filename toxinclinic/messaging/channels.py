"""Channels: one interface, chosen by name from ``settings.TOXINCLINIC_MESSAGING_CHANNELS``.

A channel either delivers or raises ``DeliveryError``; it never reports a success it did not have.
``can_check_delivery`` says whether ``was_delivered(key)`` can answer for sure: only then may a send that
was cut off by a dying worker be redone automatically (the file channel can; SMTP cannot, so such a
message is marked failed with the reason and a person decides whether to send it again).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from toxinclinic.messaging import conf


@dataclass(frozen=True)
class Outgoing:
    key: str
    address: str
    subject: str
    body: str


class DeliveryError(Exception):
    """The channel did not deliver. ``permanent``: trying again cannot help (e.g. no address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class UnknownChannel(LookupError):
    pass


class Channel:
    can_check_delivery = False

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        self.options = options

    def deliver(self, msg: Outgoing) -> str:
        """Deliver ``msg``; returns ``"sent"`` or ``"already_delivered"``, or raises ``DeliveryError``."""
        raise NotImplementedError

    def was_delivered(self, key: str) -> bool | None:
        """True/False when the channel knows; None when it cannot tell."""
        return None

    def deliver_many(self, msgs: Sequence[Outgoing]) -> list[str | Exception]:
        """Deliver a batch; each item is ``deliver``'s answer or the exception it raised (one message
        failing never stops the others). One at a time here; a channel may overlap them."""
        return [_answer(self.deliver, m) for m in msgs]


def _answer(fn: Callable[[Outgoing], str], msg: Outgoing) -> str | Exception:
    try:
        return fn(msg)
    except Exception as exc:  # reported per message by the caller (a channel's bug is a failed attempt)
        return exc


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@toxinclinic>"


class EmailChannel(Channel):
    """Django's e-mail backends: console or file in the demo, SMTP configured by the environment.

    Option ``backend``: a dotted backend path (default ``settings.EMAIL_BACKEND``). The Message-ID comes
    from the idempotency key, so a mail client shows a resent copy as the same message.
    """

    def deliver(self, msg: Outgoing) -> str:
        if not msg.address or "@" not in msg.address:
            raise DeliveryError("No e-mail address to send to.", permanent=True)
        try:
            connection = get_connection(self.options.get("backend"), fail_silently=False)
            email = EmailMessage(
                subject=msg.subject,
                body=msg.body,
                to=[msg.address],
                headers={"Message-ID": message_id(msg.key)},
                connection=connection,
            )
            sent = email.send(fail_silently=False)
        except (OSError, ValueError) as exc:  # smtplib errors are OSError subclasses
            raise DeliveryError(f"E-mail not accepted: {type(exc).__name__}: {exc}"[:400]) from exc
        if sent != 1:
            raise DeliveryError("The e-mail backend accepted no message.")
        return "sent"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def key_filename(key: str) -> str:
    """A file name made from the idempotency key, readable, with a hash so distinct keys never collide."""
    readable = _UNSAFE.sub("_", key)[:80].strip("._") or "message"
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.txt"


class FileChannel(Channel):
    """Writes one file per message into ``directory``, named by the idempotency key (the demo's SMS).

    The file appears whole or not at all (written to a temporary name, then hard-linked to its final
    name, which fails if it exists), so the file's existence is the proof of delivery.
    """

    can_check_delivery = True

    @property
    def directory(self) -> Path:
        return Path(self.options["directory"])

    def path_for(self, key: str) -> Path:
        return self.directory / key_filename(key)

    def was_delivered(self, key: str) -> bool | None:
        return self.path_for(key).exists()

    def deliver_many(self, msgs: Sequence[Outgoing]) -> list[str | Exception]:
        """Several files at once: each is still written, fsynced and linked exactly as ``deliver`` does,
        but the fsyncs overlap, and the file system commits overlapping fsyncs together (its journal's
        group commit), so a batch costs a few disk flushes instead of one per message. Option
        ``threads`` (default 8; 1 = one at a time)."""
        threads = int(self.options.get("threads", 8))
        if threads <= 1 or len(msgs) <= 1:
            return super().deliver_many(msgs)
        with ThreadPoolExecutor(max_workers=min(threads, len(msgs))) as pool:
            return list(pool.map(lambda m: _answer(self.deliver, m), msgs))

    def render(self, msg: Outgoing) -> str:
        return f"To: {msg.address}\nKey: {msg.key}\n\n{msg.body}\n"

    def deliver(self, msg: Outgoing) -> str:
        if not msg.address.strip():
            raise DeliveryError("No phone number to send to.", permanent=True)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            final = self.path_for(msg.key)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".partial-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(self.render(msg))
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    os.link(tmp, final)
                except FileExistsError:
                    return "already_delivered"
            finally:
                os.unlink(tmp)
        except OSError as exc:
            raise DeliveryError(f"Could not write the message file: {exc.strerror or exc}"[:400]) from exc
        return "sent"


def get_channel(name: str) -> Channel:
    config = conf.channels().get(name)
    if config is None:
        raise UnknownChannel(f"No messaging channel named {name!r} is configured.")
    cls = import_string(config["BACKEND"])
    return cls(name, **dict(config.get("OPTIONS", {})))


def channel_names() -> list[str]:
    return list(conf.channels())
