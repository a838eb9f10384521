"""A clinic day, compressed: 200 patients keeping diaries, 10 staff charting and signing, 2 coordinators.

Run by ``scripts/load.sh`` (``make load``) as a separate ``locust --headless`` process, never imported by
pytest (STACK.md: locust's gevent patching breaks the test process). ``LOAD_PLAN`` names the JSON that
``loadtest/seed.py`` wrote (one login per simulated person); ``LOAD_OUT`` the folder where this file writes
what the server acknowledged (``acks.jsonl``) and every failed request with its response
(``failures.jsonl``); ``loadtest/report.py`` checks the acknowledgements against the database.

Who does what (rates are stated in ``docs/reliability.md``, section "Load"):

- a patient opens the portal (home, diary), asks which days are missing, saves one day (a day still
  missing in the back-fill window, else today's again with the version read), reads it back, now and then
  looks at the month; then is away for ``PATIENT_PAUSE`` seconds. Half use the browser (password sign-in,
  CSRF token on every write, the diary saved through the JSON API with the session cookie, as the page's
  script does), half the phone app (bearer token of their own);
- a nurse takes the next visit of the day's list: screening page, screening answers (the chart's prefill,
  the rest "no"), consent page and consent; the visit then waits for a clinician;
- a clinician or injector takes a screened visit (or screens one themselves when none waits): the chart,
  the visit's chart page, the template, the live dose check, two (or one) vials from their own tray, the
  sign page, the signature, the signed note. When the list is done they read charts and notes;
- a coordinator pages and filters the worklist (screen and API), books an injection from a patient's free
  slots (only with "their" clinicians, so two coordinators never race for one slot) and records outreach.

Staff wait ``STEP_PAUSE`` between the steps of a visit, as a person reads and types.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import os
import random
import time
import uuid
import zoneinfo
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
OUT = Path(os.environ.get("LOAD_OUT", "."))
TZ = zoneinfo.ZoneInfo(os.environ.get("LOAD_TZ", "America/New_York"))
#: Seconds a patient is away between two visits to the portal: a clinic day in 10 minutes, each patient
#: coming back 3-5 times (the day's entry, a day missed earlier, a look at the month). ``LOAD_PATIENT_PAUSE``
#: ("lo,hi") changes it, e.g. "20,40" for a heavier run.
PATIENT_PAUSE = tuple(float(x) for x in os.environ.get("LOAD_PATIENT_PAUSE", "90,210").split(","))
#: Seconds a member of staff spends on one step of a visit (reading, typing).
STEP_PAUSE = (2.0, 5.0)
#: Seconds between two worklist actions of a coordinator.
COORDINATOR_PAUSE = (4.0, 10.0)
#: The run's length (``LOAD_SECONDS``): the day's visit list is spread over it, so that staff sign the last
#: visit near the end of the run rather than all in the first minutes and idle afterwards.
RUN_SECONDS = float(os.environ.get("LOAD_SECONDS", "600"))


def _pace(people: int, work_seconds: float, within: float) -> tuple[float, float]:
    """Seconds between two visits of one person so that ``people`` of them finish the list in ``within``
    of the run; ``work_seconds`` is roughly the time one visit's steps take (their pauses included)."""
    per_person = max(1, len(PLAN["visits"])) / max(1, people)
    gap = max(2.0, within * RUN_SECONDS / per_person - work_seconds)
    return (0.6 * gap, 1.4 * gap)


_patients = collections.deque(PLAN["patients"])
_staff: dict[str, collections.deque[dict[str, Any]]] = collections.defaultdict(collections.deque)
for _s in PLAN["staff"]:
    _staff[_s["kind"]].append(_s)
_to_screen = collections.deque(PLAN["visits"])
_to_chart: collections.deque[dict[str, Any]] = collections.deque()
_coordinator_no = iter(range(100))

_acks: list[dict[str, Any]] = []
_failures: list[dict[str, Any]] = []


def _ack(kind: str, **fields: Any) -> None:
    """A write the server acknowledged (2xx/302): it must be in the database."""
    _acks.append({"kind": kind, "at": time.time(), **fields})


