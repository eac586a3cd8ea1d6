"""The links package: the resource registry, the link checker and verdicts over time.

Checker (one URL in, one result out; no database, no Flask):

    check.py       check_link(url, client=..., name=...) -> CheckResult: fetch politely with retries,
                   judge the page, HEAD/GET the logo; never raises (a crash becomes an outcome)
    page.py        pure: read_page(html) -> PageInfo (title, site name, headings, visible text)
    classify.py    pure: classify(...) -> Verdict (outcome + human reason):
                   bot walls, parked domains, login/home redirects, soft 404 text, content mismatch
    soft404.py     Soft404Probe: the sibling-path probe of Bar-Yossef et al., cached per host + path prefix
                   (in memory, and in the database for every checker: one probe a prefix a day)
    politeness.py  HostPolicy: requests at once per host, spacing per host, slowing down after a 429;
                   SharedHostPolicy: the same limits across processes and machines, through a gate
    gates.py       the gates: Redis (a Lua script), a lock file beside a SQLite database
                   (PostgreSQL without Redis: refsvc.storage.hostslots)
    runner.py      check_many(jobs, client=...) -> results as they finish, under global/per-host limits
    offline.py     telling "the checker is offline" from "the link is dead" (canaries)

Registry and health (the registry helper's modules): health.py (a resource's health over time, pure),
registry.py (entries and the YAML file), tracking.py (recording checks), webhooks.py (signed events on
health changes) and wayback.py (replacement suggestions from the Wayback Machine).

audit.py (pure): a page's outbound links matched against the registry, for POST /v1/audits.
"""
