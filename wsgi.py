"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` and ``flask --app wsgi ...``."""
from refsvc import entry_app

app = entry_app()
