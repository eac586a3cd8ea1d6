"""Judge one fetched page (pure): bot walls, parked domains, login/home redirects, soft 404s, drift.

``classify`` turns a status, the redirect chain and what the page says about itself (``PageInfo``
from refsvc.links.page) into an ``outcome`` with a human ``reason``. Where several outcomes apply the
most specific wins, in this order: a bot challenge (``blocked``), an HTTP error status, ``parked``, a login
or home-page redirect and the "not found" text (``soft_404``), the sibling-path probe (``soft_404``),
``content_mismatch``, then the redirect itself (``moved``/``redirected``) and finally ``ok``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

from refsvc.links.page import PageInfo

OUTCOMES = ("ok", "redirected", "moved", "soft_404", "content_mismatch", "parked", "client_error",
            "server_error", "timeout", "connection_error", "dns_error", "tls_error", "blocked",
            "refused_address")


@dataclass
class Verdict:
    """An outcome, its human reason and the evidence behind it."""

    outcome: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


def bot_challenge(status: int, headers: Mapping[str, str], page: PageInfo) -> str | None:
    """Name the bot wall (Cloudflare, Imperva...) that answered instead of the page, if any."""
    server = (headers.get("server") or "").lower()
    title = page.title.lower()
    if (headers.get("cf-mitigated") or "").lower() == "challenge":
        return "Cloudflare"
    short = len(page.text) < 2000  # a wall is a short page; a long 200 merely mentioning a vendor is not
    for mark in page.fingerprints:
        if mark.startswith("bot:") and (short or not 200 <= status < 300):
            return mark[4:]
    if title.startswith("just a moment") or "attention required" in title:
        return "Cloudflare" if "cloudflare" in server or "cloudflare" in title else "a bot check"
    if status in (403, 503) and "akamai" in server and "access denied" in title:
        return "Akamai"
    blob = f"{title} {page.text[:2000].lower()}"
    if re.search(r"checking (if the site connection is secure|your browser)|verify (that )?you are "
                 r"(a )?human|are you a robot|complete the security check", blob):
        return "a bot check"
    return None


_PARKED = re.compile(
    r"\b(this|the) (domain|website|site)( name)?( [\w.-]+)? (is|may be|might be) for sale|"
    r"\bdomain( name)? (is )?for sale\b|\bbuy this domain\b|\bmake an offer on this domain\b|"
    r"\bthis (domain|web ?page|page) (is|has been) parked\b|\bparked (free|domain)\b|"
    r"\bdomain parking\b|\bthis domain (has expired|is available for (purchase|registration))\b|"
    r"\bthe domain [\w.-]+ (is available|has expired)", re.I)
_PARKING_HOSTS = ("sedo.com", "dan.com", "afternic.com", "hugedomains.com", "bodis.com", "parkingcrew.net",
                  "above.com", "undeveloped.com", "sedoparking.com", "uniregistry.com", "domainmarket.com")


def parked(page: PageInfo, final_url: str) -> str | None:
    """Say why the page looks like a parked or for-sale domain, or None."""
    host = (urlsplit(final_url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in _PARKING_HOSTS):
        return f"the address now leads to {host}, a domain marketplace"
    vendors = [m[5:] for m in page.fingerprints if m.startswith("park:")]
    if vendors:
        return f"the page runs {vendors[0]}'s parking script"
    hit = _PARKED.search(f"{page.title} {page.description} {' '.join(page.headings)} {page.text[:3000]}")
    return f"the page says “{hit.group(0)}”" if hit else None


_NOT_FOUND = re.compile(
    r"\b(page|file|document|article|resource|content|url)s?( you (requested|are looking for|were looking "
    r"for)| you're looking for)? (was not|is not|could not|couldn't|cannot|can't|can not|not)( be)? found\b|"
    r"\bnot found\b|\bpage (does not|doesn't|no longer) exists?\b|\bno longer (available|exists)\b|"
    r"\b(can't|cannot|couldn't|could not|can not) (find|locate) (that|the|this|your) (page|file|url)\b|"
    r"\bpage (has been|was) (removed|deleted|taken down)\b|\bpage (is )?(unavailable|missing)\b|"
    r"\bthe requested url was not found\b|\boops\W+(that|this) page\b", re.I)
# status numbers only in a title or heading, and only dressed as an error ("Route 404 timetable" is fine)
_NOT_FOUND_LABEL = re.compile(r"^\W*(404|410)\b|\b(error|http|code)\W{0,3}(404|410)\b|"
                              r"\b(404|410)\W{0,3}(error|page|not found|gone)\b", re.I)


def not_found_text(page: PageInfo) -> str | None:
    """Return the "not found" wording of a page that answered 200, or None."""
    for where, text in (("title", page.title), ("heading", " | ".join(page.headings))):
        hit = _NOT_FOUND.search(text) or _NOT_FOUND_LABEL.search(text)
        if hit:
            return f"its {where} says “{hit.group(0)}”"
    # body text only near the top, or on a page short enough to be an error page
    body = page.text if len(page.text) < 1500 else page.text[:300]
    hit = _NOT_FOUND.search(body)
    return f"it says “{hit.group(0)}”" if hit else None


_LOGIN_PATH = re.compile(r"(^|/)(log-?in|log-?on|sign-?in|sign_in|signon|auth|authenticate|sso|"
                         r"session/new|wp-login\.php|oauth2?/authorize|idp)(/|\.|$|\?)", re.I)
_LOGIN_HOST = re.compile(r"^(login|signin|auth|sso|accounts|id|idp)\.", re.I)


def is_login_url(url: str) -> bool:
    """True for an address that looks like a sign-in page."""
    parts = urlsplit(url)
    return bool(_LOGIN_PATH.search(parts.path) or _LOGIN_HOST.match(parts.hostname or ""))


_HOME = re.compile(r"^/?((index|default|home)(\.\w+)?|[a-z]{2}([-_][a-z]{2})?)?/?$", re.I)


def is_home_url(url: str) -> bool:
    """True for a site's root (/, /index.html, /home, /en-gb/)."""
    parts = urlsplit(url)
    return not parts.query and bool(_HOME.match(parts.path or "/"))


