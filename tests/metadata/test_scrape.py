"""URL lookups against loopback pages with each kind of metadata, and the faults pages have."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from refsvc.metadata import InvalidURL, PageNotFound, RefusedAddress, UpstreamFailure, UpstreamTimeout

DATA = Path(__file__).parent / "data"
CSL = "application/vnd.citationstyles.csl+json"

HIGHWIRE = """<html><head><title>Sleep and mood | Journal of Sleep Studies</title>
<meta name="citation_title" content="Sleep and mood in adolescents: a cohort study">
<meta name="citation_author" content="Okafor, Adaeze">
<meta name="citation_author" content="van der Berg, Jan">
<meta name="citation_author" content="Müller, Jörg">
<meta name="citation_publication_date" content="2021/03/04">
<meta name="citation_journal_title" content="Journal of Sleep Studies">
<meta name="citation_volume" content="12"><meta name="citation_issue" content="2">
<meta name="citation_firstpage" content="101"><meta name="citation_lastpage" content="117">
<meta name="citation_issn" content="1234-5678"><meta name="citation_language" content="en">
<meta name="citation_publisher" content="Sleep Society Press">
<meta property="og:title" content="Sleep and mood (OpenGraph)">
</head><body></body></html>"""

JSON_LD = """<html lang="en"><head><title>Why sleep matters | Mind Matters</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "@id": "https://mm.example/#site", "name": "Mind Matters"},
 {"@type": "Organization", "@id": "https://mm.example/#org", "name": "Mind Matters Media Ltd"},
 {"@type": "NewsArticle", "headline": "Why sleep matters", "datePublished": "2023-05-06T08:00:00+01:00",
  "dateModified": "2023-06-01", "inLanguage": "en-GB", "publisher": {"@id": "https://mm.example/#org"},
  "isPartOf": {"@id": "https://mm.example/#site"},
  "author": [{"@type": "Person", "name": "Dr. Priya Raman"}, {"@type": "Person", "givenName": "Tom",
             "familyName": "Ellis"}]}]}</script>
<meta name="author" content="Someone Else"></head><body></body></html>"""

SEED_PAGE = """<!DOCTYPE html><html lang="en-GB"><head>
<title>Dynamic Interpersonal Therapy in London | Harley Therapy</title>
<meta name="author" content="Website by Pixel Studio">
<meta property="og:site_name" content="Harley Therapy">
<meta property="og:title" content="Dynamic Interpersonal Therapy in London | Harley Therapy">
<link rel="canonical" href="https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "WebPage",
 "name": "Dynamic Interpersonal Therapy in London | Harley Therapy", "datePublished": "2022-01-20",
 "author": {"@type": "Organization", "name": "Harley Therapy Ltd."}}</script>