def _attempt(kind: str, key: str) -> None:
    """A write about to be sent. One whose answer never came (the run stopped while it was queued) may or
    may not be stored; the report accepts it stored only if it was attempted, and counts those."""
    _acks.append({"kind": "attempt", "of": kind, "key": key, "at": time.time()})


_requests: list[str] = []


@events.request.add_listener
def _log_request(
    name: str, response_time: float, exception: Any = None, start_time: float | None = None, **_kw: Any
) -> None:
    """Every request's start, name, time and outcome: the report takes the figures of the steady part of
    the run (after everyone has arrived) from these, as locust's own CSV covers the whole run only."""
    _requests.append(
        f"{start_time or time.time():.3f}\t{name}\t{response_time:.1f}\t{int(exception is not None)}\n"
    )


@events.test_stop.add_listener
def _write_out(**_kw: Any) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "requests.tsv").write_text("".join(_requests))
    (OUT / "acks.jsonl").write_text("".join(json.dumps(a) + "\n" for a in _acks))
    (OUT / "failures.jsonl").write_text("".join(json.dumps(f) + "\n" for f in _failures))


def pause(span: tuple[float, float]) -> None:
    time.sleep(random.uniform(*span))  # gevent-patched: yields to the other users


class Clinic(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.headers: dict[str, str] = {}

    # -- requests that say what went wrong -----------------------------------------------------------

    def call(self, method: str, path: str, name: str, *, expect: tuple[int, ...] = (200,), **kw: Any) -> Any:
        """One request; any status outside ``expect`` is a failure recorded with its response."""
        headers = {**self.headers, **kw.pop("headers", {})}
        if method != "GET" and "Authorization" not in headers:
            headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, allow_redirects=False, **kw
        ) as r:
            if r.status_code not in expect:
                body = (r.text or "")[:600]
                msg = f"{r.status_code} (expected {'/'.join(map(str, expect))}): {body[:200]}"
                _failures.append(
                    {"at": time.time(), "name": name, "method": method, "path": path, "status": r.status_code,
                     "body": body, "user": getattr(self, "who", "?")}
                )  # fmt: skip
                r.failure(msg)
                return None
            r.success()
            return r

    def json(self, method: str, path: str, name: str, **kw: Any) -> Any:
        r = self.call(method, path, name, **kw)
        return r.json() if r is not None and r.content else None

    def sign_in(self, username: str, password: str, who: str) -> bool:
        """The browser's way in: the login page (CSRF cookie), then the form."""
        self.call("GET", "/accounts/login/", f"{who}: sign-in page")
        r = self.call(
            "POST",
            "/accounts/login/",
            f"{who}: sign in",
            expect=(302,),
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
        )
        if r is None:
            return False
        # The browser follows the redirect to the person's home screen.
        return (
            self.call("GET", r.headers.get("Location", "/home/"), f"{who}: home after sign-in (HTML)")
            is not None
        )


# ------------------------------------------------------------------------------------------ patients


class Patient(Clinic):
    fixed_count = len(PLAN["patients"])
    wait_time = between(PATIENT_PAUSE[0], PATIENT_PAUSE[-1])

    def on_start(self) -> None:
        super().on_start()
        me = _patients.popleft()
        self.who = me["username"]
        self.app = me["client"] == "app"
        self.versions: dict[str, int] = {}
        if self.app:
            self.headers = {"Authorization": f"Bearer {me['token']}"}
        else:
            self.sign_in(me["username"], me["password"], "patient (browser)")

    @task
    def diary_visit(self) -> None:
        via = "app" if self.app else "browser"
        if self.app:
            self.json("GET", "/api/v1/to-do", "patient (app): to-do (API)")
        else:
            self.call("GET", "/home/", "patient (browser): home (HTML)")
            pause((1, 3))
            self.call("GET", "/diary/", "patient (browser): diary today (HTML)")
        missing = self.json("GET", "/api/v1/diary/missing", f"patient ({via}): missing days (API)")
        if missing is None:
            return
        pause((2, 6))
        today = dt.datetime.now(TZ).date().isoformat()
        days = [str(d) for d in missing["missing"]]
        day = today if today in days else (random.choice(days) if days else today)
        body = _diary_day()
        if day in self.versions or (not days or day not in days):
            # Changing a day already recorded: read it first and send the version read.
            cur = self.json(
                "GET", f"/api/v1/diary/entries/{day}", f"patient ({via}): read a day (API)", expect=(200, 404)
            )
            if cur and "version" in cur:
                body["version"] = cur["version"]
        _attempt("diary", body["note"])
        r = self.call(
            "PUT",
            f"/api/v1/diary/entries/{day}",
            f"patient ({via}): save a day (API PUT)",
            expect=(200, 201),
            json=body,
        )
        if r is not None:
            saved = r.json()
            self.versions[day] = saved["version"]
            _ack(
                "diary", patient_user=self.who, day=day, id=saved["id"], version=saved["version"],
                headache=saved["headache"], note=body["note"], created=r.status_code == 201,
            )  # fmt: skip
        if random.random() < 0.25:
            pause((1, 3))
            self.json("GET", "/api/v1/diary/entries", f"patient ({via}): last 31 days (API)")
        if not self.app and random.random() < 0.2:
            self.call("GET", "/diary/calendar/", "patient (browser): calendar (HTML)")


