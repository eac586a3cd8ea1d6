"""Whole-process runs of refsvc's checker for bench/link_check.py: ``check-links --once`` and Celery.

Each run gets a fresh SQLite registry of the benchmark's links (not timed), then the timed part is
a real process from start to exit: start-up, claims, checks and writes included.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(tmp: Path, name: str, args, **extra: str) -> dict[str, str]:
    """The settings of a checker process on a fresh SQLite file ``name`` under ``tmp``."""
    instance = tmp / f"instance-{name}"
    instance.mkdir(exist_ok=True)
    env = {**os.environ, "REFSVC_INSTANCE_PATH": str(instance),
           "REFSVC_DATABASE_URL": f"sqlite:///{instance / 'refsvc.sqlite'}",
           "REFSVC_ALLOW_PRIVATE_ADDRESSES": "1", "REFSVC_CHECK_HOST_SPACING": "0",
           "REFSVC_CHECK_CONCURRENCY": str(args.concurrency), "REFSVC_CHECK_PER_HOST": str(args.per_host),
           "REFSVC_CHECK_CANARY_URLS": "", "REFSVC_WAYBACK_API": "http://127.0.0.1:9/",
           "REFSVC_REDIS_URL": "", "REFSVC_CELERY_BROKER_URL": ""}
    env.update(extra)
    return env


def load_registry(env: dict[str, str], urls: list[str]) -> None:
    """Put ``urls`` in the registry of ``env``'s database (one resource each, all due)."""
    code = ("import sys; from refsvc import create_app; from refsvc.storage import get_database;"
            "from refsvc.storage import resources as store\n"
            "urls = sys.stdin.read().split()\n"
            "app = create_app()\n"
            "with get_database(app).transaction() as session:\n"
            "    for n, url in enumerate(urls):\n"
            "        store.create_resource(session, {'id': f'r{n}', 'name': 'Example charity',"
            " 'url': url})\n")
    subprocess.run([sys.executable, "-c", code], input="\n".join(urls), env=env, cwd=ROOT, check=True,
                   text=True, timeout=300)


def make_all_due(env: dict[str, str]) -> None:
    """Every resource of ``env``'s SQLite registry due now."""
    import sqlite3

    with sqlite3.connect(env["REFSVC_DATABASE_URL"][len("sqlite:///"):], timeout=30) as conn:
        conn.execute("UPDATE health_states SET next_check_at = '2000-01-01 00:00:00'")


def count_checked(env: dict[str, str]) -> int:
    """How many checks the registry of ``env`` holds (read here: no process to start)."""
    url = env["REFSVC_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url[len("sqlite:///"):], timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM checks").fetchone()[0]
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM checks").fetchone()[0]


def run_check_links(urls: list[str], tmp: Path, args, name: str, *, again: bool = False) -> dict:
    """``python -m refsvc.worker check-links --once`` over ``urls``, timed from process start to exit. ``again``: the
    registry ``name`` a first run checked, every resource made due (a later scheduled run)."""
    env = environment(tmp, name, args)
    if again:
        make_all_due(env)
    else:
        load_registry(env, urls)
    recorded = count_checked(env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "refsvc.worker", "check-links", "--once"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.max_seconds)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (user + system) of the process: what a busy machine's wall clock hides
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        sys.exit(f"check-links failed:\n{done.stdout[-1000:]}\n{done.stderr[-2000:]}")
    return {"wall": wall, "cpu": cpu, "checked": count_checked(env) - recorded,
            "summary": (done.stdout.strip().splitlines() or [""])[-1]}


def run_celery(urls: list[str], tmp: Path, args, workers: int, name: str) -> dict:
    """The check-links loop as scheduler and ``workers`` Celery workers (``--celery-threads`` each)
    on a Redis broker: seconds from the scheduler's start until every link is recorded."""
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    env = environment(tmp, name, args, REFSVC_CELERY_BROKER_URL=args.redis, REFSVC_REDIS_URL=args.redis)
    if args.celery_database:  # PostgreSQL, as a Celery deployment across machines would have
        env["REFSVC_DATABASE_URL"] = fresh_postgres(args.celery_database, name)
    load_registry(env, urls)
    procs = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "refsvc.worker.celery", "worker",
                               "--pool", "threads", "--concurrency", str(args.celery_threads),
                               "--without-heartbeat", "--without-gossip", "--without-mingle",
                               "-n", f"bench{n}@%h", "--loglevel", "WARNING"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for n in range(workers)]
    wait_until_ready(args.redis, workers, args.max_seconds)  # the workers are up before the clock starts
    start = time.perf_counter()
    scheduler = subprocess.Popen([sys.executable, "-m", "refsvc.worker", "check-links"],
                                 env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checked = 0
    try:
        while time.perf_counter() - start < args.max_seconds:
            checked = count_checked(env)
            if checked >= len(urls):
                break
            time.sleep(0.5)
        wall = time.perf_counter() - start
    finally:
        for proc in [scheduler, *procs]:
            proc.terminate()
        for proc in [scheduler, *procs]:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"wall": wall, "checked": checked}


def wait_until_ready(broker: str, workers: int, max_seconds: float) -> None:
    """Wait until ``workers`` Celery workers answer a ping on ``broker`` (a worker answers once its
    start-up, the page-reading processes included, is over); a fixed sleep would start the clock
    on a busy machine before they are."""
    from celery import Celery

    control = Celery("bench", broker=broker).control
    give_up = time.monotonic() + max_seconds
    while len(control.ping(timeout=0.5) or []) < workers:
        if time.monotonic() > give_up:
            sys.exit(f"{workers} Celery worker(s) did not answer within {max_seconds:.0f} s")
    time.sleep(0.5)  # the last pings' replies settle


def fresh_postgres(server: str, name: str) -> str:
    """A new, empty database on the PostgreSQL ``server`` URL (dropped first if it exists)."""
    import psycopg

    database = f"refsvc_bench_{name}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    return server.rsplit("/", 1)[0] + f"/{database}"
