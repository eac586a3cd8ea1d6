"""The checker's loop with a stand-in check function: claims, records, schedules, releases, prunes.

The stand-in replaces only the network part (refsvc.links.runner.check_many); the database, the
claims and the health rules are the real ones, on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from refsvc.links.tracking import Tracker
from refsvc.storage import get_database
from refsvc.storage import checks as check_store
from refsvc.storage import resources as store
from refsvc.worker.checker import Checker, Summary


pytestmark = pytest.mark.both_databases


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Result:
    key: str
    url: str
    outcome: str

    def to_dict(self):
        if self.outcome == "explode":
            raise RuntimeError("a strange answer")
        return {"url": self.url, "outcome": self.outcome, "reason": f"said {self.outcome}",
                "status_code": 200, "elapsed_ms": 50}


class FakeChecks:
    """Stands in for check_many: answers each job with the outcome set for it ("ok" by default)."""

    def __init__(self, outcomes=None, *, pause: threading.Event | None = None,
                 started: threading.Event | None = None, crash_after: int | None = None):
        self.outcomes, self.seen = dict(outcomes or {}), []
        self.pause, self.started, self.crash_after = pause, started, crash_after
        self.options = None

    def __call__(self, jobs, **options):
        # kept for the test to check: an assert here would be caught by the checker's guard
        # against a runner that fails, and logged rather than fail the test
        self.options = options
        for n, job in enumerate(jobs):
            if n == 0 and self.started:  # jobs are claimed as they are read: the first is claimed
                self.started.set()
            if n == 0 and self.pause:
                self.pause.wait(10)
            if self.crash_after is not None and n == self.crash_after:
                raise RuntimeError("the runner fell over")
            self.seen.append(job.key)
            yield Result(job.key, job.url, self.outcomes.get(job.key, "ok"))


def job(resource):
    return SimpleNamespace(key=resource.id, url=resource.url)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def database(app, clock):
    database = get_database(app)
    with database.transaction() as session:
        for name in ("alpha", "beta", "gamma"):
            store.create_resource(session, {"id": name, "name": name.title(), "url":
                                            f"https://{name}.example.org/"}, now=clock())
    yield database
    database.dispose()


def checker(app, clock, checks, **options):
    tracker = Tracker(get_database(app), app.config, client=object(), clock=clock)
    return Checker(tracker, check_many=checks, make_job=job, clock=clock, **options)


def state(database, resource_id):
    with database.transaction() as session:
        return check_store.get_state(session, resource_id)


def test_a_run_checks_each_due_resource_once_and_records_its_health(app, clock, database):
    checks = FakeChecks({"beta": "server_error"})
    summary = checker(app, clock, checks).run_once()
    assert sorted(checks.seen) == ["alpha", "beta", "gamma"]
    assert {"client", "concurrency", "per_host", "host_spacing", "deadline_seconds"} <= set(checks.options)
    assert summary.checked == 3 and summary.outcomes == {"ok": 2, "server_error": 1}
    assert state(database, "alpha").health == "healthy"
    assert state(database, "beta").health == "failing"
    assert "Checked 3 resources" in summary.text()


def test_it_schedules_healthy_ones_a_day_later_and_failing_ones_an_hour_later(app, clock, database):
    checker(app, clock, FakeChecks({"beta": "timeout"})).run_once()
    assert clock.now + timedelta(hours=21) < state(database, "alpha").next_check_at
    assert state(database, "beta").next_check_at <= clock.now + timedelta(minutes=66)
    clock.advance(hours=2)
    again = FakeChecks({"beta": "timeout"})
    checker(app, clock, again).run_once()
    assert again.seen == ["beta"]  # only the failing one was due again


def test_resources_not_due_and_inactive_ones_are_left_alone(app, clock, database):
    with database.transaction() as session:
        store.get_resource(session, "alpha").state.next_check_at = clock.now + timedelta(hours=1)
        store.get_resource(session, "beta").active = False
    checks = FakeChecks()
    checker(app, clock, checks).run_once()
    assert checks.seen == ["gamma"]


def test_two_checkers_never_take_the_same_resource(app, clock, database):
    pause, started = threading.Event(), threading.Event()
    first = FakeChecks(pause=pause, started=started)
    thread = threading.Thread(target=checker(app, clock, first, worker_id="one").run_once)
    thread.start()
    assert started.wait(10)  # the first checker holds its claims and is checking
    second = FakeChecks()
    assert checker(app, clock, second, worker_id="two").run_round(Summary()) == (0, 0)
    pause.set()
    thread.join(10)
    assert second.seen == []
    assert sorted(first.seen) == ["alpha", "beta", "gamma"]


def test_a_dead_checkers_claims_are_taken_over_when_their_lease_ends(app, clock, database):
    with database.transaction() as session:
        check_store.claim_due(session, "crashed", clock.now, limit=10, lease_seconds=300)
    assert FakeChecks().seen == []
    nothing = FakeChecks()
    assert checker(app, clock, nothing).run_round(Summary()) == (0, 0)
    assert nothing.seen == []
    clock.advance(seconds=301)
    later = FakeChecks()
    checker(app, clock, later).run_once()
    assert sorted(later.seen) == ["alpha", "beta", "gamma"]


def test_a_result_that_cannot_be_recorded_does_not_lose_the_others(app, clock, database):
    summary = checker(app, clock, FakeChecks({"beta": "explode"})).run_once()
    # beta is given back and tried once more in the same run, then left due for the next run
    assert summary.checked == 2 and summary.errors == 2
    assert state(database, "beta").claimed_by is None  # given back, still due
    assert state(database, "beta").next_check_at <= clock.now


def test_a_once_run_takes_claims_that_lapse_between_its_round_and_its_look_at_other_claims(
        app, clock, database):
    """The dead holder's lease ends just after a round found nothing claimable: still checked."""
    with database.transaction() as session:
        check_store.claim_due(session, "crashed", clock.now, limit=10, lease_seconds=3)

    class Late(Checker):
        def _claimed_elsewhere(self, summary):
            clock.advance(seconds=4)  # the lease ends while this checker looks
            return super()._claimed_elsewhere(summary)

    checks = FakeChecks()
    tracker = Tracker(get_database(app), app.config, client=object(), clock=clock)
    summary = Late(tracker, check_many=checks, make_job=job, clock=clock).run_once()
    assert sorted(checks.seen) == ["alpha", "beta", "gamma"] and summary.checked == 3


