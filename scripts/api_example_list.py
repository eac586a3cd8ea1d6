"""The README's API examples: the stand-in pages, the intro and each curl command, in order.

scripts/api_examples.py runs them against a real refsvc and prints their real output.
"""
from __future__ import annotations

import json

PORT, STAND_IN = 8000, 8009
B = f"http://127.0.0.1:{PORT}"
S = f"http://127.0.0.1:{STAND_IN}"
TOKEN = "s3cret-editor-token"
H = "-H 'Content-Type: application/json'"
AUTH = f"-H 'Authorization: Bearer {TOKEN}'"

# What the loopback stand-in answers: a DOI's CSL-JSON for /10.*, and two web pages.
SEED_DOI = {"type": "article-journal", "DOI": "10.1037/pst0000282",
            "URL": "https://doi.org/10.1037/pst0000282",
            "title": "The impact of brief dynamic interpersonal therapy (DIT) on veteran depression "
                     "and anxiety.", "container-title": "Psychotherapy", "volume": "57", "issue": "3",
            "page": "464-468", "publisher": "American Psychological Association (APA)",
            "author": [{"family": "Chen", "given": "Christine K."}, {"family": "Nehrig", "given": "Nicholas"},
                       {"family": "Wash", "given": "Lauren"}, {"family": "Wang", "given": "Bing"}],
            "issued": {"date-parts": [[2020, 9]]}}
PAGES = {
    "/anxiety": b"""<html lang="en"><head><title>Anxiety | Mind</title><meta property="og:site_name" content="Mind">
<meta property="og:title" content="Anxiety"><meta name="description" content="Mind is a mental health charity.">
<meta property="article:published_time" content="2023-05-02"></head><body><h1>Anxiety</h1>Mind</body></html>""",
    "/helpline": b"""<html lang="en"><head><title>Helpline | Anxiety UK</title>
<meta property="og:site_name" content="Anxiety UK"></head><body><main><h1>Our helpline</h1>
<p>Anxiety UK runs a helpline for people living with anxiety. Call us on weekdays from 9:30am to
5:30pm. Calls are answered by trained volunteers who have lived experience of anxiety.</p>
<p>You can also email us or use our text service.</p></main></body></html>""",
}

SEED = {"title": "Dynamic Interpersonal Therapy in London", "authors": [{"name": "Harley Therapy Ltd."}],
        "site_name": "Harley Therapy", "published": "2022-01-20", "accessed": "2022-08-11",
        "url": "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"}
WIDGET_HTML = ('<html lang="en"><head><title>Anxiety | Mind</title><meta name="author" content="Mind">'
               '<meta property="og:site_name" content="Mind"><meta property="og:title" content="Anxiety">'
               '<meta property="article:modified_time" content="2024-02-01"></head><body>...</body></html>')
WORKS = [
    {"id": "fonagy-a", "type": "article-journal", "title": "Dynamic interpersonal therapy for depression",
     "author": [{"family": "Fonagy", "given": "Peter"}], "container-title": "Psychotherapy",
     "issued": {"date-parts": [[2014]]}},
    {"id": "fonagy-b", "type": "book", "title": "What works for whom?", "publisher": "Guilford",
     "author": [{"family": "Fonagy", "given": "Peter"}], "issued": {"date-parts": [[2014]]}},
    {"metadata": {"id": "mind", "title": "Anxiety", "authors": [{"name": "Mind"}], "published": "2023-05-02",
                  "url": "https://www.mind.org.uk/anxiety"}},
]


IBID_STYLE = "chicago-notes-bibliography-subsequent-ibid-17th-edition"


def j(value) -> str:
    """A JSON body for a single-quoted shell argument."""
    return "'" + json.dumps(value, ensure_ascii=False) + "'"


