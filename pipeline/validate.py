"""Validate stage: cleaned text in, accepted normalized rows and every problem out.

The Pandera schema runs lazily, so every problem of every row is collected at once. Its
failure cases map one to one onto `Issue`s: the frame is indexed by the user's row
number and every check is named by its problem code. Accepted and rejected rows are
split here from those failure cases, not by Pandera's `drop_invalid_rows`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Hashable, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
from pandera.errors import SchemaErrors

from pipeline import normalize as nz
from pipeline.columns import ColumnMap
from pipeline.issues import CODES, Issue
from pipeline.outcomes import HEAVY_FIELDS, Outcomes, active, default_workers, worker_pool
from schemas import checks
from schemas.checks import value_normalizers
from schemas.customer import COUNTRY_DEPENDENT_CODES, MAX_LENGTH, customer_schema, warning_schema
from schemas.synonyms import SYNONYMS, label

# Pandera's own check names, as our codes.
_PANDERA_CODES = {"not_nullable": "missing_value"}
_CODE_FIELD = {code: field for field, codes in COUNTRY_DEPENDENT_CODES.items() for code in codes}
_CODE_FIELD |= {"tax_id_unverified": "tax_id", "duplicate_tax_id": "tax_id"}
# Rows checked at a time: large enough for the process pool to pay, small enough for memory.
PART_ROWS = 25_000
# The fields the warnings schema reads.
_WARNING_FIELDS = ("country", "erp_id", "tax_id")


class AcceptedRows:
    """The normalized values of accepted rows, kept in an anonymous temporary Arrow file.

    A million accepted rows take some 400 MB even as Arrow text; on disk they cost no
    memory until loaded a part at a time. The file has no name: it vanishes when this
    object is dropped or the process ends, however it ends.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="onboard-accepted-")  # noqa: SIM115 (lives with self)
        self._writer: arrow.ipc.RecordBatchStreamWriter | None = None
        fields = [arrow.field(name, arrow.large_string()) for name in SYNONYMS]
        self._schema = arrow.schema([*fields, arrow.field("row", arrow.int64())])
        self.rows = 0

    def append(self, part: pd.DataFrame) -> None:
        """Add normalized rows (index: row number; a column per field, None for blank)."""
        columns = [
            arrow.array(part[name].to_numpy(dtype=object), type=arrow.large_string(), from_pandas=True)
            for name in SYNONYMS
        ]
        numbers = arrow.array(part.index, type=arrow.int64())
        batch = arrow.record_batch([*columns, numbers], schema=self._schema)
        if self._writer is None:
            self._writer = arrow.ipc.new_stream(self._file, self._schema)
        self._writer.write_batch(batch)
        self.rows += len(part)

    def parts(self) -> Iterator[pd.DataFrame]:
        """The rows as written, a part at a time, blank values as None."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self.rows == 0:
            return
        self._file.seek(0)
        for batch in arrow.ipc.open_stream(self._file):
            yield batch.to_pandas().set_index("row")

    def frame(self) -> pd.DataFrame:
        """Every accepted row at once (for small files and tests)."""
        parts = list(self.parts())
        if not parts:
            return pd.DataFrame(columns=list(SYNONYMS), index=pd.Index([], name="row", dtype="int64"))
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
        {
            name: column.str.replace(nz.WHITESPACE, " ", regex=True).str.strip(" ")
            for name, column in frame.items()
        },
        index=frame.index,
    )
    return cleaned.mask(cleaned == "")


def validate(
    frame: pd.DataFrame,
    columns: ColumnMap,
    industries: tuple[str, ...],
    currencies: tuple[str, ...] = (),
    workers: int | None = None,
    fast: bool = True,
    part_rows: int = PART_ROWS,
) -> Validation:
    """Check every row of a canonical frame (see `columns.field_frame`).

    The frame is checked `part_rows` rows at a time, so memory stays flat however long
    the file; ERP IDs are compared across the whole file, and so are the warnings. With
    `fast`, the heavy fields' outcomes are computed once per distinct value on `workers`
    processes (default: every core) before Pandera runs; without it each check computes
    them itself. Both give the same result; the tests compare them.
    """
    normalizers = value_normalizers(industries, currencies)
    schema = customer_schema(industries, currencies)
    errors: list[Issue] = []
    accepted = AcceptedRows()
    # The warnings' fields of accepted rows: normalized (to check) and cleaned (to quote).
    checked_parts: list[pd.DataFrame] = []
    quoted_parts: list[pd.DataFrame] = []
    erp_ids = clean(frame[["erp_id"]])["erp_id"]
    pool_size = (default_workers() if workers is None else workers) if fast else 1
    with checks.file_wide_repeats(erp_ids), worker_pool(pool_size) as pool:
        starts = range(0, max(len(frame), 1), part_rows)
        # The pool works on the next part while this process checks the current one.
        upcoming = _prepare(frame, starts[0], part_rows, pool, fast)
        for number in range(len(starts)):
            cleaned, outcomes = upcoming
            if number + 1 < len(starts):
                upcoming = _prepare(frame, starts[number + 1], part_rows, pool, fast)
            with active(outcomes) if fast else nullcontext():
                failures = _failures(schema, cleaned)
            part_errors = _issues(failures, cleaned, columns, normalizers)
            keep = ~cleaned.index.isin({issue.row for issue in part_errors})
            normalized = normalize_rows(cleaned[keep], normalizers, outcomes)
            accepted.append(normalized)
            checked_parts.append(normalized[list(_WARNING_FIELDS)].astype("str"))
            quoted_parts.append(cleaned.loc[keep, list(_WARNING_FIELDS)])
            errors.extend(part_errors)
    checked, quoted = pd.concat(checked_parts), pd.concat(quoted_parts)
    warnings = _issues(_failures(warning_schema(), checked), quoted, columns, normalizers)
    return Validation(len(frame), accepted, errors, warnings)


def records(accepted: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of an accepted frame as dictionaries, blank values as None, for the store."""
    names = [str(name) for name in accepted.columns]
    columns = [
        [None if value is None or value != value else value for value in accepted[name].tolist()]
        for name in accepted.columns
    ]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _prepare(
    frame: pd.DataFrame, start: int, rows: int, pool: Executor | None, compiled: bool
) -> tuple[pd.DataFrame, Outcomes]:
    cleaned = clean(frame.iloc[start : start + rows])
    return cleaned, Outcomes(cleaned, pool, compiled)


