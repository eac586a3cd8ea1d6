"""Who is an editor: the one check of an editor token, shared by the API and the dashboard pages.

Both sides take the token as ``Authorization: Bearer <token>``; the dashboard also takes it from its
cookie. Tokens come from REFSVC_EDITOR_TOKENS and are compared in constant time.
"""
from __future__ import annotations

import hmac
from typing import Iterable

from flask import current_app, request


def token_matches(token: str | None, tokens: Iterable[str]) -> bool:
    """True when ``token`` (spaces around it ignored) is one of ``tokens``; an empty one never is."""
    given = (token or "").strip().encode("utf-8", "replace")
    # every token is compared (no early exit on a match), so timing tells nothing
    matches = [hmac.compare_digest(given, known.encode("utf-8", "replace")) for known in tokens if known]
    return bool(given) and any(matches)


def bearer_token() -> str | None:
    """The token of this request's ``Authorization: Bearer`` header, or None when there is none."""
    header = request.headers.get("Authorization", "")
    return header[len("Bearer "):].strip() if header.startswith("Bearer ") else None


def is_valid_token(token: str | None) -> bool:
    """True when ``token`` is one of this app's editor tokens."""
    return token_matches(token, current_app.config.get("EDITOR_TOKENS", []))


def is_editor_request() -> bool:
    """True when the request carries a valid editor bearer token."""
    return is_valid_token(bearer_token())
