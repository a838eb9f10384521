"""The file channel with a journal: one line per hand-over (``call KEY``) and per new file (``sent KEY``).

The file channel itself can never write a key's file twice (a hard link that fails when it exists), so
counting files would hide a second send. The journal counts what the outbox asked for: a key with two
``sent`` lines would be a second message to the patient on a channel that cannot refuse it (SMTP).
Lines are appended with one ``write`` on an O_APPEND descriptor, which a kill -9 cannot cut in half.
"""

from __future__ import annotations

import os

from toxinclinic.messaging.channels import FileChannel, Outgoing


class JournalFileChannel(FileChannel):
    def _journal(self, verb: str, key: str) -> None:
        fd = os.open(self.options["journal"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{verb} {key} {os.getpid()}\n".encode())
        finally:
            os.close(fd)

    def deliver(self, msg: Outgoing) -> str:
        self._journal("call", msg.key)
        result = super().deliver(msg)
        if result == "sent":
            self._journal("sent", msg.key)
        return result
