"""A resource whose address the checker may never fetch is refused when it is made (422), under the
guarded client's own policy: REFSVC_ALLOW_PRIVATE_ADDRESSES and REFSVC_OUTBOUND_PORTS."""
from __future__ import annotations

import pytest

from refsvc import create_app
from refsvc.storage import get_database
from refsvc.storage import resources as store

MIND = {"id": "mind", "name": "Mind", "url": "https://www.mind.org.uk/"}


@pytest.fixture
def public_app(settings, tmp_path, monkeypatch):
    """A public deployment: private addresses refused, ports 80 and 443 only (the defaults)."""
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**settings, "ALLOW_PRIVATE_ADDRESSES": "0"})


def stored_ids(app):
    with get_database(app).transaction() as session:
        return [e["id"] for e in store.export_entries(session)]


@pytest.mark.parametrize("field, url, words", [
    ("url", "http://10.0.0.1/", "private address 10.0.0.1"),
    ("url", "http://127.0.0.1/anxiety", "loopback"),
    ("url", "http://127.0.0.1:8009/anxiety", "port 8009"),
    ("url", "http://[::1]/", "loopback"),
    ("url", "https://www.mind.org.uk:8443/", "port 8443"),
    ("url", "http://2130706433/", "decimal, octal or hex"),
    ("logo_url", "http://192.168.1.1/logo.png", "private address 192.168.1.1"),
])
def test_an_address_the_checker_may_not_fetch_is_a_422_at_create(public_app, editor, field, url, words):
    client = public_app.test_client()
    response = client.post("/v1/resources", json={**MIND, field: url}, headers=editor)
    assert response.status_code == 422, response.json
    assert words in response.json["errors"][field][0]
    assert stored_ids(public_app) == []


def test_patch_to_an_unfetchable_address_is_a_422_and_keeps_the_old_one(public_app, editor):
    client = public_app.test_client()
    assert client.post("/v1/resources", json=MIND, headers=editor).status_code == 201
    response = client.patch("/v1/resources/mind", json={"url": "http://10.0.0.1/"}, headers=editor)
    assert response.status_code == 422 and "private address" in response.json["errors"]["url"][0]
    assert client.get("/v1/resources/mind").json["url"] == MIND["url"]


def test_a_name_is_not_looked_up_at_create(public_app, editor):
    # names are judged by the checker when it connects: creating one asks no DNS server
    response = public_app.test_client().post(
        "/v1/resources", json={**MIND, "url": "https://does-not-exist.invalid/"}, headers=editor)
    assert response.status_code == 201


def test_a_private_deployment_may_register_its_own_services(client, editor):
    # the tests' settings allow private addresses (their stand-ins are loopback servers)
    response = client.post("/v1/resources", json={**MIND, "url": "http://127.0.0.1:8009/"}, headers=editor)
    assert response.status_code == 201


def test_outbound_ports_widen_what_a_public_deployment_accepts(settings, tmp_path, monkeypatch, editor):
    monkeypatch.setenv("REFSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**settings, "ALLOW_PRIVATE_ADDRESSES": "0", "OUTBOUND_PORTS": "80,443,8443"})
    response = app.test_client().post("/v1/resources", json={**MIND, "url": "https://www.mind.org.uk:8443/"},
                                      headers=editor)
    assert response.status_code == 201


def test_registry_import_refuses_the_whole_file_naming_each_unfetchable_entry(public_app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("resources:\n- {id: mind, name: Mind, url: 'https://www.mind.org.uk/'}\n"
                   "- {id: lan, name: LAN, url: 'http://10.0.0.1/'}\n")
    result = public_app.test_cli_runner().invoke(args=["registry", "import", str(bad)])
    assert result.exit_code == 1
    assert "lan" in result.output and "private address 10.0.0.1" in result.output
    assert stored_ids(public_app) == []
