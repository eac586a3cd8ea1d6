"""Editor authentication: a bearer token from REFSVC_EDITOR_TOKENS, compared in constant time."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import request
from flask_smorest import Blueprint

from refsvc.editors import is_editor_request
from refsvc.errors import Forbidden, Unauthorized

_CHALLENGE = 'Bearer realm="refsvc editors"'


def require_editor() -> None:
    """Raise 401 (no token, with WWW-Authenticate) or 403 (a wrong token) unless an editor asks."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise Unauthorized("This needs an editor token: send 'Authorization: Bearer <token>'.",
                           headers={"WWW-Authenticate": _CHALLENGE})
    if not header.startswith("Bearer ") or not header[len("Bearer "):].strip():
        raise Unauthorized("Send the editor token as 'Authorization: Bearer <token>'.",
                           headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_request"'})
    if not is_editor_request():
        raise Forbidden("That editor token is not valid; ask for one listed in "
                        "REFSVC_EDITOR_TOKENS.")


def editor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a view so only editors reach it."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        require_editor()
        return view(*args, **kwargs)
    # The OpenAPI document marks the endpoint as needing the bearer token.
    return Blueprint.doc(security=[{"editorToken": []}])(wrapper)
