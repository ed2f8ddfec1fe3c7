"""Customers, import batches and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The customer fields as they stood at this revision, with their maximum lengths.
FIELDS = {
    "short_name": 50,
    "full_name": 200,
    "erp_id": 50,
    "registration_number": 50,
    "tax_id": 50,
    "currency": 50,
    "industry": 200,
    "country": 200,
    "city": 200,
    "state": 200,
    "address": 200,
    "address2": 200,
    "postal_code": 20,
    "contact_first_name": 200,
    "contact_last_name": 200,
    "contact_role": 200,
    "contact_email": 254,
    "contact_phone": 50,
}
OPTIONAL = {"state", "address2", "postal_code"}


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in ("rows", "accepted", "rejected", "inserted", "updated", "unchanged", "warnings")
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *(
            sa.Column(name, sa.String(length), nullable=name in OPTIONAL, unique=name == "erp_id")
            for name, length in FIELDS.items()
        ),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("batch_id", sa.String(64), sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("reviewed_by", sa.String(200)),
        sa.Column("review_reason", sa.Text),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("erp_id", sa.String(50), nullable=False, index=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("old_status", sa.String(16)),
        sa.Column("new_status", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_table("customers")
    op.drop_table("batches")
