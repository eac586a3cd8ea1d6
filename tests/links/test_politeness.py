"""Per-host politeness: a cap on requests at once, a spacing between them, and slowing after a 429."""
from __future__ import annotations

import threading
import time

from refsvc.links.politeness import HostPolicy, host_of


def run_threads(policy, host, n, hold=0.05):
    """n threads each take a slot on host, hold it a moment; returns the most that held one at once."""
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def work():
        with policy.slot(host):
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(hold)
            with lock:
                state["now"] -= 1
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["max"]


def test_no_more_than_the_per_host_limit_run_at_once():
    most = run_threads(HostPolicy(per_host=2, spacing=0), "a.example", 8)
    assert most == 2


def test_different_hosts_do_not_wait_for_each_other():
    policy = HostPolicy(per_host=1, spacing=10)
    assert policy.acquire("a.example") and policy.acquire("b.example", deadline=time.monotonic() + 0.1)


def test_requests_to_one_host_start_at_least_the_spacing_apart():
    policy = HostPolicy(per_host=4, spacing=30)
    assert policy.acquire("a.example")
    # slots are free, but the spacing is not over: the next request cannot start before its deadline
    assert policy.acquire("a.example", deadline=time.monotonic() + 0.05) is False
    assert 29 < policy.ready_in("a.example") <= 30 and policy.active("a.example") == 1


def test_acquire_gives_up_at_the_deadline_and_holds_nothing():
    policy = HostPolicy(per_host=1, spacing=0)
    assert policy.acquire("a.example")
    with policy.slot("a.example", deadline=time.monotonic() + 0.05) as got:
        assert got is False
    assert policy.active("a.example") == 1
    policy.release("a.example")
    assert policy.active("a.example") == 0


def test_a_429_holds_the_host_back_and_widens_its_spacing_until_good_answers_relax_it():
    policy = HostPolicy(per_host=2, spacing=0.0)
    policy.slow_down("a.example", 2)
    assert 1.5 < policy.ready_in("a.example") <= 2 and policy.spacing_of("a.example") == 2
    assert policy.ready_in("b.example") == 0 and policy.spacing_of("b.example") == 0
    policy.slow_down("a.example", None)
    assert policy.spacing_of("a.example") == 4  # repeated 429s back off further
    for _ in range(20):
        policy.relax("a.example")
    assert policy.spacing_of("a.example") == 0.0


def test_the_slowdown_is_capped():
    policy = HostPolicy(spacing=1, max_spacing=5)
    policy.slow_down("a.example", 3600)
    assert policy.spacing_of("a.example") == 5 and policy.ready_in("a.example") <= 5


def test_host_of_ignores_port_and_case_and_survives_bad_urls():
    assert host_of("https://WWW.Example.org:8443/x") == "www.example.org"
    assert host_of("http://[::1") == ""


# -- shared across processes -------------------------------------------------------------------

import multiprocessing  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402

import pytest  # noqa: E402

from refsvc.links.gates import FileGate, RedisGate  # noqa: E402
from refsvc.links.politeness import SharedHostPolicy, policy_for  # noqa: E402

SPACING = 0.2
CLOCK = 0.002  # s: Redis's clock counts whole milliseconds (the others are finer)


class Witness:
    """A gate, with the moments around each slot it grants: (asked, answered) brackets the instant the
    gate decided, however long a loaded machine keeps this thread off the CPU on either side."""

    def __init__(self, gate, out) -> None:
        self.gate, self.out = gate, out

    def try_acquire(self, host, limit, spacing, lease):
        asked = time.time()
        holder, wait = self.gate.try_acquire(host, limit, spacing, lease)
        if holder is not None:
            self.out.put(("granted", asked, time.time()))
        return holder, wait

    def release(self, host, holder):
        self.gate.release(host, holder)

    def slow(self, *args, **kwargs):
        self.gate.slow(*args, **kwargs)

    def close(self):
        self.gate.close()


def hammer(make_gate, host, rounds, out, hold=0.04):
    """One "process": 4 threads each take a slot on ``host`` ``rounds`` times; the gate's grants and
    each slot's (start, end) as the thread saw them go to out."""
    policy = SharedHostPolicy(Witness(make_gate(), out), per_host=2, spacing=SPACING)

    def work():
        for _ in range(rounds):
            with policy.slot(host, time.monotonic() + 30) as got:
                assert got
                start = time.time()
                time.sleep(hold)
                out.put(("held", start, time.time()))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def collect(out, count, timeout):
    """``count`` grants and ``count`` holds from ``out``."""
    found = {"granted": [], "held": []}
    for _ in range(2 * count):
        kind, start, end = out.get(timeout=timeout)
        found[kind].append((start, end))
    return found


