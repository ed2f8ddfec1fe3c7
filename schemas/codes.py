"""The table of every problem code: where it stops work, how bad it is, what it means,
and the template its message is written from.

Codes are contract: the README's code table is held equal to `CODES` by
`tests/test_docs.py`, and tests assert codes, not wording. A row problem's message is
written once, by the rule or check that finds it, from its code's `template`; a file
problem's message names the file and the library's reason, so it is written where the
file fails and its `template` is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
Level = Literal["file", "row"]


@dataclass(frozen=True)
class Code:
    """One problem code: where it stops work, how bad it is, what it means, its message."""

    name: str
    level: Level
    severity: Severity
    description: str
    template: str = ""

    def message(self, **fields: Any) -> str:
        """The message of one problem: the template with the problem's `fields` filled in."""
        return self.template.format(**fields)


def _codes(
    *entries: tuple[str, Level, Severity, str] | tuple[str, Level, Severity, str, str],
) -> dict[str, Code]:
    return {entry[0]: Code(*entry) for entry in entries}


CODES: dict[str, Code] = _codes(
    # File-level: the whole file is refused, nothing is stored.
    ("file_not_found", "file", "error", "The file does not exist or cannot be opened."),
    ("unsupported_file_type", "file", "error", "Only .xlsx and .csv files are read."),
    ("unreadable_file", "file", "error", "The file is damaged, encrypted or not what its name says."),
    ("sheet_not_found", "file", "error", "The sheet named with --sheet is not in the workbook."),
    ("no_header_row", "file", "error", "No row in the first 30 looks like a header of customer fields."),
    ("missing_columns", "file", "error", "Required columns are missing; every missing one is named."),
    ("duplicate_columns", "file", "error", "Two columns map onto the same field."),
    (
        "several_customer_sheets",
        "file",
        "error",
        "Customers are on more than one sheet of the workbook; one file is read from one sheet.",
    ),
    (
        "review_file",
        "file",
        "error",
        "A review file (decision and fingerprint columns) was given to import: apply it instead.",
    ),
    ("file_too_large", "file", "error", "The file is larger than the configured limit."),
    ("store_error", "file", "error", "The store could not be read or written; nothing was stored."),
    (
        "store_not_found",
        "file",
        "error",
        "status, export and review export name a store that does not exist; none is created.",
    ),
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
    ("missing_value", "row", "error", "A required field is blank.", "{label} is required"),
    (
        "placeholder_value",
        "row",
        "error",
        "A required field holds a placeholder (n/a, -, unknown) instead of a value.",
        "{label} is required, and {value!r} is a placeholder, not a value: fill it in",
    ),
    (
        "too_long",
        "row",
        "error",
        "The text is longer than the field allows.",
        "{label} is {length} characters long; at most {maximum} allowed",
    ),
    (
        "control_character",
        "row",
        "error",
        "The text contains an invisible control character.",
        "{label} contains an invisible control character; retype the value",
    ),
    (
        "encoding",
        "row",
        "error",
        "The CSV cell holds bytes that are not valid text in the file's encoding (save it as UTF-8).",
        "{label} {value} contains bytes that are not valid text in the file's encoding ({undecodable}); "
        "save the file as UTF-8 (CSV UTF-8 in Excel) and drop it again",
    ),
    (
        "spreadsheet_error",
        "row",
        "error",
        "The cell shows a spreadsheet error such as #REF! or #N/A.",
        "{label} shows the spreadsheet error {value}: fix the formula or type the value",
    ),
    (
        "scientific_notation",
        "row",
        "error",
        "A long number was saved in scientific notation (1.23457E+11) and lost its digits.",
        "{label} {value} is a number in scientific notation, which has lost its last digits: "
        "format the column as Text in the spreadsheet and type the full value again",
    ),
    (
        "spreadsheet_conversion",
        "row",
        "error",
        "The cell is a date, time or TRUE/FALSE that the spreadsheet made of what was typed (1-31, "
        "03/04, 10:30, true); what was typed is lost.",
        "{label} {value} is a {kind} cell: the spreadsheet turned what was typed into a {kind} "
        "({how}), and what was typed is lost; format the column as Text and type the value again",
    ),
    (
        "formula_without_value",
        "row",
        "error",
        "The cell holds a formula whose value the file does not hold (written by a program, "
        "never calculated by a spreadsheet).",
        "{label} holds a formula whose value the file does not hold (a program wrote the file and "
        "no spreadsheet calculated it): open it in Excel or LibreOffice, save it, and drop it again",
    ),
    (
        "not_a_customer_row",
        "row",
        "error",
        "The row is not a customer: it fills at most three required fields (a total, a note, a "
        "group heading) or repeats the header row.",
        "Row {row} is not a customer: {why} ({value}); delete the row, or fill in the customer",
    ),
    (
        "duplicate_in_file",
        "row",
        "error",
        "Several rows of the file share this ERP ID; all are rejected.",
        "ERP ID {value} occurs on several rows of this file; every one is rejected",
    ),
    (
        "unknown_country",
        "row",
        "error",
        "The country is not an ISO 3166-1 country name or code.",
        "Country {value!r} {problem}",
    ),
    (
        "invalid_tax_id",
        "row",
        "error",
        "The VAT/tax number fails its country's format or check digit.",
        "Tax ID {value} is not a valid {kind}{why}",
    ),
    (
        "tax_id_country_mismatch",
        "row",
        "error",
        "The VAT number's prefix belongs to another country.",
        "Tax ID {value} is a VAT number of {owner}, but the customer's country is {country}",
    ),
    (
        "invalid_registration_number",
        "row",
        "error",
        "The chamber-of-commerce number is not valid.",
        "Registration number {value} is not a valid {kind}{expected}",
    ),
    (
        "invalid_postal_code",
        "row",
        "error",
        "The postcode does not fit the country's format.",
        "Postcode {value} is not a valid postcode of {country} ({reason})",
    ),
    (
        "postal_code_required",
        "row",
        "error",
        "The country uses postcodes and none was given.",
        "A postcode is required for {country}",
    ),
    (
        "state_required",
        "row",
        "error",
        "The country's addresses need a state or province.",
        "A state/province is required for addresses in {country}",
    ),
    (
        "unknown_state",
        "row",
        "error",
        "The state/province is not a subdivision of the country.",
        "State/Province {value!r} is not a subdivision of {country}",
    ),
    (
        "invalid_phone",
        "row",
        "error",
        "The phone number is not a valid number for the country.",
        "Phone number {value} {problem}",
    ),
    (
        "invalid_email",
        "row",
        "error",
        "The e-mail address is not syntactically valid.",
        "Email address {value} is not {reason}",
    ),
    (
        "unknown_currency",
        "row",
        "error",
        "The currency is not an ISO 4217 code, name or symbol.",
        "Currency {value!r} {problem}",
    ),
    (
        "currency_not_allowed",
        "row",
        "error",
        "The currency is not in the configured list.",
        "Currency {currency} is not allowed here; allowed: {allowed}",
    ),
    (
        "unknown_industry",
        "row",
        "error",
        "The industry is not one of the configured industries.",
        "Industry {value!r} is not one of: {industries}",
    ),
    (
        "approved_customer_changed",
        "row",
        "error",
        "The customer is already approved; an import may not change it.",
        "Customer {value} is already approved; an import may not change it "
        "(ask a reviewer to handle the change in the portal)",
    ),
    # Row-level warnings: the row is accepted and the warning reported.
    (
        "tax_id_unverified",
        "row",
        "warning",
        "No check exists for this country's tax numbers; accepted unverified.",
        "Tax ID {value} could not be verified: no check exists for {country}",
    ),
    (
        "duplicate_tax_id",
        "row",
        "warning",
        "Other rows of the file have the same VAT number.",
        "Tax ID {value} is also used by other customers (other ERP IDs) in this file",
    ),
    (
        "contact_name_split",
        "row",
        "warning",
        "One contact-name column was split into first and last name in a way a person should check.",
        "Contact name {name!r} was split into first name {first!r} and last name {last!r}; "
        "check it, or give first and last name columns of their own",
    ),
    (
        "hidden_row",
        "row",
        "warning",
        "The row is hidden in the sheet (by hand or by a filter); it was read like the others.",
        "Row {row} is hidden in the sheet (hidden by hand or filtered out) and was read like "
        "every other row; check that customer {value} is meant to be imported",
    ),
    (
        "possible_duplicate",
        "row",
        "warning",
        "The customer looks like one stored under another ERP ID: same VAT or registration "
        "number, or a near company name at the same postcode. Never merged; a person decides.",
        "Looks like {other}, stored under another ERP ID: {why}; "
        "check that they are not the same company before approving",
    ),
    # Warnings of the rules beyond our libraries (schemas/authority, docs/rules.md).
    (
        "registration_number_unverified",
        "row",
        "warning",
        "A German register number without its court: accepted, but it cannot be verified.",
        "Registration number {value} names no register court, so it cannot be verified: "
        "write it with the court, e.g. 'München {register}'",
    ),
    (
        "postal_code_unverified",
        "row",
        "warning",
        "The postcode has the right structure but is not on the postal operator's published list.",
        "Postcode {value} has the structure of a postcode of {country}, but {doubt}: check it",
    ),
    (
        "state_from_postal_code",
        "row",
        "warning",
        "The state/province was blank and is taken from the postcode (Spain, Italy).",
        "State/Province was blank; {state} is taken from postcode {postal_code}",
    ),
    (
        "phone_other_country",
        "row",
        "warning",
        "The phone number is valid only in another country than the customer's; stored.",
        "Phone number {value} is {whose}, not of {country}: "
        "check the country code if the contact does not sit there",
    ),
)
