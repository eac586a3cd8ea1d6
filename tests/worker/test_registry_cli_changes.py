"""`registry import --dry-run / --prune` say what they would do; `registry export` keeps the file."""
from __future__ import annotations

import io
from pathlib import Path

from refsvc.links.registry import parse_registry
from refsvc.storage import get_database
from refsvc.storage import resources as store

REGISTRY = Path(__file__).resolve().parents[2] / "registry.yaml"


def ids(app):
    with get_database(app).transaction() as session:
        return sorted(e["id"] for e in store.export_entries(session))


def test_dry_run_prints_each_changed_field_and_changes_nothing(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    changed = tmp_path / "changed.yaml"
    text = REGISTRY.read_text().replace("name: NHS\n", "name: The NHS\n")
    changed.write_text(text + "- {id: samaritans, name: Samaritans, url: 'https://www.samaritans.org/'}\n")
    result = runner.invoke(args=["registry", "import", str(changed), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert '~ nhs:\n    name: "NHS" -> "The NHS"' in result.output
    assert "+ samaritans: new resource" in result.output and '    url: "https://www.samaritans.org/"' in result.output
    assert "1 to create, 1 to update, 0 to delete; nothing was changed." in result.output
    assert "samaritans" not in ids(app)
    with get_database(app).transaction() as session:
        assert store.get_resource(session, "nhs").name == "NHS"


def test_dry_run_of_the_same_file_says_nothing_would_change(runner):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    result = runner.invoke(args=["registry", "import", str(REGISTRY), "--dry-run"])
    assert "would change nothing" in result.output


def test_prune_asks_first_naming_what_it_deletes_and_a_no_keeps_everything(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    result = runner.invoke(args=["registry", "import", str(small), "--prune"], input=Terminal(b"n\n"))
    assert result.exit_code == 1
    assert "--prune deletes 8 resources" in result.output and "nhs (NHS)" in result.output
    assert "Nothing imported or deleted" in result.output
    assert len(ids(app)) == 9
    result = runner.invoke(args=["registry", "import", str(small), "--prune"], input=Terminal(b"y\n"))
    assert result.exit_code == 0 and "8 deleted" in result.output and ids(app) == ["mind"]


def test_prune_dry_run_lists_the_deletions(runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    result = runner.invoke(args=["registry", "import", str(small), "--prune", "--dry-run"])
    assert "- wikipedia: delete (Wikipedia)" in result.output and "8 to delete" in result.output


def test_export_into_the_file_keeps_its_comments_order_and_layout(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    target = tmp_path / "registry.yaml"
    original = REGISTRY.read_text()
    target.write_text(original)
    assert runner.invoke(args=["registry", "export", str(target)]).exit_code == 0
    assert target.read_text() == original  # nothing changed: not a byte moves
    with get_database(app).transaction() as session:
        store.update_resource(session, store.get_resource(session, "mind"), {"name": "Mind UK"})
        store.delete_resource(session, store.get_resource(session, "bbc"))
        store.create_resource(session, {"id": "samaritans", "name": "Samaritans",
                                        "url": "https://www.samaritans.org/"})
    runner.invoke(args=["registry", "export", str(target)])
    text = target.read_text()
    assert text.startswith(original.split("resources:")[0])  # the header comments survive
    assert "name: Mind UK" in text and "id: bbc" not in text
    assert text.rstrip().endswith("url: https://www.samaritans.org/")
    order = [e["id"] for e in parse_registry(text)]
    assert order == [e["id"] for e in parse_registry(original) if e["id"] != "bbc"] + ["samaritans"]
    assert "tags: [further-reading, charity, mental-health]" in text  # flow style kept


def test_export_into_a_file_that_is_no_registry_says_so_and_leaves_it_alone(runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    for text in ("settings:\n  a: 1\n", "key: [unclosed\n"):
        other = tmp_path / "other.yaml"
        other.write_text(text)
        result = runner.invoke(args=["registry", "export", str(other)])
        assert result.exit_code == 1 and "write to a new file instead" in result.output
        assert other.read_text() == text


def test_prune_asks_with_no_transaction_open(app, runner, tmp_path):
    import threading

    database = get_database(app)
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    others_wrote = []

    class Editor(Terminal):
        """Someone reading the question for a while: meanwhile the checker records its checks."""

        def read1(self, *args):
            return self.read(*args)

        def read(self, *args):
            if others_wrote or args[:1] == (0,):  # click's probe of the stream reads nothing
                return super().read(*args)

            def write():
                with database.transaction() as session:
                    others_wrote.append(store.count_resources(session))
            writer = threading.Thread(target=write)
            writer.start()
            writer.join(timeout=database.timeouts.statement / 2)
            others_wrote.append(not writer.is_alive())
            writer.join()
            return super().read(*args)

    result = runner.invoke(args=["registry", "import", str(small), "--prune"], input=Editor(b"y\n"))
    assert result.exit_code == 0 and "8 deleted" in result.output
    assert others_wrote == [9, True]


def test_dry_run_shows_where_a_long_field_changed(app, runner, tmp_path):
    start = ("Mind is a mental health charity in England and Wales that gives advice and support to "
             "anyone experiencing a mental health problem, and campaigns")
    one = tmp_path / "one.yaml"
    one.write_text(f"resources:\n- {{id: mind, name: Mind, url: 'https://www.mind.org.uk/', "
                   f"description: '{start} for better services.'}}\n")
    runner.invoke(args=["registry", "import", str(one)])
    one.write_text(one.read_text().replace("for better services", "for better care"))
    result = runner.invoke(args=["registry", "import", str(one), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "services" in line or "care" in line]
    # both sides of the difference are shown, not two copies of the same first 77 characters
    assert any("services" in line for line in lines) and any("care" in line for line in lines)


class Terminal(io.BytesIO):
    """Answers typed at a terminal (stdin is a TTY)."""

    def isatty(self):
        return True


def test_prune_without_a_terminal_asks_nothing_and_says_to_run_with_yes(app, runner, tmp_path):
    runner.invoke(args=["registry", "import", str(REGISTRY)])
    small = tmp_path / "one.yaml"
    small.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n")
    result = runner.invoke(args=["registry", "import", str(small), "--prune"], input="y\n")
    assert result.exit_code == 1
    assert "Delete them?" not in result.output and "Aborted" not in result.output
    assert "Run again with --yes to delete them" in result.output and "nhs (NHS)" in result.output
    assert len(ids(app)) == 9