def check_spans(found):
    """Two grants are never closer than the spacing, and never more than two slots are held at once.

    Both are judged by what a delay cannot fake. The gate decided each grant inside its bracket,
    and whichever of two came first, the later decision was at least the spacing after it: so
    one bracket's end lies at least the spacing after the other's start. A thread kept off the CPU
    widens a bracket (the check asks less of it), never narrows one; without shared limits two
    processes' grants fall within milliseconds of each other and fail it. The same holds of the
    in-flight count: a thread's (start, end) lies within the time it held its slot.
    """
    grants = found["granted"]
    for n, (asked, answered) in enumerate(grants):
        for other_asked, other_answered in grants[n + 1:]:
            apart = max(other_answered - asked, answered - other_asked)
            assert apart >= SPACING - CLOCK, (asked, answered, other_asked, other_answered)
    spans = sorted(found["held"])
    most = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert most <= 2


def test_three_processes_sharing_a_lock_file_keep_one_hosts_limits(tmp_path):
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    path = str(tmp_path / "db.sqlite.politeness")
    procs = [context.Process(target=hammer, args=(lambda: FileGate(path), "example.org", 3, out))
             for _ in range(3)]
    for p in procs:
        p.start()
    found = collect(out, 3 * 4 * 3, timeout=60)
    for p in procs:
        p.join(10)
    check_spans(found)


def test_a_killed_process_frees_its_lock_file_slots_at_once(tmp_path):
    path = str(tmp_path / "db.sqlite.politeness")
    context = multiprocessing.get_context("fork")
    ready = context.Event()

    def hold_both():
        gate = FileGate(path)
        assert gate.try_acquire("example.org", 2, 0, 60)[0] and gate.try_acquire("example.org", 2, 0, 60)[0]
        ready.set()
        time.sleep(60)
    child = context.Process(target=hold_both)
    child.start()
    assert ready.wait(20)
    gate = FileGate(path)
    assert gate.try_acquire("example.org", 2, 0, 60)[0] is None  # both slots held elsewhere
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert gate.try_acquire("example.org", 2, 0, 60)[0] is not None


def test_two_processes_sharing_redis_keep_one_hosts_limits(redis_url):
    out = multiprocessing.get_context("fork").Queue()
    threads = [threading.Thread(target=hammer, args=(lambda: RedisGate(redis_url), "example.org", 3, out))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check_spans(collect(out, 2 * 4 * 3, timeout=5))


def test_a_redis_slot_whose_holder_died_lapses_with_its_lease(redis_url):
    gate = RedisGate(redis_url)
    assert gate.try_acquire("example.org", 1, 0, 0.3)[0] is not None  # never given back
    assert gate.try_acquire("example.org", 1, 0, 0.3)[0] is None
    time.sleep(0.35)
    assert gate.try_acquire("example.org", 1, 0, 0.3)[0] is not None


@pytest.mark.both_databases
def test_two_processes_sharing_the_database_keep_one_hosts_limits(database_url):
    from refsvc.storage.db import Database
    from refsvc.storage.hostslots import DatabaseGate

    Database(database_url).upgrade()
    out = multiprocessing.get_context("fork").Queue()
    threads = [threading.Thread(target=hammer, args=(lambda: DatabaseGate(database_url), "example.org", 3, out))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    check_spans(collect(out, 2 * 4 * 3, timeout=5))


def test_a_429_slows_the_host_for_every_process(redis_url):
    first = SharedHostPolicy(RedisGate(redis_url), per_host=2, spacing=0)
    second = SharedHostPolicy(RedisGate(redis_url), per_host=2, spacing=0)
    first.slow_down("example.org", retry_after=0.5)
    started = time.monotonic()
    with second.slot("example.org", time.monotonic() + 5) as got:
        assert got
    assert time.monotonic() - started >= 0.4


def test_the_policy_is_shared_through_redis_else_the_database(tmp_path, redis_url):
    from refsvc.storage.db import Database

    settings = {"CHECK_PER_HOST": 2, "CHECK_HOST_SPACING": 1.0, "CHECK_TIMEOUT": 20, "REDIS_URL": ""}
    assert isinstance(policy_for({**settings, "REDIS_URL": redis_url}).gate, RedisGate)
    sqlite = Database(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert isinstance(policy_for(settings, sqlite).gate, FileGate)
    assert type(policy_for(settings)) is HostPolicy  # no database: this process only


def test_checks_go_on_by_the_local_limits_while_redis_is_away():
    import socket as sockets

    with sockets.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here: refused
    policy = SharedHostPolicy(RedisGate(f"redis://127.0.0.1:{port}/0"), per_host=1, spacing=0)
    started = time.monotonic()
    for _ in range(5):
        with policy.slot("example.org", time.monotonic() + 5) as got:
            assert got
    assert time.monotonic() - started < 3  # not a connect timeout for every request
    assert policy._gate_down  # and said so (logged once)
