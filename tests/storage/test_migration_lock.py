"""Several processes starting on one new SQLite file migrate one at a time; a waiting one gives up
after a bounded wait, with an error that names the process holding the lock."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from refsvc.storage import UNAVAILABLE
from refsvc.storage.schema import migration_lock

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from refsvc.storage.schema import migration_lock
with migration_lock(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def held(tmp_path):
    """Another process holding the migration lock of a SQLite file; yields (url, its pid)."""
    url = f"sqlite:///{tmp_path / 'busy.sqlite'}"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, url], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield url, holder.pid
    holder.kill()
    holder.wait()


def test_a_second_migrator_gives_up_naming_the_process_that_holds_the_lock(held):
    url, pid = held
    started = time.monotonic()
    with pytest.raises(UNAVAILABLE) as caught:
        with migration_lock(url, wait=0.5):
            pass
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert f"pid {pid}" in message and "busy.sqlite" in message and "migrat" in message


def test_the_lock_is_taken_at_once_when_no_one_holds_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'free.sqlite'}"
    with migration_lock(url, wait=0.5):
        pass
    with migration_lock(url, wait=0.5):  # released: taken again
        pass


def test_an_app_starting_while_another_migrates_serves_and_migrates_later(held, settings, tmp_path,
                                                                          monkeypatch):
    """The app does not crash at start: the schema is brought up on first use, once it is free."""
    from refsvc import create_app
    from refsvc.storage import get_database
    from refsvc.storage import schema

    url, _ = held
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(schema, "MIGRATION_LOCK_WAIT", 0.5)
    app = create_app({**settings, "DATABASE_URL": url})
    assert get_database(app).upgrade_pending


def test_a_request_that_finds_the_migration_still_running_is_a_503_in_seconds(held, settings,
                                                                              tmp_path, monkeypatch):
    from refsvc import create_app
    from refsvc.storage import schema

    url, pid = held
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setattr(schema, "MIGRATION_LOCK_WAIT", 0.5)
    app = create_app({**settings, "DATABASE_URL": url, "DATABASE_STATEMENT_TIMEOUT": "0.5"})
    started = time.monotonic()
    answer = app.test_client().get("/v1/resources")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert time.monotonic() - started < 10
