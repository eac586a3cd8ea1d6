"""The page corpus (tests/metadata/data/pages): realistic pages and the citation a careful editor writes
for each, a loopback server for them, and the comparison of what refsvc reads with what the editor wrote.

    .venv/bin/python -m tests.metadata.pages_corpus      # the share right, and each difference
    .venv/bin/python -m tests.metadata.pages_corpus --holdout   # pages written after the rules

Each page is read the two ways the service offers: GET /v1/citations?url= (fetched from the loopback
server) and POST /v1/citations {"page": {"url", "html"}} (the widget's way, nothing fetched).
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

PAGES = Path(__file__).resolve().parent / "data" / "pages"
# Pages written after the extraction rules, to see how they do on pages they were not fitted to.
HOLDOUT = Path(__file__).resolve().parent / "data" / "pages_holdout"
# The fields an editor checks; a field the editor left out must be absent from refsvc's item too.
COMPARED = ("type", "title", "author", "issued", "container-title", "publisher", "DOI", "URL", "volume",
            "issue", "page", "number", "ISBN")


def cases(folder: Path = PAGES) -> list[dict[str, Any]]:
    """[{"page": file name, "csl": the editor's CSL-JSON}] in corpus order."""
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


class _Pages(BaseHTTPRequestHandler):
    folder = PAGES

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        file = self.folder / (self.path.split("?", 1)[0].strip("/") + ".html")
        if not file.is_file() or file.parent != self.folder:
            self.send_error(404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def served(folder: Path = PAGES) -> Iterator[str]:
    """The corpus on a loopback HTTP server; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Pages", (_Pages,), {"folder": folder}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def differences(item: dict[str, Any], expected: dict[str, Any], base: str) -> dict[str, tuple]:
    """{field: (refsvc's value, the editor's)} for every compared field that differs."""
    want = {k: (v.replace("{base}", base) if isinstance(v, str) else v) for k, v in expected.items()}
    return {key: (item.get(key), want.get(key)) for key in COMPARED if item.get(key) != want.get(key)}


def both_ways(client: Any, base: str, case: dict[str, Any], folder: Path = PAGES) -> tuple[dict, dict]:
    """The CSL item refsvc makes of a page by ?url= and by sending the page's HTML."""
    name = case["page"].removesuffix(".html")
    url = f"{base}/{name}"
    fetched = client.get("/v1/citations", query_string={"url": url, "style": "apa"})
    sent = client.post("/v1/citations", json={"page": {"url": url, "html": (folder / case["page"]).read_text(
        encoding="utf-8")}, "styles": ["apa"]})
    assert fetched.status_code == 200, fetched.json
    assert sent.status_code == 200, sent.json
    return fetched.json["csl"], sent.json["csl"]


def main() -> None:
    """Print the share of pages cited as the editor wrote them, and what differs."""
    import sys
    import tempfile

    from refsvc import create_app

    folder = HOLDOUT if "--holdout" in sys.argv else PAGES
    with tempfile.TemporaryDirectory() as tmp, served(folder) as base:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/r.sqlite", "ALLOW_PRIVATE_ADDRESSES": "1",
                          "HTTP_CACHE_PATH": f"{tmp}/cache.sqlite", "DOI_RESOLVER": "http://127.0.0.1:9",
                          "CROSSREF_API": "http://127.0.0.1:9", "TESTING": True})
        client = app.test_client()
        right = 0
        all_cases = cases(folder)
        for case in all_cases:
            fetched, sent = both_ways(client, base, case, folder)
            diff = differences(fetched, case["csl"], base)
            same = {k: fetched.get(k) for k in COMPARED} == {k: sent.get(k) for k in COMPARED}
            right += not diff and same
            status = "right" if not diff and same else "WRONG"
            print(f"{status:5}  {case['page']}" + ("" if same else "  (?url= and page differ)"))
            for key, (got, want) in diff.items():
                print(f"         {key}: refsvc {got!r}\n         {'':{len(key)}}  editor {want!r}")
        print(f"\n{right} of {len(all_cases)} pages right ({100 * right / len(all_cases):.0f}%), "
              "both by ?url= and by the page's HTML")


if __name__ == "__main__":
    main()
