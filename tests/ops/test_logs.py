"""JSON log lines carrying a request id: from X-Request-ID or made, echoed, and carried into the
checker's batches and the tasks they queue."""
from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest

from refsvc import logs
from refsvc.links.tracking import Tracker
from refsvc.storage import get_database
from refsvc.storage import resources as store
from refsvc.worker.checker import Checker


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("sent, kept", [
    ("abc-123", True),
    ("0f8fa2c4-6bd1-4c1f-9f7e-2a0b1c9d8e7f", True),
    ("trace.span:7_x", True),
    ("x" * 128, True),
    ("x" * 129, False),
    ("has space", False),
    ("-leading-dash", False),
    ("quote\"inside", False),
    ("été", False),
    ("", False),
])
def test_a_request_id_is_kept_only_when_short_and_plain(client, sent, kept):
    response = client.get("/healthz", headers={"X-Request-ID": sent} if sent else {})
    echoed = response.headers["X-Request-ID"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent and len(echoed) == 32 and int(echoed, 16) >= 0


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    assert first != client.get("/healthz").headers["X-Request-ID"]


def test_log_lines_are_json_and_carry_the_request_id(app, client, capfd):
    def noisy():
        logging.getLogger("refsvc.test").warning("looked at %s", "something", extra={"n": 3})
        raise RuntimeError("a bug")
    app.add_url_rule("/noisy", "noisy", noisy)
    capfd.readouterr()
    response = client.get("/noisy", headers={"X-Request-ID": "req-77"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "req-77"
    lines = json_lines(capfd.readouterr().err)
    mine = [line for line in lines if line["request_id"] == "req-77"]
    assert [line["level"] for line in mine] == ["WARNING", "ERROR"]
    assert mine[0]["message"] == "looked at something" and mine[0]["n"] == 3
    assert mine[0]["logger"] == "refsvc.test" and mine[0]["time"]
    assert "RuntimeError: a bug" in mine[1]["exc_info"]  # the traceback stays inside one line
    client.get("/healthz")
    assert logs.request_id.get() is None  # nothing leaks into this thread's next lines


@pytest.mark.both_databases
def test_a_checker_batch_has_one_id_for_its_log_lines_and_the_tasks_it_queues(app, capfd):
    database = get_database(app)
    with database.transaction() as session:
        for name in ("alpha", "beta"):
            store.create_resource(session, {"id": name, "name": name, "url":
                                            f"https://{name}.example.org/"})
    queued = []

    def enqueue(key: str, token: str | None = None) -> None:
        logging.getLogger("refsvc.test").info("queued %s", key)
        queued.append((key, logs.request_id.get()))
    tracker = Tracker(database, app.config, client=object())
    checker = Checker(tracker, check_many=lambda jobs, **_: [], make_job=lambda r: SimpleNamespace(
        key=r.id, url=r.url), enqueue=enqueue)
    capfd.readouterr()
    checker.run_once()
    ids = {batch for _, batch in queued}
    assert sorted(key for key, _ in queued) == ["alpha", "beta"] and len(ids) == 1
    batch = ids.pop()
    assert batch.startswith("round-")
    lines = [line for line in json_lines(capfd.readouterr().err) if line["logger"] == "refsvc.test"]
    assert [line["request_id"] for line in lines] == [batch, batch]


def test_plain_text_logs_can_be_chosen_for_a_terminal(capfd):
    logs.configure("INFO", "text")
    try:
        logs.request_id.set("term-1")
        logging.getLogger("refsvc.test").warning("hello")
        logs.request_id.set(None)
        err = capfd.readouterr().err
        assert "WARNING refsvc.test [term-1] hello" in err and "{" not in err
    finally:
        logs.configure("INFO", "json")


def _stderr_of(code: str, *, tty: bool, env: dict | None = None) -> str:
    """What a Python process writes to its standard error, a terminal (a pty) or a pipe."""
    import os
    import pty
    import subprocess
    import sys

    env = {**os.environ, **(env or {})}
    if not tty:
        return subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, env=env,
                              timeout=60, check=True).stderr
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-c", code], stderr=follower, env=env, timeout=60, check=True)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the pty is closed once read to the end
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert done.returncode == 0
    return out.decode()


WARN = ("from refsvc import logs; import logging; logs.configure('INFO', '{fmt}'); "
        "logging.getLogger('refsvc.test').warning('the checker looked offline')")


def test_logs_are_plain_lines_on_a_terminal_and_json_elsewhere():
    on_terminal = _stderr_of(WARN.format(fmt="auto"), tty=True)
    assert "WARNING refsvc.test" in on_terminal and "the checker looked offline" in on_terminal
    assert not on_terminal.lstrip().startswith("{")
    piped = json_lines(_stderr_of(WARN.format(fmt="auto"), tty=False))
    assert piped[0]["message"] == "the checker looked offline"
    # asked for by name, JSON stays JSON on a terminal
    assert _stderr_of(WARN.format(fmt="json"), tty=True).lstrip().startswith("{")


def test_the_default_log_format_follows_the_terminal():
    from refsvc.config import load_settings

    assert load_settings({}, environ={})["LOG_FORMAT"] == "auto"


def test_a_cli_command_prints_no_alembic_info_lines(tmp_path):
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "REFSVC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
           "REFSVC_INSTANCE_PATH": str(tmp_path / "instance"), "REFSVC_EDITOR_TOKENS": "t"}
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "wsgi",
                           "db", "upgrade"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "alembic" not in done.stderr, done.stderr