def test_a_runner_crash_gives_back_the_unchecked_claims(app, clock, database):
    summary = Summary()
    assert checker(app, clock, FakeChecks(crash_after=1)).run_batch(summary) == (3, 1)
    unchecked = [r for r in ("alpha", "beta", "gamma") if state(database, r).last_checked_at is None]
    assert len(unchecked) == 2
    assert all(state(database, r).claimed_by is None for r in unchecked)


def test_history_older_than_history_days_is_pruned(app, clock, database):
    checker(app, clock, FakeChecks()).run_once()
    clock.advance(days=401)
    summary = checker(app, clock, FakeChecks()).run_once()
    assert summary.pruned == 3
    with database.transaction() as session:
        assert check_store.history(session, "alpha")[1] == 1


def test_the_loop_stops_cleanly_when_asked(app, clock, database):
    stop = threading.Event()

    class StopAfterOne(FakeChecks):
        def __call__(self, jobs, **options):
            yield from super().__call__(jobs, **options)
            stop.set()  # what the SIGTERM handler does
    checks = StopAfterOne()
    summary = checker(app, clock, checks).run_forever(stop, poll_seconds=0.01)
    assert summary.checked == 3 and stop.is_set()


def test_an_offline_run_records_nothing_against_the_links_and_stops_after_its_first_batch(
        app, clock, database):
    from refsvc.links.offline import Connectivity

    canary_calls = []

    def canary(url):  # the configured canary does not answer either
        canary_calls.append(url)
        return False
    checks = FakeChecks({name: "dns_error" for name in ("alpha", "beta", "gamma")})
    run = checker(app, clock, checks, batch_size=1,
                  connectivity=Connectivity(canary, ["http://canary.invalid/"]))
    summary = run.run_once()
    assert len(checks.seen) == 1 and canary_calls == ["http://canary.invalid/"]
    assert summary.outcomes == {"checker_offline": 1} and summary.looked_offline
    assert summary.text().startswith("WARNING: the checker looks offline: 2 of 2 hosts unreachable")
    first = checks.seen[0]
    assert state(database, first).health == "unknown" and state(database, first).failures == 0
    rest = [r for r in ("alpha", "beta", "gamma") if r != first]
    assert all(state(database, r).last_checked_at is None for r in rest)  # left due, unclaimed
    assert all(state(database, r).claimed_by is None for r in rest)


def test_failures_on_too_few_hosts_to_tell_still_count_without_a_canary(app, clock, database):
    summary = checker(app, clock, FakeChecks({"alpha": "dns_error", "beta": "timeout",
                                              "gamma": "refused_address"})).run_once()
    assert not summary.looked_offline  # two unreachable hosts: not enough to blame the checker
    assert state(database, "alpha").health == "failing" and state(database, "beta").health == "failing"


def test_a_result_is_written_only_under_the_claim_it_was_checked_under(app, clock, database):
    tracker = Tracker(database, app.config, client=object(), clock=clock)
    with database.transaction() as session:
        old, _ = check_store.claim_ids(session, "one", ["alpha"], clock.now, lease_seconds=60)
    clock.advance(seconds=61)  # the first holder's lease ran out and another checker took it over
    with database.transaction() as session:
        new, taken = check_store.claim_due(session, "two", clock.now, limit=1, lease_seconds=60)
    assert [r.id for r in taken] == ["alpha"]
    result = {"url": "https://alpha.example.org/", "outcome": "ok", "reason": "fine"}
    assert tracker.record("alpha", result, old) is None  # the late holder writes nothing
    assert tracker.record("alpha", result, new) is not None
    assert tracker.record("alpha", result, new) is None  # writing ended the claim: once only
    with database.transaction() as session:
        assert check_store.history(session, "alpha")[1] == 1