def normalize_rows(
    cleaned: pd.DataFrame, normalizers: Mapping[str, checks.ValueNormalizer], outcomes: Outcomes
) -> pd.DataFrame:
    """The stored form of every cell of rows that passed validation."""
    out = cleaned.astype(object)
    for field, normalizer in normalizers.items():
        if field not in HEAVY_FIELDS:
            out[field] = checks.value_outcomes(cleaned[field], normalizer)
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
    normalizers: Mapping[str, checks.ValueNormalizer],
) -> list[Issue]:
    """Turn Pandera failure cases into issues, one per (row, code, field)."""
    order = {field: position for position, field in enumerate(SYNONYMS)}
    seen: set[tuple[int, str, str]] = set()
    issues: list[Issue] = []
    for row, column, check in failures.itertuples(index=False):
        # Checks with statistics show as "too_long(maximum=50)": the name is the code.
        name = str(check).split("(", 1)[0]
        code = _PANDERA_CODES.get(name, name)
        # Frame-level checks report every column of a failing row; the code names the field.
        field = _CODE_FIELD.get(code, str(column))
        key = (int(row), code, field)
        if key in seen:
            continue
        seen.add(key)
        raw: Any = cleaned.at[int(row), field]
        value = "" if pd.isna(raw) else str(raw)
        context: dict[Hashable, Any] = {"country": cleaned.at[int(row), "country"]}
        text = checks.message(code, field, value, context, MAX_LENGTH, normalizers)
        issues.append(
            Issue(
                row=int(row),
                column=columns.column_of(field) if field in columns.fields else label(field),
                field=field,
                value=nz.visible(value),
                code=code,
                message=nz.visible(text),
                severity=CODES[code].severity,
            )
        )
    issues.sort(key=lambda i: (i.row, order.get(i.field, 99), i.code))
    return _undecodable_alone(issues)


def _undecodable_alone(issues: list[Issue]) -> list[Issue]:
    """A cell holding undecodable bytes is not text yet: its other problems are left out."""
    undecodable = {(i.row, i.field) for i in issues if i.code == "encoding"}
    if not undecodable:
        return issues
    return [i for i in issues if i.code == "encoding" or (i.row, i.field) not in undecodable]
