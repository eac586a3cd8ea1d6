"""The database models: resource, its health state, its checks, visitors' reports, rate limits."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, String, Text, TypeDecorator, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

# Named constraints, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL_LENGTH = 2048
HEALTHS = ("unknown", "healthy", "warning", "failing", "broken")
REPORT_REASONS = ("broken", "inaccurate", "other")
DESCRIPTION_VERDICTS = ("supported", "changed", "unsupported", "unknown")
REPORT_STATUSES = ("open", "resolved", "dismissed")
# The fields an editor sets: the registry file's fields (refsvc.links.registry validates them).
ENTRY_FIELDS = ("id", "name", "url", "description", "logo_url", "tags", "expect", "active")


def url_key_of(url: str) -> str | None:
    """What resources.url_key holds: a hash of the URL's link key (refsvc.metadata.urls.link_key:
    no scheme, www., default port, trailing slash or fragment), so every spelling of a link has the
    same one; hashed so the index takes it on any database whatever the URL's length. None for a
    URL that cannot be read."""
    from refsvc.metadata.urls import link_key  # pure; imported here so the models load without it

    key = link_key(url)
    return None if key is None else hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC out; stored naive UTC so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Resource(Base):
    """An outside resource the website links to (what an editor registers)."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    # url_key_of(url): finds the resource by any spelling of its URL in one indexed lookup
    url_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    logo_url: Mapped[str | None] = mapped_column(String(URL_LENGTH), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    expect: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    state: Mapped[HealthState] = relationship(back_populates="resource", uselist=False,
                                              cascade="all, delete-orphan", lazy="joined")

    @validates("url")
    def _keep_url_key(self, _name: str, url: str) -> str:
        # every write of a URL (API, dashboard, registry import) goes through here
        self.url_key = url_key_of(url)
        return url

    @property
    def health(self) -> str:
        """The resource's health as a word (unknown until first checked)."""
        return self.state.health if self.state else "unknown"


class HealthState(Base):
    """Where a resource stands: its health, the streaks behind it, its schedule and claim."""

    __tablename__ = "health_states"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    health: Mapped[str] = mapped_column(String(16), default="unknown")
    health_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # failing checks in a row
    successes: Mapped[int] = mapped_column(Integer, default=0)  # good checks in a row
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_check_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    wayback_url: Mapped[str | None] = mapped_column(String(URL_LENGTH), nullable=True)
    wayback_timestamp: Mapped[str | None] = mapped_column(String(14), nullable=True)

    resource: Mapped[Resource] = relationship(back_populates="state")


class Check(Base):
    """One check of one resource's URL: the checker's result, and the health it led to."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_resource_checked", "resource_id", "checked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    outcome: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    health: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # CheckResult.to_dict()


class Report(Base):
    """Visitors' reports about one link, grouped: repeats raise ``count`` instead of adding rows."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_group", "url", "reason", "status"),
        # at most one open group per link and reason, whatever the concurrency (both databases)
        Index("uq_reports_open_group", "url", "reason", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[str | None] = mapped_column(
        ForeignKey("resources.id", ondelete="SET NULL"), nullable=True, index=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    count: Mapped[int] = mapped_column(Integer, default=1)
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pages: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ReportVisit(Base):
    """That one visitor (a hash of the client address) reported a group on a day: counted once."""

    __tablename__ = "report_visits"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)  # YYYY-MM-DD, UTC


class RateLimit(Base):
    """A rate-limit counter shared by every worker when there is no Redis (fixed window)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


class EditorEvent(Base):
    """Something an editor did to a resource (checked it now, changed fields, settled a report):
    the editor-actions part of the resource page's timeline."""

    __tablename__ = "editor_events"
    __table_args__ = (Index("ix_editor_events_resource_at", "resource_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))  # checked_now, edited, report_resolved, ...
    summary: Mapped[str] = mapped_column(Text, default="")


class DescriptionBaseline(Base):
    """What a resource's page said when its description was last taken as true (compact: main text
    compressed, the claims with the sentences they rely on); older ones are pruned with the history."""

    __tablename__ = "description_baselines"
    __table_args__ = (Index("ix_description_baselines_resource_taken", "resource_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # by an editor, not the first check
    description: Mapped[str] = mapped_column(Text, default="")  # the description it was judged against
    final_url: Mapped[str] = mapped_column(String(URL_LENGTH), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    og_description: Mapped[str] = mapped_column(Text, default="")
    headings: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(16), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    main_text: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed
    claims: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    vouched: Mapped[list[str]] = mapped_column(JSON, default=list)  # claims an editor confirmed unseen


class DescriptionState(Base):
    """Where a resource's description stands: its verdict, the claims and change behind it."""

    __tablename__ = "description_states"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending: Mapped[str | None] = mapped_column(String(16), nullable=True)  # a new verdict seen ...
    pending_count: Mapped[int] = mapped_column(Integer, default=0)  # ... this many times in a row
    observed: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the last check's
    why: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    change: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    suggested: Mapped[str] = mapped_column(Text, default="")  # a description drawn from the page
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rebaseline: Mapped[bool] = mapped_column(Boolean, default=False)  # an editor asked for a new one
    seen: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the page, description and
    # baseline last judged: a check that finds all three the same repeats that judgement unread


class PolitenessHost(Base):
    """A host's shared spacing: no request to it starts before ``next_start`` (epoch seconds)."""

    __tablename__ = "politeness_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_start: Mapped[float] = mapped_column(Float, default=0.0)
    spacing: Mapped[float] = mapped_column(Float, default=0.0)  # wider than the base after a 429
    spacing_until: Mapped[float] = mapped_column(Float, default=0.0)


class PolitenessSlot(Base):
    """One of a host's request slots, held by one request of any checker until it ends or lapses."""

    __tablename__ = "politeness_slots"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[float] = mapped_column(Float, default=0.0)


class SiteProbe(Base):
    """The last sibling-path probe of one site prefix (refsvc.links.soft404), shared by every
    checker process and Celery worker: a prefix is probed once a day, not once a process."""

    __tablename__ = "site_probes"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of scheme://host/prefix/
    probe_url: Mapped[str] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: the probe failed
    final_url: Mapped[str] = mapped_column(Text, default="")
    sketch: Mapped[str] = mapped_column(Text, default="")  # the page's bottom-k hashes, space-separated
    text_len: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds
