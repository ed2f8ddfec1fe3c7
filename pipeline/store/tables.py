"""The store's tables (SQLAlchemy Core) and the one shape of an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from pipeline.identity import NAME_MAX
from schemas.fields import FIELDS as FIELD_FACTS

FIELDS = tuple(FIELD_FACTS)
# The fields the look-alike check searches by (pipeline/lookalikes.py), indexed for it.
LOOKUP_FIELDS = ("tax_id", "registration_number", "postal_code")
STATUSES = ("pending", "approved", "rejected")

metadata = MetaData()

# A file's path as given, however long (migration 0006): TEXT on PostgreSQL; SQLite
# enforces no length, so its columns keep the type they were created with.
FILE_NAME = String(500).with_variant(Text(), "postgresql")

batches = Table(
    "batches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("file_name", FILE_NAME, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("imported_by", String(NAME_MAX), nullable=False, default=""),
    # The operating-system account that ran the import (the file's owner in a sweep).
    Column("imported_login", String(200)),
    Column("forced", Boolean, nullable=False, default=False),
    Column("rows", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

# One import per file content, unless forced (see migration 0003).
Index(
    "uq_batches_sha256_unforced",
    batches.c.sha256,
    unique=True,
    sqlite_where=~batches.c.forced,
    postgresql_where=~batches.c.forced,
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *(
        Column(
            name,
            String(FIELD_FACTS[name].max_length),
            nullable=not FIELD_FACTS[name].required,
            unique=name == "erp_id",
            index=name in LOOKUP_FIELDS,
        )
        for name in FIELDS
    ),
    Column("status", String(16), nullable=False, index=True),
    Column("batch_id", String(64), ForeignKey("batches.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("reviewed_by", String(NAME_MAX)),
    Column("review_reason", Text),
    # The last import's warnings about the customer's row, one message a line, for
    # reviewers. Last, so an export's earlier columns keep their places.
    Column("warnings", Text),
)

# The columns of a stored customer, in table order (what `onboard export` writes).
CUSTOMER_COLUMNS = tuple(column.name for column in customers.columns)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("erp_id", String(FIELD_FACTS["erp_id"].max_length), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("old_status", String(16)),
    Column("new_status", String(16), nullable=False),
    Column("batch_id", String(64)),
    Column("changed_by", String(NAME_MAX), nullable=False, default=""),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
)


claims = Table(
    "claims",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("file_name", FILE_NAME, nullable=False),
    Column("claimed_by", String(200), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(32)),
)


def audit_row(
    erp_id: str,
    action: str,
    old: str | None,
    new: str,
    batch_id: str | None,
    user: str,
    stamp: dt.datetime,
    reason: str | None = None,
) -> dict[str, Any]:
    """One row of the audit table: a customer's status change, who made it and when.

    Every status change (an import's create or update, a reviewer's decision) is
    recorded through this function, so the trail has one shape whatever wrote it.
    """
    return {
        "erp_id": erp_id,
        "action": action,
        "old_status": old,
        "new_status": new,
        "batch_id": batch_id,
        "changed_by": user,
        "changed_at": stamp,
        "reason": reason,
    }
