"""Recording checks: store a result, move the resource's health, schedule its next check, notify.

The Tracker is shared by the checker process (batches from the runner), the API's "check now" and
the Celery task. A check that failed at the network level on its own is first put to the canaries
(refsvc.links.offline): when they do not answer either, it is recorded as ``checker_offline``.
Each result is one transaction; a health change then fires a webhook (queued, never waited on) and,
for a link newly broken, looks up a Wayback Machine snapshot to suggest as its replacement.
"""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from refsvc import metrics
from refsvc.links import description_check
from refsvc.links import health as health_rules
from refsvc.links import offline
from refsvc.links.wayback import closest_snapshot
from refsvc.links.webhooks import WebhookDispatcher, guarded_sender
from refsvc.storage import Check, Database, HealthState, utcnow
from refsvc.storage import checks as check_store
from refsvc.storage import resources as store

log = logging.getLogger(__name__)
_KEY = "refsvc.tracker"
HOST_POOLS = 256


def make_client(settings: Mapping[str, Any]) -> Any:
    """The guarded client the checker and webhooks use, configured from the settings."""
    from refsvc.metadata.http import client_from_settings

    # Connection pools for many more hosts than checks at once: the runner takes hosts in turn, and
    # an LRU of pools smaller than that cycle throws each host's pool (and its open connections)
    # away just before the host's next check. A pool holds no more than the per-host limit.
    return client_from_settings(settings, pool_maxsize=max(int(settings["CHECK_CONCURRENCY"]) * 8, HOST_POOLS))


def state_of(row: HealthState) -> health_rules.State:
    """The pure health state of a stored row."""
    return health_rules.State(health=row.health, since=row.health_since, failures=row.failures,
                              successes=row.successes, first_failure_at=row.first_failure_at,
                              warnings=tuple(row.warnings or ()))


