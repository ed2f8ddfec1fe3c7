"""onboard: bulk customer onboarding from spreadsheets into a store of pending customers.

The public API, which the command line calls: `validate_file` and `import_file` for one
spreadsheet, `apply_review` and `export_review` for the approval pass, `sweep_folder` for a drop
folder, and the store's read and migration functions.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Each name is imported from its module on first use, not here: pandas and pandera alone
# take most of a second to import, and `onboard --help`, `status`, `export` or `init`
# should not wait for them.
_EXPORTS = {
    "validate_file": "pipeline.importer",
    "import_file": "pipeline.importer",
    "FileResult": "pipeline.result",
    "RunReport": "pipeline.result",
    "Config": "pipeline.config",
    "ConfigError": "pipeline.config",
    "load_config": "pipeline.config",
    "FileError": "pipeline.issues",
    "apply_review": "pipeline.review",
    "export_review": "pipeline.review",
    "ReviewResult": "pipeline.review",
    "sweep_folder": "pipeline.sweep",
    "folder_lock": "pipeline.sweep",
    "ensure_layout": "pipeline.sweep",
    "SweepBusy": "pipeline.sweep",
    "SweepResult": "pipeline.sweep",
    "open_store": "pipeline.store",
    "open_existing_store": "pipeline.store",
    "write_template": "pipeline.template",
    "connect": "pipeline.store",
    "safe_url": "pipeline.store",
    "reason": "pipeline.store",
    "status_counts": "pipeline.store",
    "batch_status_counts": "pipeline.store",
    "customers_with_status": "pipeline.store",
    "CUSTOMER_COLUMNS": "pipeline.store",
    "write_customers": "pipeline.report",
    "upgrade": "pipeline.store.migrate",
    "current_revision": "pipeline.store.migrate",
    "head_revision": "pipeline.store.migrate",
    "generate_rows": "pipeline.sample",
    "write_sheet": "pipeline.sample",
    "account": "pipeline.identity",
    "login_name": "pipeline.identity",
}

if TYPE_CHECKING:  # the names as mypy sees them (`as`: re-exported)
    from pipeline.config import Config as Config
    from pipeline.config import ConfigError as ConfigError
    from pipeline.config import load_config as load_config
    from pipeline.identity import account as account
    from pipeline.identity import login_name as login_name
    from pipeline.importer import import_file as import_file
    from pipeline.importer import validate_file as validate_file
    from pipeline.issues import FileError as FileError
    from pipeline.report import write_customers as write_customers
    from pipeline.result import FileResult as FileResult
    from pipeline.result import RunReport as RunReport
    from pipeline.review import ReviewResult as ReviewResult
    from pipeline.review import apply_review as apply_review
    from pipeline.review import export_review as export_review
    from pipeline.sample import generate_rows as generate_rows
    from pipeline.sample import write_sheet as write_sheet
    from pipeline.store import CUSTOMER_COLUMNS as CUSTOMER_COLUMNS
    from pipeline.store import batch_status_counts as batch_status_counts
    from pipeline.store import connect as connect
    from pipeline.store import customers_with_status as customers_with_status
    from pipeline.store import open_existing_store as open_existing_store
    from pipeline.store import open_store as open_store
    from pipeline.store import reason as reason
    from pipeline.store import safe_url as safe_url
    from pipeline.store import status_counts as status_counts
    from pipeline.store.migrate import current_revision as current_revision
    from pipeline.store.migrate import head_revision as head_revision
    from pipeline.store.migrate import upgrade as upgrade
    from pipeline.sweep import SweepBusy as SweepBusy
    from pipeline.sweep import SweepResult as SweepResult
    from pipeline.sweep import ensure_layout as ensure_layout
    from pipeline.sweep import folder_lock as folder_lock
    from pipeline.sweep import sweep_folder as sweep_folder
    from pipeline.template import write_template as write_template

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
