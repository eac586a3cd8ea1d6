"""Site names in page titles: 'Page | Site' is a page of Site, and the host names the site (pure)."""
from __future__ import annotations

import re
from typing import Iterable

from refsvc.metadata.tidy import norm

_SEPARATORS = (" | ", " – ", " — ", " - ", " :: ", " · ", " • ", " » ", " « ", " : ")
_SECOND_LEVEL = {"co", "org", "ac", "gov", "net", "nhs", "com", "edu", "sch", "ltd", "plc", "police", "mod"}
MARKS = re.compile(r"[™®©℠]")  # "Harley Therapy™": a trade mark sign is no part of a name


def site_label(host: str) -> str:
    """The name part of a host: 'en.wikipedia.org' -> 'wikipedia', 'www.bbc.co.uk' -> 'bbc'."""
    labels = [label for label in host.lower().split(".") if label and label != "www"]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-1]  # bbc.co.uk: "co" is part of the suffix
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def split_site(title: str, site_names: Iterable[str], host: str) -> tuple[str, str | None]:
    """'Page | Site' -> ('Page', 'Site'): the site name is boilerplate, not part of the title."""
    known = {norm(n) for n in site_names if n} | {norm(site_label(host))}
    known = {k for k in known if len(k) >= 3}
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        first, _, rest = title.partition(sep)
        # "Harley Therapy UK" still names the site "harleytherapy"
        if norm(tail) in known or any(len(k) >= 5 and norm(tail).startswith(k) for k in known):
            return head.strip(), tail.strip()
        if norm(first) in known:
            return rest.strip(), first.strip()
    if " | " in title:  # a bar almost always separates a site name, even an unknown one
        head, _, tail = title.rpartition(" | ")
        if len(tail.split()) <= 5 and (len(tail) < len(head) or len(tail.split()) <= 2):
            return head.strip(), tail.strip()
    return title, None
