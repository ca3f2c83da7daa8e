"""Applications and their timeline.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=True),
        sa.Column("submission_key", sa.String(80), nullable=False),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("education", sa.String(16), nullable=False),
        sa.Column("special_education_student", sa.Boolean(), nullable=False),
        sa.Column("school", sa.String(100), nullable=True),
        sa.Column("jobs", sa.JSON(), nullable=False),
        sa.Column("employment_type", sa.String(16), nullable=False),
        sa.Column("desired_wage", sa.String(40), nullable=True),
        sa.Column("contact_preference", sa.String(20), nullable=False),
        sa.Column("sensitive", sa.Text(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("routed_to", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_applications"),
        sa.UniqueConstraint("number", name="uq_applications_number"),
        sa.UniqueConstraint("submission_key", name="uq_applications_submission_key"),
    )
    op.create_index("ix_applications_sender_id", "applications", ["sender_id"])
    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_seq"], ["applications.seq"], ondelete="CASCADE",
            name="fk_timeline_entries_application_seq_applications",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_entries"),
    )
    op.create_index("ix_timeline_entries_application_seq", "timeline_entries", ["application_seq"])


def downgrade() -> None:
    op.drop_table("timeline_entries")
    op.drop_table("applications")
