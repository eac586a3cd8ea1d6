"""The address policy of the guarded client: what may be fetched, by address and by spelling."""
from __future__ import annotations

import pytest

from refsvc.metadata.addresses import address_problem, host_spelling_problem, parse_networks
from refsvc.metadata.http import GuardedClient, RefusedAddress


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("100.64.0.1", "non-public"), ("192.0.2.10", "private"),
    ("::ffff:127.0.0.1", "IPv4-mapped"), ("::ffff:8.8.8.8", "IPv4-mapped"),
    ("2002:7f00:1::", "refused IPv4"), ("2002:a00:1::", "refused IPv4"), ("64:ff9b::a9fe:a9fe", "refused IPv4"),
])
def test_non_public_addresses_are_refused(address, kind):
    problem = address_problem(address)
    assert problem is not None and kind in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111",
                                     "2002:808:808::", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert address_problem(address) is None


def test_a_listed_network_is_let_through_and_nothing_else():
    allowed = parse_networks(["127.0.0.2/32"])
    assert address_problem("127.0.0.2", allowed) is None
    assert address_problem("127.0.0.1", allowed) is not None


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1",
                                  "0", "017700000001", "0x7f.0x0.0x0.0x1", "127.0.0.1.", "08.8.8.8"])
def test_ip_addresses_in_odd_spellings_are_refused(host):
    assert "decimal, octal or hex" in host_spelling_problem(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "8.8.8.8", "doi.org", "123.example", "0x.example", "[::1]"])
def test_names_and_canonical_addresses_pass_the_spelling_check(host):
    assert host_spelling_problem(host) is None


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http and https"), ("gopher://example.org/", "only http and https"),
    ("ftp://example.org/x", "only http and https"), ("http://2130706433/", "decimal, octal or hex"),
    ("http://0x7f.1/", "decimal, octal or hex"), ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"), ("http://[::1]:8080/", "loopback"),
    ("http://localhost:9/", "localhost resolves to a refused address"),
    ("http://10.1.2.3/", "private"), ("http:///nohost", "no host"),
])
def test_the_client_refuses_these_urls_without_sending_anything(url, reason):
    client = GuardedClient("refsvc-test", allow_private=False)
    with pytest.raises(RefusedAddress, match=reason) as caught:
        client.fetch(url)
    assert caught.value.reason


def test_allow_private_lifts_the_address_policy_but_not_the_scheme_rule():
    client = GuardedClient("refsvc-test", allow_private=True)
    with pytest.raises(RefusedAddress, match="only http and https"):
        client.fetch("file:///etc/passwd")
