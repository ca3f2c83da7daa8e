"""Relay: leased outbox claims, the pause all relays share after a 429, chats that blocked the bot.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_chat_id", ["chat_id"])
    op.create_table(
        "blocked_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name="pk_blocked_chats"),
    )
    relay_state = op.create_table(
        "relay_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_relay_state"),
    )
    op.bulk_insert(relay_state, [{"id": 1, "paused_until": None, "pause_reason": None}])


def downgrade() -> None:
    op.drop_table("relay_state")
    op.drop_table("blocked_chats")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat_id")
        batch.drop_column("lease_until")
        batch.drop_column("lease_token")
