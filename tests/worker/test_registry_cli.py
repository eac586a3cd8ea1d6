"""`flask registry import/export` and `flask db upgrade`: all or nothing, clear errors, summaries."""
from __future__ import annotations

from pathlib import Path

import pytest

from refsvc.links.registry import parse_registry
from refsvc.storage import get_database
from refsvc.storage import resources as store

REGISTRY = Path(__file__).resolve().parents[2] / "registry.yaml"


def resource_ids(app):
    with get_database(app).transaction() as session:
        return sorted(e["id"] for e in store.export_entries(session))


def test_import_loads_the_nine_organisations_and_says_so(app, runner):
    result = runner.invoke(args=["registry", "import", str(REGISTRY)])
    assert result.exit_code == 0, result.output
    assert "9 created, 0 updated, 0 unchanged" in result.output
    assert len(resource_ids(app)) == 9


def test_importing_again_changes_nothing(runner):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    result = runner.invoke(args=["registry", "import", str(REGISTRY)])
    assert "0 created, 0 updated, 9 unchanged" in result.output


def test_if_empty_leaves_a_filled_registry_alone(app, runner, tmp_path):
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    runner.invoke(args=["registry", "import", str(small)])
    result = runner.invoke(args=["registry", "import", str(REGISTRY), "--if-empty"])
    assert result.exit_code == 0 and "nothing imported" in result.output
    assert resource_ids(app) == ["mind"]


def test_prune_deletes_what_the_file_no_longer_lists(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    kept = runner.invoke(args=["registry", "import", str(small)])
    assert len(resource_ids(app)) == 9 and "1 updated" in kept.output  # no --prune: nothing goes
    result = runner.invoke(args=["registry", "import", str(small), "--prune", "--yes"])
    assert "8 deleted" in result.output and resource_ids(app) == ["mind"]


def test_a_missing_file_is_an_error_that_says_what_to_do(runner):
    result = runner.invoke(args=["registry", "import", "nowhere.yaml"])
    assert result.exit_code == 1
    assert "Cannot read nowhere.yaml" in result.output and "registry export" in result.output


def test_a_file_with_bad_entries_imports_nothing_and_lists_each_problem(app, runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n"
                   "- {id: evil, name: Evil, url: 'javascript:alert(1)'}\n")
    result = runner.invoke(args=["registry", "import", str(bad)])
    assert result.exit_code == 1
    assert "entry 2 (evil): url: javascript:" in result.output and "Fix these entries" in result.output
    assert resource_ids(app) == []


def test_a_file_that_is_not_yaml_names_the_line_and_imports_nothing(app, runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n"
                      "- {id: nhs, name: NHS\n")
    result = runner.invoke(args=["registry", "import", str(broken)])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert f"{broken} is not valid YAML at line 4" in first  # where to look, in the file's own terms
    assert "<unicode string>" not in result.output and "Fix these entries" not in result.output
    assert f"Fix {broken} and run the import again." in result.output
    assert resource_ids(app) == []


@pytest.fixture
def settings(settings):
    """As a deployment runs: private addresses refused (the shared fixture allows loopback)."""
    return {**settings, "ALLOW_PRIVATE_ADDRESSES": "0"}


def test_every_problem_of_a_file_is_listed_in_one_run(app, runner, tmp_path):
    # the checker's address rules (a private address, a port it never fetches) are problems of the
    # file like a missing name: an editor fixing a file learns them all at once, not one run at a time
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources:\n"
                   "- {id: a, url: 'https://a.example.org/'}\n"
                   "- {id: Not A Slug, name: B, url: 'https://b.example.org/'}\n"
                   "- {id: c, name: C, url: 'https://c.example.org/'}\n"
                   "- {id: c, name: C again, url: 'https://c2.example.org/'}\n"
                   "- {id: d, name: D, url: 'http://10.0.0.1/'}\n"
                   "- {id: e, name: E, url: 'https://example.org:8443/'}\n")
    result = runner.invoke(args=["registry", "import", str(bad)])
    assert result.exit_code == 1
    assert "has 5 problem(s)" in result.output
    for where in ("entry 1 (a): name", "entry 2 (Not A Slug): id", "entry 4 (c): id",
                  "entry 5 (d): url", "entry 6 (e): url"):
        assert where in result.output
    assert resource_ids(app) == []


def test_a_file_that_is_not_utf8_is_one_line_not_a_traceback(app, runner, tmp_path):
    binary = tmp_path / "registry.yaml"
    binary.write_bytes(b"\xff\xfe\x00bin")
    for args in (["registry", "import", str(binary)], ["registry", "import", str(binary), "--dry-run"],
                 ["registry", "export", str(binary)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, args
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "not UTF-8 text" in result.output and "Traceback" not in result.output
    assert binary.read_bytes() == b"\xff\xfe\x00bin"  # export left it as it was


def test_export_writes_what_import_reads(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["registry", "export", str(out)])
    assert result.exit_code == 0
    exported = {e["id"]: e for e in parse_registry(out.read_text())}
    assert exported == {e["id"]: e for e in parse_registry(REGISTRY.read_text())}
    printed = runner.invoke(args=["registry", "export"]).output
    assert parse_registry(printed) == parse_registry(out.read_text())


def test_db_upgrade_reports_the_revision(runner):
    from refsvc.storage.db import head_revision

    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and f"revision {head_revision()}" in result.output
