"""What a sheet holds that is not what a user typed as a customer.

- **Converted cells.** A spreadsheet turns `1-31` or `03/04` typed into a General cell
  into a date, `10:30` into a time, `true` into TRUE; what was typed is gone, and the
  cell holds what nobody typed (an ERP ID `2024-01-31`). Such a cell in any column the
  import reads is `spreadsheet_conversion`: its row is rejected, with the way out.
- **Rows that are not customers.** A total (`Total: 42`), a note or legend under the
  table, a group heading (`Netherlands` alone in column A), the header row repeated
  mid-sheet. They are rejected as before (rows == accepted + rejected, nothing dropped
  unseen), but with one `not_a_customer_row` problem instead of a `missing_value` for
  every blank field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.columns import ColumnMap
from pipeline.issues import Issue
from pipeline.read import Table
from schemas.codes import CODES
from schemas.column_parts import COLUMN_PARTS
from schemas.fields import FIELDS, REQUIRED, label
from schemas.rules.text import header_key, visible

# What each kind of converted cell was typed as, for the message.
_TYPED_AS = {
    "date": "as it does with 1-31, 03/04 or May 2024",
    "time": "as it does with 10:30",
    "TRUE/FALSE": "as it does with true and false",
}
# A row filling at most this many required fields is no customer, however it is named.
_MOST_FILLED = 3
# A repeated header row: at least this many cells naming their own column's field.
_LEAST_HEADER_CELLS = 3
_SHOWN_CHARACTERS = 60


def fields_at(columns: ColumnMap) -> dict[int, str]:
    """The canonical field each read column fills, by header position (a part column: the
    field it is part of; a contact-name column: the first name)."""
    found: dict[int, str] = {}
    for field in FIELDS:
        if field in columns.fields:
            found.setdefault(columns.fields[field], field)
    for part, position in columns.parts.items():
        found.setdefault(position, COLUMN_PARTS[part][0])
    return found


def converted_cells(table: Table, columns: ColumnMap) -> list[Issue]:
    """A `spreadsheet_conversion` error for each converted cell in a column the import
    reads, and `formula_without_value` for each formula cell the file holds no value of."""
    read = fields_at(columns)
    issues = []
    for (row, position), kind in sorted(table.converted.items()):
        if position not in read or row not in table.cells.index:
            continue
        value = str(table.cells.at[row, position]).strip()
        field, header = read[position], columns.headers[position]
        name = label(field) if columns.fields.get(field) == position else header
        code = "formula_without_value" if kind == "formula" else "spreadsheet_conversion"
        message = CODES[code].message(label=name, value=value, kind=kind, how=_TYPED_AS.get(kind, ""))
        issues.append(Issue(row, header, field, visible(value), code, visible(message)))
    return issues


def not_customers(
    errors: list[Issue], table: Table, columns: ColumnMap, index: Mapping[str, str]
) -> list[Issue]:
    """`errors` with every row that is not a customer given one `not_a_customer_row` error
    in place of its many (a rejected row stays rejected, an accepted one is not looked at)."""
    by_row: dict[int, list[Issue]] = {}
    for issue in errors:
        by_row.setdefault(issue.row, []).append(issue)
    suspects = [
        row
        for row, issues in by_row.items()
        if _filled(issues) <= _MOST_FILLED or len(issues) >= _LEAST_HEADER_CELLS
    ]
    read = fields_at(columns)
    naming = _naming_keys(columns, read, index)
    replaced: dict[int, Issue] = {}
    for row, cells in zip(suspects, table.rows_at(suspects), strict=True):
        why = _why_not_a_customer(_filled(by_row[row]), cells, columns, read, naming)
        if why:
            replaced[row] = _row_issue(row, why, cells, columns, read)
    if not replaced:
        return errors
    kept = [issue for issue in errors if issue.row not in replaced]
    return sorted([*kept, *replaced.values()], key=lambda issue: issue.row)


def _filled(issues: Sequence[Issue]) -> int:
    """How many required fields a rejected row fills, from its `missing_value` errors."""
    blank = {issue.field for issue in issues if issue.code == "missing_value"}
    return len(REQUIRED) - len(blank & set(REQUIRED))


def _why_not_a_customer(
    filled: int,
    cells: Sequence[str],
    columns: ColumnMap,
    read: Mapping[int, str],
    naming: Mapping[int, set[str]],
) -> str | None:
    """Why a row is no customer, or None when it may be one."""
    given = [position for position in read if cells[position].strip()]
    if _repeats_header(cells, given, naming):
        return "it repeats the header row"
    if filled > _MOST_FILLED or _begun_customer(cells, columns):
        return None
    shown = [label(read[p]) if columns.fields.get(read[p]) == p else columns.headers[p] for p in given]
    if not shown:
        return "it has values only in columns that are not read"
    if len(shown) <= _MOST_FILLED:
        return f"it has {'a value' if len(shown) == 1 else 'values'} only in {_listed(shown)}"
    return f"it fills only {filled} of the {len(REQUIRED)} required fields"


def _begun_customer(cells: Sequence[str], columns: ColumnMap) -> bool:
    """Whether a sparse row is a customer begun and not finished (an ERP ID and a name):
    its missing fields are each named (red in rejects.xlsx), so the person sees what to
    fill in; a total, a note or a heading has no ERP ID beside a name."""
    filled = {field for field, position in columns.fields.items() if cells[position].strip()}
    return "erp_id" in filled and bool(filled & {"short_name", "full_name"})


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _naming_keys(
    columns: ColumnMap, read: Mapping[int, str], index: Mapping[str, str]
) -> dict[int, set[str]]:
    """For each read column, the keys of a cell that reads as its header: the header as
    written, or a name of its field (computed once a file, not once a row)."""
    of_field: dict[str, set[str]] = {}
    for key, field in index.items():
        of_field.setdefault(field, set()).add(key)
    naming = {p: {header_key(columns.headers[p]), *of_field.get(field, ())} for p, field in read.items()}
    return {p: keys - {""} for p, keys in naming.items()}


def _repeats_header(cells: Sequence[str], given: Sequence[int], naming: Mapping[int, set[str]]) -> bool:
    """Whether at least three filled cells, and at least half of them, read as their own
    column's header: the header row repeated. A customer's row is given up on as soon as
    too few cells are left to make it one (each look normalizes a cell: most of the cost)."""
    need = max(_LEAST_HEADER_CELLS, -(-len(given) // 2))
    named = 0
    for looked, position in enumerate(given, start=1):
        named += header_key(cells[position]) in naming[position]
        if named >= need:
            return True
        if named + len(given) - looked < need:
            return False
    return False


def _row_issue(
    row: int, why: str, cells: Sequence[str], columns: ColumnMap, read: Mapping[int, str]
) -> Issue:
    """The one error of a row that is not a customer, in its first filled column."""
    given = [p for p, cell in enumerate(cells) if cell.strip()]
    position = next((p for p in given if p in read), given[0] if given else min(read))
    field = read.get(position, read[min(read)])
    text = " | ".join(cells[p].strip() for p in given)
    value = text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 1] + "…"
    message = CODES["not_a_customer_row"].message(row=row, why=why, value=f"'{value}'")
    return Issue(
        row, columns.headers[position], field, visible(value), "not_a_customer_row", visible(message)
    )
