"""Custom Pandera checks, each named by the problem code it reports.

A check evaluates the field's normalizer once per distinct value (or distinct value and
country) and maps the outcome back onto the rows, so a 100,000-row column with 3
currencies costs 3 normalizer calls. The same normalizers give each failure its message
and each accepted cell its stored form: the rules are stated once, in
`pipeline/normalize.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import pandas as pd
from pandera import extensions

from pipeline import normalize as nz
from pipeline.outcomes import Outcomes, for_rows
from schemas.synonyms import label

ValueNormalizer = Callable[[str], nz.Outcome]


def value_codes(values: pd.Series, normalizer: ValueNormalizer) -> pd.Series:
    """The problem code (or None) of every value, computed once per distinct value."""
    present = values.dropna()
    table = {value: normalizer(value).code for value in present.unique()}
    return present.map(table).reindex(values.index)


def country_codes(frame: pd.DataFrame, field: str) -> pd.Series:
    """The problem code of a country-dependent field on every row with a known country.

    Blank values are checked too: a blank postcode is a problem in a country with
    postcodes. Rows without a known country are left to the country check.
    """
    outcomes = for_rows(frame.index) or Outcomes(frame)
    return outcomes.codes(field)


def value_outcomes(values: pd.Series, normalizer: ValueNormalizer) -> pd.Series:
    """The normalized value (or NA) of every value, computed once per distinct value."""
    present = values.dropna()
    table = {value: normalizer(value).value for value in present.unique()}
    return present.map(table).reindex(values.index)


# --- registered checks: each one's name is the problem code it reports -------------


@extensions.register_check_method(statistics=["maximum"])
def too_long(values: pd.Series, *, maximum: int) -> pd.Series:
    """Text no longer than `maximum` characters."""
    return values.str.len() <= maximum


@extensions.register_check_method()
def control_character(values: pd.Series) -> pd.Series:
    """No control characters: invisible in a spreadsheet, and they break exports."""
    return ~values.str.contains(nz.CONTROL_CHARACTERS, regex=True)


@extensions.register_check_method()
def encoding(values: pd.Series) -> pd.Series:
    """No bytes the file's encoding could not decode (the reader marks each with a stand-in)."""
    return ~values.str.contains(nz.UNDECODABLE, regex=True)


# Excel's error values, as a CSV saved by Excel holds them (and the reader gives for an
# xlsx error cell), the newer ones of dynamic arrays, data types and Python in Excel too.
SPREADSHEET_ERRORS = (
    r"#(?:REF!|VALUE!|DIV/0!|N/A|NAME\?|NULL!|NUM!|SPILL!|CALC!|GETTING_DATA"
    r"|FIELD!|BLOCKED!|CONNECT!|UNKNOWN!|BUSY!|EXTERNAL!|PYTHON!)"
)
# A long number that Excel displayed (and a CSV saved) as 1.23457E+11: the digits are gone.
SCIENTIFIC = r"[+-]?\d(?:[.,]\d+)?[eE]\+?\d{1,3}"


@extensions.register_check_method()
def spreadsheet_error(values: pd.Series) -> pd.Series:
    """No Excel error values (#REF!, #N/A, …): a formula broke and the value is lost."""
    return ~values.str.fullmatch(SPREADSHEET_ERRORS)


@extensions.register_check_method()
def scientific_notation(values: pd.Series) -> pd.Series:
    """No numbers in Excel's scientific notation: their last digits are lost."""
    return ~values.str.fullmatch(SCIENTIFIC)


# The values repeated anywhere in the file, while a large file is validated in parts.
_REPEATED: ContextVar[frozenset[str] | None] = ContextVar("repeated", default=None)


@contextmanager
def file_wide_repeats(values: pd.Series) -> Iterator[None]:
    """Let `duplicate_in_file` see the whole file's `values` while validating a part of it."""
    token = _REPEATED.set(frozenset(values[values.duplicated(keep=False)].dropna().unique()))
    try:
        yield
    finally:
        _REPEATED.reset(token)


@extensions.register_check_method()
def duplicate_in_file(values: pd.Series) -> pd.Series:
    """Values that occur once in the file; every row of a repeated value fails."""
    repeated = _REPEATED.get()
    if repeated is not None:
        return ~values.isin(repeated)
    return ~values.duplicated(keep=False)


@extensions.register_check_method()
def unknown_country(values: pd.Series) -> pd.Series:
    return value_codes(values, nz.normalize_country) != "unknown_country"


@extensions.register_check_method()
def invalid_email(values: pd.Series) -> pd.Series:
    outcomes = for_rows(values.index)
    codes = outcomes.codes("contact_email") if outcomes else value_codes(values, nz.normalize_email)
    return codes != "invalid_email"


