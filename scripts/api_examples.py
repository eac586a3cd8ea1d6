"""Print the README's API examples with their real output (``python scripts/api_examples.py``).

Starts refsvc under gunicorn on a fresh SQLite file, with doi.org and one web page played by a
loopback stand-in (this machine has no internet), runs each curl command and prints Markdown.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT, STAND_IN = 8000, 8009
SEED_DOI = {"type": "article-journal", "DOI": "10.1037/pst0000282",
            "URL": "https://doi.org/10.1037/pst0000282",
            "title": "The impact of brief dynamic interpersonal therapy (DIT) on veteran depression "
                     "and anxiety.", "container-title": "Psychotherapy", "volume": "57", "issue": "3",
            "page": "464-468", "publisher": "American Psychological Association (APA)",
            "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Nehrig", "given": "Nicholas"},
                       {"family": "Wash", "given": "Lauren"}, {"family": "Wang", "given": "Bing"}],
            "issued": {"date-parts": [[2020, 9]]}}
PAGE = b"""<html lang="en"><head><title>Anxiety | Mind</title><meta property="og:site_name" content="Mind">
<meta property="og:title" content="Anxiety"><meta name="description" content="Mind is a mental health charity.">
<meta property="article:published_time" content="2023-05-02"></head><body><h1>Anxiety</h1>Mind</body></html>"""
SEED = {"title": "Dynamic Interpersonal Therapy in London", "authors": [{"name": "Harley Therapy Ltd."}],
        "site_name": "Harley Therapy", "published": "2022-01-20", "accessed": "2022-08-11",
        "url": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"}
TOKEN = "s3cret-editor-token"
B = f"http://127.0.0.1:{PORT}"
H = "-H 'Content-Type: application/json'"
AUTH = f"-H 'Authorization: Bearer {TOKEN}'"
EXAMPLES = [
    ("Is it up?", f"curl -s {B}/healthz"),
    ("The style catalogue (abridged here to its first style)", f"curl -s {B}/v1/styles/mla"),
    ("Cite page metadata (the seed page) in the three default styles, as text",
     f"curl -s {B}/v1/citations {H} -d '{json.dumps({'metadata': SEED, 'formats': ['text']})}'"),
    ("The same item as a BibTeX download",
     f"curl -si {B}/v1/citations {H} -d '{json.dumps({'metadata': SEED, 'formats': ['bibtex']})}'"),
    ("Cite a DOI, pasted in any form",
     f"curl -s '{B}/v1/citations?doi=https://doi.org/10.1037/PST0000282&style=apa&formats=text'"),
    ("Cite a web page by its address (where each field came from is in `provenance`)",
     f"curl -s '{B}/v1/citations?url=http://127.0.0.1:{STAND_IN}/anxiety&style=mla&formats=text'"),
    ("Several entries at once: one result or one error each, in order",
     f"curl -s {B}/v1/citations/batch {H} -d '" + json.dumps(
         {"entries": [{"doi": "10.1037/pst0000282"}, {"metadata": {"title": "Anxiety", "authors": [{"name": "Mind"}],
          "published": "2023", "url": "https://www.mind.org.uk/"}}, {"doi": "not-a-doi"}],
          "styles": ["apa"], "formats": ["text"]}) + "'"),
    ("An unknown style", f"curl -s {B}/v1/citations {H} -d '{json.dumps({'metadata': SEED, 'styles': ['apa9']})}'"),
    ("A bad date", f"curl -s {B}/v1/citations {H} -d '{json.dumps({'metadata': dict(SEED, published='2022-13-45')})}'"),
    ("Register a resource (editor)",
     f"curl -si {B}/v1/resources {H} {AUTH} -d '" + json.dumps(
         {"id": "mind-anxiety", "name": "Mind", "url": f"http://127.0.0.1:{STAND_IN}/anxiety",
          "description": "Mind is a mental health charity.", "tags": ["anxiety"]}) + "'"),
    ("Check it now (editor)", f"curl -s -X POST {B}/v1/resources/mind-anxiety/check {AUTH}"),
    ("The resource with its health and last check", f"curl -s {B}/v1/resources/mind-anxiety"),
    ("Its check history, newest first, paginated", f"curl -si '{B}/v1/resources/mind-anxiety/checks?page_size=1'"),
    ("Change what the registry says (editor)",
     f"curl -s -X PATCH {B}/v1/resources/mind-anxiety {H} {AUTH} -d '" + json.dumps(
         {"expect": ["Anxiety", "Mind"]}) + "'"),
    ("A visitor reports a link", f"curl -s {B}/v1/reports {H} -d '" + json.dumps(
        {"resource_id": "mind-anxiety", "reason": "inaccurate", "comment": "The page is about stress now",
         "page": "https://www.harleytherapy.co.uk/anxiety.htm"}) + "'"),
    ("The further-reading block for a tag", f"curl -s '{B}/v1/resources/block?tag=anxiety'"),
    ("Editors list the reports, and resolve one",
     f"curl -s '{B}/v1/reports?status=open' {AUTH}"),
    ("", f"curl -s -X PATCH {B}/v1/reports/1 {H} {AUTH} -d '" + json.dumps(
        {"status": "resolved", "note": "Description updated"}) + "'"),
    ("Audit a page's outbound links against the registry (editor)",
     f"curl -s {B}/v1/audits {H} {AUTH} -d '" + json.dumps(
         {"base_url": "https://www.harleytherapy.co.uk/dit.htm", "html": "<p>See <a href=\"http://127.0.0.1:"
          f"{STAND_IN}" "/anxiety\">Mind</a>, the mental health charity, and <a href=\"https://example.org/"
          "\">this</a>.</p>"}) + "'"),
    ("No token", f"curl -s -X DELETE {B}/v1/resources/mind-anxiety"),
    ("With the token", f"curl -si -X DELETE {B}/v1/resources/mind-anxiety {AUTH}"),
]


def pretty(value, indent: int = 0) -> str:
    """JSON with anything that fits on one line kept on one line, as a reader wants it."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= 100 or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        inner = [f"{pad}{json.dumps(k)}: {pretty(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(inner) + "\n" + " " * indent + "}"
    inner = [pad + pretty(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(inner) + "\n" + " " * indent + "]"


class StandIn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path.startswith("/10."):
            body, kind = json.dumps(SEED_DOI).encode(), "application/vnd.citationstyles.csl+json"
        else:
            body, kind = PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", STAND_IN), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, REFSVC_INSTANCE_PATH=tempfile.mkdtemp(), REFSVC_EDITOR_TOKENS=TOKEN,
               REFSVC_ALLOW_PRIVATE_ADDRESSES="1", REFSVC_DOI_RESOLVER=f"http://127.0.0.1:{STAND_IN}",
               REFSVC_CHECK_HOST_SPACING="0")
    bin_dir = Path(sys.executable).parent
    proc = subprocess.Popen([str(bin_dir / "gunicorn"), "-w", "1", "--threads", "4", "-b", f"127.0.0.1:{PORT}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{B}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for title, command in EXAMPLES:
            out = subprocess.run(shlex.split(command), capture_output=True, text=True).stdout
            body = out
            if out.lstrip().startswith(("{", "[")):
                body = pretty(json.loads(out))
            elif "\n\n" in out:  # (text mode turned CRLF into LF)
                head, _, rest = out.partition("\n\n")
                keep = [line for line in head.split("\n") if line.startswith("HTTP/") or
                        line.split(":")[0] in ("Content-Type", "Content-Disposition", "Location")]
                try:
                    rest = pretty(json.loads(rest))
                except ValueError:
                    pass
                body = "\n".join(keep) + "\n\n" + rest
            print((f"{title}:\n\n" if title else "") + f"```sh\n{command.replace(B, 'http://127.0.0.1:8000')}\n```\n```\n"
                  f"{body.strip()}\n```\n")
    finally:
        proc.terminate()
        proc.wait()
        server.shutdown()


if __name__ == "__main__":
    main()