def _diary_day() -> dict[str, Any]:
    marker = uuid.uuid4().hex[:12]
    if random.random() < 0.45:
        return {"headache": False, "note": f"load {marker}"}
    return {
        "headache": True,
        "duration_hours": random.choice([2, 4, 6, 8, 12, 24]),
        "severity": random.choice(["mild", "moderate", "moderate", "severe"]),
        "unilateral": random.random() < 0.6,
        "pulsating": random.random() < 0.6,
        "aggravated_by_activity": random.random() < 0.5,
        "nausea": random.random() < 0.4,
        "photophobia": random.random() < 0.6,
        "phonophobia": random.random() < 0.5,
        "note": f"load {marker}",
    }


# ------------------------------------------------------------------------------------------ staff


class Staff(Clinic):
    abstract = True
    kind = ""
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        me = _staff[self.kind].popleft()
        self.who, self.me = me["username"], me
        self.sign_in(me["username"], me["password"], self.kind)

    def screen(self, v: dict[str, Any]) -> bool:
        """Screening and consent for visit ``v`` (the nurse's part). True when both were saved."""
        k, vid = self.kind, v["visit"]
        self.call("GET", "/visits/", f"{k}: visits of the day (HTML)")
        pause(STEP_PAUSE)
        self.call("GET", f"/visits/{vid}/screening/", f"{k}: screening page (HTML)")
        s = self.json("GET", f"/api/v1/visits/{vid}/screening", f"{k}: screening prefill (API)")
        if s is None:
            return False
        pause(STEP_PAUSE)
        answers = {q: bool(a) for q, a in s["answers"].items()}
        d = self.json(
            "PUT", f"/api/v1/visits/{vid}/screening", f"{k}: save screening (API PUT)",
            json={"version": s["version"], "answers": answers},
        )  # fmt: skip
        if d is None:
            return False
        self.call("GET", f"/visits/{vid}/consent/", f"{k}: consent page (HTML)")
        pause(STEP_PAUSE)
        consented = dt.datetime.now(TZ) - dt.timedelta(minutes=2)
        d = self.json(
            "PUT", f"/api/v1/visits/{vid}/consent", f"{k}: save consent (API PUT)",
            json={
                "version": d["version"], "discussed_benefits": True, "discussed_common_effects": True,
                "discussed_serious_effects": True, "discussed_alternatives": True, "consented_by": "patient",
                "consenter_name": "The patient", "consented_at": consented.isoformat(),
            },
        )  # fmt: skip
        return d is not None

    def read_chart(self, patient: str) -> None:
        self.call("GET", f"/patients/{patient}/", f"{self.kind}: open a chart (HTML)")


class Nurse(Staff):
    kind = "nurse"
    fixed_count = sum(1 for s in PLAN["staff"] if s["kind"] == "nurse")
    # Nurses screen ahead of the clinicians: their share of the list in the first 80 % of the run.
    wait_time = between(*_pace(fixed_count, 20.0, within=0.75))

    @task
    def prepare_next(self) -> None:
        if not _to_screen:
            # The list is done: nurses look after charts (the day's patients, read again).
            self.read_chart(random.choice(PLAN["visits"])["patient"]) if PLAN["visits"] else None
            return
        v = _to_screen.popleft()
        self.read_chart(v["patient"])
        pause(STEP_PAUSE)
        if self.screen(v):
            _to_chart.append(v)


