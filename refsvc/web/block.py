"""GET /v1/resources/block: the website's "further reading" block as an HTML fragment.

Resources whose health is ``broken`` (and inactive ones) are left out, so visitors never meet a
dead link; the fragment carries a report form per resource, sent to POST /v1/reports by
/static/refsvc-block.js. Everything is autoescaped by Jinja.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app, make_response, render_template, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates

from refsvc.links.registry import slug_problem
from refsvc.storage import get_database
from refsvc.storage.resources import list_resources

blp = Blueprint("block", __name__, url_prefix="/v1/resources",
                description="The website's further-reading block (an HTML fragment).")

MAX_IDS = 100
# Short enough that a link confirmed broken leaves the website's pages within minutes.
BLOCK_MAX_AGE = 300


class BlockArgs(Schema):
    ids = fields.String(metadata={"description": "Comma-separated resource ids, in display order."})
    tag = fields.String(metadata={"description": "Every resource with this tag, by name."})
    page = fields.String(validate=validate.Length(max=2048), metadata={
        "description": "The page the block is shown on (a server-side include passes it): the "
                       "report forms carry it, so a report without JavaScript says where it was "
                       "seen and its thank-you page leads back there."})

    @validates("ids")
    def _ids(self, value: str, **_: Any) -> None:
        ids = split_ids(value)
        if not ids:
            raise ValidationError("Give one or more resource ids separated by commas, e.g. ids=nhs,mind.")
        if len(ids) > MAX_IDS:
            raise ValidationError(f"At most {MAX_IDS} ids; {len(ids)} were given.")
        bad = [i for i in ids if slug_problem(i)]
        if bad:
            raise ValidationError(f"Not resource ids: {', '.join(bad[:5])}; ids are lowercase slugs.")


def split_ids(value: str) -> list[str]:
    """The ids of ``?ids=a,b``, in order, without blanks or repeats."""
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def _web_url(url: str | None) -> str | None:
    # The registry only stores http(s) URLs; checked again so no other scheme reaches an href.
    return url if url and urlsplit(url).scheme.lower() in {"http", "https"} else None


def visible_resources(ids: list[str] | None, tag: str | None) -> list[dict[str, Any]]:
    """The resources the block shows: active, not broken, in ``ids`` order (else by name)."""
    with get_database(current_app).transaction() as session:
        found, _ = list_resources(session, ids=ids, tag=tag, active=True)
        shown = [{"id": r.id, "name": r.name, "url": _web_url(r.url), "description": r.description,
                  "logo_url": _web_url(r.logo_url)}
                 for r in found if r.health != "broken" and _web_url(r.url)]
    if ids is not None:
        position = {resource_id: n for n, resource_id in enumerate(ids)}
        shown.sort(key=lambda r: position[r["id"]])
    return shown


def tag_in_use(tag: str) -> bool:
    """Whether any resource (active or not, broken or not) carries ``tag``."""
    with get_database(current_app).transaction() as session:
        return list_resources(session, tag=tag, limit=1)[1] > 0


def unknown_ids(ids: list[str]) -> list[str]:
    """Those of ``ids`` no resource has (active or not, broken or not), in the order given."""
    with get_database(current_app).transaction() as session:
        found, _ = list_resources(session, ids=ids, limit=len(ids))
        known = {resource.id for resource in found}
    return [resource_id for resource_id in ids if resource_id not in known]


def _comment_text(text: str) -> str:
    # Inside an HTML comment "--" and ">" could end it early; autoescaping handles the rest.
    return text.replace("--", "- -").replace(">", "")[:200]


@blp.route("/block")
@blp.arguments(BlockArgs, location="query", as_kwargs=True)
@blp.response(200, {"type": "string"}, content_type="text/html",
              description="An HTML fragment: one list item per resource that is not broken.")
def block(ids: str | None = None, tag: str | None = None, page: str | None = None):
    """The further-reading block for `ids` (kept in the order given) or a `tag` (by name);
    broken links left out. A tag no resource has answers an empty block saying so in a comment."""
    wanted = split_ids(ids) if ids else None
    resources = visible_resources(wanted, tag)
    missing = unknown_ids(wanted) if wanted and len(resources) < len(wanted) else []
    html = render_template("web/block.html", resources=resources,
                           reports_url=urljoin(request.host_url, "v1/reports"),
                           page=_web_url(page), unknown_tag=_comment_text(tag)
                           if tag and not resources and not tag_in_use(tag) else None,
                           unknown_ids=missing)  # slugs (checked above): safe in a comment
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    max_age = min(BLOCK_MAX_AGE, current_app.config.get("CACHE_MAX_AGE", BLOCK_MAX_AGE))
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Origin")
    return response