</head><body><footer>Website design by Pixel Studio</footer></body></html>"""

DUBLIN_CORE = """<html><head><title>Grief and loss</title>
<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">
<meta name="DC.title" content="Grief and loss: a guide for carers">
<meta name="DC.creator" content="Lindqvist, Maria"><meta name="DC.creator" content="Chen, Wei">
<meta name="DC.date" content="2019-11"><meta name="DC.publisher" content="Carers Trust">
<meta name="DC.language" content="en"></head><body></body></html>"""

OPEN_GRAPH = """<html><head><title>Panic attacks - Calm Place</title>
<meta property="og:title" content="Panic attacks: what helps">
<meta property="og:site_name" content="Calm Place">
<meta property="article:published_time" content="2020-02-29T12:00:00Z">
<meta name="author" content="Dr. Sheri Jacobson"></head><body></body></html>"""

BASIC = """<html lang="en-GB"><head><title>Coping with grief | Mindful Clinic</title>
<meta name="author" content="Designed by WebCo Ltd">
<link rel="canonical" href="/grief"></head><body></body></html>"""

MICRODATA = """<html><head><title>x</title></head><body>
<article itemscope itemtype="https://schema.org/BlogPosting"><h1 itemprop="headline">Ten minutes of calm</h1>
<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ana Souza</span></span>
<time itemprop="datePublished" datetime="2018-07-01">1 July 2018</time></article></body></html>"""

PAGE_WITH_DOI = """<html><head><title>Brief DIT for veterans</title>
<meta name="citation_title" content="Brief DIT for veterans (page copy)">
<meta name="citation_doi" content="doi:10.1037/PST0000282"></head><body></body></html>"""

JSON_LD_DOI = """<html><head><title>Brief DIT</title><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": "Brief DIT",
 "sameAs": "https://doi.org/10.1037/pst0000282"}</script></head><body></body></html>"""


XHTML = """<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr"><head><title>Thérapie brève | Santé Mentale</title>
<meta name="citation_author" content="Lefèvre, Hélène"></head><body></body></html>"""


YOAST = """<html lang="en-GB"><head><title>Dynamic Interpersonal Therapy in London | Harley Therapy</title>
<script type="application/ld+json" class="yoast-schema-graph">{"@context": "https://schema.org", "@graph": [
 {"@type": "Article", "@id": "https://ht.example/dit#article", "isPartOf": {"@id": "https://ht.example/dit"},
  "author": {"@id": "https://ht.example/#/schema/person/1"}, "headline": "Dynamic Interpersonal Therapy in London",
  "datePublished": "2022-01-20T09:00:00+00:00", "dateModified": "2022-08-01T10:00:00+00:00",
  "publisher": {"@id": "https://ht.example/#organization"}},
 {"@type": "WebPage", "@id": "https://ht.example/dit", "name": "Dynamic Interpersonal Therapy in London | Harley Therapy",
  "isPartOf": {"@id": "https://ht.example/#website"}},
 {"@type": "WebSite", "@id": "https://ht.example/#website", "name": "Harley Therapy",
  "publisher": {"@id": "https://ht.example/#organization"}},
 {"@type": "Organization", "@id": "https://ht.example/#organization", "name": "Harley Therapy Ltd."},
 {"@type": "Person", "@id": "https://ht.example/#/schema/person/1", "name": "Dr Sheri Jacobson"}]}</script>
