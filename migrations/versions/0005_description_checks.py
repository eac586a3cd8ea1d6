"""description baselines and verdicts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 13:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "description_baselines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("final_url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("meta_description", sa.Text(), nullable=False),
        sa.Column("og_description", sa.Text(), nullable=False),
        sa.Column("headings", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("main_text", sa.LargeBinary(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("vouched", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["resource_id"], ["resources.id"],
                                name=op.f("fk_description_baselines_resource_id_resources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_description_baselines")),
    )
    op.create_index("ix_description_baselines_resource_taken", "description_baselines",
                    ["resource_id", "taken_at"])
    op.create_table(
        "description_states",
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("since", sa.DateTime(), nullable=True),
        sa.Column("pending", sa.String(length=16), nullable=True),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("observed", sa.String(length=16), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("change", sa.JSON(), nullable=True),
        sa.Column("suggested", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("rebaseline", sa.Boolean(), nullable=False),
        sa.Column("seen", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["resource_id"], ["resources.id"],
                                name=op.f("fk_description_states_resource_id_resources"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("resource_id", name=op.f("pk_description_states")),
    )
    op.create_index(op.f("ix_description_states_verdict"), "description_states", ["verdict"])


def downgrade() -> None:
    op.drop_index(op.f("ix_description_states_verdict"), table_name="description_states")
    op.drop_table("description_states")
    op.drop_index("ix_description_baselines_resource_taken", table_name="description_baselines")
    op.drop_table("description_baselines")
