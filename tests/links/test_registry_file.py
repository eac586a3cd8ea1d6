"""The registry as data: entry validation, the YAML file, and the repository's own registry.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest

from refsvc.links.registry import (RegistryError, dump_registry, normalize_url,
                                   parse_registry, url_problem, validate_entry)
from refsvc.storage.models import ENTRY_FIELDS, Resource

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "000_dba93c8629cdd2b5.txt"  # beside every checkout
ENTRY = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"}


@pytest.mark.parametrize("url, words", [
    ("javascript:alert(1)", "javascript"),
    ("JavaScript:alert(1)", "javascript"),
    ("https://", "no host"),
    ("//www.mind.org.uk/", "http"),
    ("mailto:info@mind.org.uk", "http"),
    ("https://www.mind.org.uk/" + "a" * 2030, "2048"),
    ("https://www.mind .org.uk/", "spaces"),
    ("https://www.mind.org.uk:99999/", "out of range"),
    ("", "give a url"),
])
def test_bad_urls_are_refused_with_a_reason(url, words):
    assert words in url_problem(url).lower()


@pytest.mark.parametrize("url", ["https://www.mind.org.uk/", "http://127.0.0.1:8000/a?b=c#d",
                                 "https://" + ("a" * 60 + ".") * 33 + "org",  # 2,024 characters
                                 "http://[2001:db8::1]:8080/", "https://例え.jp/"])
def test_good_urls_pass(url):
    assert url_problem(url) is None


def test_an_id_is_made_from_the_name_when_missing():
    clean, errors = validate_entry({"name": "Young Minds", "url": "https://www.youngminds.org.uk/"})
    assert not errors and clean["id"] == "young-minds"


def test_an_update_checks_only_the_fields_it_carries():
    clean, errors = validate_entry({"description": "New words."}, partial=True)
    assert clean == {"description": "New words."} and not errors


def test_urls_match_despite_case_default_port_fragment_and_trailing_slash():
    assert normalize_url("HTTPS://WWW.Mind.org.uk:443/info/#top") == normalize_url(
        "https://www.mind.org.uk/info")


def test_a_file_with_problems_lists_each_one_and_imports_nothing():
    text = """resources:
- {id: mind, name: Mind, url: "https://www.mind.org.uk/"}
- {id: mind, name: Mind again, url: "https://www.mind.org.uk/"}
- {id: Bad Id, name: X, url: "javascript:alert(1)"}
"""
    with pytest.raises(RegistryError) as caught:
        parse_registry(text, source="test.yaml")
    problems = "\n".join(caught.value.problems)
    assert "also used by entry 1" in problems
    assert "entry 3 (Bad Id): id:" in problems and "entry 3 (Bad Id): url:" in problems
    assert "nothing was imported" in str(caught.value)


@pytest.mark.parametrize("text", ["resources: [", "just a string", "resources: {a: 1}"])
def test_a_file_that_is_not_a_registry_says_what_to_write(text):
    with pytest.raises(RegistryError, match="YAML|list"):
        parse_registry(text)


def test_export_then_import_gives_the_same_entries():
    entries = parse_registry((ROOT / "registry.yaml").read_text())
    assert parse_registry(dump_registry(entries)) == entries


def test_every_registry_field_has_a_column_in_the_database():
    assert set(ENTRY_FIELDS) <= set(Resource.__table__.columns.keys())


def test_the_repository_registry_holds_the_nine_organisations_of_the_website():
    entries = parse_registry((ROOT / "registry.yaml").read_text())
    assert [e["id"] for e in entries] == ["nhs", "ukcp", "bacp", "bbc", "mind", "turning-point",
                                          "mental-health-foundation", "young-minds", "wikipedia"]
    assert all(e["url"].startswith("https://") and e["logo_url"] for e in entries)


def test_the_repository_registry_uses_the_website_descriptions_word_for_word():
    page = " ".join(SEED.read_text(encoding="utf-8").split())
    for entry in parse_registry((ROOT / "registry.yaml").read_text()):
        assert entry["description"] in page, entry["id"]


@pytest.mark.parametrize("field, value", [("name", "Mind\x00"), ("description", "A \ud800 charity"),
                                          ("tags", ["ok", "bad\x00"])])
def test_text_the_database_cannot_store_is_refused_by_name(field, value):
    from refsvc.links.registry import validate_entry

    clean, errors = validate_entry({field: value}, partial=True)
    assert field not in clean and "NUL character" in errors[field]
