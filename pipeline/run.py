"""The import orchestration: one file through read → map → validate → load → report.

`process_file` never raises for a user's mistake: a file-level failure becomes the
result's `error`, its summary is still written, and nothing is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from pipeline import store
from pipeline.columns import MappingError, derive_fields, map_headers
from pipeline.config import Config
from pipeline.issues import FileError, Issue
from pipeline.names import folder_name, text_of
from pipeline.read import Table, file_sha256, read_table
from pipeline.report import write_reports
from pipeline.result import FileResult
from pipeline.validate import Validation, records, validate
from schemas.fields import label

STAGES = ("read", "map", "validate", "load", "report")
StageCallback = Callable[[str], None]


@contextmanager
def _timed(result: FileResult, stage: str, on_stage: StageCallback | None = None) -> Iterator[None]:
    if on_stage is not None:
        on_stage(stage)
    start = time.perf_counter()
    try:
        yield
    finally:
        result.timings[stage] = result.timings.get(stage, 0.0) + time.perf_counter() - start


def process_file(
    path: Path,
    config: Config,
    engine: Engine | None = None,
    *,
    sheet: str | None = None,
    force: bool = False,
    on_stage: StageCallback | None = None,
) -> FileResult:
    """Validate one file, and import it when an `engine` is given.

    `on_stage` is called with each stage's name as it starts (for a progress display).
    """
    command = "import" if engine is not None else "validate"
    result = FileResult(file=path, command=command)
    table: Table | None = None
    start = time.perf_counter()
    try:
        if engine is not None and not config.user.strip():
            raise FileError(
                "missing_importer",
                "cannot tell who imports (no login name for this account): give --user NAME "
                "or set import.user in onboard.toml",
                "read",
            )
        with _timed(result, "read", on_stage):
            table = read_table(path, sheet, config.synonyms, config.limits)
        result.sha256, result.sheet, result.header_row = table.sha256, table.sheet, table.header_row
        if engine is not None and not force:
            earlier = store.earlier_import(engine, table.sha256)
            if earlier is not None:
                return _skipped(result, earlier, config, start)
        with _timed(result, "map", on_stage):
            columns = map_headers(table.headers, config.synonyms)
            derived = derive_fields(columns, table.cells)
        result.unmapped_columns = list(columns.unmapped)
        result.column_hints = list(columns.hints)
        mapped = columns.used
        with _timed(result, "validate", on_stage):
            validation = validate(derived.frame, columns, config.industries, config.currencies)
        _count(result, validation, derived.warnings)
        if result.rows and result.rejected / result.rows > config.max_reject_rate:
            result.report_dir = _report_dir(config, path, table.sha256)
            result.error = FileError(
                "too_many_rejects",
                f"{result.rejected} of {result.rows} rows rejected ({result.rejected / result.rows:.0%}), "
                f"above the maximum reject rate of {config.max_reject_rate:.0%}: nothing was stored",
                "validate",
            )
            result.timings["total"] = time.perf_counter() - start
            _write_reports(result, table, mapped)
            return result
        if engine is None:
            result.report_dir = _report_dir(config, path, table.sha256)
            with _timed(result, "report", on_stage):
                result.timings["total"] = time.perf_counter() - start
                _write_reports(result, table, mapped or [])
        else:
            try:
                _load(result, validation, table, engine, config, force, start, on_stage, mapped)
            except store.AlreadyImported:
                earlier = store.earlier_import(engine, table.sha256)
                assert earlier is not None
                _reset_counts(result)
                return _skipped(result, earlier, config, start)
    except FileError as error:
        _fail(result, error, config, path, table, start)
    return result


def _count(result: FileResult, validation: Validation, mapping_warnings: list[Issue]) -> None:
    result.rows = validation.rows
    result.errors = validation.errors
    # Warnings of the map stage (a doubtful name split) count only on accepted rows.
    rejected = validation.rejected_rows
    kept = [w for w in mapping_warnings if w.row not in rejected]
    result.warnings = sorted(validation.warnings + kept, key=lambda i: i.row) if kept else validation.warnings
    result.rejected = len(validation.rejected_rows)
    result.accepted = result.rows - result.rejected


def _load(
    result: FileResult,
    validation: Validation,
    table: Table,
    engine: Engine,
    config: Config,
    force: bool,
    start: float,
    on_stage: StageCallback | None = None,
    mapped: list[int] | None = None,
) -> None:
    """Load accepted rows and write the reports in one transaction: all or nothing."""
    batch_id = store.new_batch_id(table.sha256)
    result.batch_id = batch_id
    result.report_dir = config.report_dir / batch_id
    accepted = validation.accepted
    with store.transaction(engine, "load") as connection:
        with _timed(result, "load", on_stage):
            store.record_batch(
                connection,
                {
                    "id": batch_id,
                    "file_name": text_of(table.path),
                    "sha256": table.sha256,
                    "imported_by": config.user,
                    "imported_login": config.login or None,
                    "forced": force,
                    "started_at": store.now(),
                },
            )
            # Record dictionaries are built a part at a time: a million at once would not fit.
            loaded = store.LoadResult(batch_id)
            rows_of: dict[str, int] = {}
            for part in accepted.parts():
                done = store.load(connection, batch_id, records(part), config.user)
                loaded.add(done)
                if done.refused:
                    here = part["erp_id"].isin(set(done.refused))
                    rows_of |= dict(zip(part.loc[here, "erp_id"], part.index[here], strict=True))
        result.inserted, result.updated, result.unchanged = (
            loaded.inserted,
            loaded.updated,
            loaded.unchanged,
        )
        if loaded.refused:
            refused = set(loaded.refused)
            result.errors = sorted(
                result.errors + [_approved_changed(erp_id, rows_of[erp_id], table) for erp_id in refused],
                key=lambda i: i.row,
            )
            refused_rows = {int(rows_of[erp_id]) for erp_id in refused}
            result.warnings = [w for w in result.warnings if w.row not in refused_rows]
            result.rejected += len(refused)
            result.accepted -= len(refused)
        store.finish_batch(
            connection,
            batch_id,
            store.BatchCounts(
                rows=result.rows,
                accepted=result.accepted,
                rejected=result.rejected,
                inserted=result.inserted,
                updated=result.updated,
                unchanged=result.unchanged,
                warnings=len(result.warnings),
            ),
        )
        # Reports are written before the commit: if they cannot be, nothing is stored.
        with _timed(result, "report", on_stage):
            result.timings["total"] = time.perf_counter() - start
            _write_reports(result, table, mapped or [])


def _write_reports(result: FileResult, table: Table, mapped: list[int]) -> None:
    """Every report; the rejects workbook quotes the rejected rows' cells as read.

    A folder that cannot be written (permissions, a full disk) is `report_error`: the
    environment's fault, not the file's, so a sweep leaves the file for the next run.
    """
    rejected = sorted({issue.row for issue in result.errors})
    try:
        write_reports(result, table.headers, table.rows_at(rejected), rejected, mapped)
    except OSError as exc:
        message = f"cannot write reports to {result.report_dir}: {exc}"
        raise FileError("report_error", message, "report") from None


def _approved_changed(erp_id: str, row: int, table: Table) -> Issue:
    return Issue(
        row=int(row),
        column=label("erp_id"),
        field="erp_id",
        value=erp_id,
        code="approved_customer_changed",
        message=f"Customer {erp_id} is already approved; an import may not change it "
        "(ask a reviewer to handle the change in the portal)",
    )


def _report_dir(config: Config, path: Path, sha256: str, tag: str = "") -> Path:
    """The file's own report folder, always directly below the report directory."""
    return config.report_dir / folder_name(path, f"-{sha256[:8]}{tag}" if sha256 else tag)


