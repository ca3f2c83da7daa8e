"""Rate limits: caregiver attempts keyed by an HMAC of the sender (kept through erasure),
failed agency API authentications.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Old rows name the sender in clear and cover at most the last hour: dropped, not converted.
    op.execute("DELETE FROM caregiver_attempts")
    with op.batch_alter_table("caregiver_attempts") as batch:
        batch.drop_index("ix_caregiver_attempts_sender_id")
        batch.drop_column("sender_id")
        batch.add_column(sa.Column("sender_key", sa.String(64), nullable=False))
        batch.create_index("ix_caregiver_attempts_sender_key", ["sender_key"])
        batch.create_index("ix_caregiver_attempts_at", ["at"])
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_auth_failures"),
    )
    op.create_index("ix_auth_failures_client_key", "auth_failures", ["client_key"])
    op.create_index("ix_auth_failures_at", "auth_failures", ["at"])


def downgrade() -> None:
    op.drop_table("auth_failures")
    op.execute("DELETE FROM caregiver_attempts")
    with op.batch_alter_table("caregiver_attempts") as batch:
        batch.drop_index("ix_caregiver_attempts_at")
        batch.drop_index("ix_caregiver_attempts_sender_key")
        batch.drop_column("sender_key")
        batch.add_column(sa.Column("sender_id", sa.String(64), nullable=False))
        batch.create_index("ix_caregiver_attempts_sender_id", ["sender_id"])
