"""Where the guarded client may go, judged by the URL alone: its form, scheme, host spelling and
port, and a literal IP address against the address policy (a name's addresses are checked when the
connection is made, in ``transport``). Also what ``refsvc.links.fetchable`` judges new resources by."""
from __future__ import annotations

import ipaddress
from typing import Any, Collection, Mapping

from refsvc.metadata.addresses import address_problem, host_spelling_problem
from refsvc.metadata.transport import RefusedAddress
from refsvc.metadata.urls import DEFAULT_PORTS, URLProblem, parse_url


def check_url(url: str, allow_private: bool = False, allowed_networks: tuple = (),
              allowed_ports: Collection[int] | None = None) -> str:
    """Refuse a URL by its form, scheme, host spelling or port; return it with its host in canonical
    ASCII form (the form that is fetched). The resolved address is checked on connect."""
    try:
        parsed = parse_url(url)
    except URLProblem as exc:
        reason = str(exc)
        raise RefusedAddress(f"{reason[:1].lower()}{reason[1:]}".rstrip(".")) from None
    problem = host_spelling_problem(parsed.host)
    if problem:
        raise RefusedAddress(problem)
    port = parsed.port or DEFAULT_PORTS[parsed.scheme]
    if allowed_ports is not None and port not in allowed_ports:
        raise RefusedAddress(f"port {port} is not fetched (only {', '.join(map(str, sorted(allowed_ports)))};"
                             " REFSVC_OUTBOUND_PORTS widens this)")
    try:
        ipaddress.ip_address(parsed.host)
    except ValueError:
        return parsed.geturl()  # a name: its addresses are checked when the connection is made
    problem = None if allow_private else address_problem(parsed.host, allowed_networks)
    if problem:
        raise RefusedAddress(problem)
    return parsed.geturl()


def outbound_ports(settings: Mapping[str, Any]) -> frozenset[int] | None:
    """The ports outbound requests may use (None: any). REFSVC_OUTBOUND_PORTS lists them ("*" for
    any); left empty, it is 80 and 443, or any port where ALLOW_PRIVATE_ADDRESSES is on (a private
    deployment reaching its own services, and the tests' loopback servers)."""
    given = [str(p).strip() for p in settings.get("OUTBOUND_PORTS") or [] if str(p).strip()]
    if "*" in given or (not given and settings.get("ALLOW_PRIVATE_ADDRESSES")):
        return None
    return frozenset(int(p) for p in given) if given else frozenset((80, 443))
