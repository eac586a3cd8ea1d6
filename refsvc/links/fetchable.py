"""Whether the checker may ever fetch a resource's addresses, judged when the resource is made (pure).

The guarded client's own policy (``check_url``: scheme, host spelling, port, and a literal IP address
against REFSVC_ALLOW_PRIVATE_ADDRESSES / REFSVC_OUTBOUND_PORTS), so an address accepted here is one
the checker will try. Nothing is resolved: a host name is judged by the checker when it connects
(its addresses may change), so making a resource never waits on DNS.
"""
from __future__ import annotations

from typing import Any, Mapping

from refsvc.metadata.outbound import check_url, outbound_ports
from refsvc.metadata.transport import RefusedAddress

FIELDS = ("url", "logo_url")


def refusal(url: str, settings: Mapping[str, Any]) -> str | None:
    """Why the checker would refuse to fetch ``url`` under ``settings``, as a sentence; None if it may."""
    try:
        check_url(url, allow_private=bool(settings.get("ALLOW_PRIVATE_ADDRESSES")),
                  allowed_ports=outbound_ports(settings))
    except RefusedAddress as exc:
        hint = ("" if "REFSVC_" in exc.reason else " (a private deployment allows its own addresses "
                "with REFSVC_ALLOW_PRIVATE_ADDRESSES)")
        return f"The checker may not fetch this address: {exc.reason}. Give the page's public address{hint}."
    return None


def refused_fields(entry: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, str]:
    """{field: why} for each address of a resource entry the checker would refuse."""
    found = {}
    for field in FIELDS:
        value = entry.get(field)
        problem = refusal(value, settings) if value else None
        if problem:
            found[field] = problem
    return found
