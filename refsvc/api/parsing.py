"""The request parser every blueprint shares: strict JSON bodies and query strings.

Python's json module is laxer than JSON and than what the rest of the service can hold, so each of
these would otherwise end in a 500 or in an answer that is not JSON:

- ``NaN``, ``Infinity``: not JSON; ``1e999`` parses as inf and would be echoed as ``Infinity``;
- an integer of more than 4,300 digits: ValueError; nesting a thousand levels deep: RecursionError;
- a NUL character (PostgreSQL text cannot hold it) or a lone surrogate such as ``"\\ud800"`` (it has
  no UTF-8 form, so it fails on its way into the database or into a download).

Numbers and depth are a 400 (the body is not what JSON means); bad text is a 422 naming each field.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from flask import Request
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from refsvc.errors import BadRequest, Unprocessable
from refsvc.unicode import text_problem

MAX_DEPTH = 32  # a batch of CSL items nests 7 levels; anything far deeper is an attack or a bug
MAX_TEXT_ERRORS = 20  # enough to fix a body by, bounded for a body full of them


class _BadNumber(Exception):
    """A number the service cannot hold (raised from inside json.loads)."""


def _no_constant(name: str) -> NoReturn:
    raise _BadNumber(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:40]} is too large")
    return value


def _bounded_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over the interpreter's 4,300-digit limit
        raise _BadNumber(f"an integer of {len(text)} digits is too long") from None


def strict_loads(raw: bytes | str) -> Any:
    """Parse a JSON body; JSONDecodeError for bad syntax, BadRequest for what JSON cannot mean."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw  # UnicodeDecodeError: webargs' 400
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite,
                          parse_int=_bounded_int)
    except _BadNumber as exc:
        raise BadRequest(f"The JSON body holds a number the service cannot use: {exc}.",
                         code="invalid_number") from None
    except RecursionError:
        raise BadRequest(f"The JSON body is nested too deeply; at most {MAX_DEPTH} levels.",
                         code="json_too_deep") from None
    check_values(data)
    return data


def _printable(key: str) -> str:
    return key.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def check_values(data: Any) -> None:
    """Raise BadRequest for nesting over MAX_DEPTH, Unprocessable naming each field with bad text."""
    errors: dict[Any, Any] = {}
    found = 0
    # iterative: a recursive walk would hit the recursion limit this guards against
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack and found < MAX_TEXT_ERRORS:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise BadRequest(f"The JSON body is nested too deeply; at most {MAX_DEPTH} levels.",
                             code="json_too_deep")
        problem = None
        if isinstance(value, str):
            problem = text_problem(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = text_problem(key)
                if key_problem:
                    _add(errors, (*path, _printable(key)), f"This field name: {key_problem}")
                    found += 1
                else:
                    stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        if problem:
            _add(errors, path, problem)
            found += 1
    if errors:
        raise Unprocessable("Some fields are missing or invalid; see errors.", errors=errors)


def _add(errors: dict[Any, Any], path: tuple[Any, ...], message: str) -> None:
    """Put ``message`` at ``path`` in marshmallow's nested shape: {"a": {"0": ["message"]}}."""
    if not path:
        errors.setdefault("_schema", []).append(message)
        return
    node = errors
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):  # a message already sits here; keep the first one
            return
    node.setdefault(path[-1], [message])


class StrictParser(FlaskParser):
    """webargs' Flask parser with strict JSON and query strings free of NUL characters."""

    def load_json(self, req: Request, schema: Schema) -> Any:
        # webargs reads a body sent as text/plain or a form as no body at all, and the client would
        # be told its fields are missing when it sent them in the wrong shape
        if not is_json_request(req) and req.get_data(cache=True).strip():
            raise BadRequest("Send the body as JSON with Content-Type: application/json.",
                             code="unsupported_body")
        return super().load_json(req, schema)

    def load_json_or_form(self, req: Request, schema: Schema) -> Any:
        data = super().load_json(req, schema)  # a form is welcome here
        return data if data is not core.missing else self.load_form(req, schema)

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return strict_loads(req.get_data(cache=True))

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        errors = {name: [problem] for name, value in req.args.items(multi=True)
                  if (problem := text_problem(name) or text_problem(value))}
        if errors:
            raise Unprocessable("Some fields are missing or invalid; see errors.",
                                errors={_printable(k): v for k, v in errors.items()})
        return super().load_querystring(req, schema)
