"""Validate stage: cleaned text in, accepted normalized rows and every problem out.

The Pandera schema runs lazily, so every problem of every row is collected at once. Its
failure cases map one to one onto `Issue`s: the frame is indexed by the user's row
number and every check is named by its problem code. Accepted and rejected rows are
split here from those failure cases, not by Pandera's `drop_invalid_rows`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
from pandera.errors import SchemaErrors

from pipeline.columns import ColumnMap
from pipeline.issues import Issue
from pipeline.outcomes import HEAVY_FIELDS, Outcomes
from schemas import checks
from schemas.codes import CODES
from schemas.customer import WARNING_FIELDS, customer_schema, warning_schema
from schemas.fields import FIELD_OF_CODE, FIELDS, RULE_WARNINGS, ValueRule, value_rules
from schemas.rules.outcome import Outcome
from schemas.rules.text import WHITESPACE, WHITESPACE_TO_COLLAPSE, visible

# Pandera's own check names, as our codes.
_PANDERA_CODES = {"not_nullable": "missing_value"}
# Rows checked at a time: fewer, larger parts save Pandera's per-check overhead; a part of
# 100,000 rows holds some 40 MB of cleaned text, so a million rows stay within memory.
PART_ROWS = 100_000
# The message each rule wrote, by the row, field and code it is about.
Messages = dict[tuple[int, str, str], str]


class AcceptedRows:
    """The normalized values of accepted rows, kept in an anonymous temporary Arrow file.

    A million accepted rows take some 400 MB even as Arrow text; on disk they cost no
    memory until loaded a part at a time. The file has no name: it vanishes when this
    object is dropped or the process ends, however it ends.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="onboard-accepted-")  # noqa: SIM115 (lives with self)
        self._writer: arrow.ipc.RecordBatchStreamWriter | None = None
        fields = [arrow.field(name, arrow.large_string()) for name in FIELDS]
        self._schema = arrow.schema([*fields, arrow.field("row", arrow.int64())])
        self.rows = 0

    def append(self, part: pd.DataFrame) -> None:
        """Add normalized rows (index: row number; a column per field, None for blank)."""
        columns = [
            arrow.array(part[name].to_numpy(dtype=object), type=arrow.large_string(), from_pandas=True)
            for name in FIELDS
        ]
        numbers = arrow.array(part.index, type=arrow.int64())
        batch = arrow.record_batch([*columns, numbers], schema=self._schema)
        if self._writer is None:
            self._writer = arrow.ipc.new_stream(self._file, self._schema)
        self._writer.write_batch(batch)
        self.rows += len(part)

    def parts(self, rows: int = 25_000) -> Iterator[pd.DataFrame]:
        """The rows as written, at most `rows` at a time (the store builds a dictionary per
        row and audit record of a part), blank values as None."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self.rows == 0:
            return
        self._file.seek(0)
        for batch in arrow.ipc.open_stream(self._file):
            for start in range(0, batch.num_rows, rows):
                yield batch.slice(start, rows).to_pandas().set_index("row")

    def frame(self) -> pd.DataFrame:
        """Every accepted row at once (for small files and tests)."""
        parts = list(self.parts())
        if not parts:
            return pd.DataFrame(columns=list(FIELDS), index=pd.Index([], name="row", dtype="int64"))
        return pd.concat(parts)


@dataclass(frozen=True)
class Validation:
    """What validation decided about every row of one file.

    `accepted` holds the normalized values of the accepted rows (index: row number);
    `errors` the problems of the rejected rows, `warnings` those of accepted rows.
    """

    rows: int
    accepted: AcceptedRows
    errors: list[Issue]
    warnings: list[Issue]

    @property
    def rejected_rows(self) -> set[int]:
        return {issue.row for issue in self.errors}


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim and collapse white space in every cell; blank cells become NA."""
    cleaned = pd.DataFrame(
        {name: _collapsed(column).str.strip(" ") for name, column in frame.items()}, index=frame.index
    )
    return cleaned.mask(cleaned == "")


def _collapsed(column: pd.Series) -> pd.Series:
    """Runs of white space as one space; a column with none to collapse as it is."""
    if not column.str.contains(WHITESPACE_TO_COLLAPSE, regex=True).any():
        return column
    return column.str.replace(WHITESPACE, " ", regex=True)


