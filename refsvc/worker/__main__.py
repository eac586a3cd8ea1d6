"""``python -m refsvc.worker``: the CLI commands (check-links, registry, db) in an app without the API
and the pages, which these processes never serve, so a checker starts sooner (about 0.3 s).

``flask --app wsgi ...`` runs the same commands with the whole app loaded.
"""
from __future__ import annotations

import gc
import sys

from flask.cli import FlaskGroup


def _app():
    # as in wsgi.py: start-up makes long-lived objects and next to no garbage
    gc.disable()
    try:
        from refsvc import create_app
        from refsvc.storage.db import SchemaError

        try:
            app = create_app(web=False)
        except SchemaError as exc:  # a database this code must not touch: one line, no traceback
            sys.exit(f"refsvc: {exc}")
    finally:
        gc.enable()
    gc.freeze()
    return app


cli = FlaskGroup(name="refsvc.worker", create_app=_app, add_default_commands=False,
                 add_version_option=False, load_dotenv=False, set_debug_flag=False)

if __name__ == "__main__":
    cli.main(prog_name="python -m refsvc.worker")
