"""``python -m refsvc.worker``: the CLI commands (check-links, registry, db) in an app without the API
and the pages, which these processes never serve, so a checker starts sooner.

``flask --app wsgi ...`` runs the same commands with the whole app loaded.
"""
from __future__ import annotations

from flask.cli import FlaskGroup

from refsvc import entry_app

cli = FlaskGroup(name="refsvc.worker", create_app=lambda: entry_app(web=False), add_default_commands=False,
                 add_version_option=False, load_dotenv=False, set_debug_flag=False)

if __name__ == "__main__":
    cli.main(prog_name="python -m refsvc.worker")
