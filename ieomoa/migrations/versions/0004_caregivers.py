"""Caregiver codes, links and wrong-code attempts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "caregiver_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("applicant_sender_id", sa.String(64), nullable=False),
        sa.Column("share_sensitive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_caregiver_codes"),
        sa.UniqueConstraint("code_hash", name="uq_caregiver_codes_code_hash"),
    )
    op.create_index("ix_caregiver_codes_applicant_sender_id", "caregiver_codes", ["applicant_sender_id"])
    op.create_table(
        "caregiver_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_sender_id", sa.String(64), nullable=False),
        sa.Column("caregiver_sender_id", sa.String(64), nullable=False),
        sa.Column("share_sensitive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_caregiver_links"),
    )
    op.create_index("ix_caregiver_links_applicant_sender_id", "caregiver_links", ["applicant_sender_id"])
    op.create_index("ix_caregiver_links_caregiver_sender_id", "caregiver_links", ["caregiver_sender_id"])
    op.create_table(
        "caregiver_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_caregiver_attempts"),
    )
    op.create_index("ix_caregiver_attempts_sender_id", "caregiver_attempts", ["sender_id"])


def downgrade() -> None:
    op.drop_table("caregiver_attempts")
    op.drop_table("caregiver_links")
    op.drop_table("caregiver_codes")