class Clinician(Staff):
    abstract = True
    # The day's list spread over the run (``_pace``); six of them share it.
    wait_time = between(
        *_pace(sum(1 for s in PLAN["staff"] if s["kind"] in ("clinician", "injector")), 30.0, 0.9)
    )

    def on_start(self) -> None:
        super().on_start()
        lots = self.json(
            "GET", f"/api/v1/lots?lot_number={self.me['lot']}", f"{self.kind}: find my tray (API)"
        )
        self.lot = lots[0]["id"] if lots else None

    @task
    def chart_and_sign(self) -> None:
        if _to_chart:
            v = _to_chart.popleft()
        elif _to_screen:
            v = _to_screen.popleft()
            self.read_chart(v["patient"])
            if not self.screen(v):
                return
        else:
            self.review()
            return
        k, vid = self.kind, v["visit"]
        self.read_chart(v["patient"])
        pause(STEP_PAUSE)
        self.call("GET", f"/visits/{vid}/chart/", f"{k}: visit chart page (HTML)")
        d = self.json("GET", f"/api/v1/visits/{vid}", f"{k}: read the visit (API)")
        if d is None:
            return
        pause(STEP_PAUSE)
        d = self.json(
            "POST", f"/api/v1/visits/{vid}/protocol", f"{k}: apply template (API)",
            json={"version": d["version"], "protocol": v["protocol"]},
        )  # fmt: skip
        if d is None:
            return
        check = self.json("POST", f"/api/v1/visits/{vid}/check", f"{k}: live dose check (API)", json={})
        if check is None:
            return
        total = sum(s["units"] for s in d["sites"])
        pause(STEP_PAUSE)
        n = math.ceil(total / 100)
        stock = self.json(
            "GET",
            f"/api/v1/vials?status=in_stock&lot={self.lot}&page_size={n}",
            f"{k}: my tray's vials (API)",
        )
        if stock is None:
            return
        if len(stock["items"]) < n:
            _failures.append(
                {"at": time.time(), "name": "tray empty", "user": self.who, "status": 0, "method": "",
                 "path": "", "body": f"{len(stock['items'])} vials, need {n}"}
            )  # fmt: skip
            return
        left = total
        made = dt.datetime.now(TZ) - dt.timedelta(minutes=5)
        for vial in stock["items"][:n]:
            given = min(100.0, left)
            left -= given
            d = self.json(
                "POST", f"/api/v1/visits/{vid}/vials", f"{k}: record a vial (API)", expect=(201,),
                json={"version": d["version"], "vial": vial["id"], "diluent_ml": 2,
                      "reconstituted_at": made.isoformat(), "units_administered": given,
                      "units_discarded": 100.0 - given},
            )  # fmt: skip
            if d is None:
                return
        pause(STEP_PAUSE)
        self.call("GET", f"/visits/{vid}/sign/", f"{k}: sign page (HTML)")
        pause(STEP_PAUSE)
        _attempt("signed", vid)
        r = self.call(
            "POST", f"/api/v1/visits/{vid}/signature", f"{k}: sign (API)", expect=(201,),
            json={"version": d["version"], "acknowledge_warnings": True, "overrides": {}},
        )  # fmt: skip
        if r is None:
            return
        _ack("signed", visit=vid, patient=v["patient"], signer=self.who, note_version=r.json()["version"])
        self.call("GET", f"/visits/{vid}/", f"{k}: signed note (HTML)")

    def review(self) -> None:
        """The list is done: read a chart and a visit of the day again."""
        v = random.choice(PLAN["visits"]) if PLAN["visits"] else None
        if v is None:
            return
        self.read_chart(v["patient"])
        pause(STEP_PAUSE)
        self.call("GET", f"/visits/{v['visit']}/", f"{self.kind}: a visit of the day (HTML)")


