"""The checker as operators scale it out: several checker processes and real Celery workers sharing a
database (and Redis), against loopback hosts that record every request. Slow (real processes)."""
from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest

from refsvc.storage import utcnow
from tests.worker.fleet import (RecordingHost, broker_idle, celery_worker, check_links,
                                checks_per_resource, claims_left, environment, fall_due, registry,
                                started, stop, wait_for)

SPACING = 0.5
TOLERANCE = SPACING / 2  # s: two requests to one host may arrive this much closer than the spacing.
# The gate spaces the moments slots are taken; a process may be kept off the CPU a while between
# taking its slot and its request reaching the server. Without shared limits the gaps are 0 s, and
# the median gap must keep the spacing all but 0.05 s.
POLL = 30  # s: the longest a checker with nothing due sleeps before it looks again (run_forever)
READY = {"checker": "Checking links as", "worker": " ready."}  # what each process logs once it is up


@pytest.fixture
def host():
    server = RecordingHost("127.0.0.7", delay=0.1)
    yield server
    server.close()


@pytest.mark.parametrize("shared_through", ["redis", "database"])
def test_three_checkers_and_two_celery_workers_keep_one_hosts_limits_and_check_each_once(
        tmp_path, redis_url, host, shared_through):
    database_url = f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
    urls = [host.base + f"/r/{n}" for n in range(30)]
    registry(database_url, urls, tmp_path)
    fall_due(database_url, utcnow() + timedelta(hours=1))  # nothing due while the processes start
    env = environment(tmp_path, database_url, CHECK_PER_HOST=2, CHECK_HOST_SPACING=SPACING,
                      CHECK_LEASE_SECONDS=20,
                      REDIS_URL=redis_url if shared_through == "redis" else "")
    broker = {**env, "REFSVC_CELERY_BROKER_URL": redis_url}
    procs = [celery_worker(broker, tmp_path / f"worker{n}.log", f"w{n}") for n in range(2)]
    # small batches, so that every process gets a share of the work
    procs.append(check_links(broker, tmp_path / "scheduler.log", "--batch-size", "2"))  # queues
    procs += [check_links(env, tmp_path / f"checker{n}.log", "--batch-size", "2") for n in range(3)]
    ready = [(tmp_path / f"worker{n}.log", READY["worker"]) for n in range(2)] + \
        [(tmp_path / f"{name}.log", READY["checker"])
         for name in ("scheduler", "checker0", "checker1", "checker2")]
    try:
        # Every process up before any work: on a loaded machine six interpreters starting take
        # long, and one up early would do the work alone, while the others' start-up crowds the CPU
        # (and a process stopped before its SIGTERM handler is set would die of it).
        assert wait_for(lambda: all(started(log, line) for log, line in ready), 300, every=1), \
            {log.name: log.read_text()[-500:] for log, _ in ready}
        # Then the work falls due at one moment for all: each checker, asleep at most POLL s,
        # wakes before it and then sleeps until it.
        fall_due(database_url, utcnow() + timedelta(seconds=POLL + 2))
        assert wait_for(lambda: sum(checks_per_resource(database_url).values()) >= len(urls),
                        POLL + 2 + 120, every=1)
    finally:
        codes = stop(procs)  # each finishes and writes what it holds: anything checked twice shows
    assert codes[2:] == [0, 0, 0, 0]  # the scheduler and the checkers stop cleanly on SIGTERM
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert "succeeded" in logs["worker0.log"] + logs["worker1.log"]  # the workers did check
    assert host.most <= 2, f"{host.most} requests in flight at once on a host whose limit is 2"
    gaps = sorted(host.gaps())
    assert gaps[0] >= SPACING - TOLERANCE, gaps[:5]
    assert gaps[len(gaps) // 2] >= SPACING - 0.05, gaps
    assert checks_per_resource(database_url) == {f"r{n}": 1 for n in range(len(urls))}
    assert all(host.paths[f"/r/{n}"] == 1 for n in range(len(urls))), host.paths
    assert claims_left(database_url) == 0


def test_a_celery_backlog_many_leases_long_checks_every_resource_once(tmp_path, redis_url):
    hosts = [RecordingHost(f"127.0.0.{n}", delay=0.25) for n in (11, 12, 13, 14)]
    try:
        database_url = f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
        urls = [hosts[n % 4].base + f"/r/{n}" for n in range(60)]
        registry(database_url, urls, tmp_path)
        # 60 checks of 0.25 s on 2 single-threaded workers: about 8 s of queue, 5 leases of 1.5 s
        env = environment(tmp_path, database_url, CHECK_HOST_SPACING=0, CHECK_LEASE_SECONDS=1.5,
                          CELERY_BROKER_URL=redis_url, REDIS_URL=redis_url)
        procs = [celery_worker(env, tmp_path / f"worker{n}.log", f"w{n}", concurrency=1)
                 for n in range(2)]
        procs.append(check_links(env, tmp_path / "scheduler.log", "--batch-size", "10"))
        try:
            assert wait_for(lambda: sum(checks_per_resource(database_url).values()) >= len(urls), 150)
            # Then every task still queued runs (a duplicate would check its resource again) before
            # the workers stop: nothing queued or unacknowledged, and no claim left to queue more.
            assert wait_for(lambda: broker_idle(redis_url) and claims_left(database_url) == 0, 60), \
                (tmp_path / "scheduler.log").read_text()[-3000:]
        finally:
            stop(procs)
        assert checks_per_resource(database_url) == {f"r{n}": 1 for n in range(len(urls))}
        fetched = sum((h.paths for h in hosts), start=type(hosts[0].paths)())
        assert all(fetched[f"/r/{n}"] == 1 for n in range(len(urls))), "a queued check ran twice"
        assert claims_left(database_url) == 0
    finally:
        for h in hosts:
            h.close()


def test_a_checker_killed_mid_round_loses_nothing_written_and_the_next_run_picks_up_its_claims(
        tmp_path):
    hosts = [RecordingHost(f"127.0.0.{n}", delay=0.3) for n in (21, 22, 23)]
    try:
        database_url = f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
        urls = [hosts[n % 3].base + f"/r/{n}" for n in range(30)]
        registry(database_url, urls, tmp_path)
        env = environment(tmp_path, database_url, CHECK_PER_HOST=1, CHECK_HOST_SPACING=0,
                          CHECK_LEASE_SECONDS=3)
        first = check_links(env, tmp_path / "first.log", "--once")
        assert wait_for(lambda: sum(checks_per_resource(database_url).values()) >= 5, 90)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        written = checks_per_resource(database_url)
        assert claims_left(database_url) > 0  # it died holding claims
        started = time.monotonic()
        second = check_links(env, tmp_path / "second.log", "--once")
        assert second.wait(120) == 0
        output = (tmp_path / "second.log").read_text()
        assert "Nothing was due" not in output, output[-3000:]
        assert time.monotonic() - started < 60  # the dead checker's claims lapsed within its lease
        after = checks_per_resource(database_url)
        assert after == {f"r{n}": 1 for n in range(len(urls))}  # nothing twice, nothing missing
        assert all(after[key] == 1 for key in written)  # what was written before the kill stands
        assert claims_left(database_url) == 0
    finally:
        for h in hosts:
            h.close()


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_the_checker_loop_survives_a_database_outage_and_writes_what_it_checked_meanwhile(
        tmp_path, database_url):
    from sqlalchemy.engine import make_url

    from tests.faults.proxy import TcpProxy

    hosts = [RecordingHost(f"127.0.0.{n}", delay=0.4) for n in (31, 32, 33, 34)]
    url = make_url(database_url)
    proxy = TcpProxy((url.host, url.port or 5432))
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        urls = [hosts[n % 4].base + f"/r/{n}" for n in range(48)]
        registry(database_url, urls, tmp_path)
        env = environment(tmp_path, through_proxy, CHECK_PER_HOST=1, CHECK_HOST_SPACING=0,
                          CHECK_LEASE_SECONDS=30)
        checker = check_links(env, tmp_path / "checker.log", "--batch-size", "4")
        try:
            assert wait_for(lambda: sum(checks_per_resource(database_url).values()) >= 8, 90)
            proxy.refuse()  # the database is gone for 5 s, mid-round
            time.sleep(5)
            assert checker.poll() is None, (tmp_path / "checker.log").read_text()[-3000:]
            proxy.forward()
            assert wait_for(lambda: sum(checks_per_resource(database_url).values()) >= len(urls), 120)
            assert checker.poll() is None  # it lived through the outage (and stops cleanly: codes)
        finally:
            codes = stop([checker])
        log = (tmp_path / "checker.log").read_text()
        assert codes == [0], log[-3000:]
        assert "the database is unavailable" in log and "the database is back after" in log
        assert "kept through the database outage" in log  # checks finished meanwhile were kept
        assert checks_per_resource(database_url) == {f"r{n}": 1 for n in range(len(urls))}
        assert claims_left(database_url) == 0
    finally:
        proxy.close()
        for h in hosts:
            h.close()


def test_a_second_once_run_reads_the_first_runs_soft_404_probe_instead_of_probing_again(tmp_path):
    site = RecordingHost("127.0.0.41", delay=0)
    try:
        database_url = f"sqlite:///{tmp_path / 'refsvc.sqlite'}"
        registry(database_url, [site.base + f"/r/{n}" for n in range(4)], tmp_path)
        env = environment(tmp_path, database_url)
        for run in ("first", "second"):
            process = check_links(env, tmp_path / f"{run}.log", "--once")
            assert process.wait(60) == 0, (tmp_path / f"{run}.log").read_text()[-2000:]
            fall_due(database_url, utcnow())  # everything due again, as a day later
        links = {f"/r/{n}" for n in range(4)}
        probes = sum(count for path, count in site.paths.items() if path not in links)
        assert probes == 1, site.paths  # made by the first run; the second read its answer
        assert checks_per_resource(database_url) == {f"r{n}": 2 for n in range(4)}
    finally:
        site.close()
