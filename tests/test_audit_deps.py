"""scripts/audit-deps fails CI on a vulnerable pin, passes a clean audit, and never fails for lack of a
reachable advisory service (it says so loudly instead). pip-audit is played by a stub."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUB = '''import json, os, sys
files = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "-r"]
pins = [l.strip() for f in files for l in open(f) if l.strip() and not l.startswith("#")]
mode = os.environ["STUB_MODE"]
if mode == "down":
    sys.exit("requests.exceptions.ConnectionError: Failed to resolve the advisory service")
deps = []
for pin in pins:
    name, _, version = pin.partition("==")
    if mode == "mirror":
        deps.append({"name": name, "skip_reason": "Dependency not found on PyPI"})
    elif pin == "requests==2.19.0" or (mode == "vulnerable" and name == "Flask"):
        deps.append({"name": name, "version": version,
                     "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["99.0"]}]})
    else:
        deps.append({"name": name, "version": version, "vulns": []})
print(json.dumps({"dependencies": deps}))
sys.exit(1 if any(d.get("vulns") for d in deps) else 0)
'''


def run(tmp_path: Path, mode: str) -> subprocess.CompletedProcess:
    stub = tmp_path / "pip-audit"
    stub.write_text(f"#!{sys.executable}\n{STUB}")
    stub.chmod(0o755)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Flask==3.1.3\nrequests==2.34.2\n")
    dev = tmp_path / "requirements-dev.txt"
    dev.write_text("-r requirements.txt\npytest==9.2.0\n")
    env = dict(os.environ, PIP_AUDIT=str(stub), STUB_MODE=mode)
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "audit-deps"), str(requirements), str(dev)],
                          capture_output=True, text=True, env=env, timeout=60)


def test_a_vulnerable_pin_fails_and_names_the_fix(tmp_path):
    done = run(tmp_path, "vulnerable")
    assert done.returncode == 1
    assert "VULNERABLE Flask==3.1.3: PYSEC-0000-1 (fixed in 99.0)" in done.stdout


def test_clean_pins_pass_and_say_how_many_were_audited(tmp_path):
    done = run(tmp_path, "clean")
    assert done.returncode == 0 and "3 pins audited, no known vulnerability" in done.stdout


@pytest.mark.parametrize("mode", ["down", "mirror"])
def test_an_unreachable_service_skips_loudly_without_failing(tmp_path, mode):
    done = run(tmp_path, mode)
    assert done.returncode == 0
    assert "SKIPPED, the advisory service is unreachable" in done.stdout and "NOT audited" in done.stdout
