"""Look-alikes and warnings for reviewers: indexes on the fields the look-alike check
searches by, and the import's warnings kept with each customer.

An import warns when a row looks like a customer stored under another ERP ID (same VAT
or registration number, or a near name at the same postcode): the check looks stored
customers up by those fields, so they are indexed. The warnings of a customer's row are
kept with it, so the review workbook shows a reviewer why to look twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LOOKUP_FIELDS = ("tax_id", "registration_number", "postal_code")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("warnings", sa.Text))
    for name in LOOKUP_FIELDS:
        op.create_index(f"ix_customers_{name}", "customers", [name])


def downgrade() -> None:
    for name in LOOKUP_FIELDS:
        op.drop_index(f"ix_customers_{name}", table_name="customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("warnings")
