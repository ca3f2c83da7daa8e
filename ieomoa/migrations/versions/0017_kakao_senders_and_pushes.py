"""KakaoTalk: sender ids of up to 128 characters; outbox rows for a chat named by its sender id.

A KakaoTalk sender id is "kakao-" and a botUserKey of 60-odd characters, past the 64 that
sender ids had. An outbox row reaches either a Telegram chat (``chat_id``) or a chat of a
messenger without numeric ids (``recipient``, its sender id), never both; the claim's
per-chat order holds for either, served by one more partial index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'PENDING'")
SENDER_ID_COLUMNS = [
    ("chats", "sender_id"),
    ("button_tokens", "sender_id"),
    ("applications", "sender_id"),
    ("caregiver_codes", "applicant_sender_id"),
    ("caregiver_links", "applicant_sender_id"),
    ("caregiver_links", "caregiver_sender_id"),
    ("erasure_requests", "sender_id"),
]


def _resize(width: int, submission_width: int) -> None:
    # SQLite does not enforce a VARCHAR's length: only PostgreSQL needs the new type.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in SENDER_ID_COLUMNS:
        op.alter_column(table, column, type_=sa.String(width))
    # "<sender id>:<draft id>" (actions/application_flow.py)
    op.alter_column("applications", "submission_key", type_=sa.String(submission_width))


def _drop_pending_indexes() -> None:
    op.drop_index("ix_outbox_pending_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_pending_id", table_name="outbox")


def _create_pending_indexes() -> None:
    """Migration 0016's indexes of the claim."""
    op.create_index(
        "ix_outbox_pending_id", "outbox", ["id"], postgresql_where=PENDING, sqlite_where=PENDING
    )
    op.create_index(
        "ix_outbox_pending_chat_id",
        "outbox",
        ["chat_id", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def upgrade() -> None:
    _resize(128, 200)
    # SQLite rebuilds the table to drop NOT NULL; its partial indexes are made again after.
    _drop_pending_indexes()
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("recipient", sa.String(128), nullable=True))
    _create_pending_indexes()
    op.create_index(
        "ix_outbox_pending_recipient",
        "outbox",
        ["recipient", "id"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending_recipient", table_name="outbox")
    _drop_pending_indexes()
    op.execute("DELETE FROM outbox WHERE chat_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("recipient")
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
    _create_pending_indexes()
    _resize(64, 80)
