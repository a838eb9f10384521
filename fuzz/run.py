"""``make fuzz``: schemathesis against a real server (granian, WSGI, in a subprocess) on a freshly seeded
database, once per role with that role's bearer token, over the API's OpenAPI document; and over the FHIR
interactions (``fuzz.fhir_openapi``) with a SMART system token and a patient's token.

Why a real server rather than the WSGI app in-process: it is how production answers (granian's request
parsing, separate worker processes, the database connection per process), and a crash in a view shows up
as the 500 a client would get rather than as a Python exception in the fuzzer.

Checks: ``not_a_server_error`` (no 5xx), ``status_code_conformance`` (no status the operation does not
document), ``response_schema_conformance``, ``content_type_conformance`` and ``response_headers_conformance``.
Real ids are mixed into path and query parameters (``fuzz.seed.real_ids``, probability ``ID_PROBABILITY``) so
the cases reach real records, not only 404s.

Writes ``var/fuzz/<run>/summary.json`` and ``summary.md`` (per caller: cases, failures by kind, the operations
that failed) and each caller's schemathesis output, JSON and NDJSON reports beside them. Exits 1 when any
caller has a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "response_schema_conformance",
        "content_type_conformance",
        "response_headers_conformance",
    ]
)
ID_PROBABILITY = 0.7
API_ROLES = ("patient", "nurse", "clinician", "injector", "coordinator", "admin")
FHIR_CALLERS = ("fhir-system", "fhir-patient")
FHIR_EXAMPLES_FACTOR = 15


def _toml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def write_config(path: Path, *, seed: int, examples: int, ids: dict[str, list[str]]) -> None:
    lines = [f"seed = {seed}", "", "[generation]", f"max-examples = {examples}", ""]
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", "values = [" + ", ".join(_toml_str(v) for v in values) + "]", ""]
    lines.append("[parameters]")
    for name in ids:
        lines.append(
            f"{_toml_str(name)} = {{ dictionary = {_toml_str(name)}, probability = {ID_PROBABILITY} }}"
        )
    path.write_text("\n".join(lines) + "\n")


def _wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (our own http:// URL)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    args = [
        str(VENV_BIN / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", "1",
        "--no-ws",
        "toxinclinic.wsgi:application",
    ]  # fmt: skip
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    _wait_for(f"http://127.0.0.1:{port}/healthz")
    return proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_schemathesis(
    caller: str,
    location: str,
    base_url: str | None,
    token: str,
    config: Path,
    out_dir: Path,
    workers: int,
    phases: str | None = None,
    paths: str | None = None,
) -> dict[str, Any]:
    report_dir = out_dir / caller
    shutil.rmtree(report_dir, ignore_errors=True)
    args = [
        str(VENV_BIN / "schemathesis"),
        "--config-file", str(config),
        "run", location,
        "-H", f"Authorization: Bearer {token}",
        "-c", CHECKS,
        "--report", "json,ndjson",
        "--report-dir", str(report_dir),
        "-w", str(workers),
        "--no-color",
        "--output-truncate", "false",
        # Not the session cookie the document also allows: a made-up one only meets the CSRF check (403),
        # and the bearer token is what each role's run is about.
        "--generation-with-security-parameters", "false",
    ]  # fmt: skip
    if base_url:
        args += ["--url", base_url]
    if phases:
        args += ["--phases", phases]
    if paths:
        args += ["--include-path-regex", paths]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "fuzz.hooks", "PYTHONPATH": str(ROOT)}
    if caller.startswith("fhir"):
        args[args.index("-c") + 1] += ",fhir_resources_valid"
    t0 = time.monotonic()
    with (out_dir / f"{caller}.txt").open("w") as fh:
        rc = subprocess.call(args, cwd=out_dir, stdout=fh, stderr=subprocess.STDOUT, env=env)
    seconds = time.monotonic() - t0
    reports = sorted(report_dir.glob("json-*.json"))
    if not reports:
        return {"caller": caller, "error": f"schemathesis exited {rc} without a report", "seconds": seconds}
    rep = json.loads(reports[-1].read_text())
    failures = {f"{f['code']} {f['title']}": f["count"] for f in rep.get("failures", [])}
    failed_ops = sorted({op for f in rep.get("failures", []) for op in f.get("operations", [])})
    return {
        "caller": caller,
        "exit_code": rc,
        "seconds": round(seconds, 1),
        "operations_tested": rep["operations"]["tested"],
        "cases": rep["test_cases"]["generated"],
        "cases_with_failures": rep["test_cases"]["with_failures"],
        "unique_failures": rep["test_cases"]["unique_failures"],
        "errored": rep["test_cases"]["errored"],
        "failures_by_kind": failures,
        "failed_operations": failed_ops,
        "failing_cases": failing_cases((out_dir / f"{caller}.txt").read_text()),
        "errors": [str(e)[:300] for e in rep.get("errors", [])],
        "output": f"{caller}.txt",
    }


def failing_cases(text: str) -> list[dict[str, Any]]:
    """Each failing operation of a schemathesis output: what it said and the case that shows it."""
    parts = re.split(r"\n_+ ([A-Z]+ /.*?) _+\n", text)  # a long title has one "_" before it
    out = []
    for title, body in zip(parts[1::2], parts[2::2], strict=False):
        curls = re.findall(r"curl [^\n]+", body)
        out.append(
            {
                "operation": title,
                "kinds": sorted(set(re.findall(r"\n- (ST\d+ [^\n]+)", body))),
                "statuses": sorted(set(re.findall(r"\n\[(\d{3})\] ", body))),
                "said": [m.strip() for m in re.findall(r"\n- ST\d+ [^\n]+\n\n([^\n]+)", body)][:3],
                "case": curls[0] if curls else "",
            }
        )
    return out


def _markdown(summary: dict[str, Any]) -> str:
    rows = [
        f"# Fuzz run {summary['started_at']}",
        "",
        f"seed {summary['seed']}, {summary['examples']} examples per operation and phase"
        f"{' (quick: fuzzing phase only)' if summary['quick'] else ''}, database "
        f"{summary['database']}, load average before {summary['load_before']} "
        f"and after {summary['load_after']}",
        "",
        "| caller | operations | cases | with failures | failures by kind | tool errors | seconds |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in summary["callers"]:
        kinds = ", ".join(f"{k}: {v}" for k, v in r.get("failures_by_kind", {}).items()) or r.get(
            "error", "none"
        )
        rows.append(
            f"| {r['caller']} | {r.get('operations_tested', '-')} | {r.get('cases', '-')} | "
            f"{r.get('cases_with_failures', '-')} | {kinds} | {r.get('errored', '-')} | "
            f"{r.get('seconds', '-')} |"
        )
    for r in summary["callers"]:
        if r.get("failing_cases"):
            rows += ["", f"## {r['caller']} (whole output: {r['output']})", ""]
            for c in r["failing_cases"]:
                rows.append(
                    f"- {c['operation']}: {', '.join(c['kinds'])}; status {', '.join(c['statuses'])}; "
                    f"{' / '.join(c['said'])}\n  `{c['case']}`"
                )
    return "\n".join(rows) + "\n"


def resummarize(out: Path) -> int:
    """Re-read each caller's failing cases from its output (after a parser fix) and rewrite the summary."""
    summary = json.loads((out / "summary.json").read_text())
    for r in summary["callers"]:
        if r.get("output"):
            r["failing_cases"] = failing_cases((out / r["output"]).read_text())
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    (out / "summary.md").write_text(_markdown(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="CI: the fuzzing phase only, one case per operation and caller"
    )
    ap.add_argument("--seed", type=int, default=None, help="schemathesis seed (default: from the clock)")
    ap.add_argument(
        "--examples", type=int, default=None, help="max examples per operation and phase (default 4; quick 1)"
    )
    ap.add_argument("--patients", type=int, default=None, help="demo patients (default 12; quick 3)")
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in the run folder")
    ap.add_argument("--port", type=int, default=int(os.environ.get("FUZZ_PORT", "8500")))
    ap.add_argument("--only", default="", help="comma-separated callers (patient, nurse, ..., fhir-system)")
    ap.add_argument("--out", default=None, help="run folder (default var/fuzz/<time>)")
    ap.add_argument("--workers", type=int, default=2, help="schemathesis workers and server processes")
    ap.add_argument("--paths", default=None, help="only the operations whose path matches this regex")
    ap.add_argument("--summarize", metavar="RUN", help="only rewrite RUN's summary from its outputs")
    opts = ap.parse_args(argv)
    if opts.summarize:
        return resummarize(Path(opts.summarize))

    seed = opts.seed if opts.seed is not None else int(time.time()) % 100_000
    examples = opts.examples or (1 if opts.quick else 4)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(opts.out) if opts.out else ROOT / "var" / "fuzz" / stamp
    out.mkdir(parents=True, exist_ok=True)
    var = out / "var"
    db_url = opts.database_url or f"sqlite:///{var / 'fuzz.sqlite3'}"
    env = {
        **os.environ,
        "TOXINCLINIC_DEV": "1",
        "DEBUG": "0",
        "TOXINCLINIC_VAR": str(var),
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "toxinclinic.settings",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from fuzz import fhir_openapi
    from fuzz import seed as seeding

    t0 = time.monotonic()
    patients = opts.patients or (3 if opts.quick else 12)
    try:
        seeding.seed_database(patients, seed=2026)
    except seeding.NotAFuzzDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    tokens = seeding.issue_tokens()
    ids = seeding.real_ids()
    seeded = time.monotonic() - t0
    from toxinclinic.fhir.capability import capability_statement

    fhir_doc = fhir_openapi.document(capability_statement("http://127.0.0.1/fhir/R4/", "2026-01-01"))
    (out / "fhir-openapi.json").write_text(json.dumps(fhir_doc, indent=1))
    fhir_ids = {"id": [ids["patient_id"][0], *ids.get("visit_id", [])[:2]]}
    from django.db import connections

    connections.close_all()  # the server processes own the database from here

    only = {c for c in opts.only.split(",") if c}
    callers = [c for c in (*API_ROLES, *FHIR_CALLERS) if not only or c in only]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    base = f"http://127.0.0.1:{opts.port}"
    server = start_server(env, opts.port, opts.workers, out / "server.log")
    results = []
    try:
        for caller in callers:
            cfg = out / f"{caller}.toml"
            if caller.startswith("fhir"):
                # 30 operations against the API's 100: more cases each, for as many cases per caller.
                n = examples if opts.quick else examples * FHIR_EXAMPLES_FACTOR
                write_config(cfg, seed=seed, examples=n, ids=fhir_ids)
                loc, url = str(out / "fhir-openapi.json"), f"{base}/fhir/R4"
            else:
                write_config(cfg, seed=seed, examples=examples, ids=ids)
                loc, url = f"{base}/api/v1/openapi.json", None
            r = run_schemathesis(
                caller,
                loc,
                url,
                tokens[caller],
                cfg,
                out,
                opts.workers,
                "fuzzing" if opts.quick else None,
                opts.paths,
            )
            results.append(r)
            print(
                f"{caller:12} cases {r.get('cases', '-'):>6}  failures {r.get('failures_by_kind') or 'none'}"
                f"  ({r.get('seconds')} s)",
                flush=True,
            )
    finally:
        stop_server(server)
    summary = {
        "started_at": stamp,
        "seed": seed,
        "examples": examples,
        "quick": opts.quick,
        "database": db_url.split("://", 1)[0],
        "patients": patients,
        "seeded_seconds": round(seeded, 1),
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "callers": results,
        "total_cases": sum(r.get("cases", 0) for r in results),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    (out / "summary.md").write_text(_markdown(summary))
    print(f"\nseed {seed}; {summary['total_cases']} cases; summary in {out / 'summary.md'}")
    bad = [r for r in results if r.get("error") or r.get("cases_with_failures") or r.get("errored")]
    return 1 if bad else 0
