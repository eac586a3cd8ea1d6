"""The editors' workspace (dashboard, resource pages, reports inbox), the cite-this-page demo and the website's static assets (templates, JS, CSS).

The "further reading" block (``/v1/resources/block``) lives in ``refsvc.web.block`` as an API
blueprint, so it is in the OpenAPI document and shares the API's CORS and ETag conventions.
"""
import os

from flask import Flask

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def init_app(app: Flask) -> None:
    """Register the web pages; the app's /static serves refsvc/web/static (the widget scripts)."""
    from refsvc.web import dashboard, editor, inbox, resource_page
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