@extensions.register_check_method(statistics=["allowed"])
def unknown_currency(values: pd.Series, *, allowed: tuple[str, ...]) -> pd.Series:
    return value_codes(values, partial(nz.normalize_currency, allowed=allowed)) != "unknown_currency"


@extensions.register_check_method(statistics=["allowed"])
def currency_not_allowed(values: pd.Series, *, allowed: tuple[str, ...]) -> pd.Series:
    codes = value_codes(values, partial(nz.normalize_currency, allowed=allowed))
    return codes != "currency_not_allowed"


@extensions.register_check_method(statistics=["industries"])
def unknown_industry(values: pd.Series, *, industries: tuple[str, ...]) -> pd.Series:
    codes = value_codes(values, partial(nz.normalize_industry, industries=industries))
    return codes != "unknown_industry"


def _frame_check(field: str, code: str) -> None:
    """Register a frame-level check (it needs the country) named `code` for `field`."""

    def check(frame: pd.DataFrame) -> pd.Series:
        return country_codes(frame, field) != code

    check.__name__ = code
    check.__doc__ = f"Rows whose {label(field)} the country's rule reports as {code}."
    extensions.register_check_method()(check)


COUNTRY_DEPENDENT_CODES: dict[str, tuple[str, ...]] = {
    "tax_id": ("invalid_tax_id", "tax_id_country_mismatch"),
    "registration_number": ("invalid_registration_number",),
    "postal_code": ("invalid_postal_code", "postal_code_required"),
    "state": ("unknown_state", "state_required"),
    "contact_phone": ("invalid_phone",),
}
for _field, _codes in COUNTRY_DEPENDENT_CODES.items():
    for _code in _codes:
        _frame_check(_field, _code)


@extensions.register_check_method()
def tax_id_unverified(frame: pd.DataFrame) -> pd.Series:
    """Rows of accepted customers whose country has no tax-number check."""
    present = frame["country"].dropna()
    unverified = {c: not nz.has_tax_check(c) for c in present.unique()}
    return ~present.map(unverified).reindex(frame.index).fillna(False).astype(bool)


@extensions.register_check_method()
def duplicate_tax_id(frame: pd.DataFrame) -> pd.Series:
    """Rows whose VAT number other rows of the file use under a different ERP ID."""
    kinds = frame.dropna(subset=["tax_id"]).groupby("tax_id")["erp_id"].nunique()
    return ~frame["tax_id"].isin(set(kinds[kinds > 1].index))


def message(
    code: str,
    field: str,
    value: str,
    row: Mapping[Hashable, Any],
    limits: Mapping[str, int],
    normalizers: Mapping[str, ValueNormalizer],
) -> str:
    """The plain-language message of one failure, from the same normalizer as the check."""
    name = label(field)
    if code == "missing_value":
        return f"{name} is required"
    if code == "too_long":
        return f"{name} is {len(value)} characters long; at most {limits[field]} allowed"
    if code == "control_character":
        return f"{name} contains an invisible control character; retype the value"
    if code == "encoding":
        return (
            f"{name} {value} contains bytes that are not valid text in the file's encoding "
            f"({nz.undecodable_part(value)}); save the file as UTF-8 (CSV UTF-8 in Excel) and drop it again"
        )
    if code == "spreadsheet_error":
        return f"{name} shows the spreadsheet error {value}: fix the formula or type the value"
    if code == "scientific_notation":
        return (
            f"{name} {value} is a number in scientific notation, which has lost its last digits: "
            "format the column as Text in the spreadsheet and type the full value again"
        )
    if code == "duplicate_in_file":
        return f"ERP ID {value} occurs on several rows of this file; every one is rejected"
    if code == "duplicate_tax_id":
        return f"Tax ID {value} is also used by other customers (other ERP IDs) in this file"
    country = nz.normalize_country(str(row.get("country") or "")).value
    normalizer = nz.COUNTRY_DEPENDENT.get(field)
    if normalizer is not None and country is not None:
        return normalizer(value, country).message
    if field in normalizers:
        return normalizers[field](value).message
    return f"{name} {value!r} is not valid ({code})"


def value_normalizers(industries: tuple[str, ...], currencies: tuple[str, ...]) -> dict[str, ValueNormalizer]:
    """The normalizer of every field whose rule does not depend on the country."""
    return {
        "country": nz.normalize_country,
        "currency": partial(nz.normalize_currency, allowed=currencies),
        "industry": partial(nz.normalize_industry, industries=industries),
        "contact_email": nz.normalize_email,
    }
