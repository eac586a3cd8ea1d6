"""The resource page's partial web/description_check.html: evidence, diff, confirm and suggestion,
everything escaped."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

EVIL = "<script>alert('x')</script>"


def render(app, description_check, resource_id="mind", editor=True):
    with app.test_request_context("/dashboard/resources/mind"):
        template = app.jinja_env.get_template("web/description_check.html")
        return template.render(description_check=description_check, resource={"id": resource_id},
                               editor=editor, form_key=lambda: "the-form-key")


@pytest.fixture
def unsupported():
    return {
        "verdict": "unsupported", "since": datetime(2026, 3, 1, tzinfo=timezone.utc),
        "why": f"“It has 1,200 staff.”: description says 1,200 staff; the page says 900 {EVIL}",
        "observed": "unsupported", "pending": None, "pending_count": 0, "checked_at": None,
        "description": "Mind is a charity. It has 1,200 staff.",
        "claims": [{"text": "Mind is a charity.", "supported": True, "evidence": "the page says: “Mind is a charity”"},
                   {"text": f"It has 1,200 staff. {EVIL}", "supported": False,
                    "evidence": "description says 1,200 staff; the page says 900"},
                   {"text": "It is loved.", "supported": None, "evidence": "an editor confirmed it"}],
        "change": {"score": 0.42, "diff": {"added": [f"We have 900 staff. {EVIL}"], "removed": ["We have 1,200 staff."]},
                   "title": {"before": "Mind", "after": f"Mind {EVIL}", "changed": True},
                   "description": {"before": "Same", "after": "Same", "changed": False}},
        "suggested_description": f"We're Mind, the mental health charity. {EVIL}",
        "baseline": {"taken_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "confirmed": False},
        "baseline_requested": False,
        "reports": [{"id": 1, "count": 2, "last_reported_at": "2026-03-02", "comments": [f"Wrong! {EVIL}"]}],
    }


def test_nothing_checked_yet_says_so(app):
    html = render(app, None)
    assert "Not checked yet" in html and "<form" not in html


def test_the_description_is_shown_beside_the_evidence_and_the_diff(app, unsupported):
    html = render(app, unsupported)
    assert "Unsupported" in html and "the page says 900" in html
    assert "Confirmed by an editor" in html  # a vouched claim
    assert "Page changed 42% since the baseline" in html
    assert "<del>We have 1,200 staff.</del>" in html
    assert "Visitors reported this description as inaccurate" in html and "2 reports" in html
    assert 'action="/dashboard/resources/mind/confirm-description"' in html
    assert "Confirm description" in html and "Accept as the description" in html
    assert 'name="form_key" value="the-form-key"' in html  # plain forms: no script to load


def test_read_only_visitors_get_no_confirm_forms(app, unsupported):
    html = render(app, unsupported, editor=False)
    assert "Unsupported" in html and "<form" not in html


def test_everything_it_shows_is_escaped(app, unsupported):
    html = render(app, unsupported, resource_id='x" onclick="evil')
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 6  # why, claim, diff, title, suggestion, report
    assert 'onclick="evil' not in html


def test_a_pending_verdict_says_how_many_checks_it_has(app, unsupported):
    html = render(app, {**unsupported, "verdict": "supported", "pending": "unsupported", "pending_count": 1})
    assert "The last check saw <strong>unsupported</strong>" in html and "1 of 2" in html


def test_an_unchanged_title_is_not_shown_as_a_change(app, unsupported):
    html = render(app, unsupported)
    assert "<strong>Title</strong>" in html and "<strong>Description</strong>" not in html
