"""Security headers on every response (the factory installs ``secure`` as an after-request hook).

    every response     X-Content-Type-Options: nosniff; Referrer-Policy; a CSP that frames nothing
    HTML pages         a CSP of our own origin only: no inline script, no plugins, no <base>, forms
                       post back here, never framed (frame-ancestors 'none') -- the dashboard holds
                       an editor token, and no page here is meant to be framed
    /docs (Swagger)    the same, with the inline script and styles Swagger UI's page needs

A view that sets its own Content-Security-Policy keeps it.

``drop_basic_credentials`` wraps the WSGI app: refsvc never reads HTTP Basic credentials (editors
use a bearer token), and gunicorn's access log would write their user name (``%(u)s``) for every
request a proxy or browser sent with them.
"""
from __future__ import annotations

from typing import Any, Callable

HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
# Swagger UI's page starts itself with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")
# JSON, files, anything else: nothing to run, and never framed.
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"


def secure(response: Any, path: str) -> Any:
    """Add the security headers to ``response`` (a Flask/Werkzeug response) for ``path``."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP 2
    if "Content-Security-Policy" not in headers:
        if path == "/docs" or path.startswith("/docs/"):
            policy = DOCS_CSP
        elif (response.mimetype or "") == "text/html":
            policy = HTML_CSP
        else:
            policy = OTHER_CSP
        headers["Content-Security-Policy"] = policy
    return response


def drop_basic_credentials(app: Callable) -> Callable:
    """A WSGI middleware that removes Basic credentials from the request's environ, in place (so the
    server's access log, which reads the same environ after the response, never sees them)."""

    def middleware(environ: dict, start_response: Callable) -> Any:
        if environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "basic ":
            del environ["HTTP_AUTHORIZATION"]
        return app(environ, start_response)

    return middleware
