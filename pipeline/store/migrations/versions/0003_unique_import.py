"""One import per file content: a unique index on batches.sha256 for imports not forced.

Two sweeps that race on the same content (one killed between COMMIT and moving the
file) can no longer both record it: the second insert waits for the first and fails.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    forced = sa.column("forced", sa.Boolean)
    op.create_index(
        "uq_batches_sha256_unforced",
        "batches",
        ["sha256"],
        unique=True,
        sqlite_where=sa.not_(forced),
        postgresql_where=sa.not_(forced),
    )


def downgrade() -> None:
    op.drop_index("uq_batches_sha256_unforced", table_name="batches")