INTRO = f"""\
## API

The OpenAPI document is at `/openapi.json` and browsable at `/docs`. Errors are JSON
`{{"code", "status", "message", "errors"?}}` (a browser's plain form post gets the same status as a
small HTML page): 400 malformed body or refused address, 401/403 editor token missing/wrong, 404
unknown style (before anything is fetched or read), resource or DOI, 405 with the methods taken, 413
body over 256 KiB, 422 invalid fields or locale (each named; an unknown field, or a query parameter
spelt nearly right, with the name most likely meant: CSL-JSON's `author` for friendly metadata's
`authors`, `styles` for `?style=`; other query parameters pass unread) or an unparsable URL, 429 too
many reports, batches or lookups, 502/504 an
upstream source failed or timed out, 503 `database_unavailable` when the database does not answer in
time. `Retry-After` comes with 429 and 503 only. GET answers carry `ETag` (a matching
`If-None-Match` gets 304) and `Cache-Control`. gunicorn takes request lines up to 8 KiB, so a long
`?url=` gets the JSON 422 (a URL is at most 2,048 characters); a longer line is gunicorn's own 414.

Every example below is real output, made by `.venv/bin/python scripts/api_examples.py` (with
ports 8000 and 8009 free; `--write README.md` puts it here). It starts refsvc under gunicorn on a
fresh SQLite file with the editor token `{TOKEN}` and the batch limit set to 2 per minute,
and plays doi.org and two web pages (Mind's anxiety page, Anxiety UK's helpline page) with a
loopback stand-in on port 8009, because the machine that made them has no internet. In a real
deployment the DOI examples (`?doi=`, the batch's DOI entry) reach doi.org (then Crossref), and the
`?url=` examples, the checks and the description checks fetch the real page; everything else needs
no network.

To try them against your own `make run`, use the editor token it printed (kept in
`instance/editor-token`) instead of `s3cret-editor-token`; the examples on `127.0.0.1:8009` need the
stand-in that `scripts/api_examples.py` starts (against `make run` alone they answer `refused_address`,
because refsvc never fetches private addresses unless `REFSVC_ALLOW_PRIVATE_ADDRESSES=1`).
"""