def _site(host: str) -> str:
    return host.lower().removeprefix("www.")


def same_site(a: str, b: str) -> bool:
    """True when two URLs are on one site (equal hosts, www. or a subdomain of the other)."""
    ha, hb = _site(urlsplit(a).hostname or ""), _site(urlsplit(b).hostname or "")
    return ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha)


_STOP = set("the and for with from that this your you are our about into their them they more have has "
            "was were will can not but all any its also who what when where which how www http https "
            "com org page pages home site website information help".split())


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]{3,}", text.lower()) if w not in _STOP}


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _initials(text: str) -> str:
    # "UK Council for Psychotherapy" -> "UKCP": all-caps words whole, capitalised words by initial
    return "".join(w if w.isupper() else w[0] for w in re.findall(r"[A-Za-z]+", text) if w[0].isupper())


def content_match(page: PageInfo, name: str, description: str, expect: Sequence[str]) -> dict[str, Any] | None:
    """Evidence that the page is still the resource (a phrase or the description), or None."""
    phrases = [p for p in expect if p and p.strip()] or ([name] if name.strip() else [])
    labels = f"{page.title} {page.site_name} {page.description} {' '.join(page.headings)}"
    hay = _norm(f"{labels} {page.text}")
    glued = hay.replace(" ", "")
    for phrase in phrases:
        if _norm(phrase).strip() and _norm(phrase) in hay:
            return {"matched": phrase}
        joined = _norm(phrase).replace(" ", "")
        if len(joined) >= 6 and joined in glued:  # "Young Minds" on a page that writes "YoungMinds"
            return {"matched": phrase, "as": "spacing"}
        compact = phrase.replace(" ", "")
        if compact.isupper() and 2 <= len(compact) <= 8 and compact in _initials(labels):
            return {"matched": phrase, "as": "initials"}
    wanted, seen = _words(description), _words(labels)
    shared = sorted(wanted & seen)
    if wanted and (len(shared) >= 3 or len(shared) / len(wanted) >= 0.3):
        return {"matched": "description", "shared_words": shared[:10]}
    return None if phrases or wanted else {"matched": "nothing to compare"}


