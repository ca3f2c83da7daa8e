"""Button tokens belong to one chat, are used once and expire.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tokens of the old scheme were shared by every chat and never expired: none stays valid.
    op.execute("DELETE FROM button_tokens")
    with op.batch_alter_table("button_tokens") as batch:
        batch.add_column(sa.Column("sender_id", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_button_tokens_sender_id", ["sender_id"])


def downgrade() -> None:
    with op.batch_alter_table("button_tokens") as batch:
        batch.drop_index("ix_button_tokens_sender_id")
        batch.drop_column("used_at")
        batch.drop_column("expires_at")
        batch.drop_column("sender_id")
