"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` and ``flask --app wsgi ...``."""
import sys

from refsvc import create_app
from refsvc.storage.db import SchemaError

try:
    app = create_app()
except SchemaError as exc:  # a database this code must not touch: one line, no traceback
    sys.exit(f"refsvc: {exc}")
