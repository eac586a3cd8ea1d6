"""The editor dashboard, the cite-this-page demo and the website's static assets (templates, JS, CSS).

The "further reading" block (``/v1/resources/block``) lives in ``refsvc.web.block`` as an API
blueprint, so it is in the OpenAPI document and shares the API's CORS and ETag conventions.
"""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the web pages and the static files."""
    from refsvc.web.pages import bp

    app.register_blueprint(bp)