def test_the_heartbeat_keeps_a_claim_alive_and_a_dead_checkers_claim_lapses(app, clock, database):
    from refsvc.worker.claims import Heartbeat

    with database.transaction() as session:
        live, _ = check_store.claim_ids(session, "live", ["alpha"], clock.now, lease_seconds=60)
        check_store.claim_ids(session, "dead", ["beta"], clock.now, lease_seconds=60)
    heartbeat = Heartbeat(database, 60, clock)
    heartbeat.add(live)
    clock.advance(seconds=45)
    heartbeat.beat()
    clock.advance(seconds=30)  # 75 s after the claims: only the renewed one still holds
    checks = FakeChecks()
    checker(app, clock, checks).run_round(Summary())
    assert sorted(checks.seen) == ["beta", "gamma"]
    assert state(database, "alpha").claimed_by == live


def test_an_idle_loop_sleeps_until_a_claim_elsewhere_lapses_instead_of_polling(app, clock, database):
    with database.transaction() as session:
        for name in ("alpha", "beta", "gamma"):  # all due, all held by a live checker
            check_store.claim_ids(session, "elsewhere", [name], clock.now, lease_seconds=60)
        assert check_store.next_due_at(session) == clock.now + timedelta(seconds=60)
        check_store.release(session, check_store.claimed_elsewhere(session, clock.now)["beta"][0])
        assert check_store.next_due_at(session) == clock.now  # beta is due and free


def test_check_links_by_id_and_all_check_at_once_whether_due_or_not(app, clock, database):
    checker(app, clock, FakeChecks()).run_once()  # everything checked: nothing due for a day
    one = FakeChecks()
    summary = Summary()
    assert checker(app, clock, one).run_ids(["beta"], summary) == (1, 1, 1)
    assert one.seen == ["beta"] and summary.checked == 1
    every = FakeChecks()
    assert checker(app, clock, every).run_ids(None, Summary())[1:] == (3, 3)
    assert sorted(every.seen) == ["alpha", "beta", "gamma"]


def test_results_the_database_refused_are_kept_and_written_when_it_returns(app, clock, database):
    from sqlalchemy.exc import OperationalError

    run = checker(app, clock, FakeChecks())
    real = run.tracker.record_many
    down = {"on": True}

    def flaky(items):
        if down["on"]:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(items)
    run.tracker.record_many = flaky
    summary = Summary()
    assert run.run_round(summary) == (3, 0)
    assert len(run.unwritten) == 3 and summary.checked == 0
    assert state(database, "alpha").claimed_by is not None  # still ours, not given back
    down["on"] = False
    assert run._flush(summary)
    assert summary.checked == 3 and len(run.unwritten) == 0
    assert all(state(database, r).claimed_by is None and state(database, r).health == "healthy"
               for r in ("alpha", "beta", "gamma"))


def test_it_gives_claims_back_and_stops_when_the_broker_refuses(app):
    """A --once run with the broker down ends (it used to claim, fail and re-claim for ever)."""
    from types import SimpleNamespace

    from refsvc.links.tracking import Tracker
    from refsvc.storage import get_database
    from refsvc.storage import checks as check_store
    from refsvc.storage import resources as store
    from refsvc.worker.checker import Checker

    database = get_database(app)
    with database.transaction() as session:
        for name in ("alpha", "beta"):
            store.create_resource(session, {"id": name, "name": name,
                                            "url": f"https://{name}.example.org/"})

    def enqueue(key, token):
        raise ConnectionError("broker down")
    checker = Checker(Tracker(database, app.config, client=object()),
                      check_many=lambda jobs, **_: [],
                      make_job=lambda r: SimpleNamespace(key=r.id, url=r.url), enqueue=enqueue)
    summary = checker.run_once()
    assert summary.queued == 0
    with database.transaction() as session:  # nothing stranded: both are due again at once
        assert check_store.count_due(session, checker.clock()) == 2


def test_a_celery_scheduler_queues_its_claims_as_tasks_of_several_resources_under_one_token(app):
    from types import SimpleNamespace

    from refsvc.links.tracking import Tracker
    from refsvc.storage import get_database
    from refsvc.storage import resources as store
    from refsvc.worker.checker import Checker

    database = get_database(app)
    with database.transaction() as session:
        for n in range(10):
            store.create_resource(session, {"id": f"r{n}", "name": "R", "url": f"https://r{n}.example.org/"})
    tasks = []
    checker = Checker(Tracker(database, app.config, client=object()), check_many=lambda jobs, **_: [],
                      make_job=lambda r: SimpleNamespace(key=r.id, url=r.url),
                      enqueue=lambda ids, token: tasks.append((ids, token)), task_size=4)
    summary = checker.run_once()
    assert summary.queued == 10
    assert [len(ids) for ids, _ in tasks] == [4, 4, 2] and len({token for _, token in tasks}) == 1
    assert sorted(rid for ids, _ in tasks for rid in ids) == sorted(f"r{n}" for n in range(10))
