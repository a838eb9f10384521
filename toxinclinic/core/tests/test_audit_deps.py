"""The dependency audit never reports a clean result it did not check."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "audit_deps.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _dep(name: str, skip: str | None = None, vulns: list[dict] | None = None) -> dict:
    d: dict = {"name": name, "version": "1.0"}
    if skip:
        d["skip_reason"] = skip
    else:
        d["vulns"] = vulns or []
    return d


def test_every_package_skipped_is_not_checked_not_clean(audit: ModuleType) -> None:
    report = {"dependencies": [_dep("django", "Dependency not found on PyPI"), _dep("rich", "not found")]}
    status, lines = audit.summarise(report, "", "pypi")
    text = "\n".join(lines)
    assert status == 0
    assert "NOT CHECKED: none of the 2 installed packages could be audited" in text
    assert "No known vulnerabilities" not in text.replace("'No known vulnerabilities found' would", "")


def test_a_known_vulnerability_fails_and_names_the_fix(audit: ModuleType) -> None:
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["1.1"]}
    report = {"dependencies": [_dep("django", vulns=[vuln]), _dep("rich"), _dep("numpy", "not found")]}
    status, lines = audit.summarise(report, "", "pypi")
    assert status == 1
    assert "VULNERABLE: django 1.0: PYSEC-2099-1 (fixed in 1.1)" in lines
    assert "Checked 2 of 3 packages: 1 with known vulnerabilities." in lines
    assert "NOT CHECKED (1): numpy" in lines


def test_a_service_that_cannot_be_reached_is_said_so(audit: ModuleType) -> None:
    status, lines = audit.summarise(None, "ConnectionError: Failed to resolve 'api.osv.dev'", "osv")
    assert status == 0
    assert lines[1] == "NOT CHECKED: pip-audit could not run its queries on this machine."
    assert "Failed to resolve 'api.osv.dev'" in lines[2]


def test_all_checked_and_clean_is_the_only_clean_result(audit: ModuleType) -> None:
    status, lines = audit.summarise({"dependencies": [_dep("django"), _dep("rich")]}, "", "pypi")
    assert status == 0
    assert lines[-1] == "Checked 2 of 2 packages: 0 with known vulnerabilities."
    assert not any(line.startswith("NOT CHECKED") for line in lines)
