"""Dependency audit that says what it could and could not check.

Runs pip-audit over the project's installed packages (the pinned dependencies and what they pull in).
On machines whose package mirror cannot answer pip-audit's per-version vulnerability queries (PyPI's
``/pypi/<name>/<version>/json``) and cannot reach OSV, pip-audit marks every package "could not be
audited" and still prints "No known vulnerabilities found": that is not a clean result, and this script
says so instead. Exit status: 0 when every package was checked and none is vulnerable, or when the check
could not run (printed as NOT CHECKED, so CI on an offline machine does not fail for the network);
1 when a vulnerability was found; 2 with ``--strict`` when some packages could not be checked.

Usage: .venv/bin/python scripts/audit_deps.py [--strict] [--service pypi|osv] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path


def run_pip_audit(service: str) -> tuple[dict | None, str]:
    cmd = [sys.executable, "-m", "pip_audit", "--local", "--format", "json", "--progress-spinner", "off"]
    cmd += ["--vulnerability-service", service]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    try:
        return json.loads(done.stdout), done.stderr
    except json.JSONDecodeError:
        return None, (done.stderr or done.stdout).strip()


def summarise(report: dict | None, error: str, service: str) -> tuple[int, list[str]]:
    """(exit status, lines of the report)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Dependency audit, {now}, pip-audit with the {service} vulnerability service."]
    if report is None:
        last = error.splitlines()[-1] if error else "no output"
        lines += [
            "NOT CHECKED: pip-audit could not run its queries on this machine.",
            f"  Its last words: {last}",
            "  No statement about vulnerabilities is made.",
            "  Run this where the vulnerability service is reachable.",
        ]
        return 0, lines
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fix = ", ".join(v.get("fix_versions") or []) or "no fixed version listed"
            lines.append(f"VULNERABLE: {d['name']} {d['version']}: {v['id']} (fixed in {fix})")
    if not audited:
        lines += [
            f"NOT CHECKED: none of the {len(deps)} installed packages could be audited "
            f"({skipped[0]['skip_reason'] if skipped else 'no packages found'}).",
            "  The package mirror here does not answer per-version vulnerability queries, so pip-audit's",
            "  'No known vulnerabilities found' would mean nothing.",
            "  No statement about vulnerabilities is made.",
        ]
        return 0, lines
    lines.append(
        f"Checked {len(audited)} of {len(deps)} packages: {len(vulnerable)} with known vulnerabilities."
    )
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"NOT CHECKED ({len(skipped)}): {names}")
    status = 1 if vulnerable else 0
    return status, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 2 when any package could not be checked")
    parser.add_argument("--service", default="pypi", choices=["pypi", "osv"])
    parser.add_argument("--out", help="also write the report to this Markdown file")
    args = parser.parse_args(argv)
    report, error = run_pip_audit(args.service)
    status, lines = summarise(report, error, args.service)
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("# Dependency audit\n\n```\n" + "\n".join(lines) + "\n```\n")
    unchecked = any(line.startswith("NOT CHECKED") for line in lines)
    if args.strict and unchecked and status == 0:
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
