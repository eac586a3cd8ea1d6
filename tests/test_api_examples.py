"""scripts/api_examples.py: the README's API section is replaced and nothing else; examples parse."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import api_examples  # noqa: E402
from api_example_list import EXAMPLES, INTRO  # noqa: E402


def test_it_replaces_only_the_api_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Configuration\nkeep\n\n## API\nold\n### Sub\nold\n\n"
                      "## The editors' workspace\nkeep too\n\n## Architecture\nand this\n")
    api_examples.write(readme, "## API\n\nnew\n")
    assert readme.read_text() == ("# x\n\n## Configuration\nkeep\n\n## API\n\nnew\n\n"
                                  "## The editors' workspace\nkeep too\n\n## Architecture\nand this\n")


def test_every_example_is_one_curl_command_the_shell_can_split():
    assert INTRO.startswith("## API\n")
    for title, command, how in EXAMPLES:
        words = shlex.split(command)  # an apostrophe inside a '...' body breaks this
        assert words[0] == "curl", title
        assert set(how) <= {"hide", "head", "lines", "json_abridge", "lock_database"}, title


def test_it_shows_headers_it_keeps_and_marks_cuts():
    out = "HTTP/1.1 200 OK\nServer: gunicorn\nContent-Type: text/html\n\n<a>\n<b>\n<c>\n"
    assert api_examples.shown(out, {"head": 2}) == "HTTP/1.1 200 OK\nContent-Type: text/html\n\n<a>\n<b>\n..."
    assert api_examples.shown('{"a": [1, 2, 3, 4, 5]}', {"json_abridge": True}) == \
        '{"a": [1, 2, 3, "... 2 more"]}'
