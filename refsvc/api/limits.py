"""The rate limiter now lives in refsvc.limits (the web pages' lookups are limited too); these
names stay for the modules that import them from here."""
from refsvc.limits import init_app, is_editor_request, limiter, lookup_limit  # noqa: F401
