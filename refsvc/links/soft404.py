"""The sibling-path probe of Bar-Yossef et al. (WWW 2004): does the site answer a made-up address alike?

A server that answers 200 to a random sibling path (``/a/b/x7q...`` next to ``/a/b/page``) with a page
like the one checked is not telling "found" from "not found", so the page checked is suspect. The
probe is made once per (scheme, host, path prefix) and cached, not once per link; pages are compared by
a bottom-k sketch of their word 4-grams (Broder's resemblance), so a cache entry stays small.

Answers are kept in memory and, given ``shared`` (``DatabaseAnswers``), in the database too: every
checker process and Celery worker then probes a prefix once a day, not once a run (a cron-driven
``--once``, or the other worker, reads the answer instead of probing again). The sketch's hashes are
CRC-32s, the same in every process (``hash()`` of a string is salted per process).
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from refsvc.links.page import PageInfo

log = logging.getLogger(__name__)

SKETCH_SIZE = 128
SIMILAR = 0.9  # resemblance above which two pages are "the same page"
SHELL_TEXT = 200  # fewer visible characters than this: a script-rendered shell, too thin to judge


@dataclass(frozen=True)
class ProbeAnswer:
    """What the made-up sibling address answered (kept in the cache)."""

    probe_url: str
    status: int | None  # None: the probe itself failed (timeout, refused...)
    final_url: str
    sketch: tuple[int, ...]
    text_len: int
    fetched_at: float
    error: str = ""


def prefix_key(url: str) -> tuple[str, str, str]:
    """(scheme, host:port, parent path) of a URL: ``/a/b/c`` and ``/a/b/c/`` both give ``/a/b/``."""
    parts = urlsplit(url)
    path = (parts.path or "/").rstrip("/")
    return parts.scheme.lower(), parts.netloc.lower(), path[: path.rfind("/") + 1] or "/"


def sibling_url(url: str, token: str | None = None) -> str:
    """A random address next to ``url`` that almost surely does not exist."""
    scheme, netloc, prefix = prefix_key(url)
    return urlunsplit((scheme, netloc, f"{prefix}{token or secrets.token_hex(10)}", "", ""))


def sketch(text: str, k: int = SKETCH_SIZE) -> tuple[int, ...]:
    """The k smallest hashes of the text's word 4-grams (words alone for very short texts)."""
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i:i + 4]) for i in range(max(len(words) - 3, 1))} if words else set()
    return tuple(sorted({zlib.crc32(g.encode("utf-8", "surrogatepass")) for g in grams})[:k])


def resemblance(a: tuple[int, ...], b: tuple[int, ...], k: int = SKETCH_SIZE) -> float:
    """Estimated Jaccard resemblance of two sketches (exact when the texts are short)."""
    if not a and not b:
        return 1.0
    sa, sb = set(a), set(b)
    union = sorted(sa | sb)[:k]
    return sum(1 for h in union if h in sa and h in sb) / len(union)


def _page_text(page: PageInfo) -> str:
    return f"{page.title} {page.text}"


FetchPage = Callable[[str], "tuple[int, str, PageInfo]"]  # probe URL -> (status, final URL, page)


class DatabaseAnswers:
    """Probe answers in the database (refsvc.storage.probes). A database that fails costs only the
    sharing: the answer is then kept in this process's memory alone, and the check goes on."""

    def __init__(self, database: Any) -> None:
        self.database = database

    @staticmethod
    def key(prefix: tuple[str, str, str]) -> str:
        scheme, netloc, path = prefix
        return hashlib.sha256(f"{scheme}://{netloc}{path}".encode("utf-8", "surrogatepass")).hexdigest()

    def load(self, prefix: tuple[str, str, str]) -> ProbeAnswer | None:
        from refsvc.storage import probes

        try:
            with self.database.transaction() as session:
                row = probes.load(session, self.key(prefix))
        except Exception as exc:
            log.debug("could not read a stored probe answer: %s", exc)
            return None
        if row is None:
            return None
        return ProbeAnswer(row["probe_url"], row["status"], row["final_url"],
                           tuple(int(h) for h in row["sketch"].split()), row["text_len"],
                           row["fetched_at"], row["error"])

    def save(self, prefix: tuple[str, str, str], answer: ProbeAnswer) -> None:
        from refsvc.storage import probes

        try:
            with self.database.transaction() as session:
                probes.save(session, self.key(prefix), {
                    "probe_url": answer.probe_url, "status": answer.status, "final_url": answer.final_url,
                    "sketch": " ".join(map(str, answer.sketch)), "text_len": answer.text_len,
                    "error": answer.error[:500], "fetched_at": answer.fetched_at})
        except Exception as exc:
            log.debug("could not store a probe answer: %s", exc)


