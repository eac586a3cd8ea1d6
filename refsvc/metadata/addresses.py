"""The address policy of the guarded client: which hosts and IP addresses may be fetched (pure)."""
from __future__ import annotations

import ipaddress
import re
from typing import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A host made only of digits, dots and hex markers is an IP address in some spelling. Resolvers
# (inet_aton) read "2130706433", "0x7f.1" or "0177.0.0.1" as 127.0.0.1, so such spellings would slip
# past a check on the canonical form; only the canonical dotted quad is accepted.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]*))*\.?$", re.IGNORECASE)
_CANONICAL_V4 = re.compile(r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
                           r"(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$")


def host_spelling_problem(host: str) -> str | None:
    """Why a URL's host is refused by its spelling alone (None when it is fine)."""
    if not host:
        return "the URL has no host"
    bare = host.strip("[]")
    if _NUMERIC_HOST.match(bare) and not _CANONICAL_V4.match(bare):
        return f"the host {host!r} is an IP address in decimal, octal or hex spelling"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a 6to4 or NAT64 IPv6 address carries (to judge it by its real target)."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: str | IPAddress, allowed: Sequence[Network] = ()) -> str | None:
    """Why an IP address may not be fetched from (None when it is public or in ``allowed``)."""
    try:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if any(ip.version == net.version and ip in net for net in allowed):
        return None  # a deployment's own exception (e.g. one internal service), never the default
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"the IPv4-mapped IPv6 address {ip} is not allowed"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            problem = address_problem(inner)
            if problem:
                return f"{ip} carries a refused IPv4 address: {problem}"
            return None  # judged by the IPv4 address it really reaches
    for test, kind in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                       ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, test):
            return f"the {kind} address {ip} is not allowed"
    if not ip.is_global:  # shared address space (100.64/10), documentation ranges and the like
        return f"the non-public address {ip} is not allowed"
    return None


def parse_networks(networks: Sequence[str | Network]) -> tuple[Network, ...]:
    """Networks given as strings ("10.1.2.0/24", "127.0.0.2") parsed once."""
    return tuple(ipaddress.ip_network(str(net), strict=False) for net in networks)
