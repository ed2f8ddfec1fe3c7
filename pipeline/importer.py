"""The import orchestration: one file through read → map → validate → load → report.

`validate_file` stops before the store, `import_file` loads the accepted rows. Neither
raises for a user's mistake: a file-level failure becomes the result's `error`, its
summary is still written, and nothing is stored.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from pipeline import store
from pipeline.columns import ColumnMap, MappingError, derive_fields, map_headers, synonym_index
from pipeline.config import Config
from pipeline.issues import FileError, Issue
from pipeline.lookalikes import Lookalike, find_lookalikes
from pipeline.names import folder_name, text_of
from pipeline.read import Table, file_sha256, read_table
from pipeline.report import write_reports
from pipeline.result import FileResult, StageCallback, Stopwatch
from pipeline.sheet_artifacts import converted_cells, not_customers
from pipeline.validate import AcceptedRows, Validation, records, validate, value_columns
from schemas.codes import CODES
from schemas.fields import label
from schemas.rules.text import header_key


@dataclass(frozen=True)
class _Checked:
    """A file read, mapped and validated: what loading and the reports need of it."""

    table: Table
    columns: ColumnMap
    validation: Validation


def validate_file(path: Path, config: Config, *, on_stage: StageCallback | None = None) -> FileResult:
    """Read, map and validate one file and write its reports; nothing is stored.

    `on_stage` is called with each stage's name as it starts (for a progress display).
    """
    result = FileResult(path, "validate", stopwatch=Stopwatch(on_stage))
    try:
        with _libraries_frozen():
            checked = _check(result, _read(result, config), config)
            result.report_dir = _report_dir(config, path, result.sha256)
            result.error = _over_reject_rate(result, config)
            _write_reports(result, checked)
    except FileError as error:
        return _failed(result, error, config)
    result.stopwatch.stop()
    return result


def import_file(
    path: Path,
    config: Config,
    engine: Engine,
    *,
    force: bool = False,
    on_stage: StageCallback | None = None,
) -> FileResult:
    """Validate one file, then load its accepted rows as pending customers together with
    its batch record and reports: all or nothing. Content imported before is skipped
    unless `force`."""
    result = FileResult(path, "import", stopwatch=Stopwatch(on_stage))
    try:
        _require_importer(config)
        with _libraries_frozen():
            earlier = _import(result, config, engine, force)
        if earlier is not None:
            return _skipped(result, earlier, config)
    except FileError as error:
        return _failed(result, error, config)
    result.stopwatch.stop()
    return result


@contextmanager
def _libraries_frozen() -> Iterator[None]:
    """The objects alive before a file is processed (chiefly the libraries' own: pandas,
    pandera, SQLAlchemy, some hundreds of thousands) left out of the cyclic garbage
    collector's passes while the file's millions of short-lived values come and go: each
    full pass would trace them all again, some 12 % of an import's CPU. `gc.freeze` is
    made for this (https://docs.python.org/3/library/gc.html#gc.freeze); they are handed
    back afterwards, so a long-lived caller (a sweep, the tests) keeps collecting them. A
    caller that froze objects itself (a server before it forks) keeps them frozen: an
    unfreeze would release theirs too, so nothing is done then."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _import(result: FileResult, config: Config, engine: Engine, force: bool) -> dict[str, Any] | None:
    """Import into `result`; the earlier import instead when the content was imported before."""
    table = _read(result, config)
    earlier = None if force else store.earlier_import(engine, table.sha256)
    if earlier is not None:
        return earlier
    checked = _check(result, table, config)
    result.error = _over_reject_rate(result, config)
    if result.error is not None:
        result.report_dir = _report_dir(config, result.file, table.sha256)
        _write_reports(result, checked)
        return None
    try:
        _load(result, checked, engine, config, force)
    except store.AlreadyImported:  # another import of the same content committed first
        earlier = store.earlier_import(engine, table.sha256)
        assert earlier is not None, "the store said this content was imported"
    return earlier


def _require_importer(config: Config) -> None:
    if not config.user.strip():
        raise FileError(
            "missing_importer",
            "cannot tell who imports (no login name for this account): give --user NAME "
            "or set import.user in onboard.toml",
            "read",
        )


def _read(result: FileResult, config: Config) -> Table:
    with result.stopwatch.stage("read"):
        table = read_table(result.file, config.sheet, config.synonyms, config.limits)
    result.sha256, result.sheet, result.header_row = table.sha256, table.sheet, table.header_row
    return table


def _check(result: FileResult, table: Table, config: Config) -> _Checked:
    """Map the headers and validate every row; the verdict is counted into `result`."""
    with result.stopwatch.stage("map"):
        columns = map_headers(table.headers, config.synonyms)
        _refuse_review_file(result.file, columns)
        derived = derive_fields(columns, table.cells)
    result.unmapped_columns = list(columns.unmapped)
    result.column_hints = list(columns.hints)
    with result.stopwatch.stage("validate", rows=len(derived.frame)):
        validation = validate(
            derived.frame,
            columns,
            config.industries,
            config.currencies,
            on_part=result.stopwatch.done,
            found=converted_cells(table, columns),
        )
        errors = not_customers(validation.errors, table, columns, synonym_index(config.synonyms))
    hidden = _hidden_row_warnings(table, columns, derived.frame)
    result.counted(validation.rows, errors, validation.warnings, [*derived.warnings, *hidden])
    return _Checked(table, columns, validation)


def _refuse_review_file(path: Path, columns: ColumnMap) -> None:
    """A review file dropped where customer files go is refused: imported, its customer
    columns changed nothing and its decisions were dropped unseen, the file moved to
    processed/ as if all was done."""
    ignored = {header_key(header) for header in columns.unmapped}
    if {"decision", "fingerprint"} <= ignored:
        name = text_of(path.name)
        raise FileError(
            "review_file",
            f"{name} is a review file (it has decision and fingerprint columns), not customers to "
            f"import: apply it with `onboard review apply {name} --reviewer NAME`, or drop it into "
            "the drop folder's reviews/",
            "map",
        )


def _hidden_row_warnings(table: Table, columns: ColumnMap, frame: pd.DataFrame) -> list[Issue]:
    """A warning for each row the sheet hides: the person who saved it did not see it."""
    warnings = []
    for row in sorted(table.hidden_rows):
        if row not in frame.index:  # a blank row, or above the header
            continue
        value: object = frame.at[row, "erp_id"]
        erp_id = value if isinstance(value, str) else ""  # blank: missing
        message = CODES["hidden_row"].message(row=row, value=erp_id or "(no ERP ID)")
        warnings.append(
            Issue(row, columns.column_of("erp_id"), "erp_id", erp_id, "hidden_row", message, "warning")
        )
    return warnings


def _over_reject_rate(result: FileResult, config: Config) -> FileError | None:
    """A file with more rejected rows than allowed fails whole: nothing of it is stored."""
    if result.reject_rate <= config.max_reject_rate:
        return None
    return FileError(
        "too_many_rejects",
        f"{result.rejected} of {result.rows} rows rejected ({result.reject_rate:.0%}), "
        f"above the maximum reject rate of {config.max_reject_rate:.0%}: nothing was stored",
        "validate",
    )


def _load(result: FileResult, checked: _Checked, engine: Engine, config: Config, force: bool) -> None:
    """Load accepted rows and write the reports in one transaction: all or nothing."""
    result.warn(_lookalikes(engine, checked, result.stopwatch))
    batch_id = store.new_batch_id(checked.table.sha256)
    result.batch_id, result.report_dir = batch_id, config.report_dir / batch_id
    with store.transaction(engine, "load") as connection:
        with result.stopwatch.stage("load", rows=result.accepted):
            store.record_batch(connection, _batch_record(batch_id, checked.table, config, force))
            accepted, notes = checked.validation.accepted, _notes(result.warnings)
            with store.indexes_built_after(connection, accepted.rows):
                loaded, refused = _load_parts(
                    connection, batch_id, accepted, config.user, notes, result.stopwatch
                )
        result.stored(loaded.inserted, loaded.updated, loaded.unchanged)
        result.reject([_approved_changed(erp_id, row) for erp_id, row in refused.items()])
        _finish_batch(connection, batch_id, result)
        # Reports are written before the commit: if they cannot be, nothing is stored.
        _write_reports(result, checked)


def _batch_record(batch_id: str, table: Table, config: Config, force: bool) -> dict[str, Any]:
    return {
        "id": batch_id,
        "file_name": text_of(table.path),
        "sha256": table.sha256,
        "imported_by": config.user,
        "imported_login": config.login or None,
        "forced": force,
        "started_at": store.now(),
    }


def _lookalikes(engine: Engine, checked: _Checked, stopwatch: Stopwatch) -> list[Issue]:
    """A warning for every accepted row that looks like a customer stored under another
    ERP ID. Checked before the load, a part at a time in short read transactions (no
    writer waits for it), against the stored customers other than the file's own (its
    own repeats are `duplicate_tax_id`)."""
    accepted = checked.validation.accepted
    warnings: list[Issue] = []
    with stopwatch.stage("compare", rows=accepted.rows):
        with store.transaction(engine, "compare") as connection:
            if not store.any_customer(connection):  # a first import: nothing to look like
                return warnings
        own = {erp_id for part in accepted.parts() for erp_id in part["erp_id"]}
        done = 0
        for part in accepted.parts():
            with store.transaction(engine, "compare") as connection:
                candidates = records(part[list(store.LOOKALIKE_COLUMNS)])
                found = find_lookalikes(connection, candidates, exclude=own)
            rows = dict(zip(part["erp_id"], part.index, strict=True))
            warnings += [_lookalike_warning(f, int(rows[f.erp_id]), part, checked.columns) for f in found]
            done += len(part)
            stopwatch.done(done)
    return warnings


def _lookalike_warning(found: Lookalike, row: int, part: pd.DataFrame, columns: ColumnMap) -> Issue:
    name = found.field
    value = str(part.at[row, name])
    return Issue(row, columns.column_of(name), name, value, "possible_duplicate", found.message(), "warning")


def _notes(warnings: list[Issue]) -> dict[int, str]:
    """Each row's warnings as kept with its customer: one message a line."""
    notes: dict[int, list[str]] = {}
    for issue in warnings:
        notes.setdefault(issue.row, []).append(issue.message)
    return {row: "\n".join(messages) for row, messages in notes.items()}


def _load_parts(
    connection: Connection,
    batch_id: str,
    accepted: AcceptedRows,
    user: str,
    notes: dict[int, str],
    stopwatch: Stopwatch,
) -> tuple[store.LoadResult, dict[str, int]]:
    """Load the accepted rows (with their warnings' `notes`); also the ERP IDs the store
    refused, with their row numbers."""
    loaded = store.LoadResult(batch_id)
    refused: dict[str, int] = {}
    done_rows = 0
    # The values are listed a part at a time: a million rows at once would not fit.
    for part in accepted.parts():
        columns = value_columns(part)
        columns["warnings"] = [notes.get(number) for number in part.index]
        done = store.load(connection, batch_id, columns, user)
        loaded.add(done)
        done_rows += len(part)
        stopwatch.done(done_rows)
        if done.refused:
            here = part["erp_id"].isin(set(done.refused))
            refused |= dict(zip(part.loc[here, "erp_id"], part.index[here], strict=True))
    return loaded, refused


def _finish_batch(connection: Connection, batch_id: str, result: FileResult) -> None:
    counts = store.BatchCounts(
        rows=result.rows,
        accepted=result.accepted,
        rejected=result.rejected,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        warnings=len(result.warnings),
    )
    store.finish_batch(connection, batch_id, counts)


def _approved_changed(erp_id: str, row: int) -> Issue:
    return Issue(
        row=int(row),
        column=label("erp_id"),
        field="erp_id",
        value=erp_id,
        code="approved_customer_changed",
        message=f"Customer {erp_id} is already approved; an import may not change it "
        "(ask a reviewer to handle the change in the portal)",
    )


def _write_reports(result: FileResult, checked: _Checked) -> None:
    """Every report; the rejects workbook quotes the rejected rows' cells as read.

    A folder that cannot be written (permissions, a full disk) is `report_error`: the
    environment's fault, not the file's, so a sweep leaves the file for the next run.
    """
    rejected = sorted({issue.row for issue in result.errors})
    table = checked.table
    with result.stopwatch.stage("report"):
        try:
            write_reports(result, table.headers, table.rows_at(rejected), rejected, checked.columns.used)
        except OSError as exc:
            message = f"cannot write reports to {result.report_dir}: {exc}"
            raise FileError("report_error", message, "report") from None


def _report_dir(config: Config, path: Path, sha256: str, tag: str = "") -> Path:
    """The file's own report folder, always directly below the report directory."""
    return config.report_dir / folder_name(path, f"-{sha256[:8]}{tag}" if sha256 else tag)


def _skipped(result: FileResult, earlier: dict[str, Any], config: Config) -> FileResult:
    """A file imported before: say so, with the earlier batch's id and counts.

    Its summary goes to a folder of its own; the earlier batch's reports stay as they were.
    """
    skipped = result.skipped(earlier)
    skipped.report_dir = _report_dir(config, skipped.file, skipped.sha256, "-skipped")
    skipped.stopwatch.stop()
    write_reports(skipped)
    return skipped


def _failed(result: FileResult, error: FileError, config: Config) -> FileResult:
    """A file-level failure: its summary is written (when it can be); the store is untouched."""
    if isinstance(error, MappingError):  # the mapping help: what was ignored, what is missing
        result.unmapped_columns = list(error.columns.unmapped)
        result.column_hints = list(error.columns.hints)
        result.missing_columns = list(error.missing)
    failed = result.failed(error)
    if not failed.sha256 and failed.file.is_file():
        try:
            failed.sha256 = file_sha256(failed.file)
        except OSError:
            failed.sha256 = ""
    failed.report_dir = _report_dir(config, failed.file, failed.sha256)
    failed.stopwatch.stop()
    try:
        write_reports(failed)
    except OSError:
        failed.report_dir = None
    return failed