# (title, command, how to show it): "hide" runs a step without printing it, "head": N keeps the
# first N lines of the body, "lines": (prefixes) keeps the lines starting with one of them.
EXAMPLES = [
    ("Liveness: the process answers (nothing else is touched, so a hung database never gets a live "
     "process restarted)", f"curl -s {B}/healthz", {}),
    ("Readiness: the database (and Redis, when REFSVC_REDIS_URL is set) answers; 503 naming what is down "
     "otherwise", f"curl -s {B}/readyz", {}),
    ("A style of the catalogue", f"curl -s {B}/v1/styles/mla", {}),
    ("Search every bundled CSL style (`matches`); `suggestions` are the catalogue's picks, abridged here",
     f"curl -s '{B}/v1/styles?q=harvard'", {"json_abridge": True}),
    ("Cite page metadata (the seed page) in the three default styles, as text",
     f"curl -s {B}/v1/citations {H} -d {j({'metadata': SEED, 'formats': ['text']})}", {}),
    ("The same item as a BibTeX download",
     f"curl -si {B}/v1/citations {H} -d {j({'metadata': SEED, 'formats': ['bibtex']})}", {}),
    ("Cite a DOI, pasted in any form",
     f"curl -s '{B}/v1/citations?doi=https://doi.org/10.1037/PST0000282&style=apa&formats=text'", {}),
    ("Cite a web page by its address (where each field came from is in `provenance`)",
     f"curl -s '{B}/v1/citations?url={S}/anxiety&style=mla&formats=text'", {}),
    ("Cite a page from the HTML the visitor's browser already has: the cite widget's path, which "
     "fetches nothing (the page may sit behind a login)",
     f"curl -s {B}/v1/citations {H} -d "
     + j({"page": {"url": "https://www.mind.org.uk/anxiety", "html": WIDGET_HTML}, "styles": ["apa"],
          "formats": ["text"]}), {}),
    ("Several entries at once: one result or one error each, in order",
     f"curl -s {B}/v1/citations/batch {H} -d " + j(
         {"entries": [{"doi": "10.1037/pst0000282"}, {"metadata": {"title": "Anxiety", "authors": [{"name": "Mind"}],
          "published": "2023", "url": "https://www.mind.org.uk/"}}, {"doi": "not-a-doi"}],
          "styles": ["apa"], "formats": ["text"]}), {}),
    ("", f"curl -s {B}/v1/citations/batch {H} -d " + j({"entries": [{"doi": "10.1037/pst0000282"}]}),
     {"hide": True}),
    ("A third batch within the minute (the limit here is 2 per minute; the default is "
     "REFSVC_BATCH_RATE_LIMIT=\"20 per minute;500 per day\" per client, and editors are exempt)",
     f"curl -si {B}/v1/citations/batch {H} -d " + j({"entries": [{"doi": "10.1037/pst0000282"}]}), {}),
    ("A document's reference list and its citations in order: two works by one author in one year "
     "become 2014a and 2014b, a locator is a page, and a citation of the work just cited is *Ibid.* "
     "in a note style that uses it (Chicago's 18th edition, the catalogue's `chicago`, prefers a "
     "short note; any CSL id of the bundled library can be named)",
     f"curl -s {B}/v1/references {H} -d " + j(
         {"items": WORKS, "styles": ["apa", IBID_STYLE], "formats": ["text"],
          "citations": [{"cites": [{"id": "fonagy-a", "locator": "12", "label": "page"}]},
                        {"cites": [{"id": "fonagy-a", "locator": "14", "label": "page"}]},
                        {"cites": [{"id": "fonagy-b"}, {"id": "mind"}]}]}), {}),
    ("A citation of a work that is not in `items`",
     f"curl -s {B}/v1/references {H} -d " + j(
         {"items": WORKS[:1], "citations": [{"cites": [{"id": "fonagy-c"}]}]}), {}),
    ("The cite-this-page block as an HTML fragment for a server-side include (abridged); "
     "POST /v1/citations/block takes POST /v1/citations's body",
     f"curl -s '{B}/v1/citations/block?url={S}/anxiety'", {"head": 16}),
    ("", f"curl -s {B}/v1/citations/block {H} -d {j({'metadata': SEED})}", {"head": 8}),
    ("An unknown style", f"curl -s {B}/v1/citations {H} -d {j({'metadata': SEED, 'styles': ['apa9']})}", {}),
    ("A bad date", f"curl -s {B}/v1/citations {H} -d {j({'metadata': dict(SEED, published='2022-13-45')})}", {}),
    ("CSL-JSON's names in friendly metadata (refused, with the name meant; a CSL-JSON item goes in `csl`)",
     f"curl -s {B}/v1/citations {H} -d " + j({"metadata": {"title": "Attachment", "author": [
         {"family": "Bowlby", "given": "John"}], "issued": "1969"}}), {}),
    ("Malformed addresses (`http://[::1/`, and a port in full-width digits)",
     f"curl -s '{B}/v1/citations?url=http://%5B::1/'", {}),
    ("", f"curl -s '{B}/v1/citations?url=http://127.0.0.1:%EF%BC%98%EF%BC%90%EF%BC%90%EF%BC%99/'", {}),
    ("Register a resource (editor)",
     f"curl -si {B}/v1/resources {H} {AUTH} -d " + j(
         {"id": "mind-anxiety", "name": "Mind", "url": f"{S}/anxiety",
          "description": "Mind is a mental health charity.", "tags": ["anxiety"]}), {}),
    ("Check it now (editor)", f"curl -s -X POST {B}/v1/resources/mind-anxiety/check {AUTH}", {}),
    ("The resource with its health, last check and `description_check` (does the page still bear out "
     "the description?)", f"curl -s {B}/v1/resources/mind-anxiety", {}),
    ("Its check history, newest first, paginated", f"curl -si '{B}/v1/resources/mind-anxiety/checks?page_size=1'", {}),
    ("Change what the registry says (editor)",
     f"curl -s -X PATCH {B}/v1/resources/mind-anxiety {H} {AUTH} -d {j({'expect': ['Anxiety', 'Mind']})}", {}),
    ("A resource whose description claims what its page does not say",
     f"curl -s {B}/v1/resources {H} {AUTH} -d " + j(
         {"id": "anxiety-uk-helpline", "name": "Anxiety UK helpline", "url": f"{S}/helpline",
          "description": "A 24-hour helpline, open every day, answered by qualified psychiatrists.",
          "tags": ["anxiety"]}), {}),
    ("Check it now (editor): the answer is the check just recorded",
     f"curl -s -X POST {B}/v1/resources/anxiety-uk-helpline/check {AUTH}", {}),
    ("Resources whose description the page no longer supports (also `supported`, `changed`, `unknown`)",
     f"curl -s '{B}/v1/resources?verdict=unsupported'", {}),
    ("Confirm a description (editor): the page as it is now becomes the baseline later checks compare "
     "with; send `{\"description\": \"...\"}` to confirm a new text, or `{\"accept_suggestion\": true}`",
     f"curl -s -X POST {B}/v1/resources/anxiety-uk-helpline/confirm-description {H} {AUTH} -d " + j(
         {"description": "The Anxiety UK helpline, answered on weekdays by trained volunteers."}), {}),
    ("A visitor reports a link (`page` is the page of the website it was reported from)",
     f"curl -s {B}/v1/reports {H} -d " + j(
         {"resource_id": "mind-anxiety", "reason": "inaccurate", "comment": "The page is about stress now",
          "page": "https://www.harleytherapy.co.uk/anxiety.htm"}), {}),
    ("The registry as CSV or Markdown (a link report for a ticket); with the editor token "
     "`open_reports` is filled in",
     f"curl -si '{B}/v1/resources?format=csv' {AUTH}", {}),
    ("", f"curl -s '{B}/v1/resources?format=markdown' {AUTH}", {}),
    ("The further-reading block for a tag (abridged)", f"curl -s '{B}/v1/resources/block?tag=anxiety'",
     {"head": 24}),
    ("Editors list the reports, and resolve one", f"curl -s '{B}/v1/reports?status=open' {AUTH}", {}),
    ("", f"curl -s -X PATCH {B}/v1/reports/1 {H} {AUTH} -d {j({'status': 'resolved', 'note': 'Description updated'})}",
     {}),
    ("Audit a page's outbound links against the registry (editor)",
     f"curl -s {B}/v1/audits {H} {AUTH} -d " + j(
         {"base_url": "https://www.harleytherapy.co.uk/dit.htm", "html": f"<p>See <a href=\"{S}/anxiety\">"
          "Mind</a>, the mental health charity, and <a href=\"https://example.org/\">this</a>.</p>"}), {}),
    ("Metrics for Prometheus (a few of its lines; REFSVC_METRICS_TOKEN makes it need a bearer token)",
     f"curl -s {B}/metrics", {"lines": (
         'refsvc_http_requests_total{endpoint="/v1/references"', "refsvc_checks_total{",
         "refsvc_reports_received_total{", "refsvc_metrics_database_up", "refsvc_checks_due")}),
    ("When the database is down, hung or locked past its timeouts (here another connection holds the "
     "SQLite write lock; REFSVC_DATABASE_STATEMENT_TIMEOUT is 5 s), what needs it answers 503 with "
     "`Retry-After` instead of hanging, citations (which need no database) keep working, and "
     "`GET /readyz` answers 503 naming `database` when it cannot read",
     f"curl -si {B}/v1/reports {H} -d " + j({"resource_id": "mind-anxiety", "reason": "broken"}),
     {"lock_database": True}),
    ("No token", f"curl -s -X DELETE {B}/v1/resources/mind-anxiety", {}),
    ("With the token", f"curl -si -X DELETE {B}/v1/resources/mind-anxiety {AUTH}", {}),
]
