"""Diary writes while web workers and the task worker are killed with SIGKILL.

Eight clients PUT every fillable day of 40 patients (a create, then a replace carrying the version the
create answered), through scripts/serve.sh with two granian workers; a web worker is killed every 1.5 s
(granian starts a new one) and the task worker once (restarted, as systemd does). Then, read from the
database: every write that got a 2xx is there with exactly the note it sent; every day's row has one
audit row per version (no row without its audit, no audit of a row that is not there); each failure was a
dropped connection or a clean error, never a 500 page or half an answer; no task lost or failed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from crash.harness import App, kill_web_worker, request
from crash.load import Killer, Seen, drain_tasks, run_threads

PORT = 8810
CLIENTS = 8


def _day_body(note: str, version: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"headache": True, "duration_hours": 5, "severity": "moderate", "note": note}
    if version is not None:
        body["version"] = version
    return body


def test_diary_writes_survive_killed_web_and_task_workers(
    app: App, base: dict[str, Any], figures: dict
) -> None:
    patients = base["world"]["patients"]
    server = app.serve(PORT, workers=2, threads=4)
    worker = app.worker()
    first = patients[0]["token"]
    missing = request(PORT, "GET", "/api/v1/diary/missing", token=first).json()
    days = sorted(missing["missing"])
    seen = Seen()
    acked: dict[tuple[int, str], str] = {}  # (patient pk, day) -> the note of the last acknowledged write
    tried: dict[tuple[int, str], list[str]] = {}  # every note sent, in order
    lock = threading.Lock()
    done = [0]

    def put(p: dict[str, Any], day: str, note: str, version: int | None) -> int | None:
        with lock:
            tried.setdefault((p["pk"], day), []).append(note)
        r = request(
            PORT, "PUT", f"/api/v1/diary/entries/{day}", token=p["token"], body=_day_body(note, version)
        )
        problem = ""
        if r.status >= 500 and r.status != 503:
            problem = f"{r.status} on PUT {day}: {r.body[:200]!r}"
        seen.note(r.status, r.error, problem)
        with lock:
            done[0] += 1
        assert r.status in (0, 200, 201) or r.status >= 500, (r.status, r.body[:300])
        if r.status in (200, 201):
            out = r.json()
            assert out["note"] == note and out["date"] == day, out
            with lock:
                acked[(p["pk"], day)] = note
            return int(out["version"])
        return None

    def write(p: dict[str, Any], day: str, note: str, version: int | None) -> int:
        """PUT until acknowledged, as the app would: a retry after no answer (or a 5xx) sends the day again
        without a version (replace whatever is there), with its own note so the check can tell them apart."""
        for attempt in range(120):
            got = put(
                p, day, note if not attempt else f"{note}-retry{attempt}", version if not attempt else None
            )
            if got is not None:
                return got
            time.sleep(0.5)
        raise AssertionError(
            f"diary day {day} of patient {p['pk']} not saved in 120 tries (60 s)", seen.summary()
        )

    def client(mine: list[dict[str, Any]]) -> None:
        versions = {(p["pk"], day): write(p, day, f"c-{p['pk']}-{day}-1", None) for p in mine for day in days}
        for p in mine:
            for day in days:
                write(p, day, f"c-{p['pk']}-{day}-2", versions[(p["pk"], day)])

    web_kills = Killer(
        lambda: kill_web_worker(server, app.tmp / "serve.log"),
        every=1.5,
        times=6,
        ready=lambda: done[0] >= 40,
    )

    def kill_task_worker() -> int:
        app.kill(worker)
        return app.worker().pid

    task_kills = Killer(kill_task_worker, every=60, times=1, ready=lambda: done[0] >= 150)
    web_kills.start()
    task_kills.start()
    shares = [patients[i::CLIENTS] for i in range(CLIENTS)]
    run_threads([lambda s=s: client(s) for s in shares])
    web_kills.stop.set()
    task_kills.stop.set()
    web_kills.join()
    task_kills.join()
    assert server.poll() is None, app.log("serve.log")

    pks = [p["pk"] for p in patients]
    rows = app.py(
        "from toxinclinic.diary.models import DiaryEntry\n"
        "from toxinclinic.audit.models import AuditEvent\n"
        f"es = DiaryEntry.objects.filter(patient_id__in={pks!r})\n"
        "es = list(es.values('public_id', 'patient_id', 'date', 'note', 'version'))\n"
        "audits = {}\n"
        "trail = AuditEvent.objects.filter(object_type='diary.diaryentry')\n"
        "trail = trail.filter(action__startswith='diary.entry_')\n"
        "for a in trail.values('object_id', 'action'):\n"
        "    audits.setdefault(a['object_id'], []).append(a['action'])\n"
        "out = [dict(e, audits=audits.get(str(e['public_id']), [])) for e in es]"
    )
    stored = {(r["patient_id"], str(r["date"])): r for r in rows}
    lost = [k for k, note in acked.items() if k not in stored]
    wrong = []
    for k, note in acked.items():
        if k in stored and stored[k]["note"] != note:
            later = tried[k][tried[k].index(note) + 1 :]  # a later write that got no answer may have landed
            if stored[k]["note"] not in later:
                wrong.append((k, note, stored[k]["note"]))
    unaudited = [
        r for r in rows
        if len(r["audits"]) != r["version"] or r["audits"].count("diary.entry_created") != 1
    ]  # fmt: skip
    strays = [k for k in stored if k not in tried]
    assert not lost and not wrong and not unaudited and not strays, (
        lost[:5],
        wrong[:5],
        len(unaudited),
        len(rows),
        unaudited[:3],
        strays[:5],
    )
    assert not seen.bad, seen.bad[:10]
    tasks = drain_tasks(app)
    figures["diary"] = {
        "requests": sum(seen.statuses.values()),
        "acknowledged_checked": len(acked),
        "rows": len(rows),
        "audit_rows": sum(len(r["audits"]) for r in rows),
        "web_worker_kills": len(web_kills.kills),
        "task_worker_kills": len(task_kills.kills),
        "lost": len(lost),
        "unaudited": len(unaudited),
        **seen.summary(),
        "tasks": tasks,
    }
