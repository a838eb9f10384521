"""Settings for the ``manage.py db_worker`` the reminder test starts: e-mail goes to files through a
channel that fails the first ``TC_FAIL_TIMES`` tries of each message, and the worker's clock runs
``TC_CLOCK_SHIFT_SECONDS`` ahead (time moved forward, not slept)."""

import datetime as _dt
import os

from django.utils import timezone as _tz

from toxinclinic.test_settings import *  # noqa: F403

TOXINCLINIC_MESSAGING_CHANNELS = {
    "email": {
        "BACKEND": "toxinclinic.messaging.tests.channels.FlakyFileChannel",
        "OPTIONS": {
            "directory": os.environ["TC_TEST_DIR"],
            "fail_times": int(os.environ.get("TC_FAIL_TIMES", "0")),
        },
    },
}
TOXINCLINIC_MESSAGING_RETRY_SECONDS = 0.2
TOXINCLINIC_MESSAGING_LEASE_SECONDS = 2
TOXINCLINIC_MESSAGING_SWEEP_SECONDS = 1

_SHIFT = _dt.timedelta(seconds=float(os.environ.get("TC_CLOCK_SHIFT_SECONDS", "0")))
_real_now = _tz.now


def _shifted_now() -> _dt.datetime:
    return _real_now() + _SHIFT


# Every caller reads ``timezone.now()`` through the module (messaging, tasklease, django-tasks-db).
_tz.now = _shifted_now
