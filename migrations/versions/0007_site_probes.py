"""site_probes: sibling-path probe answers shared by every checker, so re-checks do not probe again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_probes",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("probe_url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("sketch", sa.Text(), nullable=False),
        sa.Column("text_len", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_probes")),
    )
    op.create_index(op.f("ix_site_probes_fetched_at"), "site_probes", ["fetched_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_site_probes_fetched_at"), table_name="site_probes")
    op.drop_table("site_probes")
