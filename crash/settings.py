"""Settings for the processes the crash suite starts (web server and task worker): the app's own, with
every message channel writing files and a journal of each delivery, and short leases so a killed worker's
message is taken over in seconds rather than minutes."""

import os

from toxinclinic.settings import *  # noqa: F403
from toxinclinic.settings import VAR_DIR

_JOURNAL = os.environ.get("CRASH_JOURNAL", str(VAR_DIR / "deliveries.log"))
TOXINCLINIC_MESSAGING_CHANNELS = {
    name: {
        "BACKEND": "crash.channels.JournalFileChannel",
        "OPTIONS": {"directory": str(VAR_DIR / name), "journal": _JOURNAL},
    }
    for name in ("email", "sms")
}
TOXINCLINIC_MESSAGING_LEASE_SECONDS = float(os.environ.get("CRASH_MESSAGE_LEASE", "5"))
TOXINCLINIC_MESSAGING_RETRY_SECONDS = 1
TOXINCLINIC_MESSAGING_SWEEP_SECONDS = 2
