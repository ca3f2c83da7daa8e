"""Outbox privacy and keyed caregiver codes: delivered push texts removed, each push tied to
its application (erased with it), unkeyed caregiver codes invalidated.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("text", existing_type=sa.Text(), nullable=True)
        batch.add_column(sa.Column("application_seq", sa.Integer(), nullable=True))
        batch.create_index("ix_outbox_application_seq", ["application_seq"])
        batch.create_foreign_key(
            "fk_outbox_application_seq_applications", "applications", ["application_seq"], ["seq"],
            ondelete="CASCADE",
        )
    # Pushes written so far name their application only through the timeline step in the
    # idempotency key ("status:<timeline entry id>:<chat id>", ieomoa/services/status.py).
    op.execute(
        "UPDATE outbox SET application_seq = (SELECT t.application_seq FROM timeline_entries t "
        "WHERE outbox.idempotency_key = 'status:' || t.id || ':' || outbox.chat_id)"
    )
    # Delivered pushes keep no text and no error message (the staff note was in the text).
    op.execute("UPDATE outbox SET text = NULL, last_error = NULL WHERE state = 'SENT'")
    # Codes were an unkeyed SHA-256 of six digits, which a dump reverses at once; the
    # migration holds no key to re-hash them, so they are invalidated: live ones last at most
    # 24 hours, and the applicant asks for a new code.
    op.execute("DELETE FROM caregiver_codes")


def downgrade() -> None:
    op.execute("DELETE FROM caregiver_codes")  # HMAC codes mean nothing to the old code
    op.execute("UPDATE outbox SET text = '' WHERE text IS NULL")
    # The old relay would send an encrypted text as it is: those pushes are given up.
    op.execute("UPDATE outbox SET state = 'UNDELIVERABLE', last_error = 'downgraded: text encrypted' "
               "WHERE state = 'PENDING' AND text LIKE 'gAAAAA%'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_application_seq_applications", type_="foreignkey")
        batch.drop_index("ix_outbox_application_seq")
        batch.drop_column("application_seq")
        batch.alter_column("text", existing_type=sa.Text(), nullable=False)
