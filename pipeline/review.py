"""The approval pass: export pending customers for review, apply a reviewed file.

A review file holds one line per customer with its `fingerprint` as exported; a
decision is applied only while the stored record still has that fingerprint, so a
review can change only records its reviewer actually saw. All applied lines of one file
commit in one transaction; applying the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from pipeline import store
from pipeline.issues import FileError
from pipeline.read import file_sha256, find_header, read_records
from pipeline.report import unescape_formulas, write_people_csv, write_summary
from pipeline.result import EXIT_OK, EXIT_REJECTS, EXIT_UNUSABLE
from pipeline.review_decisions import OUTCOMES, ReviewLine, decide, fingerprint
from pipeline.review_workbook import REVIEW_COLUMNS, review_header, write_review_workbook
from schemas.rules.text import header_key

REPORT_COLUMNS = ("erp_id", "decision", "outcome", "message")


# --- export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewExport:
    """What `export_review` wrote."""

    out: Path
    customers: int
    batch_id: str | None


def export_review(engine: Engine, out: Path, batch_id: str | None = None) -> ReviewExport:
    """Write every pending customer (or one batch's) to a review file, XLSX or CSV."""
    records = store.pending_customers(engine, batch_id)
    lines = [
        {name: record.get(name) or "" for name in REVIEW_COLUMNS if name in record}
        | {"decision": "", "reason": "", "fingerprint": fingerprint(record)}
        for record in records
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        write_people_csv(out, REVIEW_COLUMNS, ([line.get(c, "") for c in REVIEW_COLUMNS] for line in lines))
    else:
        write_review_workbook(out, lines, batch_id)
    return ReviewExport(out, len(lines), batch_id)


# --- apply -----------------------------------------------------------------------------


@dataclass
class ReviewResult:
    """What applying one review file did; rendered as review-report.csv and a summary."""

    file: Path
    reviewer: str
    dry_run: bool = False
    sha256: str = ""
    report_dir: Path | None = None
    lines: list[ReviewLine] = field(default_factory=list)
    error: FileError | None = None

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(line.outcome for line in self.lines)
        return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def exit_code(self) -> int:
        """2 when the file was unusable, 1 when some lines were refused, else 0."""
        if self.error is not None:
            return EXIT_UNUSABLE
        return EXIT_REJECTS if self.counts["refused"] else EXIT_OK

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": str(self.file),
            "command": "review apply",
            "sha256": self.sha256,
            "reviewer": self.reviewer,
            "dry_run": self.dry_run,
            "report_dir": str(self.report_dir) if self.report_dir else None,
            "lines": len(self.lines),
            **self.counts,
        }
        if self.error is not None:
            data["error"] = self.error.summary()
        data["exit_code"] = self.exit_code
        return data


# A review workbook's headers are portal labels; a review CSV's (and older workbooks') names.
_HEADER_INDEX = {
    header_key(header): name for name in REVIEW_COLUMNS for header in (name, review_header(name))
}


def _read_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-blank line of a review file."""
    _sheet, records = read_records(path, _HEADER_INDEX, sheet=None, min_known=2)
    if path.suffix.lower() == ".csv":
        # Written with its formula starts escaped (-0042 as '-0042): take exactly those off.
        records = [[unescape_formulas(cell) for cell in record] for record in records]
    header_at, _known = find_header(records, _HEADER_INDEX)
    if header_at < 0:
        raise FileError("no_header_row", f"{path.name}: no header row with erp_id and decision")
    names = [_HEADER_INDEX.get(header_key(cell)) for cell in records[header_at]]
    missing = [c for c in ("erp_id", "decision", "reason", "fingerprint") if c not in names]
    if missing:
        raise FileError(
            "missing_columns",
            f"{path.name}: not a review file, missing column(s): {', '.join(missing)} "
            "(export one with: onboard review export --out FILE.xlsx)",
            "read",
        )
    lines = []
    for position in range(header_at + 1, len(records)):
        cells = records[position]
        values = {
            name: cells[i].strip() if i < len(cells) else ""
            for i, name in enumerate(names)
            if name is not None
        }
        if any(values.values()):
            lines.append((position + 1, values))
    return lines


def apply_review(
    engine: Engine,
    path: Path,
    reviewer: str,
    report_root: Path,
    *,
    dry_run: bool = False,
    four_eyes: bool = False,
    account: str | None = None,
) -> ReviewResult:
    """Apply the decisions of a review file; never raises for a user's mistake.

    Under `four_eyes`, a customer is not approved when the reviewer's name or `account`
    (the operating-system account applying the file, or the review file's owner in a
    sweep) is a name or account its batch was imported under.
    """
    # The name as recorded on every change: " bob " and "bob" are one reviewer.
    reviewer = " ".join(reviewer.split())
    result = ReviewResult(file=path, reviewer=reviewer, dry_run=dry_run)
    try:
        if not reviewer.strip():
            raise FileError("missing_reviewer", "a reviewer name is required (--reviewer NAME)", "read")
        entries = _read_lines(path)
        result.sha256 = file_sha256(path)
        stamp = store.now()
        result.report_dir = report_root / f"review-{stamp:%Y%m%d-%H%M%S}-{result.sha256[:8]}"
        with store.transaction(engine, "load", commit=not dry_run) as connection:
            changes = _decide_lines(connection, entries, result, account, four_eyes)
            store.apply_decisions(connection, changes, reviewer, stamp)
            _write_report(result)
    except FileError as error:
        _fail(result, error)
    return result


def _decide_lines(
    connection: Connection,
    entries: list[tuple[int, dict[str, str]]],
    result: ReviewResult,
    account: str | None,
    four_eyes: bool,
) -> list[store.StatusChange]:
    """Decide every line against the stored customers (each line's outcome goes into
    `result`); the status changes to apply."""
    erp_ids = [values.get("erp_id", "") for _row, values in entries]
    stored = store.find_customers(connection, erp_ids)
    importers = store.importers(connection, (r["batch_id"] for r in stored.values())) if four_eyes else {}
    seen = Counter(erp_ids)
    zeros = _lost_zeros(connection, [erp_id for erp_id in erp_ids if erp_id not in stored])
    changes: list[store.StatusChange] = []
    for row, values in entries:
        line = decide(values, stored, seen, (result.reviewer, account), importers, row)
        if line.outcome == "refused" and line.erp_id in zeros:
            line = replace(line, message=f"{line.message}, but {zeros[line.erp_id]} is{_LOST_ZEROS}")
        result.lines.append(line)
        if line.outcome in ("approved", "rejected"):
            record = stored[line.erp_id]
            reason = values.get("reason") or None
            changes.append(
                store.StatusChange(line.erp_id, record["status"], line.outcome, record["batch_id"], reason)
            )
    return changes


# Excel opens a review CSV with its ERP IDs as numbers: 00123 is saved back as 123.
_LOST_ZEROS = (
    ": a spreadsheet read the ERP IDs as numbers and dropped their leading zeros; apply the "
    ".xlsx review file, or open the CSV with the erp_id column as Text"
)


def _lost_zeros(connection: Connection, unknown: list[str]) -> dict[str, str]:
    """The one stored ERP ID each unknown all-digit ERP ID is with leading zeros put
    back (`123` → `00123`), where exactly one is stored; never applied, only named."""
    candidates = {
        "0" * zeros + erp_id: erp_id for erp_id in unknown if erp_id.isdigit() for zeros in range(1, 13)
    }
    found: dict[str, list[str]] = {}
    for stored in store.find_customers(connection, list(candidates)):
        found.setdefault(candidates[stored], []).append(stored)
    return {typed: ids[0] for typed, ids in found.items() if len(ids) == 1}


def _fail(result: ReviewResult, error: FileError) -> None:
    """Record a file-level failure: no line applied, its report written where it can be."""
    result.error = error
    result.lines = []
    if result.report_dir is not None and error.code != "report_error":
        try:
            _write_report(result)
        except FileError:
            result.report_dir = None


def _write_report(result: ReviewResult) -> None:
    assert result.report_dir is not None
    try:
        _write_report_files(result)
    except OSError as exc:
        message = f"cannot write reports to {result.report_dir}: {exc}"
        raise FileError("report_error", message, "report") from None


def _write_report_files(result: ReviewResult) -> None:
    assert result.report_dir is not None
    result.report_dir.mkdir(parents=True, exist_ok=True)
    lines = ([getattr(line, c) for c in REPORT_COLUMNS] for line in result.lines)
    write_people_csv(result.report_dir / "review-report.csv", REPORT_COLUMNS, lines)
    write_summary(result.report_dir / "summary.json", result.summary())
