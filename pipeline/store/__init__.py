"""The store: every SQL statement onboard runs, behind named operations.

SQLite (one file, the default) and PostgreSQL (`postgresql+psycopg://…`) both work.
One import is one transaction: its accepted rows, their audit rows and its batch record
commit together or not at all; so do all applied lines of one review file. Nothing
outside this package builds a statement.

- `tables`: the tables, and `audit_row`, the one shape of an audit row;
- `connection`: engines, time-outs, `transaction`, one-line failures;
- `customer`: the import's upsert (`load`), the reviewers' `apply_decisions`, look-ups
  (by ERP ID, and the look-alike check's by VAT, registration number and postcode);
- `batch`: batch records (`record_batch`, `finish_batch`), `importers`, status counts;
- `claiming`: the sweeps' claims on file contents;
- `bulk`: the dialect fast paths (COPY, executemany, `= ANY(array)`, SQLite's indexes
  built after a large load);
- `migrate` and `migrations/`: the schema's Alembic revisions.
"""

from pipeline.store.batch import (
    AlreadyImported,
    BatchCounts,
    batch_status_counts,
    earlier_import,
    finish_batch,
    importers,
    new_batch_id,
    record_batch,
    status_counts,
)
from pipeline.store.bulk import indexes_built_after
from pipeline.store.claiming import claim, finish_claim
from pipeline.store.connection import (
    connect,
    now,
    open_existing_store,
    open_store,
    reason,
    safe_url,
    transaction,
)
from pipeline.store.customer import (
    LOOKALIKE_COLUMNS,
    LoadResult,
    StatusChange,
    any_customer,
    apply_decisions,
    customers_sharing,
    customers_with_status,
    find_customers,
    load,
    pending_customers,
)
from pipeline.store.tables import (
    CUSTOMER_COLUMNS,
    FIELDS,
    STATUSES,
    audit,
    audit_row,
    batches,
    claims,
    customers,
    metadata,
)

__all__ = [
    "CUSTOMER_COLUMNS",
    "FIELDS",
    "LOOKALIKE_COLUMNS",
    "STATUSES",
    "AlreadyImported",
    "BatchCounts",
    "LoadResult",
    "StatusChange",
    "any_customer",
    "apply_decisions",
    "audit",
    "audit_row",
    "batch_status_counts",
    "batches",
    "claim",
    "claims",
    "connect",
    "customers",
    "customers_sharing",
    "customers_with_status",
    "earlier_import",
    "find_customers",
    "finish_batch",
    "finish_claim",
    "importers",
    "indexes_built_after",
    "load",
    "metadata",
    "new_batch_id",
    "now",
    "open_existing_store",
    "open_store",
    "pending_customers",
    "reason",
    "record_batch",
    "safe_url",
    "status_counts",
    "transaction",
]
