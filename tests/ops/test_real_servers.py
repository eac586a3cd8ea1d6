"""`make test` never passes silently without its real servers: it names each one it skipped, and
fails when CI is set."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.ops.servers import ROOT, free_port

# One test on both databases (its PostgreSQL half needs the server), one that needs Redis.
NEEDS_BOTH = ["tests/ops/test_schema_policy.py::test_an_empty_database_is_set_up_at_start",
              "tests/ops/test_container.py", "-k", "set_up_at_start or worker_role"]


def run_pytest(ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(REFSVC_TEST_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",
               REFSVC_TEST_REDIS_URL=f"redis://127.0.0.1:{free_port()}/9")
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *NEEDS_BOTH], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("ci, status", [(False, 0), (True, 1)])
def test_absent_servers_are_named_in_the_summary(ci, status):
    done = run_pytest(ci)
    assert done.returncode == status, done.stdout[-3000:]
    assert "REAL SERVERS ABSENT: these tests did NOT run" in done.stdout
    assert "SKIPPED 1 test(s) needing PostgreSQL" in done.stdout
    assert "SKIPPED 1 test(s) needing Redis" in done.stdout
    assert "1 passed, 2 skipped" in done.stdout  # the SQLite half still ran
