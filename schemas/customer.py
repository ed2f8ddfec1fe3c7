"""The Pandera model of a customer row, and the schemas built from it.

Columns hold cleaned text (trimmed, inner white space collapsed, blank as NA), indexed
by the row number the user sees. Every check is a registered check of `schemas.checks`
named by its problem code, so Pandera's failure cases map one to one onto reject
lines. The configured lists (industries, currencies) are set by `customer_schema`.
"""

from __future__ import annotations

from typing import Any

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.config import DEFAULT_INDUSTRIES
from schemas import checks  # noqa: F401  (registers the checks used below)
from schemas.checks import COUNTRY_DEPENDENT_CODES
from schemas.synonyms import SYNONYMS

__all__ = ["COUNTRY_DEPENDENT_CODES", "MAX_LENGTH", "CustomerRow", "customer_schema"]

# Longest text each field may hold (the store's column sizes).
MAX_LENGTH: dict[str, int] = {field: 200 for field in SYNONYMS} | {
    "short_name": 50,
    "erp_id": 50,
    "registration_number": 50,
    "tax_id": 50,
    "currency": 50,
    "postal_code": 20,
    "contact_email": 254,
    "contact_phone": 50,
}


# Fields that hold digits, which Excel likes to turn into 1.23457E+11.
NUMERIC_FIELDS = frozenset({"erp_id", "registration_number", "tax_id", "postal_code", "contact_phone"})


def _text(field: str, required: bool = True, **rules: Any) -> Any:
    """A text field with the checks every text gets, plus `rules` (registered checks)."""
    if field in NUMERIC_FIELDS:
        rules["scientific_notation"] = ()
    return pa.Field(
        nullable=not required,
        too_long=MAX_LENGTH[field],
        control_character=(),
        encoding=(),
        spreadsheet_error=(),
        **rules,
    )


class CustomerRow(pa.DataFrameModel):
    """One customer as the portal's Create form holds it."""

    short_name: Series[str] = _text("short_name")
    full_name: Series[str] = _text("full_name")
    erp_id: Series[str] = _text("erp_id", duplicate_in_file=())
    registration_number: Series[str] = _text("registration_number")
    tax_id: Series[str] = _text("tax_id")
    currency: Series[str] = _text(
        "currency", unknown_currency={"allowed": ()}, currency_not_allowed={"allowed": ()}
    )
    industry: Series[str] = _text("industry", unknown_industry={"industries": DEFAULT_INDUSTRIES})
    country: Series[str] = _text("country", unknown_country=())
    city: Series[str] = _text("city")
    state: Series[str] = _text("state", required=False)
    address: Series[str] = _text("address")
    address2: Series[str] = _text("address2", required=False)
    postal_code: Series[str] = _text("postal_code", required=False)
    contact_first_name: Series[str] = _text("contact_first_name")
    contact_last_name: Series[str] = _text("contact_last_name")
    contact_role: Series[str] = _text("contact_role")
    contact_email: Series[str] = _text("contact_email", invalid_email=())
    contact_phone: Series[str] = _text("contact_phone")

    class Config:
        strict = True
        # Frame-level checks: these rules depend on the row's country.
        invalid_tax_id = ()
        tax_id_country_mismatch = ()
        invalid_registration_number = ()
        invalid_postal_code = ()
        postal_code_required = ()
        unknown_state = ()
        state_required = ()
        invalid_phone = ()


class CustomerWarnings(pa.DataFrameModel):
    """Checks on accepted, normalized rows that warn but do not reject."""

    country: Series[str] = pa.Field(nullable=True)
    erp_id: Series[str] = pa.Field(nullable=True)
    tax_id: Series[str] = pa.Field(nullable=True)

    class Config:
        tax_id_unverified = ()
        duplicate_tax_id = ()


def customer_schema(
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES, currencies: tuple[str, ...] = ()
) -> pa.DataFrameSchema:
    """The row schema for a configuration: the model with the configured lists."""
    schema = CustomerRow.to_schema()

    def replaced(field: str, new: list[pa.Check]) -> list[pa.Check]:
        names = {c.name for c in new}
        return [c for c in schema.columns[field].checks if c.name not in names] + new

    return schema.update_columns(
        {
            "currency": {
                "checks": replaced(
                    "currency",
                    [
                        pa.Check.unknown_currency(allowed=currencies),
                        pa.Check.currency_not_allowed(allowed=currencies),
                    ],
                )
            },
            "industry": {"checks": replaced("industry", [pa.Check.unknown_industry(industries=industries)])},
        }
    )


def warning_schema() -> pa.DataFrameSchema:
    """The warnings schema (`CustomerWarnings`)."""
    return CustomerWarnings.to_schema()
