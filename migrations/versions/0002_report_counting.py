"""open report groups unique by constraint; one count per visitor and day; rate-limit counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 13:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def _merge_duplicate_open_groups() -> None:
    """Concurrent reports could open two groups for one link and reason (PostgreSQL): keep the
    oldest, add the others' counts to it and mark them dismissed, so the unique index can be made."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, url, reason, count FROM reports WHERE status = 'open' ORDER BY id")).fetchall()
    keep: dict[tuple[str, str], int] = {}
    for row_id, url, reason, count in rows:
        first = keep.setdefault((url, reason), row_id)
        if first != row_id:
            bind.execute(sa.text("UPDATE reports SET count = count + :n WHERE id = :id"),
                         {"n": count, "id": first})
            bind.execute(sa.text("UPDATE reports SET status = 'dismissed', "
                                 "note = :note WHERE id = :id"),
                         {"note": f"Merged into report {first} (a duplicate open group).", "id": row_id})


def upgrade() -> None:
    _merge_duplicate_open_groups()
    op.create_index("uq_reports_open_group", "reports", ["url", "reason"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        "report_visits",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_report_visits_report_id_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "visitor", "day", name=op.f("pk_report_visits")),
    )
    op.create_index(op.f("ix_report_visits_day"), "report_visits", ["day"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_expires_at"), "rate_limits", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limits_expires_at"), table_name="rate_limits")
    op.drop_table("rate_limits")
    op.drop_index(op.f("ix_report_visits_day"), table_name="report_visits")
    op.drop_table("report_visits")
    op.drop_index("uq_reports_open_group", table_name="reports")
