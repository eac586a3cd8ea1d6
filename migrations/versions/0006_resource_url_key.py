"""resources.url_key: a visitor's report finds its resource by one indexed lookup

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 16:15:00

The key of each resource stored before is computed here with the code's ``url_key_of``. Should
refsvc.metadata.urls.link_key ever change what counts as the same link, a later migration must
compute every key again, as this one does.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from refsvc.storage.models import url_key_of

    op.add_column("resources", sa.Column("url_key", sa.String(length=64), nullable=True))
    resources = sa.table("resources", sa.column("id", sa.String), sa.column("url", sa.String),
                         sa.column("url_key", sa.String))
    connection = op.get_bind()
    for resource_id, url in connection.execute(sa.select(resources.c.id, resources.c.url)).all():
        connection.execute(resources.update().where(resources.c.id == resource_id)
                           .values(url_key=url_key_of(url)))
    op.create_index(op.f("ix_resources_url_key"), "resources", ["url_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_resources_url_key"), table_name="resources")
    with op.batch_alter_table("resources") as batch:
        batch.drop_column("url_key")
