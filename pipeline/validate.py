"""Validate stage: cleaned text in, accepted normalized rows and every problem out.

The Pandera schema runs lazily, so every problem of every row is collected at once. Its
failure cases map one to one onto `Issue`s: the frame is indexed by the user's row
number and every check is named by its problem code. Accepted and rejected rows are
split here from those failure cases, not by Pandera's `drop_invalid_rows`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipeline import normalize as nz
from pipeline.columns import ColumnMap
from pipeline.issues import CODES, Issue
from pipeline.outcomes import HEAVY_FIELDS, Outcomes, active, default_workers
from schemas import checks
from schemas.checks import value_normalizers
from schemas.customer import COUNTRY_DEPENDENT_CODES, MAX_LENGTH, customer_schema, warning_schema
from schemas.synonyms import SYNONYMS, label

# Pandera's own check names, as our codes.
_PANDERA_CODES = {"not_nullable": "missing_value"}
_CODE_FIELD = {code: field for field, codes in COUNTRY_DEPENDENT_CODES.items() for code in codes}
_CODE_FIELD |= {"tax_id_unverified": "tax_id", "duplicate_tax_id": "tax_id"}


@dataclass(frozen=True)
class Validation:
    """What validation decided about every row of one file.

    `accepted` holds the normalized values of the accepted rows (index: row number);
    `errors` the problems of the rejected rows, `warnings` those of accepted rows.
    """

    rows: int
    accepted: pd.DataFrame
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
) -> Validation:
    """Check every row of a canonical frame (see `columns.canonical_frame`).

    With `fast`, the heavy fields' outcomes are computed once per distinct value on
    `workers` processes (default: every core) before Pandera runs; without it each check
    computes them itself. Both give the same result; the tests compare them.
    """
    cleaned = clean(frame)
    normalizers = value_normalizers(industries, currencies)
    schema = customer_schema(industries, currencies)
    if fast:
        outcomes = Outcomes(cleaned, default_workers() if workers is None else workers)
        with active(outcomes):
            failures = _failures(schema, cleaned)
    else:
        outcomes = Outcomes(cleaned)
        failures = _failures(schema, cleaned)
    errors = _issues(failures, cleaned, columns, normalizers)
    rejected = {issue.row for issue in errors}
    keep = ~cleaned.index.isin(rejected)
    accepted = normalize_rows(cleaned[keep], normalizers, outcomes)
    warnings = _issues(_failures(warning_schema(), accepted), cleaned, columns, normalizers)
    return Validation(len(frame), accepted, errors, warnings)


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
                value=value,
                code=code,
                message=text,
                severity=CODES[code].severity,
            )
        )
    issues.sort(key=lambda i: (i.row, order.get(i.field, 99), i.code))
    return issues