class Prescriber(Clinician):
    kind = "clinician"
    fixed_count = sum(1 for s in PLAN["staff"] if s["kind"] == "clinician")


class Injector(Clinician):
    kind = "injector"
    fixed_count = sum(1 for s in PLAN["staff"] if s["kind"] == "injector")


# ------------------------------------------------------------------------------------------ coordinators

_FILTERS = [
    "",
    "f=overdue",
    "f=due_week",
    "f=no_appointment",
    "f=auth",
    "f=diary_gap",
    "f=overdue&f=no_appointment",
]
_OUTCOMES = ["no_answer", "message_left", "reached"]


class Coordinator(Staff):
    kind = "coordinator"
    fixed_count = sum(1 for s in PLAN["staff"] if s["kind"] == "coordinator")
    wait_time = between(*COORDINATOR_PAUSE)

    def on_start(self) -> None:
        super().on_start()
        self.no = next(_coordinator_no)
        self.booked: set[str] = set()

    @task(5)
    def page_worklist(self) -> None:
        f = random.choice(_FILTERS)
        page = random.choice([1, 1, 1, 2, 3])
        q = "&".join(x for x in (f, f"page={page}" if page > 1 else "") if x)
        self.call(
            "GET", "/coordinator/worklist/" + (f"?{q}" if q else ""), "coordinator: worklist page (HTML)"
        )

    @task(2)
    def worklist_api(self) -> None:
        f = random.choice(_FILTERS)
        self.json("GET", "/api/v1/worklist" + (f"?{f}" if f else ""), "coordinator: worklist (API)")

    def _pick(self, filters: str) -> str | None:
        """A patient from the worklist (API) this coordinator has not booked yet; each coordinator takes
        every other line, as two people splitting a list."""
        w = self.json("GET", f"/api/v1/worklist?{filters}", "coordinator: worklist (API)")
        if not w:
            return None
        mine = [i["patient"] for n, i in enumerate(w["items"]) if n % 2 == self.no % 2]
        mine = [p for p in mine if p not in self.booked]
        return random.choice(mine) if mine else None

    @task(2)
    def book(self) -> None:
        pid = self._pick("f=no_appointment")
        if pid is None:
            return
        pause(STEP_PAUSE)
        self.call("GET", f"/scheduling/patients/{pid}/slots/", "coordinator: free slots page (HTML)")
        s = self.json(
            "GET", f"/api/v1/appointments/slots?patient={pid}&limit=50", "coordinator: free slots (API)"
        )
        if not s:
            return
        # Two coordinators never race for one slot: each books only with "their" half of the clinicians.
        slots = [x for x in s["slots"] if int(uuid.UUID(x["clinician"])) % 2 == self.no % 2]
        if not slots:
            return
        slot = slots[0]
        pause(STEP_PAUSE)
        _attempt("booked", f"{pid} {slot['starts_at']}")
        a = self.json(
            "POST", "/api/v1/appointments", "coordinator: book an appointment (API)", expect=(201,),
            json={"patient": pid, "clinician": slot["clinician"], "kind": "injection",
                  "starts_at": slot["starts_at"], "accept_early": True},
        )  # fmt: skip
        if a is not None:
            self.booked.add(pid)
            _ack("booked", appointment=a["id"], patient=pid, starts_at=slot["starts_at"], by=self.who)

    @task(2)
    def outreach(self) -> None:
        pid = self._pick(random.choice(["f=overdue", "f=no_appointment", "f=diary_gap", "f=due_week", ""]))
        if pid is None:
            return
        url = f"/coordinator/patients/{pid}/outreach/"
        self.call("GET", url, "coordinator: outreach page (HTML)")
        pause(STEP_PAUSE)
        note = f"load {uuid.uuid4().hex[:12]}"
        nxt = (dt.datetime.now(TZ).date() + dt.timedelta(days=random.choice([2, 3, 7]))).isoformat()
        _attempt("outreach", note)
        r = self.call(
            "POST", url, "coordinator: record outreach (HTML form)", expect=(302,),
            data={"outcome": random.choice(_OUTCOMES), "note": note, "next_contact_on": nxt,
                  "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
        )  # fmt: skip
        if r is not None:
            _ack("outreach", patient=pid, note=note, by=self.who)