def validate(
    frame: pd.DataFrame,
    columns: ColumnMap,
    industries: tuple[str, ...],
    currencies: tuple[str, ...] = (),
    fast: bool = True,
    part_rows: int = PART_ROWS,
    on_part: Callable[[int], None] | None = None,
    found: Sequence[Issue] = (),
) -> Validation:
    """Check every row of a canonical frame (see `columns.field_frame`).

    The frame is checked `part_rows` rows at a time, so memory stays flat however long
    the file; ERP IDs are compared across the whole file, and so are the warnings. With
    `fast`, the heavy fields' outcomes are computed before Pandera runs, by the compiled
    fast paths where they are certain and by the rules once per distinct value elsewhere;
    without it each check computes them from the rules itself. Both give the same result;
    the tests compare them. `on_part` is told the rows done after each part. `found` are
    errors found before the schema ran (cells the spreadsheet converted): their rows are
    rejected, and each such cell's problem stands alone (a date is no invalid postcode).
    """
    rules = value_rules(industries, currencies)
    # A converted ERP ID is not what was typed: it repeats nothing.
    converted = [issue.row for issue in found if issue.field == "erp_id"]
    repeated_erp_ids = checks.repeated(clean(frame[["erp_id"]].drop(index=converted))["erp_id"])
    accepted = AcceptedRows()
    parts: list[_CheckedPart] = []
    for start in range(0, max(len(frame), 1), part_rows):
        cleaned = clean(frame.iloc[start : start + part_rows])
        outcomes = Outcomes(cleaned, compiled=fast)
        schema = customer_schema(industries, currencies, repeated_erp_ids, outcomes if fast else None)
        here = set(cleaned.index.tolist()) if found else set()
        part = _check_part(cleaned, outcomes, schema, rules, columns, [i for i in found if i.row in here])
        accepted.append(part.normalized)
        # Only the warnings' fields are kept: the accepted values are on disk.
        parts.append(part._replace(normalized=part.normalized[list(WARNING_FIELDS)].astype("str")))
        if on_part is not None:
            on_part(min(start + part_rows, len(frame)))
    # Warnings compare accepted rows across the whole file.
    checked, quoted = (pd.concat(p.normalized for p in parts), pd.concat(p.quoted for p in parts))
    warned = {key: text for part in parts for key, text in part.warned.items()}
    warnings = _issues(_failures(warning_schema(), checked), quoted, columns, warned)
    warnings += [issue for part in parts for issue in part.rule_warnings]
    warnings.sort(key=lambda i: (i.row, list(FIELDS).index(i.field), i.code))
    return Validation(len(frame), accepted, [i for part in parts for i in part.errors], warnings)


class _CheckedPart(NamedTuple):
    """One part's rejected rows' problems, accepted rows normalized and as typed (the
    warnings' fields), and the warnings the rules wrote about them."""

    errors: list[Issue]
    normalized: pd.DataFrame
    quoted: pd.DataFrame
    warned: Messages
    rule_warnings: list[Issue]


def _check_part(
    cleaned: pd.DataFrame,
    outcomes: Outcomes,
    schema: pa.DataFrameSchema,
    rules: Mapping[str, ValueRule],
    columns: ColumnMap,
    found: Sequence[Issue],
) -> _CheckedPart:
    """Validate one part of the file: its problems (with those `found` before), and its
    accepted rows normalized."""
    # The cheap rules' outcomes (few distinct values); the costly ones are in `outcomes`.
    tables = {f: checks.value_table(cleaned[f], rule) for f, rule in rules.items() if f not in HEAVY_FIELDS}
    messages = rule_messages(cleaned, outcomes, tables)
    errors = _with_found(_issues(_failures(schema, cleaned), cleaned, columns, messages), found)
    keep = ~cleaned.index.isin({issue.row for issue in errors})
    warned = {key: text for key, text in messages.items() if CODES[key[2]].severity == "warning"}
    normalized = normalize_rows(cleaned[keep], tables, outcomes)
    kept = set(cleaned.index[keep].tolist())
    rule_warnings = [
        _issue(row, field, code, text, cleaned, columns)
        for (row, field, code), text in warned.items()
        if code in RULE_WARNINGS and row in kept
    ]
    return _CheckedPart(errors, normalized, cleaned.loc[keep, list(WARNING_FIELDS)], warned, rule_warnings)


def value_columns(accepted: pd.DataFrame) -> dict[str, list[Any]]:
    """The columns of an accepted frame as lists, blank values as None, for the store."""
    return {
        str(name): [None if value is None or value != value else value for value in accepted[name].tolist()]
        for name in accepted.columns
    }


