"""Whole file names on PostgreSQL: a batch and a claim keep the path they were given,
however long.

A path of more than 500 characters (a deep drop folder, or a name of bytes that are not
UTF-8, each kept as a four-character `\\xNN`) failed the load on PostgreSQL after every
row was validated, while SQLite, which enforces no length, kept it. The columns become
TEXT on PostgreSQL; SQLite's stay as they are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("batches", "claims")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.alter_column(table, "file_name", type_=sa.Text, existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.alter_column(table, "file_name", type_=sa.String(500), existing_nullable=False)
