"""The account that ran each import, beside the name it was imported under.

`--user` lets an import be recorded under a team member's name; the four-eyes rule also
compares the operating-system account, so nobody approves their own import by giving
it another name.

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
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("imported_login", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("imported_login")