</head><body></body></html>"""


def serve(httpserver, path: str, html: str) -> str:
    httpserver.expect_request(path).respond_with_data(html, content_type="text/html; charset=utf-8")
    return httpserver.url_for(path)


def today() -> list[int]:
    now = datetime.datetime.now(datetime.timezone.utc)
    return [now.year, now.month, now.day]


def test_highwire_tags_are_trusted_first(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/article", HIGHWIRE))
    item, provenance = lookup.item, lookup.provenance
    assert item["type"] == "article-journal" and lookup.source == "page"
    assert item["title"] == "Sleep and mood in adolescents: a cohort study"
    assert item["author"] == [{"family": "Okafor", "given": "Adaeze"},
                              {"non-dropping-particle": "van der", "family": "Berg", "given": "Jan"},
                              {"family": "Müller", "given": "Jörg"}]
    assert item["issued"] == {"date-parts": [[2021, 3, 4]]} and item["page"] == "101–117"
    assert (item["container-title"], item["volume"], item["issue"]) == ("Journal of Sleep Studies", "12", "2")
    assert provenance["title"] == "citation_title" and provenance["author"] == "citation_author"
    assert provenance["issued"] == "citation_publication_date"
    assert item["accessed"] == {"date-parts": [today()]} and item["URL"] == httpserver.url_for("/article")


def test_json_ld_gives_people_dates_publisher_and_site(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/news", JSON_LD))
    item, provenance = lookup.item, lookup.provenance
    assert item["type"] == "article-newspaper" and item["title"] == "Why sleep matters"
    assert item["author"] == [{"family": "Raman", "given": "Priya"}, {"family": "Ellis", "given": "Tom"}]
    assert item["issued"] == {"date-parts": [[2023, 5, 6]]}
    # APA 7: a publisher is named without its business designation ("Ltd")
    assert item["publisher"] == "Mind Matters Media" and item["container-title"] == "Mind Matters"
    assert item["language"] == "en-GB"
    assert provenance["author"] == "json-ld" and provenance["issued"] == "json-ld"


def test_the_seed_page_cites_its_organisation_not_its_web_developer(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/dit", SEED_PAGE))
    item = lookup.item
    assert item["title"] == "Dynamic Interpersonal Therapy in London"
    assert item["author"] == [{"literal": "Harley Therapy Ltd."}]
    assert item["container-title"] == "Harley Therapy" and lookup.provenance["container-title"] == "og:site_name"
    assert item["issued"] == {"date-parts": [[2022, 1, 20]]}
    assert item["URL"] == "https://www.harleytherapy.co.uk/dynamic-interpersonal-therapy-london.htm"
    assert lookup.provenance["URL"] == "link rel=canonical" and item["language"] == "en-GB"


def test_dublin_core_gives_every_creator(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/dc", DUBLIN_CORE))
    item = lookup.item
    assert item["title"] == "Grief and loss: a guide for carers" and lookup.provenance["title"] == "dc.title"
    assert item["author"] == [{"family": "Lindqvist", "given": "Maria"}, {"family": "Chen", "given": "Wei"}]
    assert item["issued"] == {"date-parts": [[2019, 11]]} and item["publisher"] == "Carers Trust"


def test_opengraph_and_a_meta_author(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/og", OPEN_GRAPH))
    item, provenance = lookup.item, lookup.provenance
    assert (item["title"], provenance["title"]) == ("Panic attacks: what helps", "og:title")
    assert item["container-title"] == "Calm Place"
    assert item["issued"] == {"date-parts": [[2020, 2, 29]]}
    assert provenance["issued"] == "article:published_time"
    assert item["author"] == [{"family": "Jacobson", "given": "Sheri"}] and provenance["author"] == "meta author"


def test_a_bare_page_splits_the_site_name_off_its_title_and_skips_the_design_credit(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/basic", BASIC))
    item, provenance = lookup.item, lookup.provenance
    assert (item["title"], provenance["title"]) == ("Coping with grief", "<title>")
    assert item["container-title"] == "Mindful Clinic"
    assert "author" not in item
    assert item["URL"] == httpserver.url_for("/grief") and item["language"] == "en-GB"
    assert item["type"] == "webpage"


def test_microdata_is_read(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/md", MICRODATA))
    assert lookup.item["title"] == "Ten minutes of calm" and lookup.item["type"] == "post-weblog"
    assert lookup.item["author"] == [{"family": "Souza", "given": "Ana"}]
    assert lookup.provenance["title"] == "microdata"


@pytest.mark.parametrize("page, doi_source", [(PAGE_WITH_DOI, "citation_doi"), (JSON_LD_DOI, "json-ld")])
def test_a_doi_on_the_page_goes_the_doi_way(httpserver, make_resolver, page, doi_source):
    httpserver.expect_request("/doi/10.1037/pst0000282").respond_with_data(
        (DATA / "pst0000282.csl.json").read_text(), content_type=CSL)
    lookup = make_resolver(httpserver.url_for("/doi")).url(serve(httpserver, "/paper", page))
    assert lookup.item["title"].startswith("The impact of brief dynamic interpersonal therapy")
    assert lookup.item["page"] == "464–468"
    assert lookup.provenance["DOI"] == doi_source and lookup.provenance["title"] == "doi-resolver"
    assert "DOI found on the page" in lookup.source


def test_a_page_doi_that_cannot_be_resolved_leaves_the_page_metadata(httpserver, make_resolver):
    httpserver.expect_request("/doi/10.1037/pst0000282").respond_with_data("no", status=404)
    httpserver.expect_request("/works/10.1037/pst0000282").respond_with_data("no", status=404)
    lookup = make_resolver(httpserver.url_for("/doi"), httpserver.url_for("")).url(
        serve(httpserver, "/paper", PAGE_WITH_DOI))
    assert lookup.item["title"] == "Brief DIT for veterans (page copy)"
    assert lookup.item["DOI"] == "10.1037/PST0000282" and lookup.source == "page"


def test_a_pdf_is_cited_from_what_is_known(httpserver, make_resolver):
    httpserver.expect_request("/files/leaflet").respond_with_data(
        b"%PDF-1.7 binary", content_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="DIT leaflet.pdf"'})
    lookup = make_resolver("http://127.0.0.1:9").url(httpserver.url_for("/files/leaflet"))
    assert lookup.item["type"] == "document" and lookup.item["title"] == "DIT leaflet"
    assert lookup.provenance["title"] == "content-disposition"
    assert lookup.item["accessed"] == {"date-parts": [today()]} and lookup.source == "file"


def test_an_image_without_a_name_is_titled_from_its_url(httpserver, make_resolver):
    httpserver.expect_request("/img/couch-photo.jpg").respond_with_data(b"\xff\xd8\xff", content_type="image/jpeg")
    lookup = make_resolver("http://127.0.0.1:9").url(httpserver.url_for("/img/couch-photo.jpg"))
    assert (lookup.item["type"], lookup.item["title"], lookup.provenance["title"]) == ("graphic", "couch-photo", "url")


def test_a_page_is_fetched_once_then_served_from_the_cache(httpserver, make_resolver):
    url = serve(httpserver, "/basic", BASIC)
    resolver = make_resolver("http://127.0.0.1:9")
    assert resolver.url(url).item == resolver.url(url).item
    assert len(httpserver.log) == 1
    cached = list(resolver.page_sources.client.session.cache.responses.values())
    assert [round((r.expires - r.created_at).total_seconds() / 3600) for r in cached] == [24]  # PAGE_CACHE_TTL


def test_a_missing_page_is_not_found(httpserver, make_resolver):
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    with pytest.raises(PageNotFound, match="404"):
        make_resolver("http://127.0.0.1:9").url(httpserver.url_for("/gone"))


def test_a_failing_page_is_an_upstream_failure(httpserver, make_resolver):
    httpserver.expect_request("/error").respond_with_data("oops", status=500)
    with pytest.raises(UpstreamFailure, match="HTTP 500"):
        make_resolver("http://127.0.0.1:9").url(httpserver.url_for("/error"))


def test_a_page_that_hangs_is_an_upstream_timeout(faults, make_resolver):
    with pytest.raises(UpstreamTimeout):
        make_resolver("http://127.0.0.1:9", LOOKUP_TIMEOUT=0.8).url(faults.url("/hang"))


def test_an_endless_page_is_read_up_to_the_cap(faults, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9", HTTP_MAX_BYTES=200_000).url(faults.url("/endless"))
    assert lookup.item["type"] == "webpage" and lookup.item["URL"] == faults.url("/endless")


@pytest.mark.parametrize("url, error", [("not a url", InvalidURL), ("/relative/path", InvalidURL),
                                        ("file:///etc/passwd", RefusedAddress),
                                        ("http://169.254.169.254/latest/meta-data/", RefusedAddress)])
def test_bad_urls_are_refused_with_a_reason(make_resolver, url, error):
    resolver = make_resolver("http://127.0.0.1:9", ALLOW_PRIVATE_ADDRESSES=False)
    with pytest.raises(error):
        resolver.url(url)


def test_an_xhtml_page_in_latin_1_is_read(httpserver, make_resolver):
    httpserver.expect_request("/fr").respond_with_data(XHTML.encode("iso-8859-1"), content_type="application/xhtml+xml")
    lookup = make_resolver("http://127.0.0.1:9").url(httpserver.url_for("/fr"))
    assert lookup.item["title"] == "Thérapie brève" and lookup.item["container-title"] == "Santé Mentale"
    assert lookup.item["author"] == [{"family": "Lefèvre", "given": "Hélène"}]
    assert lookup.item["language"] == "fr"


def test_an_author_named_like_the_site_is_the_organisation(httpserver, make_resolver):
    page = OPEN_GRAPH.replace("Dr. Sheri Jacobson", "Calm Place")
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/og", page))
    assert lookup.item["author"] == [{"literal": "Calm Place"}]


def test_a_yoast_graph_is_followed_by_reference(httpserver, make_resolver):
    lookup = make_resolver("http://127.0.0.1:9").url(serve(httpserver, "/yoast", YOAST))
    item = lookup.item
    assert item["title"] == "Dynamic Interpersonal Therapy in London"
    assert item["author"] == [{"family": "Jacobson", "given": "Sheri"}]
    # the publisher is the site itself (Harley Therapy Ltd.): named once, as the site
    assert item["container-title"] == "Harley Therapy" and "publisher" not in item
    assert item["issued"] == {"date-parts": [[2022, 1, 20]]} and item["type"] == "webpage"
