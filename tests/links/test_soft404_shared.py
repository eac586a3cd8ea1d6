"""Probe answers kept in the database: every checker process probes a site prefix once a day."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refsvc.links.page import read_page
from refsvc.links.soft404 import DatabaseAnswers, Soft404Probe, sketch
from refsvc.storage import get_database
from refsvc.storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = read_page("<title>Therapy</title><p>" + "Talking therapy helps many people with anxiety. " * 10)


def fetcher(status=200, page=ARTICLE):
    calls = []

    def fetch(url):
        calls.append(url)
        return status, url, page
    return fetch, calls


@pytest.mark.both_databases
def test_a_second_checker_uses_the_first_ones_answer_instead_of_probing(app):
    database = get_database(app)
    fetch, calls = fetcher(200, ARTICLE)
    first = Soft404Probe(shared=DatabaseAnswers(database)).judge(
        "https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)
    again, more = fetcher(404)
    second = Soft404Probe(shared=DatabaseAnswers(database)).judge(  # another process's probe cache
        "https://x.org/a/c", "https://x.org/a/c", ARTICLE, again)
    assert len(calls) == 1 and more == []
    assert first["suspect"] is True and second == first


@pytest.mark.both_databases
def test_a_stored_answer_older_than_a_day_is_probed_again_and_replaced(app):
    database = get_database(app)
    now = [1_000_000.0]
    fetch, calls = fetcher(200, ARTICLE)
    Soft404Probe(shared=DatabaseAnswers(database), clock=lambda: now[0]).judge(
        "https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)
    now[0] += 24 * 3600 + 1
    fresh, more = fetcher(404)
    finding = Soft404Probe(shared=DatabaseAnswers(database), clock=lambda: now[0]).judge(
        "https://x.org/a/b", "https://x.org/a/b", ARTICLE, fresh)
    assert len(more) == 1 and finding["suspect"] is False
    later, none = fetcher(200, ARTICLE)
    third = Soft404Probe(shared=DatabaseAnswers(database), clock=lambda: now[0]).judge(
        "https://x.org/a/b", "https://x.org/a/b", ARTICLE, later)
    assert none == [] and third["suspect"] is False  # the newer answer was kept


def test_a_database_that_is_away_costs_the_sharing_not_the_check():
    away = Database("postgresql://refsvc@127.0.0.1:9/refsvc")  # nothing listens on port 9
    try:
        fetch, calls = fetcher(200, ARTICLE)
        probe = Soft404Probe(shared=DatabaseAnswers(away))
        finding = probe.judge("https://x.org/a/b", "https://x.org/a/b", ARTICLE, fetch)
        probe.judge("https://x.org/a/c", "https://x.org/a/c", ARTICLE, fetch)
    finally:
        away.dispose()
    assert finding["suspect"] is True and len(calls) == 1  # kept in memory meanwhile


def test_a_pages_sketch_is_the_same_in_every_process():
    text = ARTICLE.text
    code = f"from refsvc.links.soft404 import sketch; print(sketch({text!r}))"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": ""}, cwd=ROOT).stdout
               for seed in ("1", "2")}
    assert outputs == {f"{sketch(text)}\n"}
