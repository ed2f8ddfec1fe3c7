"""Problems as data: the `Issue` record and the table of every problem code.

Codes are contract: the README's code table and the reports' legend are rendered from
`CODES`, and tests assert codes, not wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Level = Literal["file", "row"]
# The stages a file goes through, in order; a file-level failure names the one it failed in
# (None: outside them, e.g. a sweep's own failure on a file).
Stage = Literal["read", "map", "validate", "load", "report"]
STAGES: tuple[Stage, ...] = ("read", "map", "validate", "load", "report")


@dataclass(frozen=True)
class Code:
    """One problem code: where it stops work, how bad it is, and what it means."""

    name: str
    level: Level
    severity: Severity
    description: str


@dataclass(frozen=True)
class Issue:
    """One problem of one cell (or row) of an input file.

    `row` is the row number the user sees in a spreadsheet program; `column` is the header
    as written in the file; `field` is the canonical field it maps onto.
    """

    row: int
    column: str
    field: str
    value: str
    code: str
    message: str
    severity: Severity = "error"


class FileError(Exception):
    """A file cannot be used at all: the whole file fails and nothing is stored."""

    def __init__(self, code: str, message: str, stage: Stage | None = "read") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.stage = stage

    def summary(self) -> dict[str, str | None]:
        """The error as the JSON summaries show it."""
        return {"code": self.code, "stage": self.stage, "message": self.message}


def _codes(*entries: tuple[str, Level, Severity, str]) -> dict[str, Code]:
    return {name: Code(name, level, severity, text) for name, level, severity, text in entries}


CODES: dict[str, Code] = _codes(
    # File-level: the whole file is refused, nothing is stored.
    ("file_not_found", "file", "error", "The file does not exist or cannot be opened."),
    ("unsupported_file_type", "file", "error", "Only .xlsx and .csv files are read."),
    ("unreadable_file", "file", "error", "The file is damaged, encrypted or not what its name says."),
    ("sheet_not_found", "file", "error", "The sheet named with --sheet is not in the workbook."),
    ("no_header_row", "file", "error", "No row in the first 30 looks like a header of customer fields."),
    ("missing_columns", "file", "error", "Required columns are missing; every missing one is named."),
    ("duplicate_columns", "file", "error", "Two columns map onto the same field."),
    ("file_too_large", "file", "error", "The file is larger than the configured limit."),
    ("store_error", "file", "error", "The store could not be read or written; nothing was stored."),
    (
        "too_many_rejects",
        "file",
        "error",
        "More rows were rejected than the configured maximum reject rate allows; nothing stored.",
    ),
    ("missing_reviewer", "file", "error", "review apply needs --reviewer NAME."),
    (
        "missing_importer",
        "file",
        "error",
        "No importer name could be found: give --user NAME or set import.user.",
    ),
    (
        "internal_error",
        "file",
        "error",
        "onboard failed on this file in a way it did not foresee; nothing was stored. Please report it.",
    ),
    (
        "report_error",
        "file",
        "error",
        "The reports could not be written (folder not writable, disk full); nothing was stored.",
    ),
    # Row-level errors: the row is rejected, the rest of the file goes on.
    ("missing_value", "row", "error", "A required field is blank."),
    ("too_long", "row", "error", "The text is longer than the field allows."),
    ("control_character", "row", "error", "The text contains an invisible control character."),
    (
        "encoding",
        "row",
        "error",
        "The CSV cell holds bytes that are not valid text in the file's encoding (save it as UTF-8).",
    ),
    ("spreadsheet_error", "row", "error", "The cell shows a spreadsheet error such as #REF! or #N/A."),
    (
        "scientific_notation",
        "row",
        "error",
        "A long number was saved in scientific notation (1.23457E+11) and lost its digits.",
    ),
    ("duplicate_in_file", "row", "error", "Several rows of the file share this ERP ID; all are rejected."),
    ("unknown_country", "row", "error", "The country is not an ISO 3166-1 country name or code."),
    ("invalid_tax_id", "row", "error", "The VAT/tax number fails its country's format or check digit."),
    ("tax_id_country_mismatch", "row", "error", "The VAT number's prefix belongs to another country."),
    ("invalid_registration_number", "row", "error", "The chamber-of-commerce number is not valid."),
    ("invalid_postal_code", "row", "error", "The postcode does not fit the country's format."),
    ("postal_code_required", "row", "error", "The country uses postcodes and none was given."),
    ("state_required", "row", "error", "The country's addresses need a state or province."),
    ("unknown_state", "row", "error", "The state/province is not a subdivision of the country."),
    ("invalid_phone", "row", "error", "The phone number is not a valid number for the country."),
    ("invalid_email", "row", "error", "The e-mail address is not syntactically valid."),
    ("unknown_currency", "row", "error", "The currency is not an ISO 4217 code, name or symbol."),
    ("currency_not_allowed", "row", "error", "The currency is not in the configured list."),
    ("unknown_industry", "row", "error", "The industry is not one of the configured industries."),
    (
        "approved_customer_changed",
        "row",
        "error",
        "The customer is already approved; an import may not change it.",
    ),
    # Row-level warnings: the row is accepted and the warning reported.
    (
        "tax_id_unverified",
        "row",
        "warning",
        "No check exists for this country's tax numbers; accepted unverified.",
    ),
    ("duplicate_tax_id", "row", "warning", "Other rows of the file have the same VAT number."),
)