def _status_reason(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:  # a status no standard names (999...)
        return str(status)


def _redirect_verdict(url: str, final_url: str, redirects: Sequence[Mapping[str, Any]]) -> Verdict | None:
    if not redirects or final_url == url:
        return None
    a, b = urlsplit(url), urlsplit(final_url)
    if same_site(url, final_url) and a.path.rstrip("/") == b.path.rstrip("/") and a.query == b.query:
        return Verdict("ok", f"OK after a small redirect ({a.scheme}://{a.netloc} → {b.scheme}://{b.netloc})",
                       {"redirect": "trivial"})
    permanent = any(int(hop.get("status") or 0) in (301, 308) for hop in redirects)
    if not same_site(url, final_url):
        if permanent:
            return Verdict("moved", f"Moved permanently to another site ({final_url}) — the page there is "
                           "fine; update the link")
        return Verdict("redirected", f"Redirected (temporarily) to another site ({final_url})")
    kind = "permanently" if permanent else "temporarily"
    return Verdict("redirected", f"Redirected {kind} to a new address on the same site ({final_url}) — "
                   "consider updating the link", {"permanent": permanent})


def classify(*, url: str, final_url: str, status: int, redirects: Sequence[Mapping[str, Any]] = (),
             headers: Mapping[str, str] | None = None, page: PageInfo = PageInfo(), name: str = "",
             description: str = "", expect: Sequence[str] = (), probe: Mapping[str, Any] | None = None
             ) -> Verdict:
    """Judge a fetched page; ``probe`` is the sibling-path probe's finding (see soft404.py)."""
    headers = headers or {}
    challenge = bot_challenge(status, headers, page)
    if challenge:
        return Verdict("blocked", f"A bot check ({challenge}) answered instead of the page "
                       f"({_status_reason(status)}) — inconclusive, not a dead link", {"challenge": challenge})
    if status == 401 or status == 407:
        return Verdict("blocked", f"The site asks for a login ({_status_reason(status)}) — inconclusive")
    if status in (403, 451, 999):
        return Verdict("blocked", f"The site refused the checker ({_status_reason(status)}) — it may block "
                       "robots; inconclusive, not a dead link")
    if status == 429:
        return Verdict("blocked", "The site kept asking the checker to slow down (429 Too Many Requests) "
                       "— inconclusive, not a dead link")
    if 400 <= status < 500:
        gone = "removed" if status == 410 else "not found" if status == 404 else "refused"
        return Verdict("client_error", f"The page is {gone} ({_status_reason(status)})")
    if 500 <= status < 600:
        return Verdict("server_error", f"The server failed ({_status_reason(status)})")
    if not 200 <= status < 300:
        return Verdict("server_error", f"The server gave an unexpected answer ({status})")

    why = parked(page, final_url)
    if why:
        return Verdict("parked", f"The domain looks parked or for sale: {why}")
    moved_away = bool(redirects) and final_url != url
    if moved_away and is_login_url(final_url) and not is_login_url(url):
        return Verdict("soft_404", f"Redirected to a login page ({final_url}) — the page now needs an "
                       "account", {"redirect": "login"})
    if moved_away and page.has_password_field and re.search(r"\b(log ?in|sign ?in|log ?on)\b", page.title.lower()):
        return Verdict("soft_404", f"Redirected to a sign-in form ({final_url}) — the page now needs an "
                       "account", {"redirect": "login"})
    if moved_away and is_home_url(final_url) and not is_home_url(url):
        return Verdict("soft_404", f"Redirected to the home page ({final_url}) — the page itself is "
                       "probably gone", {"redirect": "home"})
    why = not_found_text(page)
    if why:
        return Verdict("soft_404", f"The page answers 200 but {why} — a “soft 404”", {"signal": "text"})
    if probe and probe.get("suspect"):
        return Verdict("soft_404", "The site answers a made-up sibling address "
                       f"({probe.get('probe_url')}) with the same page — this one is probably gone",
                       {"signal": "probe", "probe": dict(probe)})
    details: dict[str, Any] = {"probe": dict(probe)} if probe else {}
    if page.html:
        evidence = content_match(page, name, description, expect)
        if evidence is None:
            shown = page.title or page.site_name or "no title"
            wanted = ", ".join(f"“{p}”" for p in (list(expect) or [name]) if p)
            return Verdict("content_mismatch", f"The page no longer mentions {wanted or 'the resource'} "
                           f"(title: “{shown}”) — it may have changed hands or content", details)
        details["content"] = evidence
    redirect = _redirect_verdict(url, final_url, redirects)
    if redirect:
        redirect.details.update(details)
        return redirect
    return Verdict("ok", "The page answers and still matches the resource", details)
