"""refsvc: citations ("cite this page" blocks) and link health for a mental-health information site.

Architecture (imports flow one way, top to bottom):

    wsgi.py / flask CLI ──> create_app()            (this module: settings, extensions, blueprints)
    web/                ──> the pages and HTML fragments; may use api/, never the reverse
    api/                ──> HTTP only: flask-smorest blueprints, marshmallow schemas
    worker/             ──> the link checker's loop and CLI commands (its own process)
    citation/           ──> pure: CSL-JSON in, citations out (our CSL engine, styles, exports)
    metadata/           ──> where items come from: page metadata, DOIs, scraped pages; the guarded client
    links/              ──> the resource registry, one check of one URL, health over time
    storage/            ──> SQLAlchemy models, Alembic migrations, the only code that holds a session

Only ``api``, ``web``, ``errors`` and this factory import Flask; the domain packages work in a shell.
"""
from __future__ import annotations

import gc
import os
import sys
from typing import Any, Mapping

from flask import Flask

from refsvc import errors
from refsvc.config import load_settings

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None, *, web: bool = True) -> Flask:
    """Build the app; ``overrides`` take setting names without the ``REFSVC_`` prefix. ``web=False``:
    without the API and the pages, for a process that never serves them (the checker and its CLI,
    ``python -m refsvc.worker``; Celery workers), which then starts sooner."""
    app = Flask(__name__, instance_path=os.environ.get(
        "REFSVC_INSTANCE_PATH", os.path.join(os.getcwd(), "instance")))
    settings = load_settings(overrides)
    from refsvc import logs
    logs.configure(settings["LOG_LEVEL"], settings["LOG_FORMAT"])  # before Flask makes app.logger
    app.config.update(settings)
    app.config["REFSVC"] = settings
    os.makedirs(app.instance_path, exist_ok=True)
    if not settings["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "refsvc.sqlite")
    if not settings["HTTP_CACHE_PATH"]:
        app.config["HTTP_CACHE_PATH"] = os.path.join(app.instance_path, "http_cache.sqlite")
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_BODY_BYTES"]
    app.json.sort_keys = False  # keep the documented field order in responses
    if settings["PROXY_COUNT"]:
        # Behind a proxy, client addresses (rate limits) and absolute URLs come from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix
        count = settings["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_prefix=count)

    from refsvc.api import observe
    observe.init_app(app)  # first: its hooks time and tag every request, whatever answers it

    from refsvc import storage
    storage.init_app(app)

    from refsvc import worker
    if web:
        from refsvc import api
        from refsvc import web as pages
        openapi = api.init_app(app)
        pages.init_app(app, openapi)  # the web may use the API (its Api, its schemas), never the reverse
    worker.init_app(app)
    errors.init_app(app)  # last: replaces flask-smorest's own handler with the one error shape

    from flask import request

    from refsvc.headers import drop_basic_credentials, secure
    app.after_request(lambda response: secure(response, request.path))
    app.wsgi_app = drop_basic_credentials(app.wsgi_app)  # type: ignore[method-assign]
    return app


def entry_app(*, web: bool = True) -> Flask:
    """The app of a process's entry point (wsgi.py; ``python -m refsvc.worker``).

    Start-up makes many long-lived objects (modules, styles, the app) and next to no garbage: the
    cyclic collector is paused while the app loads, and what was made is frozen after, so no later
    full pass walks it (nor the collection at exit). A database this code must not touch ends the
    process in one line, without a traceback.
    """
    gc.disable()
    try:
        from refsvc.storage.db import SchemaError

        try:
            return create_app(web=web)
        except SchemaError as exc:
            sys.exit(f"refsvc: {exc}")
    finally:
        gc.enable()
        gc.freeze()