class Soft404Probe:
    """A cache of sibling-path probes shared by every check of one run (thread-safe), and by every
    checker when ``shared`` keeps the answers in the database."""

    def __init__(self, *, ttl: float = 24 * 3600, failed_ttl: float = 300, max_entries: int = 10_000,
                 threshold: float = SIMILAR, clock: Callable[[], float] = time.time,
                 shared: DatabaseAnswers | None = None) -> None:
        self.ttl, self.failed_ttl, self.max_entries = ttl, failed_ttl, max_entries
        self.threshold, self.clock, self.shared = threshold, clock, shared
        self._cache: OrderedDict[tuple[str, str, str], ProbeAnswer] = OrderedDict()
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        self.probes_made = 0

    def answer(self, url: str, fetch: FetchPage) -> ProbeAnswer:
        """The cached probe answer for ``url``'s prefix, probing once if there is none (or it is old)."""
        key = prefix_key(url)
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:  # one probe per prefix even when several of its links are checked at once
            with self._lock:
                cached = self._cache.get(key)
                if cached and self._fresh(cached):
                    self._cache.move_to_end(key)
                    return cached
            stored = self.shared.load(key) if self.shared is not None else None
            if stored is not None and self._fresh(stored):
                self._remember(key, stored)
                return stored
            probe_url = sibling_url(url)
            try:
                status, final_url, page = fetch(probe_url)
                found = ProbeAnswer(probe_url, status, final_url, sketch(_page_text(page)), len(page.text),
                                    self.clock())
            except Exception as exc:  # a failed probe says nothing about the page: remember that, no more
                found = ProbeAnswer(probe_url, None, "", (), 0, self.clock(),
                                    error=getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}")
            with self._lock:
                self.probes_made += 1
            self._remember(key, found)
            if self.shared is not None:
                self.shared.save(key, found)
            return found

    def _fresh(self, answer: ProbeAnswer) -> bool:
        # a failed probe (timeout...) is retried sooner than a real answer
        return self.clock() - answer.fetched_at < (self.ttl if answer.status else self.failed_ttl)

    def _remember(self, key: tuple[str, str, str], answer: ProbeAnswer) -> None:
        with self._lock:
            self._cache[key] = answer
            self._cache.move_to_end(key)
            while len(self._cache) > self.max_entries:
                old, _ = self._cache.popitem(last=False)
                self._locks.pop(old, None)

    def judge(self, url: str, final_url: str, page: PageInfo, fetch: FetchPage) -> dict[str, Any] | None:
        """The probe's finding for a page that answered 200: ``{"suspect": bool, ...}``; None at a root."""
        if not (urlsplit(final_url).path or "/").strip("/"):
            return None  # a site's root is never a made-up address's sibling
        found = self.answer(final_url, fetch)
        finding: dict[str, Any] = {"probe_url": found.probe_url, "probe_status": found.status,
                                   "suspect": False}
        if found.status is None:
            finding["note"] = f"the probe failed ({found.error})"
        elif not 200 <= found.status < 300:
            finding["note"] = "the site answers made-up addresses with an error, as it should"
        elif found.final_url.rstrip("/") == final_url.rstrip("/") and final_url.rstrip("/") != url.rstrip("/"):
            finding.update(suspect=True, note="made-up addresses redirect to the same page")
        else:
            score = resemblance(sketch(_page_text(page)), found.sketch)
            finding["similarity"] = round(score, 3)
            if score >= self.threshold:
                if max(len(page.text), found.text_len) < SHELL_TEXT:
                    finding["note"] = "the site answers every address with the same script-rendered shell"
                else:
                    finding["suspect"] = True
        return finding
