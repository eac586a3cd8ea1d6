"""The editors' workspace (dashboard, resource pages, reports inbox), the cite-this-page demo and the website's static assets (templates, JS, CSS).

The two HTML fragments, the cite-this-page block (``/v1/citations/block``, ``refsvc.web.cite_block``)
and the "further reading" block (``/v1/resources/block``, ``refsvc.web.block``), are flask-smorest
blueprints registered with the API's ``Api``, so they are in the OpenAPI document and share the API's
CORS and ETag conventions; the web may use the API, never the reverse.
"""
import os

from flask import Flask
from flask_smorest import Api

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def init_app(app: Flask, api: Api) -> None:
    """Register the web pages, and the two fragments with ``api`` (refsvc.api's); the app's /static
    serves refsvc/web/static (the widget scripts)."""
    from refsvc.web import block, cite_block, dashboard, editor, inbox, resource_page
    from refsvc.web.pages import bp
    from refsvc.words import plural

    # Flask registers /static for the app even without a folder; point it at ours rather than add
    # a second /static rule that the first would shadow.
    app.static_folder = STATIC
    app.jinja_env.filters["plural"] = plural  # {{ n|plural('check') }}: "1 check", "2 checks"
    app.register_blueprint(bp)
    editor.init_app(app)
    for blueprint in (dashboard.bp, resource_page.bp, inbox.bp):
        app.register_blueprint(blueprint)
    for fragment in (cite_block.blp, block.blp):
        api.register_blueprint(fragment)
