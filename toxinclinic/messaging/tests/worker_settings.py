"""Settings for the ``manage.py db_worker`` subprocesses the worker tests start (database from
``DATABASE_URL``; the test channel and its directory from the environment)."""

import os

from toxinclinic.test_settings import *  # noqa: F403

TOXINCLINIC_MESSAGING_CHANNELS = {
    "sms": {
        "BACKEND": os.environ["TC_TEST_CHANNEL"],
        "OPTIONS": {
            "directory": os.environ["TC_TEST_DIR"],
            "fail_times": 2,
            "threads": int(os.environ.get("TC_TEST_THREADS", "8")),
            "pause_at": int(os.environ.get("TC_TEST_PAUSE_AT", "0")),
        },
    },
    "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
}
TOXINCLINIC_MESSAGING_RETRY_SECONDS = 0.2
TOXINCLINIC_MESSAGING_LEASE_SECONDS = 2
TOXINCLINIC_MESSAGING_SWEEP_SECONDS = 1
