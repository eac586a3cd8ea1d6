"""The service's error types and their one JSON shape: ``{"code", "status", "message", "errors"?}``.

    APIError                 (any status; code is a short machine-readable word)
     ├── BadRequest           400  malformed JSON, a refused address
     ├── Unauthorized         401  no editor token
     ├── Forbidden            403  a wrong editor token
     ├── NotFound             404  unknown style, resource, DOI
     ├── Conflict             409  a duplicate id
     ├── Unprocessable        422  fields that fail validation (errors names each field)
     ├── BadGateway           502  an upstream source failed
     ├── ServiceUnavailable   503  the database (or another dependency) is down; with Retry-After
     └── GatewayTimeout       504  an upstream source did not answer in time

Domain packages raise their own exceptions (``LookupError``/``ValueError`` subclasses); the API layer
maps them to these. A database error that means the database is down, hung or locked
(``refsvc.storage.UNAVAILABLE``) is a 503 with ``Retry-After``. Every HTTP error, including Flask's own 404/405/413, leaves through ``error_body``.
"""
from __future__ import annotations

from typing import Any

import math
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException


class APIError(Exception):
    """An error the API answers with; ``errors`` maps field names to messages."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, errors: Any = None, code: str | None = None,
                 status: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.code = code or self.code
        self.status = status or self.status
        self.headers = headers or {}


class BadRequest(APIError):
    status, code = 400, "bad_request"


class Unauthorized(APIError):
    status, code = 401, "unauthorized"


class Forbidden(APIError):
    status, code = 403, "forbidden"


class NotFound(APIError):
    status, code = 404, "not_found"


class Conflict(APIError):
    status, code = 409, "conflict"


class Unprocessable(APIError):
    status, code = 422, "unprocessable_entity"


class BadGateway(APIError):
    status, code = 502, "bad_gateway"


class ServiceUnavailable(APIError):
    status, code = 503, "service_unavailable"


class GatewayTimeout(APIError):
    status, code = 504, "gateway_timeout"


_HINTS = {
    400: "The request body must be valid JSON with Content-Type: application/json.",
    404: "No such endpoint; the API is described at /openapi.json and browsable at /docs.",
    405: "This endpoint does not accept that method; see /docs.",
    429: "Too many requests; wait a little and try again.",
}
# What marshmallow says of a body that is a list or a single value, and what the client should send.
_NOT_AN_OBJECT = "Invalid input type."
_SEND_AN_OBJECT = "Send a JSON object ({...} with the fields /docs lists), not a list or a single value."
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


_LOCATIONS = {"json", "query", "form", "json_or_form", "headers", "files", "path", "view_args"}


class ErrorSchema(Schema):
    """The error shape as the OpenAPI document shows it (flask-smorest's own has code and status
    the other way round)."""

    code = fields.String(required=True, metadata={"description": "A short machine-readable word, "
                                                  "e.g. unprocessable_entity, unknown_style"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = fields.String(required=True, metadata={"description": "What went wrong and what to do"})
    errors = fields.Raw(metadata={"description": "Per field: what is wrong with it"})


def error_body(status: int, code: str, message: str, errors: Any = None) -> dict[str, Any]:
    """The one JSON shape of every error."""
    body: dict[str, Any] = {"code": code, "status": status, "message": message}
    if errors:
        body["errors"] = errors
    return body


def _wants_page() -> bool:
    """A browser's plain form post (the report form without JavaScript): it shows what it gets, so
    it gets a page, not JSON."""
    return (request.method == "POST" and request.mimetype in _FORM_TYPES
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")


def error_response(status: int, code: str, message: str, errors: Any = None) -> Response:
    """A JSON response with the one error shape and its status (a small HTML page, escaped, for a
    browser's form post)."""
    if _wants_page():
        response = current_app.make_response(render_template(
            "web/form_error.html", status=status, message=message, errors=errors))
        response.status_code = status
        return response
    response = jsonify(error_body(status, code, message, errors))
    response.status_code = status
    return response


def _too_large() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    size = f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"
    return (f"The request body is over the limit of {size} (REFSVC_MAX_BODY_BYTES); send less: for a "
            "page, its <head> is enough.")


def rate_limited_message() -> str:
    """The 429's message, naming the wait that its Retry-After header gives (the same number)."""
    from refsvc.limits import limiter  # imported here: refsvc.limits imports this module

    try:
        hit = limiter.current_limit
        reset_at = hit.reset_at if hit is not None else None  # reads the store: it may have failed
    except Exception:  # noqa: BLE001 - a failing store never turns a 429 into a 500
        reset_at = None
    if reset_at is None:
        return _HINTS[429]
    seconds = max(1, math.ceil(reset_at - time.time()))
    g.retry_after = str(seconds)  # keep_retry_after puts exactly this in the header
    return f"Too many requests from this address; try again in {seconds} seconds."


def http_error(exc: HTTPException) -> Response:
    """Any HTTP error (Flask's 404, a 422 of webargs, flask-limiter's 429) in the one error shape."""
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    message = _HINTS.get(status, exc.description or exc.name)
    if status == 405 and getattr(exc, "valid_methods", None):
        message = f"This endpoint takes {', '.join(sorted(exc.valid_methods))}; see /docs."
    elif status == 413:
        message = _too_large()
    elif status == 429:
        message = rate_limited_message()
    # flask-smorest/webargs put field messages in exc.data["messages"].
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages")
    if status == 422 and errors:
        if isinstance(errors, dict) and len(errors) == 1 and next(iter(errors)) in _LOCATIONS:
            errors = next(iter(errors.values()))  # name the fields, not where webargs found them
        message = "Some fields are missing or invalid; see errors."
        code = "unprocessable_entity"
        if isinstance(errors, dict) and errors.get("_schema") == [_NOT_AN_OBJECT]:
            message = _SEND_AN_OBJECT
            errors = {"_schema": [_SEND_AN_OBJECT]}
    response = error_response(status, code, message, errors)
    for name, value in (exc.get_headers() or []):
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def _api_error(exc: APIError):
    response = error_response(exc.status, exc.code, exc.message, exc.errors)
    response.headers.update(exc.headers)
    return response


def _database_unavailable(exc: Exception):
    # The database is down, hung or locked: say so, and when to try again; citations (which need no
    # database) keep working meanwhile.
    current_app.logger.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
    retry = str(current_app.config.get("DATABASE_RETRY_AFTER", 10))
    response = error_response(503, "database_unavailable", "The database is not answering; try "
                              f"again in {retry} seconds. Citations still work meanwhile.")
    response.headers["Retry-After"] = g.retry_after = retry  # g: see keep_retry_after
    return response


def keep_retry_after(response: Response) -> Response:
    """After-request hook: a Retry-After this module set stays (flask-limiter's header injection
    would put its rate-limit window's in its place on a rate-limited endpoint's 503)."""
    retry = g.pop("retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = retry
    elif response.status_code not in (429, 503):
        # flask-limiter puts Retry-After on every answer of a limited endpoint; it means "refused,
        # come back then" (RFC 9110), so a 200 or 202 carrying it would tell clients to wait
        response.headers.pop("Retry-After", None)
    return response


def _unexpected(exc: Exception):
    # Never a traceback to the client; the log keeps it.
    current_app.logger.exception("unhandled error")
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


def init_app(app: Flask) -> None:
    """Route every error through the one JSON shape."""
    app.register_error_handler(APIError, _api_error)
    app.register_error_handler(HTTPException, http_error)
    from refsvc.storage import UNAVAILABLE

    for kind in UNAVAILABLE:
        app.register_error_handler(kind, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
