"""The Pandera schema of a customer row, built from the field registry.

Columns hold cleaned text (trimmed, inner white space collapsed, blank as NA), indexed
by the row number the user sees. Every check is a registered check of `schemas.checks`
named by its problem code, so Pandera's failure cases map one to one onto reject
lines. What a check needs beyond its column is bound when the schema is built: the
configured lists, the file's repeated ERP IDs, and the outcomes computed ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandera.pandas as pa

from schemas.checks import Precomputed, Repeated, RuleOutcomes
from schemas.fields import FIELDS, Field
from schemas.rules.currency import DEFAULT_INDUSTRIES

# Checks every text field gets, whatever its rule.
TEXT_CHECKS = ("too_long", "control_character", "encoding", "spreadsheet_error")
# The fields the warnings schema reads.
WARNING_FIELDS = ("country", "erp_id", "tax_id")


def customer_schema(
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES,
    currencies: tuple[str, ...] = (),
    repeated_erp_ids: Repeated | None = None,
    outcomes: RuleOutcomes | None = None,
) -> pa.DataFrameSchema:
    """The row schema: a column per field of `FIELDS`, with its statistics bound.

    `currencies` empty allows every ISO 4217 currency; `repeated_erp_ids` are the whole
    file's when a part of it is checked; `outcomes` the costly rules' outcomes computed
    ahead for the rows to check (without them the checks compute from the rules).
    """
    statistics: dict[str, dict[str, Any]] = {
        "duplicate_in_file": {"repeated": repeated_erp_ids},
        "unknown_currency": {"allowed": currencies},
        "currency_not_allowed": {"allowed": currencies},
        "unknown_industry": {"industries": industries},
        "invalid_email": {"outcomes": Precomputed(outcomes)},
    }
    columns = {name: _column(field, statistics) for name, field in FIELDS.items()}
    # Rules that depend on the row's country are checks of the whole row.
    frame_checks = [
        _check(code, {"outcomes": Precomputed(outcomes)})
        for field in FIELDS.values()
        if field.country_dependent
        for code in field.codes
    ]
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=True, name="CustomerRow")


def _check(code: str, statistics: dict[str, Any]) -> pa.Check:
    make: Callable[..., pa.Check] = getattr(pa.Check, code)
    return make(**statistics)


def _column(field: Field, statistics: dict[str, dict[str, Any]]) -> pa.Column:
    """A text column with the checks every text gets, plus the field's own."""
    names = [*TEXT_CHECKS, *(["scientific_notation"] if field.digits else [])]
    names += ["placeholder_value"] if field.takes_placeholders else []
    if not field.country_dependent:
        names += field.codes
    bound = {"too_long": {"maximum": field.max_length}} | statistics
    return pa.Column(str, [_check(name, bound.get(name, {})) for name in names], nullable=not field.required)


def warning_schema() -> pa.DataFrameSchema:
    """Checks on accepted, normalized rows that warn but do not reject."""
    columns = {name: pa.Column(str, nullable=True) for name in WARNING_FIELDS}
    frame_checks = [_check(code, {}) for field in FIELDS.values() for code in field.warnings]
    return pa.DataFrameSchema(columns, checks=frame_checks, name="CustomerWarnings")
