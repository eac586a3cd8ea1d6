"""shared per-host politeness: request slots and spacing across every checker and worker

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "politeness_hosts",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_start", sa.Float(), nullable=False),
        sa.Column("spacing", sa.Float(), nullable=False),
        sa.Column("spacing_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_politeness_hosts")),
    )
    op.create_table(
        "politeness_slots",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("host", "slot", name=op.f("pk_politeness_slots")),
    )


def downgrade() -> None:
    op.drop_table("politeness_slots")
    op.drop_table("politeness_hosts")
