"""The approval pass: export pending customers for review, apply a reviewed file.

A review file holds one line per customer with its `fingerprint` as exported; a
decision is applied only while the stored record still has that fingerprint, so a
review can change only records its reviewer actually saw. All applied lines of one file
commit in one transaction; applying the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from pipeline import store
from pipeline.identity import same_person
from pipeline.issues import FileError
from pipeline.read import file_sha256, find_header, read_records
from pipeline.report import FORMULA_START, safe_text, unescape_formulas, write_people_csv, write_summary
from pipeline.result import EXIT_OK, EXIT_REJECTS, EXIT_UNUSABLE
from schemas.fields import FIELDS
from schemas.rules.text import header_key

# The only words applied (in any case): a decision is never guessed from "ok", "yes" or
# "no", and a misspelling is refused with the nearest word suggested.
_DECISION_WORDS = {"approve": "approve", "approved": "approve", "reject": "reject", "rejected": "reject"}
KEY_COLUMNS = ("erp_id", "decision", "reason")
TRAILING_COLUMNS = ("status", "batch_id", "fingerprint")
REVIEW_COLUMNS = (*KEY_COLUMNS, *(f for f in FIELDS if f != "erp_id"), *TRAILING_COLUMNS)
READ_ONLY = frozenset({"erp_id", "status", "batch_id", "fingerprint"})
REPORT_COLUMNS = ("erp_id", "decision", "outcome", "message")
OUTCOMES = ("approved", "rejected", "unchanged", "refused", "skipped")

GREY_RGB, YELLOW_RGB = "#E7E6E6", "#FFF2CC"


def fingerprint(record: dict[str, Any]) -> str:
    """A short hash of a customer's fields as stored; any change of a field changes it."""
    canonical = json.dumps([record.get(name) or "" for name in FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# --- export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewExport:
    """What `export_review` wrote."""

    out: Path
    customers: int
    batch_id: str | None


def export_review(engine: Engine, out: Path, batch_id: str | None = None) -> ReviewExport:
    """Write every pending customer (or one batch's) to a review file, XLSX or CSV."""
    query = select(store.customers).where(store.customers.c.status == "pending")
    if batch_id is not None:
        query = query.where(store.customers.c.batch_id == batch_id)
    with store.transaction(engine, "review export") as connection:
        records = [dict(r._mapping) for r in connection.execute(query.order_by(store.customers.c.erp_id))]
    lines = [
        {name: record.get(name) or "" for name in REVIEW_COLUMNS if name in record}
        | {"decision": "", "reason": "", "fingerprint": fingerprint(record)}
        for record in records
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        write_people_csv(out, REVIEW_COLUMNS, ([line.get(c, "") for c in REVIEW_COLUMNS] for line in lines))
    else:
        _review_workbook(out, lines, batch_id)
    return ReviewExport(out, len(lines), batch_id)


def _review_workbook(out: Path, lines: list[dict[str, Any]], batch_id: str | None) -> None:
    """The review workbook, written with XlsxWriter: openpyxl spends 15 µs a cell, and a
    review of 100,000 customers has 2.4 million of them."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    workbook = xlsxwriter.Workbook(str(out), options | {"strings_to_urls": False})

    def look(fill: str | None, **properties: Any) -> Any:
        return workbook.add_format(properties | ({"bg_color": fill} if fill else {}))

    # A cell's look: grey when read-only; quote-prefixed when its text looks like a formula.
    formats = {(f, quoted): look(f, quote_prefix=quoted) for f in (None, GREY_RGB) for quoted in (0, 1)}
    sheet = workbook.add_worksheet("Review")
    for column, name in enumerate(REVIEW_COLUMNS):
        longest = max([len(name), *(len(str(line.get(name, ""))) for line in lines[:200])])
        sheet.set_column(column, column, min(max(longest + 2, 10), 45))
        fill = GREY_RGB if name in READ_ONLY else YELLOW_RGB if name in ("decision", "reason") else None
        sheet.write_string(0, column, name, look(fill, bold=True))
        if name in READ_ONLY:
            sheet.write_comment(0, column, "Read-only: do not change this column.", {"author": "onboard"})
    for row, line in enumerate(lines, start=1):
        for column, name in enumerate(REVIEW_COLUMNS):
            text = safe_text(line.get(name, ""))
            fill = GREY_RGB if name in READ_ONLY else None
            if text or fill:  # an empty plain cell needs no element at all
                sheet.write_string(row, column, text, formats[fill, int(text.startswith(FORMULA_START))])
    last = max(len(lines) + 1, 2)
    sheet.data_validation(
        1,
        1,
        max(last, 1000) - 1,
        1,
        {
            "validate": "list",
            "source": ["approve", "reject"],
            "ignore_blank": True,
            "error_title": "Decision",
            "error_message": "Choose approve or reject, or leave the cell empty.",
        },
    )
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, last - 1, len(REVIEW_COLUMNS) - 1)
    guide = workbook.add_worksheet("Instructions")
    guide.set_column(0, 0, 110)
    for row, line_text in enumerate(_instructions(len(lines), batch_id)):
        title = look(None, bold=True, font_size=14) if row == 0 else None
        if line_text:
            guide.write_string(row, 0, safe_text(line_text), title)
    try:
        workbook.close()
    except XlsxWriterException as exc:
        raise OSError(f"cannot write {out}: {exc}") from None


def _instructions(customers: int, batch_id: str | None) -> list[str]:
    return [
        "How to review these customers",
        "",
        "1. For each customer, choose a decision in the yellow 'decision' column: approve or reject.",
        "2. A reject needs a 'reason' (the customer's contact may see it). Leave the decision "
        "empty to decide later.",
        "3. Do not change the grey columns (erp_id, status, batch_id, fingerprint): the fingerprint "
        "proves which version of the customer you reviewed.",
        "4. You may sort, filter, delete rows or add columns of your own; they are ignored.",
        "5. Save the file and apply it: onboard review apply FILE --reviewer YOUR-NAME",
        "   (or drop it into the reviews/ folder of the drop folder for the next sweep).",
        "",
        "A customer changed by an import after this file was written is refused as stale: export a "
        "new review file for it.",
        f"Exported {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {customers} pending customers"
        + (f" of batch {batch_id}." if batch_id else "."),
    ]


# --- apply -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLine:
    """The outcome of one decision line of a review file."""

    erp_id: str
    decision: str
    outcome: str
    message: str
    row: int = 0


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


_HEADER_INDEX = {header_key(name): name for name in REVIEW_COLUMNS}


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
    result = ReviewResult(file=path, reviewer=reviewer, dry_run=dry_run)
    try:
        if not reviewer.strip():
            raise FileError("missing_reviewer", "a reviewer name is required (--reviewer NAME)", "read")
        entries = _read_lines(path)
        result.sha256 = file_sha256(path)
        stamp = store.now()
        result.report_dir = report_root / f"review-{stamp:%Y%m%d-%H%M%S}-{result.sha256[:8]}"
        with store.transaction(engine, "review apply", commit=not dry_run) as connection:
            erp_ids = [values.get("erp_id", "") for _row, values in entries]
            stored = store.find_customers(connection, erp_ids)
            importers = _importers(connection, stored) if four_eyes else {}
            seen = Counter(erp_ids)
            changes: list[dict[str, Any]] = []
            for row, values in entries:
                line = _decide(values, stored, seen, (reviewer, account), importers, row)
                result.lines.append(line)
                if line.outcome in ("approved", "rejected"):
                    changes.append(
                        {
                            "key": line.erp_id,
                            "new_status": line.outcome,
                            "old": stored[line.erp_id]["status"],
                            "reason": values.get("reason") or None,
                        }
                    )
            if changes:
                connection.execute(
                    update(store.customers)
                    .where(store.customers.c.erp_id == bindparam("key"))
                    .values(
                        status=bindparam("new_status"),
                        reviewed_by=reviewer,
                        reviewed_at=stamp,
                        review_reason=bindparam("reason"),
                        updated_at=stamp,
                    ),
                    changes,
                )
                connection.execute(
                    insert(store.audit),
                    [
                        {
                            "erp_id": c["key"],
                            "action": c["new_status"],
                            "old_status": c["old"],
                            "new_status": c["new_status"],
                            "batch_id": stored[c["key"]]["batch_id"],
                            "changed_by": reviewer,
                            "changed_at": stamp,
                            "reason": c["reason"],
                        }
                        for c in changes
                    ],
                )
            _write_report(result)
    except FileError as error:
        result.error = error
        result.lines = []
        if result.report_dir is not None and error.code != "report_error":
            try:
                _write_report(result)
            except FileError:
                result.report_dir = None
    return result


def _importers(connection: Any, stored: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Batch id → (the name it was imported under, the account that ran it), for four-eyes."""
    ids = {record["batch_id"] for record in stored.values()}
    if not ids:
        return {}
    columns = store.batches.c
    query = select(columns.id, columns.imported_by, columns.imported_login).where(columns.id.in_(ids))
    return {batch: (user or "", login or "") for batch, user, login in connection.execute(query)}


def _decide(
    values: dict[str, str],
    stored: dict[str, dict[str, Any]],
    seen: Counter[str],
    reviewers: tuple[str, str | None],
    importers: dict[str, tuple[str, str]],
    row: int,
) -> ReviewLine:
    """The outcome of one line, from the file's values and the stored record."""
    erp_id = values.get("erp_id", "")
    typed = values.get("decision", "")
    decision = _DECISION_WORDS.get(typed.casefold().strip(" .!"), "")

    def line(outcome: str, message: str) -> ReviewLine:
        return ReviewLine(erp_id, decision or typed, outcome, message, row)

    if not erp_id:
        return line("refused", f"row {row} has no erp_id")
    if not typed:
        return line("skipped", "no decision")
    if not decision:
        return line("refused", _unknown_decision(typed))
    if seen[erp_id] > 1:
        return line("refused", f"ERP ID {erp_id} appears on {seen[erp_id]} lines; keep one line per customer")
    record = stored.get(erp_id)
    if record is None:
        return line("refused", f"ERP ID {erp_id} is not a known customer")
    if values.get("fingerprint", "") != fingerprint(record):
        return line(
            "refused",
            f"customer {erp_id} changed since this review file was exported (stale fingerprint); "
            "export a new review file",
        )
    target = "approved" if decision == "approve" else "rejected"
    if record["status"] == target:
        return line("unchanged", f"customer {erp_id} is already {target}")
    if record["status"] != "pending":
        return line("refused", f"customer {erp_id} is {record['status']}; only pending customers are decided")
    if decision == "reject" and not values.get("reason"):
        return line("refused", f"rejecting customer {erp_id} needs a reason")
    if decision == "approve" and record["batch_id"] in importers:
        refusal = _four_eyes(record["batch_id"], importers[record["batch_id"]], reviewers)
        if refusal:
            return line("refused", refusal)
    return line(target, f"customer {erp_id} {target}")


def _unknown_decision(typed: str) -> str:
    nearest = difflib.get_close_matches(typed.casefold().strip(), _DECISION_WORDS, n=1, cutoff=0.6)
    hint = f" (did you mean {_DECISION_WORDS[nearest[0]]}?)" if nearest else ""
    return f"decision {typed!r} is not one of: approve, reject{hint}; the line was not applied"


def _four_eyes(batch_id: str, importer: tuple[str, str], reviewers: tuple[str, str | None]) -> str | None:
    """Why this reviewer may not approve a customer of this batch, or None.

    The importer's name is compared with the reviewer's name and account, and the
    importer's account with the reviewer's name, so nobody approves their own import
    under another name. Two accounts alone are not compared: a team may share one
    account and tell its members apart by name.
    """
    name, login = importer
    reviewer, account = reviewers
    if not name.strip():
        return (
            f"four-eyes rule: batch {batch_id} has no recorded importer (it was imported before "
            "onboard recorded one), so no reviewer can be shown not to have imported it"
        )
    same = same_person([name], [reviewer, account]) or same_person([login], [reviewer])
    if same is not None:
        return f"four-eyes rule: {same} imported batch {batch_id} and may not approve it"
    return None


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