class Tracker:
    """Turns check results into stored history, health, schedule, webhooks and suggestions."""

    def __init__(self, database: Database, settings: Mapping[str, Any], *, client: Any = None,
                 webhooks: WebhookDispatcher | None = None,
                 clock: Callable[[], datetime] = utcnow, rng: random.Random | None = None) -> None:
        self.database, self.settings = database, settings
        self.policy = health_rules.Policy.from_settings(settings)
        self._client = client
        self._hosts: Any = None
        self._soft404: Any = None
        self._connectivity: offline.Connectivity | None = None
        self.pages: Any = None  # a reading.PagePool once read_in_processes() ran; None: read here
        self.clock, self.rng = clock, rng or random.Random()
        self.webhooks = webhooks or WebhookDispatcher(
            settings["WEBHOOK_URLS"], settings["WEBHOOK_SECRET"],
            lambda url, body, headers: guarded_sender(self.client)(url, body, headers))

    @property
    def client(self) -> Any:
        """The guarded client, made on first use."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    def record(self, resource_id: str, result: dict[str, Any], token: str | None = None) -> Check | None:
        """Store one result (``CheckResult.to_dict()``); None if the resource has gone meanwhile,
        or if ``token`` (the claim the check was made under) no longer holds it."""
        return self.record_many([(resource_id, result, token)])[resource_id]

    def record_many(self, items: list[tuple[str, dict[str, Any], str | None]]) -> dict[str, Check | None]:
        """Store several results (resource id, result, claim token or None) in one transaction.

        Each is written only if its token still holds the claim (compare-and-set; writing ends the
        claim), so the check made under a claim that passed to another checker is not written: its
        id maps to None, as does a resource gone meanwhile. Resource ids must be distinct.
        """
        now = self.clock()
        description_check.read_ahead(self.database, [(rid, result) for rid, result, _ in items], now,
                                     self.pages)
        done: dict[str, Check | None] = {resource_id: None for resource_id, _, _ in items}
        after_commit = []
        with self.database.transaction() as session:
            # ending the claims first also takes SQLite's write lock: the reads below are current
            ended = check_store.end_claims(session, [(rid, token) for rid, _, token in items if token])
            mine = [(rid, result) for rid, result, token in items if token is None or rid in ended]
            rows = check_store.states_of(session, [rid for rid, _ in mine], for_update=True)
            description_check.prepare(session, list(rows))  # their description states, in two queries
            entries = []
            for resource_id, result in mine:
                row = rows.get(resource_id)
                if row is None:
                    continue
                before = state_of(row)
                after = health_rules.advance(before, result, now, self.policy)
                next_at = health_rules.next_check_at(
                    after, now, self.policy, self.rng,
                    soon=result.get("outcome") == health_rules.CHECKER_OFFLINE)
                if result.get("retry_after"):  # the site asked us to wait: honour it
                    next_at = max(next_at, now + timedelta(seconds=float(result["retry_after"])))
                fields = {"health": after.health, "health_since": after.since,
                          "failures": after.failures, "successes": after.successes,
                          "first_failure_at": after.first_failure_at, "warnings": list(after.warnings)}
                if after.health != "broken":
                    fields.update(wayback_url=None, wayback_timestamp=None)
                described = description_check.after_check(session, row.resource, result, now,
                                                          self.settings)
                entries.append((row, result, fields, next_at, before, after, described))
            checks = check_store.record_checks(session, [(row, result, fields, next_at)
                                                         for row, result, fields, next_at, _, _, _ in entries], now)
            for (row, _, _, _, before, after, described), check in zip(entries, checks):
                done[row.resource_id] = check
                resource = row.resource
                event = None
                if health_rules.changed(before, after):
                    event = {"event": "resource.health_changed",
                             "resource": {"id": resource.id, "name": resource.name, "url": resource.url},
                             "previous": before.health, "health": after.health, "at": now.isoformat(),
                             "check": {"id": check.id, "outcome": check.outcome, "reason": check.reason,
                                       "status_code": check.status_code}}
                needs_snapshot = after.health == "broken" and not row.wayback_url
                after_commit.append((resource.id, resource.url, before.first_failure_at or now,
                                     needs_snapshot, event, described, check.outcome))
        for resource_id, url, last_good, needs_snapshot, event, described, outcome in after_commit:
            if needs_snapshot:
                snapshot = self.suggest_replacement(resource_id, url, last_good)
                if event is not None and snapshot is not None:
                    event["suggested_replacement"] = {"url": snapshot.url,
                                                      "timestamp": snapshot.timestamp}
            for news in (event, described):
                if news is not None:
                    self.webhooks.notify(news)
            metrics.check_recorded(outcome)
        return done

    def read_in_processes(self, wait: bool = False) -> None:
        """Read pages for the description check in REFSVC_CHECK_READ_PROCESSES worker processes
        from now on (the checker and Celery workers; the web app reads the odd page itself);
        ``wait``: until they are ready, else they start meanwhile."""
        processes = int(self.settings.get("CHECK_READ_PROCESSES", 0))
        if processes > 0 and self.pages is None:
            from refsvc.links.reading import PagePool

            self.pages = PagePool(processes)
            self.pages.start(wait=wait)

    def suggest_replacement(self, resource_id: str, url: str, when: datetime):
        """Look up and store the Wayback snapshot closest to when the link last worked."""
        snapshot = closest_snapshot(self.client, self.settings["WAYBACK_API"], url, when)
        if snapshot is not None:
            with self.database.transaction() as session:
                row = check_store.get_state(session, resource_id)
                if row is not None and row.health == "broken":
                    row.wayback_url, row.wayback_timestamp = snapshot.url, snapshot.timestamp
        return snapshot

    @property
    def hosts(self) -> Any:
        """Per-host limits shared by every check this tracker runs (a 429 slows later checks too)."""
        if self._hosts is None:
            from refsvc.links.politeness import policy_for

            self._hosts = policy_for(self.settings, self.database)
        return self._hosts

    @property
    def soft404(self) -> Any:
        """The sibling-path probe cache (once per host and path prefix, not once per link), kept
        in the database for every checker and worker."""
        if self._soft404 is None:
            from refsvc.links.soft404 import DatabaseAnswers, Soft404Probe

            self._soft404 = Soft404Probe(shared=DatabaseAnswers(self.database))
        return self._soft404

    @property
    def connectivity(self) -> offline.Connectivity:
        """How to tell that the checker itself is offline: the canaries, else known-good sites."""
        if self._connectivity is None:
            self._connectivity = offline.Connectivity(offline.client_probe(self.client, hosts=self.hosts),
                                                      offline.canaries_from(self.settings))
        return self._connectivity

    def judge_offline(self, failed: list[tuple[str, str]],
                      connectivity: offline.Connectivity | None = None) -> offline.Verdict:
        """Does the checker look offline, given checks of (resource id, URL) that all failed at the
        network level and no server that answered?"""
        connectivity = connectivity or self.connectivity
        witnesses: list[str] = []
        if connectivity.probe is not None and not connectivity.canaries:
            ids = {resource_id for resource_id, _ in failed}
            with self.database.transaction() as session:
                for health in ("healthy", "warning"):  # the sites last seen working
                    found, _ = store.list_resources(session, health=health, active=True, limit=20)
                    witnesses += [r.url for r in found if r.id not in ids]
        return connectivity.judge([url for _, url in failed], witnesses)

    def check_now(self, resource_id: str, token: str | None = None) -> Check | None:
        """Check one resource at once and record the result: under ``token``'s claim (a queued
        task: nothing is done if the claim was lost), or under a claim taken now ("check now")."""
        return self.check_several([resource_id], token)[resource_id]

    def check_several(self, resource_ids: list[str], token: str | None = None) -> dict[str, Check | None]:
        """Check resources one after another and record their results in one transaction: under
        ``token``'s claims (a queued task: one whose claim was lost is skipped), or under claims
        taken now ("check now"). Each id maps to its check, or None when it was not checked."""
        from refsvc.links.check import check_link

        ids = list(dict.fromkeys(resource_ids))
        lease = float(self.settings["CHECK_LEASE_SECONDS"])
        with self.database.transaction() as session:
            if token is None:
                token, _ = check_store.claim_ids(session, "check-now", ids, self.clock(),
                                                 lease_seconds=lease, force=True)
                held = set(ids)
            else:
                held = check_store.hold_many(session, ids, token, self.clock(), lease_seconds=lease)
            rows = check_store.states_of(session, [rid for rid in ids if rid in held])  # and resources
            jobs = [(rid, row.resource.url, row.resource.name, row.resource.description,
                     list(row.resource.expect or []), row.resource.logo_url)
                    for rid, row in rows.items() if row.claimed_by == token]
        records = []
        for rid, url, name, description, expect, logo_url in sorted(jobs, key=lambda job: ids.index(job[0])):
            result = check_link(url, client=self.client, name=name, description=description,
                                expect=expect, logo_url=logo_url, hosts=self.hosts, soft404=self.soft404,
                                deadline_seconds=float(self.settings["CHECK_TIMEOUT"]),
                                retry_after_max=float(self.settings["CHECK_RETRY_AFTER_MAX"]))
            records.append((rid, url, result.outcome, result.to_dict()))
        failed = [(rid, url) for rid, url, outcome, _ in records if offline.kind_of(outcome) == "unreachable"]
        if failed and len(failed) == len(records):  # the links, or our own network? (one that
            verdict = self.judge_offline(failed)      # answered says the network works)
            if verdict.offline:
                log.warning("%s (the check(s) of %s recorded as %s)", verdict.message(),
                            ", ".join(rid for rid, _ in failed), health_rules.CHECKER_OFFLINE)
                records = [(rid, url, outcome, offline.inconclusive(record, verdict))
                           for rid, url, outcome, record in records]
        done: dict[str, Check | None] = {rid: None for rid in ids}
        if records:
            done.update(self.record_many([(rid, record, token) for rid, _, _, record in records]))
        return done

    def close(self) -> None:
        """Deliver queued webhooks (a few seconds at most) and close the client."""
        self.webhooks.close()
        if self.pages is not None:
            self.pages.close()
        if self._hosts is not None:
            self._hosts.close()
        if self._client is not None:
            self._client.close()


def tracker_for(app: Any) -> Tracker:
    """The app's shared Tracker (made on first use)."""
    tracker = app.extensions.get(_KEY)
    if tracker is None:
        from refsvc.storage import get_database

        tracker = app.extensions[_KEY] = Tracker(get_database(app), app.config)
    return tracker
