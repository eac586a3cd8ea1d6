"""HTTP only: flask-smorest blueprints with their marshmallow schemas, and the API-wide conventions.

Conventions applied here for every endpoint: one JSON error shape (refsvc.errors), CORS for the
website's origins, ``ETag`` on every GET answer with 304 on a match, and rate limits (flask-limiter).
"""
from __future__ import annotations

from importlib import import_module

from flask import Flask, request, send_from_directory
from flask_cors import CORS
from flask_smorest import Api, Blueprint
from swagger_ui_bundle import swagger_ui_path

from refsvc import limits
from refsvc.api.parsing import StrictParser
from refsvc.errors import ErrorSchema, error_response

# flask-smorest binds its one parser instance when a view is decorated, which may happen before this
# runs: make that very instance strict rather than replace it.
Blueprint.ARGUMENTS_PARSER.__class__ = StrictParser

# Modules exposing a flask-smorest ``blp``, registered in this order. The web's two HTML fragments
# are flask-smorest blueprints too, registered by the app factory with the Api this returns: the API
# imports nothing of the web pages.
BLUEPRINTS = [
    "refsvc.api.health",
    "refsvc.api.styles",
    "refsvc.api.citations",
    "refsvc.api.references",
    "refsvc.api.audits",
    "refsvc.api.resources",
    "refsvc.api.reports",
]


def init_app(app: Flask) -> Api:
    """Register the blueprints, the OpenAPI document and the HTTP conventions; the Api, for
    other packages' blueprints to join its document."""
    app.config.update({
        "API_TITLE": "refsvc",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # Swagger UI's files come from the swagger-ui-bundle package, so /docs works offline too.
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
        "API_SPEC_OPTIONS": {"info": {"description": "Citations and link health. Errors are JSON "
                                      "{code, status, message, errors?}."}},
    })
    Api.ERROR_SCHEMA = ErrorSchema  # document the one error shape, not flask-smorest's own
    api = Api(app)
    api.spec.components.security_scheme("editorToken", {"type": "http", "scheme": "bearer"})
    for name in BLUEPRINTS:
        api.register_blueprint(import_module(name).blp)
    CORS(app, origins=app.config["CORS_ORIGINS"] or [], expose_headers=["ETag", "Location",
                                                                      "X-Cache", "Link"])
    limits.init_app(app)
    app.after_request(_conditional_get)
    app.after_request(_no_type_without_content)
    app.add_url_rule("/docs/assets/<path:filename>", "swagger_ui_assets", _swagger_ui_asset)
    return api


def _swagger_ui_asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def _no_type_without_content(response):
    """A 204 has no body, so no media type: flask-smorest's empty answer would say application/json."""
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response


def _conditional_get(response):
    """Give GET answers an ETag, answer a matching If-None-Match with 304, and default Cache-Control."""
    if request.method in {"GET", "HEAD"} and response.status_code == 200 and not response.direct_passthrough:
        if not response.headers.get("ETag"):
            response.add_etag()
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"  # may be stored, must revalidate by ETag
        response.make_conditional(request)
        if response.status_code == 412:  # If-Match or If-Unmodified-Since failed: an error like any
            failed = error_response(412, "precondition_failed", "The resource does not match "
                                    "If-Match or If-Unmodified-Since; fetch it again.")
            failed.headers["ETag"] = response.headers["ETag"]
            return failed
    return response
