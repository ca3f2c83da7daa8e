"""The relays' claim served by partial indexes on pending rows; one send rate for all relays.

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'PENDING'")


def upgrade() -> None:
    # The claim scans pending rows in id order and asks, for each, whether its chat has an
    # older pending row; delivered rows (most of the table in time) are in neither index.
    op.create_index("ix_outbox_pending_id", "outbox", ["id"], postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index("ix_outbox_pending_chat_id", "outbox", ["chat_id", "id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    # The next send slot of Telegram's overall limit, shared by every relay (microseconds, UTC).
    with op.batch_alter_table("relay_state") as batch:
        batch.add_column(sa.Column("next_send_us", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("INSERT INTO relay_state (id, next_send_us) SELECT 1, 0 "
               "WHERE NOT EXISTS (SELECT 1 FROM relay_state WHERE id = 1)")


def downgrade() -> None:
    with op.batch_alter_table("relay_state") as batch:
        batch.drop_column("next_send_us")
    op.drop_index("ix_outbox_pending_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_pending_id", table_name="outbox")