def records(accepted: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of an accepted frame as dictionaries, blank values as None."""
    columns = value_columns(accepted)
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def rule_messages(
    cleaned: pd.DataFrame, outcomes: Outcomes, tables: Mapping[str, Mapping[str, Outcome]]
) -> Messages:
    """The message every rule wrote about a value of these rows, by (row, field, code)."""
    found: Messages = {}
    for field in HEAVY_FIELDS:
        codes, messages = outcomes.codes(field).dropna(), outcomes.messages(field)
        for row, code, message in zip(codes.index, codes, messages[codes.index], strict=True):
            found[(int(row), field, str(code))] = str(message)
    for field, table in tables.items():
        problems = {value: outcome for value, outcome in table.items() if outcome.code}
        values = cleaned[field][cleaned[field].isin(list(problems))]
        for row, value in zip(values.index, values, strict=True):
            outcome = problems[value]
            found[(int(row), field, str(outcome.code))] = outcome.message
    return found


def normalize_rows(
    cleaned: pd.DataFrame, tables: Mapping[str, Mapping[str, Outcome]], outcomes: Outcomes
) -> pd.DataFrame:
    """The stored form of every cell of rows that passed validation."""
    out = cleaned.astype(object)
    for field, table in tables.items():
        stored = {value: outcome.value for value, outcome in table.items()}
        out[field] = cleaned[field].dropna().map(stored).reindex(cleaned.index)
    for field in HEAVY_FIELDS:
        out[field] = outcomes.values(field).reindex(cleaned.index)
    return out.where(out.notna(), None)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["index", "column", "check"])
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        failures = exc.failure_cases
        unplaced = failures[failures["index"].isna()]
        if not unplaced.empty:
            # A schema-level failure (not a row's) is a bug of ours, not the user's data.
            raise RuntimeError(f"schema failure without a row: {unplaced.to_dict('records')}") from exc
        return pd.DataFrame(failures[["index", "column", "check"]])
    return pd.DataFrame(columns=["index", "column", "check"])


def _issues(
    failures: pd.DataFrame,
    cleaned: pd.DataFrame,
    columns: ColumnMap,
    messages: Mapping[tuple[int, str, str], str],
) -> list[Issue]:
    """Turn Pandera failure cases into issues, one per (row, field, code).

    A problem a field's rule found carries the message the rule wrote (in `messages`);
    one a check finds by itself gets its code's template filled in.
    """
    order = {field: position for position, field in enumerate(FIELDS)}
    seen: set[tuple[int, str, str]] = set()
    issues: list[Issue] = []
    for row, column, check in failures.itertuples(index=False):
        # Checks with statistics show as "too_long(maximum=50)": the name is the code.
        name = str(check).split("(", 1)[0]
        code = _PANDERA_CODES.get(name, name)
        # Frame-level checks report every column of a failing row; the code names the field.
        field = FIELD_OF_CODE.get(code, str(column))
        key = (int(row), field, code)
        if key in seen:
            continue
        seen.add(key)
        raw: Any = cleaned.at[int(row), field]
        value = "" if pd.isna(raw) else str(raw)
        text = messages[key] if key in messages else checks.message(code, field, value)
        issues.append(_issue(int(row), field, code, text, cleaned, columns))
    issues.sort(key=lambda i: (i.row, order.get(i.field, 99), i.code))
    return _undecodable_alone(issues)


def _with_found(issues: list[Issue], found: Sequence[Issue]) -> list[Issue]:
    """The schema's problems and those found before it; a cell found before keeps that
    problem alone (its text is not what was typed, so the rules' verdicts on it are noise)."""
    if not found:
        return issues
    cells = {(issue.row, issue.field) for issue in found}
    order = {field: position for position, field in enumerate(FIELDS)}
    merged = [*found, *(issue for issue in issues if (issue.row, issue.field) not in cells)]
    return sorted(merged, key=lambda i: (i.row, order.get(i.field, 99), i.code))


def _issue(row: int, field: str, code: str, message: str, cleaned: pd.DataFrame, columns: ColumnMap) -> Issue:
    """The issue of one problem of a cell, its value as the user typed it."""
    raw: Any = cleaned.at[row, field]
    return Issue(
        row=row,
        column=columns.column_of(field),
        field=field,
        value=visible("" if pd.isna(raw) else str(raw)),
        code=code,
        message=visible(message),
        severity=CODES[code].severity,
    )


def _undecodable_alone(issues: list[Issue]) -> list[Issue]:
    """A cell holding undecodable bytes is not text yet: its other problems are left out."""
    undecodable = {(i.row, i.field) for i in issues if i.code == "encoding"}
    if not undecodable:
        return issues
    return [i for i in issues if i.code == "encoding" or (i.row, i.field) not in undecodable]
