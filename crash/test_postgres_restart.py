"""PostgreSQL restarted under load (``pg_ctl restart -m fast``, then ``-m immediate``) on the suite's own
server, with the web server and the task worker left running. During the outage every answer is a clean
503 (the API's error JSON or the "Back in a moment" page, with Retry-After), never a 500 or a traceback;
after it the app serves again by itself, and the task worker, never restarted, delivers messages queued
after the restart."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

from crash.harness import App, request, wait_until
from crash.load import Seen
from crash.pg import PgServer

PORT = 8840
CLIENTS = 6


def test_the_app_recovers_by_itself_from_a_postgres_restart(
    app: App, base: dict[str, Any], pg: PgServer, figures: dict
) -> None:
    patients = base["world"]["patients"]
    server = app.serve(PORT, workers=2, threads=4)
    worker = app.worker()
    stop = threading.Event()
    seen = Seen()
    ok_lock = threading.Lock()
    timeline: list[tuple[float, int]] = []

    def check(r: Any, what: str) -> None:
        problem = ""
        if r.status == 0 or (r.status >= 500 and r.status != 503):
            problem = f"{what}: {r.status or r.error} {r.body[:300]!r}"
        elif r.status == 503:
            body = r.body.decode(errors="replace")
            clean = ("Back in a moment" in body) if "text/html" in r.ctype else ("cannot be reached" in body)
            if not clean or "Traceback" in body or r.headers.get("retry-after") != "10":
                problem = f"{what}: unclean 503 {body[:300]!r}"
        seen.note(r.status, r.error, problem)
        with ok_lock:
            timeline.append((time.monotonic(), r.status))

    def client(i: int) -> None:
        p = patients[i]
        # Yesterday in the clinic's time zone: always writable (it is replaced), with no request that the
        # loaded server could answer with something else before the test starts.
        day = (dt.datetime.now(ZoneInfo("America/New_York")).date() - dt.timedelta(days=1)).isoformat()
        n = 0
        while not stop.is_set():
            n += 1
            what = ("diary", "page", "health")[n % 3]
            if what == "diary":
                r = request(PORT, "PUT", f"/api/v1/diary/entries/{day}", token=p["token"],
                            body={"headache": False, "note": f"restart {n}"})  # fmt: skip
            elif what == "page":
                r = request(PORT, "GET", "/accounts/login/", headers={"Accept": "text/html"})
            else:
                r = request(PORT, "GET", "/healthz")
            check(r, what)
            time.sleep(0.05)

    died: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            client(i)
        except BaseException as exc:  # reported by the test below
            died.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    outages = []
    try:
        for mode in ("fast", "immediate"):
            time.sleep(3)
            t0 = time.monotonic()
            took = pg.restart(mode)
            assert not died, died
            try:
                wait_until(lambda t0=t0: _last_ok(timeline, ok_lock, t0, 10), 120, "", every=0.2)
            except AssertionError:
                with ok_lock:
                    tail = [(round(at - t0, 1), s) for at, s in timeline if at >= t0][-30:]
                raise AssertionError(f"the app did not serve again after a {mode} restart: {tail}") from None
            errors = [(at, s) for at, s in timeline if at >= t0 and s != 200 and s != 201]
            last_error = max((at for at, _ in errors), default=t0)
            outages.append({
                "mode": mode, "pg_ctl_seconds": round(took, 2),
                "failed_requests": len(errors), "errors_until_s": round(last_error - t0, 2),
            })  # fmt: skip
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not died, died
    assert server.poll() is None and worker.poll() is None, "an app process died"
    assert not seen.bad, seen.bad[:10]
    # The worker was never restarted: messages queued now are delivered by it.
    keys = app.py(
        "from toxinclinic.messaging import services\nfrom toxinclinic.patients.models import Patient\n"
        "ps = list(Patient.objects.filter(clinic__name='Crash Clinic').order_by('pk')[:10])\nout = []\n"
        "for p in ps:\n"
        "    k = f'diary_nudge:after-restart:{p.pk}'\n"
        "    services.queue_message(clinic_id=p.clinic_id, kind='diary_nudge', key=k, channel='sms',"
        " recipient_patient=p, address=p.phone, subject='Diary', body='After the restart.')\n"
        "    out.append(k)"
    )
    t0 = time.monotonic()
    code = (
        "from toxinclinic.messaging.models import Message\n"
        f"out = Message.objects.filter(idempotency_key__in={keys!r}, status='sent').count()"
    )
    wait_until(
        lambda: app.py(code) == len(keys), 120, "the running worker to deliver after the restarts", every=1
    )
    figures["postgres_restart"] = {
        "requests": sum(seen.statuses.values()),
        "outages": outages,
        "worker_delivered_after_restart_s": round(time.monotonic() - t0, 1),
        **seen.summary(),
    }


def _last_ok(timeline: list[tuple[float, int]], lock: threading.Lock, since: float, n: int) -> bool:
    """The last ``n`` answers finished after ``since`` were all successes (the machine may be slow, so
    this counts answers rather than seconds)."""
    with lock:
        recent = [s for at, s in timeline if at >= since][-n:]
    return len(recent) == n and all(s in (200, 201) for s in recent)
