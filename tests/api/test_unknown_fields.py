"""An unknown field is refused with the field the caller most likely meant, not a bare "Unknown field."

Callers send CSL-JSON's names ("author", "issued") inside friendly metadata, or misspell one; the
answer must say what to send instead, and still refuse (nothing is guessed or written)."""
import pytest

PAGE = {"title": "Anxiety", "authors": [{"name": "Mind"}], "published": "2023"}


@pytest.mark.parametrize("sent, meant", [
    ("author", "authors"),
    ("issued", "published"),
    ("container-title", "container_title"),
    ("URL", "url"),
    ("publisher-place", "place"),
    ("page", "pages"),
    ("sitename", "site_name"),
])
def test_a_metadata_field_under_another_name_is_named(client, sent, meant):
    response = client.post("/v1/citations", json={"metadata": {**PAGE, sent: "x"}})
    assert response.status_code == 422
    message = response.json["errors"]["metadata"][sent][0]
    assert f"'{meant}'" in message


def test_a_top_level_item_is_pointed_at_csl(client):
    response = client.post("/v1/citations", json={"item": {"type": "book", "title": "Attachment"}})
    assert response.status_code == 422
    assert "'csl'" in response.json["errors"]["item"][0]


def test_a_person_given_as_csl_names_still_works_and_a_wrong_key_is_named(client):
    response = client.post("/v1/citations", json={
        "metadata": {**PAGE, "authors": [{"surname": "Bowlby", "given": "John"}]}})
    assert response.status_code == 422
    assert "'family'" in str(response.json["errors"]["metadata"]["authors"])


def test_a_field_unlike_any_is_refused_without_a_guess(client):
    response = client.post("/v1/citations", json={"metadata": {**PAGE, "zzqx": "1"}})
    assert response.status_code == 422
    assert response.json["errors"]["metadata"]["zzqx"] == ["Unknown field."]


def test_a_cite_in_a_reference_list_names_the_field_meant(client):
    response = client.post("/v1/references", json={
        "items": [{"id": "a", "type": "book", "title": "Attachment"}],
        "citations": [{"cites": [{"id": "a", "suppress_author": True}]}]})
    assert response.status_code == 422
    assert "'suppress-author'" in str(response.json["errors"])


def test_a_resource_field_under_another_name_is_named(client, editor):
    response = client.post("/v1/resources", headers=editor, json={
        "id": "mind", "name": "Mind", "link": "https://www.mind.org.uk/"})
    assert response.status_code == 422
    assert "'url'" in response.json["errors"]["link"][0]


@pytest.mark.parametrize("field", ["doi", "url"])
def test_a_doi_or_url_sent_to_post_says_where_lookups_go(client, field):
    response = client.post("/v1/citations", json={field: "10.1037/pst0000282"})
    assert response.status_code == 422
    message = response.json["errors"][field][0]
    assert f"GET /v1/citations?{field}=" in message and "/v1/citations/batch" in message


def test_a_person_given_as_a_string_is_told_the_shape(client):
    response = client.post("/v1/citations", json={"metadata": {**PAGE, "authors": ["Jane Smith"]}})
    assert response.status_code == 422
    message = str(response.json["errors"]["metadata"]["authors"])
    assert '{"family": ' in message and '{"name": ' in message


def test_a_style_list_given_as_one_name_is_told_to_send_a_list(client):
    response = client.post("/v1/citations", json={"metadata": PAGE, "styles": "apa"})
    assert response.status_code == 422
    assert '["apa"]' in response.json["errors"]["styles"][0]


def test_a_cite_names_locator_for_page_and_takes_a_number_as_its_locator(client):
    items = [{"id": "a", "type": "book", "title": "Attachment"}]
    response = client.post("/v1/references", json={
        "items": items, "citations": [{"cites": [{"id": "a", "page": "12"}]}]})
    assert response.status_code == 422 and "'locator'" in str(response.json["errors"])
    response = client.post("/v1/references", json={
        "items": items, "styles": ["apa"], "formats": ["text"],
        "citations": [{"cites": [{"id": "a", "locator": 12, "label": "page"}]}]})
    assert response.status_code == 200, response.json
    assert "12" in response.json["citations"]["apa"][0]["text"]


def test_a_citation_given_as_a_bare_list_of_cites_is_told_the_shape(client):
    response = client.post("/v1/references", json={
        "items": [{"id": "a", "type": "book", "title": "Attachment"}], "citations": [[{"id": "a"}]]})
    assert response.status_code == 422
    assert '{"cites": [' in str(response.json["errors"]["citations"])


def test_a_wrong_method_names_the_methods_the_endpoint_takes(client):
    response = client.delete("/v1/citations")
    assert response.status_code == 405
    assert "GET" in response.json["message"] and "POST" in response.json["message"]


@pytest.mark.parametrize("path, sent, meant", [
    ("/v1/citations", "styles", "style"), ("/v1/citations", "syle", "style"),
    ("/v1/citations", "format", "formats"), ("/v1/citations/block", "styles", "style"),
    ("/v1/citations/block", "Style", "style"), ("/v1/citations/block", "local", "locale"),
])
def test_a_query_parameter_spelt_nearly_right_is_refused_with_the_one_meant(client, path, sent, meant):
    # it would do nothing, and the answer would look right: three default styles for the one asked
    response = client.get(path, query_string={"doi": "10.1037/pst0000282", sent: "ieee"})
    assert response.status_code == 422
    assert response.json["errors"][sent] == [f"Unknown parameter; did you mean '{meant}'?"]


def test_a_query_parameter_like_no_other_passes_unread(client):
    response = client.get("/v1/citations", query_string={"_": "1700000000", "utm_source": "x"})
    assert response.status_code == 422  # for want of a doi or url, and for nothing else
    assert set(response.json["errors"]) == {"_schema"}


@pytest.mark.parametrize("names", [("author", "issued", "URL"), ("URL", "issued", "author")])
def test_errors_name_the_fields_in_the_order_the_request_wrote_them(client, names):
    sent = {"title": "Attachment", **{name: "x" for name in names}}
    response = client.post("/v1/citations", json={"metadata": sent})
    assert response.status_code == 422
    assert list(response.json["errors"]["metadata"]) == list(names)
