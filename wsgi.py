"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` and ``flask --app wsgi ...``."""
import gc
import sys

# Start-up makes many long-lived objects (modules, styles, the app) and next to no garbage: the
# cyclic collector is paused meanwhile, and what was made is frozen after, so no later full pass
# walks it (nor the collection at exit).
gc.disable()
try:
    from refsvc import create_app
    from refsvc.storage.db import SchemaError

    try:
        app = create_app()
    except SchemaError as exc:  # a database this code must not touch: one line, no traceback
        sys.exit(f"refsvc: {exc}")
finally:
    gc.enable()
gc.freeze()
