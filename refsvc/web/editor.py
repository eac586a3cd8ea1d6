"""Editors on the dashboard pages: the token as ``Authorization: Bearer`` (as the API takes it) or
in an HttpOnly cookie set by the sign-in form; form posts carry a token derived from it (CSRF)."""
from __future__ import annotations

import hashlib
import hmac
import os
from functools import wraps
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import (Blueprint, abort, g, make_response, redirect, render_template, request,
                   url_for)

from refsvc.editors import bearer_token, is_valid_token

bp = Blueprint("editor", __name__, template_folder="templates")

COOKIE = "refsvc_editor"
COOKIE_PATH = "/dashboard"  # sent to the dashboard pages only, never to the API or the widgets


def editor_token() -> str | None:
    """The valid editor token this request carries (Bearer first, then the cookie), or None."""
    if "editor_token" not in g:
        found = None
        for token in (bearer_token(), request.cookies.get(COOKIE)):
            if is_valid_token(token):
                found = token
                break
        g.editor_token = found
    return g.editor_token


def is_editor() -> bool:
    """Whether an editor is asking."""
    return editor_token() is not None


def form_key() -> str:
    """The hidden value an editor's forms carry: derived from the token, so another site cannot
    forge it (the cookie alone does not make a post count)."""
    token = editor_token() or ""
    return hmac.new(token.encode(), b"refsvc dashboard form", hashlib.sha256).hexdigest()[:32]


def editor_post(view: Callable[..., Any]) -> Callable[..., Any]:
    """A POST view for editors: 403 unless the token is valid, and, when it came in the cookie,
    the form carries ``form_key``."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_editor():
            abort(make_response(render_template("web/sign_in.html", next=request.path,
                                                error="Sign in as an editor to do that."), 403))
        given = request.form.get("form_key", "").encode("utf-8", "replace")  # bytes: any text compares
        if bearer_token() is None and not hmac.compare_digest(given, form_key().encode()):
            abort(make_response(render_template("web/sign_in.html", next=request.path,
                                                error="That form was stale; please try again."), 403))
        return view(*args, **kwargs)
    return wrapper


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a dashboard path of this site, never elsewhere."""
    parts = urlsplit(value or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard") or "\\" in value:
        return url_for("dashboard.dashboard")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/dashboard/sign-in")
def sign_in_form():
    """The sign-in form: paste the editor token."""
    return render_template("web/sign_in.html", next=safe_next(request.args.get("next")), error=None)


@bp.post("/dashboard/sign-in")
def sign_in():
    """Check the token; keep it in an HttpOnly cookie for the dashboard pages; go back."""
    token = request.form.get("token", "")
    target = safe_next(request.form.get("next"))
    if not is_valid_token(token):
        return render_template("web/sign_in.html", next=target,
                               error="That token was refused. Check it and try again."), 403
    response = redirect(target, 303)
    response.set_cookie(COOKIE, token.strip(), path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=request.is_secure)
    return response


@bp.post("/dashboard/sign-out")
def sign_out():
    """Forget the token's cookie."""
    response = redirect(url_for("dashboard.dashboard"), 303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict",
                           secure=request.is_secure)
    return response


TOKEN_FILE = "editor-token"  # what scripts/run (make run) writes on first start


def init_app(app: Any) -> None:
    """Register sign-in and make ``editor`` and ``form_key`` available in every template.

    Without REFSVC_EDITOR_TOKENS the token ``make run`` kept in instance/editor-token is the
    editor's, however the app is started (gunicorn, flask run)."""
    app.register_blueprint(bp)
    if not app.config.get("EDITOR_TOKENS"):
        try:
            with open(os.path.join(app.instance_path, TOKEN_FILE), encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError:
            token = ""
        if token:
            app.config["EDITOR_TOKENS"] = [token]

    @app.context_processor
    def _editor_context() -> dict[str, Any]:
        return {"editor": is_editor(), "form_key": form_key}
