"""Reminders: 300 messages queued, the task worker killed with SIGKILL twice in the middle of the batches
and restarted each time. Each message is delivered exactly once: one file per idempotency key, at most one
``sent`` line per key in the channel's journal (crash/channels.py), every message SENT."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from crash.harness import App, wait_until
from crash.load import drain_tasks

MESSAGES = 300

QUEUE = """
from toxinclinic.messaging import services
from toxinclinic.patients.models import Patient
ps = list(Patient.objects.filter(clinic_id=CLINIC).order_by("pk"))
keys = []
for i in range(N):
    p = ps[i % len(ps)]
    key = f"diary_nudge:crash:{p.pk}:{i}"
    services.queue_message(
        clinic_id=p.clinic_id, kind="diary_nudge", key=key, channel="sms", recipient_patient=p,
        address=p.phone, subject="Your headache diary", body="A few days are missing from your diary.",
    )
    keys.append(key)
out = keys
"""

STATUS = """
from toxinclinic.messaging.models import Message
from django.db.models import Count
ms = Message.objects.filter(idempotency_key__in=KEYS)
out = {"status": dict(ms.values_list("status").annotate(n=Count("id"))),
       "outcomes": dict(ms.values_list("attempts__outcome").annotate(n=Count("id")))}
"""


def _journal(path: Path) -> Counter[tuple[str, str]]:
    if not path.exists():
        return Counter()
    return Counter((ln.split()[0], ln.split()[1]) for ln in path.read_text().splitlines() if ln.strip())


def test_each_reminder_is_delivered_exactly_once_across_killed_workers(
    app: App, base: dict[str, Any], figures: dict
) -> None:
    journal = Path(app.env["CRASH_JOURNAL"])
    files_dir = Path(app.env["TOXINCLINIC_VAR"]) / "sms"
    before = _journal(journal)
    keys = app.py(QUEUE.replace("CLINIC", str(base["world"]["clinic"])).replace("N", str(MESSAGES)))

    def sent() -> int:
        j = _journal(journal)
        return sum(n for (verb, key), n in j.items() if verb == "sent" and key in set(keys)) - sum(
            n for (verb, key), n in before.items() if verb == "sent" and key in set(keys)
        )

    kills = []
    worker = app.worker()
    for at in (MESSAGES // 5, MESSAGES // 2):
        wait_until(lambda at=at: sent() >= at, 180, f"{at} messages sent", every=0.02)
        app.kill(worker)
        kills.append(sent())
        worker = app.worker()
    status_code = STATUS.replace("KEYS", repr(keys))
    wait_until(
        lambda: app.py(status_code)["status"].get("sent") == MESSAGES, 240, "every message sent", every=2
    )
    tasks = drain_tasks(app)
    j = _journal(journal)
    sends = Counter({key: n for (verb, key), n in j.items() if verb == "sent" and key in set(keys)})
    calls = Counter({key: n for (verb, key), n in j.items() if verb == "call" and key in set(keys)})
    from toxinclinic.messaging.channels import key_filename

    files = {p.name for p in files_dir.glob("*.txt")}
    missing = [k for k in keys if key_filename(k) not in files]
    duplicates = [k for k, n in sends.items() if n > 1]
    st = app.py(status_code)
    assert not missing and not duplicates, (missing[:5], duplicates[:5])
    figures["reminders"] = {
        "messages": MESSAGES,
        "worker_kills": len(kills),
        "sent_when_killed": kills,
        "files": len([k for k in keys if key_filename(k) in files]),
        "duplicates": len(duplicates),
        "lost": len(missing),
        "handed_to_channel_twice": sum(1 for n in calls.values() if n > 1),
        "attempt_outcomes": st["outcomes"],
        "tasks": tasks,
    }