def _skipped(result: FileResult, earlier: dict[str, object], config: Config, start: float) -> FileResult:
    """A file imported before: say so, with the earlier batch's id and counts.

    Its summary goes to a folder of its own; the earlier batch's reports stay as they were.
    """
    result.skipped = "already imported"
    result.batch_id = str(earlier["id"])
    for name in ("rows", "accepted", "rejected"):
        setattr(result, name, int(str(earlier[name])))
    result.unchanged = result.accepted
    result.report_dir = _report_dir(config, result.file, result.sha256, "-skipped")
    result.timings["total"] = time.perf_counter() - start
    write_reports(result)
    return result


def _reset_counts(result: FileResult) -> None:
    result.batch_id = None
    result.rows = result.accepted = result.rejected = 0
    result.inserted = result.updated = result.unchanged = 0
    result.errors, result.warnings = [], []


def _fail(
    result: FileResult,
    error: FileError,
    config: Config,
    path: Path,
    table: Table | None,
    start: float,
) -> None:
    """Record a file-level failure and write its summary; the store is untouched."""
    result.error = error
    if isinstance(error, MappingError):
        result.unmapped_columns = list(error.columns.unmapped)
        result.column_hints = list(error.columns.hints)
        result.missing_columns = list(error.missing)
    _reset_counts(result)
    sha256 = result.sha256
    if not sha256 and path.is_file():
        try:
            sha256 = file_sha256(path)
        except OSError:
            sha256 = ""
    result.sha256 = sha256
    result.report_dir = _report_dir(config, path, sha256)
    result.timings["total"] = time.perf_counter() - start
    try:
        write_reports(result)
    except OSError:
        result.report_dir = None
