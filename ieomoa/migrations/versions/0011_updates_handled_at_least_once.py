"""Updates are handled at least once: a claim keeps the sealed update and a lease until done.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("sealed_update", sa.Text(), nullable=True))
        batch.create_index("ix_processed_updates_pending", ["done_at", "lease_until"])
    # Claims of the old scheme were taken before handling and never finished: count them as done.
    op.execute("UPDATE processed_updates SET done_at = received_at")


def downgrade() -> None:
    # Updates still in flight are lost on downgrade, as they were before this revision.
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_index("ix_processed_updates_pending")
        batch.drop_column("sealed_update")
        batch.drop_column("attempts")
        batch.drop_column("done_at")
        batch.drop_column("lease_until")
