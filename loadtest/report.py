"""After a load run: the figures per operation, and proof that what the server acknowledged is stored.

``python -m loadtest.report RUN_DIR [--docs docs/reliability.md]`` (run by ``scripts/load.sh``) reads
``RUN_DIR/locust_stats.csv`` (locust's CSV), ``acks.jsonl`` / ``failures.jsonl`` (written by the locustfile)
and ``run.json`` (what the script started, when, the load average samples), then checks against the load
database (``DATABASE_URL``):

- every acknowledged diary save is a row with that id, day and (for the last save of a day) that version
  and note, and there is one ``diary.entry_created``/``entry_replaced`` audit row per acknowledged save;
- every acknowledged signature is a signed visit with its signed note version 1, its treatment session
  (the ``visit_signed`` receivers) and a ``visit.signed`` audit row;
- every acknowledged booking is a booked appointment with an ``appointment.booked`` audit row, every
  acknowledged outreach one stored attempt (found by its note) with an ``outreach.recorded`` audit row;
- the task worker drained its queue: no task ready or running, none failed, within ``--drain-seconds``;
- no request failed (each failure is listed with its response).

It prints a Markdown report, writes it to ``RUN_DIR/report.md`` and, with ``--docs``, replaces the section
"## Load" of that file with it. Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

SECTION = "## Load"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _num(x: str) -> float:
    try:
        return float(x)
    except ValueError:
        return 0.0


def stats_table(run: Path) -> tuple[list[str], dict[str, float]]:
    """Markdown rows per operation from locust's stats CSV, and the aggregate figures."""
    rows = list(csv.DictReader((run / "locust_stats.csv").open()))
    lines = [
        "| operation | requests | per s | p50 ms | p99 ms | max ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    total: dict[str, float] = {}
    for r in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = r["Name"] if r["Name"] != "Aggregated" else "**all requests**"
        cells = [
            name,
            f"{int(_num(r['Request Count'])):,}",
            f"{_num(r['Requests/s']):.2f}",
            f"{_num(r['50%']):,.0f}",
            f"{_num(r['99%']):,.0f}",
            f"{_num(r['Max Response Time']):,.0f}",
            f"{int(_num(r['Failure Count']))}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if r["Name"] == "Aggregated":
            total = {
                "requests": _num(r["Request Count"]),
                "failures": _num(r["Failure Count"]),
                "rps": _num(r["Requests/s"]),
                "p50": _num(r["50%"]),
                "p99": _num(r["99%"]),
            }
    return lines, total


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else 0.0


def steady_table(run: Path, since: float) -> tuple[list[str], float]:
    """Per operation, the requests that started at or after ``since`` (epoch seconds): the steady part."""
    path = run / "requests.tsv"
    if not path.exists():
        return [], 0.0
    by: dict[str, list[float]] = collections.defaultdict(list)
    failed: collections.Counter[str] = collections.Counter()
    last = since
    for line in path.read_text().splitlines():
        t, name, ms, bad = line.split("\t")
        if float(t) >= since:
            by[name].append(float(ms))
            failed[name] += int(bad)
            last = max(last, float(t))
    span = max(1.0, last - since)
    lines = [
        "| operation | requests | per s | p50 ms | p99 ms | max ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    every = [x for xs in by.values() for x in xs]
    for name in [*sorted(by), "**all requests**"]:
        xs = every if name.startswith("**") else by[name]
        bad = sum(failed.values()) if name.startswith("**") else failed[name]
        lines.append(
            f"| {name} | {len(xs):,} | {len(xs) / span:.2f} | {_pct(xs, 50):,.0f} | {_pct(xs, 99):,.0f} | "
            f"{max(xs, default=0):,.0f} | {bad} |"
        )
    return lines, span


def check_database(
    acks: list[dict[str, Any]], started: dt.datetime, drain_seconds: float
) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for each acknowledged write kind and the task queue.

    Acknowledged writes must be stored, each with its audit row. A write whose answer never came (still
    queued in the server when locust stopped its users) may be stored or not; it is accepted only if the
    locustfile recorded the attempt, and counted as "stored, answer not received"."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toxinclinic.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from toxinclinic.audit.models import AuditEvent
    from toxinclinic.coordinator.models import OutreachAttempt
    from toxinclinic.diary.models import DiaryEntry
    from toxinclinic.scheduling.models import Appointment
    from toxinclinic.treatment.models import TreatmentSession
    from toxinclinic.visits.models import SignedNote, Visit

    out: list[tuple[str, bool, str]] = []
    by_kind: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    attempted: dict[str, set[str]] = collections.defaultdict(set)
    for a in acks:
        if a["kind"] == "attempt":
            attempted[a["of"]].add(a["key"])
        else:
            by_kind[a["kind"]].append(a)

    def audits(*actions: str) -> Any:
        return AuditEvent.objects.filter(action__in=actions, at__gte=started)

    def stored_vs_acked(kind: str, stored: set[str], acked: set[str]) -> tuple[bool, str]:
        missing = acked - stored
        unanswered = stored - acked
        stray = unanswered - attempted[kind]
        detail = f"{len(acked)} acknowledged, {len(stored)} stored"
        if unanswered:
            detail += (
                f" ({len(unanswered) - len(stray)} stored whose answer had not arrived when the run stopped)"
            )
        if missing:
            detail += f"; MISSING {len(missing)}: {sorted(missing)[:5]}"
        if stray:
            detail += f"; STORED BUT NEVER SENT {len(stray)}: {sorted(stray)[:5]}"
        return not missing and not stray, detail

    # Diary: each save carries a unique note; its audit row's changes hold it.
    diary = by_kind["diary"]
    marks: collections.Counter[str] = collections.Counter()
    for ch in audits("diary.entry_created", "diary.entry_replaced").values_list("changes", flat=True):
        note = (ch or {}).get("note")
        marks[note[1] if isinstance(note, list) and len(note) == 2 else ""] += 1
    twice = [m for m, c in marks.items() if c > 1 and m]
    ok, detail = stored_vs_acked("diary", set(marks) - {""}, {a["note"] for a in diary})
    out.append(
        (
            "diary saves acknowledged = saves audited, one audit row each",
            ok and not twice and not marks.get(""),
            f"{len(diary)} saves ({sum(a['created'] for a in diary)} new days): {detail}"
            + (f"; audited twice: {twice[:5]}" if twice else "")
            + (f"; {marks['']} audit rows without a load-test note" if marks.get("") else ""),
        )
    )
    # The row of each day holds its last acknowledged save (or a later one whose answer never came).
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for a in diary:
        k = (a["patient_user"], a["day"])
        if k not in last or a["version"] > last[k]["version"]:
            last[k] = a
    rows = {
        str(e.public_id): e
        for e in DiaryEntry.objects.filter(public_id__in=[a["id"] for a in last.values()]).select_related(
            "patient__user"
        )
    }
    bad = []
    for (user, day), a in last.items():
        e = rows.get(a["id"])
        if e is None:
            bad.append(f"{user} {day}: no row {a['id']}")
        elif e.patient.user is None or e.patient.user.username != user or e.date.isoformat() != day:
            bad.append(f"{user} {day}: the row is another patient's or another day's")
        elif (e.version, e.note, e.headache) != (a["version"], a["note"], a["headache"]) and not (
            e.version > a["version"] and e.note in attempted["diary"] - {x["note"] for x in diary}
        ):
            bad.append(
                f"{user} {day}: row v{e.version} {e.note!r}, acknowledged v{a['version']} {a['note']!r}"
            )
    out.append(
        (
            "each diary day's row = its last acknowledged save",
            not bad,
            f"{len(last)} days written, {len(last) - len(bad)} rows match" + (f"; {bad[:5]}" if bad else ""),
        )
    )

    # Signatures: the visit signed, note version 1, the treatment session, the audit row.
    signed = by_kind["signed"]
    acked = {a["visit"] for a in signed}
    sessions = {
        str(v)
        for v in TreatmentSession.objects.filter(created_at__gte=started).values_list("visit_id", flat=True)
    }
    ok, detail = stored_vs_acked("signed", sessions, acked)
    ok_visits = Visit.objects.filter(public_id__in=sessions, status="signed").count()
    notes = SignedNote.objects.filter(visit__public_id__in=sessions, version=1).count()
    n = audits("visit.signed").count()
    out.append(
        (
            "signed visits acknowledged = treatment sessions = signed visits, notes, audit rows",
            ok and len(sessions) == ok_visits == notes == n,
            f"{detail} (treatment sessions); {ok_visits} visits signed, {notes} notes v1, "
            f"{n} visit.signed audit rows",
        )
    )

    booked = by_kind["booked"]
    made = {
        str(x)
        for x in Appointment.objects.filter(
            created_at__gte=started, created_by__username__startswith="load-"
        ).values_list("public_id", flat=True)
    }
    # An unanswered booking is known by patient and time, not by id: count it against the attempts.
    unanswered_ok = len(made - {a["appointment"] for a in booked}) <= len(attempted["booked"]) - len(booked)
    n = audits("appointment.booked").count()
    out.append(
        (
            "bookings acknowledged = appointments, audit rows",
            not ({a["appointment"] for a in booked} - made) and unanswered_ok and n == len(made),
            f"{len(booked)} acknowledged, {len(made)} appointments made by the coordinators, "
            f"{n} appointment.booked audit rows",
        )
    )

    outreach = by_kind["outreach"]
    stored = set(OutreachAttempt.objects.filter(at__gte=started).values_list("note", flat=True))
    ok, detail = stored_vs_acked("outreach", stored, {a["note"] for a in outreach})
    n = audits("outreach.recorded").count()
    out.append(
        (
            "outreach acknowledged = attempts stored, audit rows",
            ok and n == len(stored),
            f"{detail}; {n} outreach.recorded audit rows",
        )
    )

    # The worker: nothing due left waiting or running, nothing failed.
    deadline = time.monotonic() + drain_seconds
    t0 = time.monotonic()
    while True:
        ready = DBTaskResult.objects.ready().count()
        running = DBTaskResult.objects.running().count()
        if (ready == 0 and running == 0) or time.monotonic() > deadline:
            break
        time.sleep(2)
    waited = time.monotonic() - t0
    during = DBTaskResult.objects.filter(enqueued_at__gte=started)
    by_task = collections.Counter(
        (r.task_path.rsplit(".", 1)[-1], r.status) for r in during.only("task_path", "status")
    )
    failed = during.filter(status="FAILED").count()
    later = DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now()).count()
    out.append(
        (
            "task worker drained its queue, no task failed",
            ready == 0 and running == 0 and failed == 0,
            f"after {waited:.0f} s: {ready} ready, {running} running, {failed} failed; "
            f"{during.count()} tasks enqueued during the run ("
            + ", ".join(f"{t} {s.lower()} {c}" for (t, s), c in sorted(by_task.items()))
            + f"); {later} scheduled for later (periodic ticks)",
        )
    )
    return out


def _load(run: Path) -> dict[str, Any]:
    return json.loads((run / "run.json").read_text()) if (run / "run.json").exists() else {}


def render(run: Path, drain_seconds: float) -> tuple[str, bool]:
    meta = _load(run)
    started = dt.datetime.fromtimestamp(meta.get("locust_started", time.time() - 3600), tz=dt.UTC)
    lines, total = stats_table(run)
    acks = _read_jsonl(run / "acks.jsonl")
    failures = _read_jsonl(run / "failures.jsonl")
    checks = check_database(acks, started, drain_seconds)
    checks.insert(
        0,
        (
            "no request failed",
            total.get("failures", 1) == 0 and not failures,
            f"{int(total.get('failures', 0))} failed of {int(total.get('requests', 0)):,} requests",
        ),
    )
    ok = all(c[1] for c in checks)
    steady_md: list[str] = []
    if "ramp_seconds" in meta:
        since = meta["locust_started"] + meta["ramp_seconds"] + 60
        steady, span = steady_table(run, since)
        if steady:
            steady_md = [
                f"After everyone has arrived and signed in (from {meta['ramp_seconds'] + 60:.0f} s to the "
                f"end, {span:.0f} s; exact percentiles from every request's time):",
                "",
                *steady,
                "",
            ]
    loads = meta.get("loadavg", [])
    la = [x[1] for x in loads] or [0.0]
    md = [
        SECTION,
        "",
        "`make load` (`scripts/load.sh`; `make load LOAD_MINUTES=1` for a short run) plays a clinic day, "
        "compressed, against PostgreSQL: a fresh database (migrated, `demo_seed --patients 200`, then "
        "`loadtest/seed.py`: a login of their own for every patient and for 10 staff and 2 coordinators, "
        "a tray of vials per clinician, and a draft visit for every patient clear of the 12-week interval), "
        "several app processes (`scripts/serve.sh`: granian) and one task worker (`manage.py db_worker`), "
        "and `locust --headless` with `loadtest/locustfile.py` as a separate process. Everything it "
        "starts is stopped at the end, also on failure.",
        "",
        f"Run of {meta.get('date', '?')}: {meta.get('minutes', '?')} minutes, "
        f"{meta.get('users', '?')} simulated people, on {meta.get('machine', '?')}. "
        f"Processes: {meta.get('processes', '?')}. Load average (1 min) during the run: "
        f"{min(la):.1f}–{max(la):.1f}, mean {sum(la) / len(la):.1f} "
        f"(before: {meta.get('loadavg_before', '?')}). "
        f"{meta.get('shared_note', '')}",
        "",
        "Who does what, and how often (one real day of this clinic would be a handful of visits and one "
        "diary day per patient; the run compresses several days' diaries and the visit list of weeks into "
        "the run, and spreads the list over it):",
        "",
        f"- **{meta.get('patients', '?')} patients**, half in the browser (password sign-in, CSRF token on "
        "each write, the diary day saved with `PUT /api/v1/diary/entries/<day>` and the session cookie), "
        "half in the phone app (a bearer token of their own). Each visit to the portal: home or to-do, the "
        "diary, the missing days, one day saved (a missing day of the back-fill window, else today's "
        "again with the version read), sometimes the last 31 days or the calendar; then away for "
        f"{meta.get('patient_pause', '90–210')} s (a clinic day in the run: each comes back a few times).",
        f"- **{meta.get('nurses', '?')} nurses** screen the day's visits (chart, visits of the day, "
        "screening page and answers, consent page and consent); **"
        f"{meta.get('clinicians', '?')} clinicians and injectors** chart and sign them (chart, visit "
        "chart page, template, live dose check, one or two vials from their own tray, sign page, "
        "signature, the signed note), 2–5 s per step; "
        f"the list of {meta.get('visits', '?')} visits is spread over the run; when it is done they read "
        "charts and notes.",
        f"- **{meta.get('coordinators', '?')} coordinators**, every 4–10 s: a worklist page (screen, with "
        "filters and pages) or the worklist API, booking an injection from a patient's free slots, "
        "recording an outreach attempt (the HTML form).",
        "",
        "The whole run, sign-ins included (locust's own figures; p50/p99 are locust's rounded percentiles):",
        "",
        *lines,
        "",
        *steady_md,
        "Checks after the run (`loadtest/report.py`, against the database):",
        "",
        *[f"- {'PASS' if p else 'FAIL'} — {name}: {detail}" for name, p, detail in checks],
    ]
    if failures:
        md += ["", "Failed requests (first 20):", ""]
        for f in failures[:20]:
            md.append(
                f"- {f.get('name')} {f.get('method')} `{f.get('path')}` → {f.get('status')}: "
                f"`{str(f.get('body', ''))[:300]}`"
            )
    md += ["", *meta.get("meaning", [])] if meta.get("meaning") else []
    return "\n".join(md).rstrip() + "\n", ok


def replace_section(doc: Path, text: str) -> None:
    """Put ``text`` in place of the "## Load" section (or at the end), leaving every other section."""
    src = doc.read_text()
    lines = src.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == SECTION), None)
    if start is None:
        doc.write_text(src.rstrip() + "\n\n" + text)
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    doc.write_text("".join(lines[:start]) + text + ("\n" + tail if tail else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--docs", type=Path, help="replace this file's section '## Load' with the report")
    parser.add_argument("--drain-seconds", type=float, default=120)
    args = parser.parse_args(argv)
    text, ok = render(args.run, args.drain_seconds)
    (args.run / "report.md").write_text(text)
    print(text)
    if args.docs:
        replace_section(args.docs, text)
        print(f"(written to {args.docs}, section {SECTION!r})")
    print("LOAD TEST: " + ("ALL CHECKS PASSED" if ok else "FAILED (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
