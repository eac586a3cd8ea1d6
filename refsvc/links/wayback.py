"""Suggest a replacement for a broken link: the closest Wayback Machine snapshot.

Asks the availability API (REFSVC_WAYBACK_API, e.g. https://archive.org/wayback/available) through
the guarded client: ``?url=...&timestamp=YYYYMMDDhhmmss`` answers
``{"archived_snapshots": {"closest": {"available": true, "url": ..., "timestamp": ..., "status": "200"}}}``.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One archived copy: where it is and when it was taken (YYYYMMDDhhmmss)."""

    url: str
    timestamp: str


def availability_url(api: str, url: str, when: datetime | None = None) -> str:
    """The availability API query for ``url`` near ``when``."""
    query = {"url": url}
    if when is not None:
        query["timestamp"] = when.strftime("%Y%m%d%H%M%S")
    return f"{api}{'&' if '?' in api else '?'}{urlencode(query)}"


def parse_availability(payload: Any) -> Snapshot | None:
    """The closest good snapshot in an availability API answer, or None."""
    try:
        closest = payload["archived_snapshots"]["closest"]
    except (KeyError, TypeError):
        return None
    if not isinstance(closest, dict) or not closest.get("available") or not closest.get("url"):
        return None
    if not str(closest.get("status", "200")).startswith(("2", "3")):
        return None  # an archived error page is no replacement
    url = str(closest["url"])
    if url.startswith("http://web.archive.org/"):
        url = "https://" + url[len("http://"):]
    return Snapshot(url=url, timestamp=str(closest.get("timestamp", ""))[:14])


def closest_snapshot(client: Any, api: str, url: str, when: datetime | None = None, *,
                     timeout: float = 10.0) -> Snapshot | None:
    """Ask the availability API for the snapshot of ``url`` closest to ``when``; None on any failure."""
    from refsvc.metadata.http import FetchError

    try:
        result = client.fetch(availability_url(api, url, when), deadline=time.monotonic() + timeout,
                              max_bytes=256 * 1024, headers={"Accept": "application/json"})
        if result.status != 200:
            log.info("wayback availability API answered %s for %s", result.status, url)
            return None
        return parse_availability(json.loads(result.body))
    except (FetchError, ValueError) as exc:
        log.info("wayback lookup of %s failed: %s", url, exc)
        return None
