"""Bulk $export over HTTP while the task worker is killed with SIGKILL mid-file: the client polls the status
URL the whole time; it never sees a manifest while a file is half written, the job finishes after the
worker is restarted, and every NDJSON line of every listed file parses, has the listed type, no resource
twice, and the counts match the manifest and the population."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from crash.harness import App, request, wait_until

PORT = 8830
PATIENTS = 600
POPULATE = f"""
import contextlib, io
from benchmarks.fhir_population import populate
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    populate({PATIENTS}, 1)
out = json.loads([x for x in buf.getvalue().splitlines() if x.startswith("OUT")][-1][3:])
"""


def test_export_resumes_after_a_killed_worker_and_every_file_is_whole(app: App, figures: dict) -> None:
    pop = app.py(POPULATE, timeout=600)
    token = pop["token"]
    app.serve(PORT, workers=2, threads=4)
    fhir = {"Accept": "application/fhir+json", "Prefer": "respond-async"}
    r = request(PORT, "GET", "/fhir/R4/$export", token=token, headers=fhir)
    assert r.status == 202, r.body[:500]
    status_path = urlparse(dict_header(r, "Content-Location")).path
    root = Path(app.env["TOXINCLINIC_VAR"]) / "fhir-export"
    worker = app.worker("--lease-seconds", "600")

    def half_written() -> bool:
        return bool(list(root.glob("*/*.part"))) and bool(list(root.glob("*/*.ndjson")))

    wait_until(half_written, 240, "the worker writing a .part file after a finished one", every=0.02)
    app.kill(worker)
    polls, manifests_early = 0, 0
    assert list(root.glob("*/*.part"))
    r = request(PORT, "GET", status_path, token=token)
    assert r.status == 202, (r.status, r.body[:300])
    app.worker("--lease-seconds", "600")
    while True:
        r = request(PORT, "GET", status_path, token=token)
        polls += 1
        if r.status == 200:
            if list(root.glob("*/*.part")):
                manifests_early += 1
            break
        assert r.status == 202, (r.status, r.body[:300])
        time.sleep(1)
        assert polls < 600, "the export did not finish in 10 minutes"
    manifest = r.json()
    total, lines = 0, 0
    for o in manifest["output"]:
        got = request(PORT, "GET", urlparse(o["url"]).path, token=token, timeout=120)
        assert got.status == 200, got.status
        ids: Counter[str] = Counter()
        for line in got.body.splitlines():
            res = json.loads(line)
            assert res["resourceType"] == o["type"], res
            ids[res["id"]] += 1
            lines += 1
        assert max(ids.values()) == 1, f"{o['type']} has a resource twice"
        assert sum(ids.values()) == o["count"], (o["type"], sum(ids.values()), o["count"])
        total += o["count"]
    assert manifests_early == 0
    # The population's patients: 38 resources each in these types; the clinic itself may come as well.
    per_type = {o["type"]: o["count"] for o in manifest["output"]}
    population = ("Patient", "Condition", "AllergyIntolerance", "MedicationStatement", "Observation")
    assert sum(per_type.get(t, 0) for t in population) == PATIENTS * 38, per_type
    figures["bulk_export"] = {
        "patients": PATIENTS,
        "resources": total,
        "ndjson_lines_parsed": lines,
        "files": len(manifest["output"]),
        "per_type": per_type,
        "worker_kills": 1,
        "status_polls": polls,
        "manifest_while_a_part_file_existed": manifests_early,
    }


def dict_header(r: Any, name: str) -> str:
    return r.headers[name.lower()]
