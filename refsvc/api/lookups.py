"""The lookups now live in refsvc.lookups (the web pages make them too); this name stays for the
modules that import it from here."""
from refsvc.lookups import cache_headers, lookup, read_sent_page  # noqa: F401
