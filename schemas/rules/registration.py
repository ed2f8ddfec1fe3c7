"""Registration number: a chamber-of-commerce number, checked with the country's register."""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.exceptions import ValidationError

from schemas.authority import Finding, leading_zeros, registrations
from schemas.rules.country import national, stdnum_module
from schemas.rules.outcome import CACHE_SIZE, Outcome, problem
from schemas.rules.text import ascii_digits, clean_text

_REGISTER_MODULES = {
    "BE": "vat",
    "FR": "siren",
    "DE": "handelsregisternummer",
    "CH": "uid",
    "NO": "orgnr",
    "DK": "cvr",
    "SE": "orgnr",
    "FI": "ytunnus",
    "PL": "regon",
    "AT": "businessid",
    "ES": "cif",
    "EE": "registrikood",
    "RO": "onrc",
}
_GENERIC_REGISTRATION = re.compile(r"[\w .\-/]{1,50}")
_PATTERNS = {
    "NL": (re.compile(r"\d{8}"), "8 digits"),
    "GB": (
        re.compile(f"(?:{registrations.COMPANIES_HOUSE_NUMBER})"),
        "8 digits, or a Companies House prefix such as SC, NI or OC and 6 digits",
    ),
}
_HINTS = {
    "DE": " (expected the court and number, e.g. 'München HRB 12345')",
    "FR": " (expected a 9-digit SIREN or 14-digit SIRET)",
    "BE": " (expected a 10-digit enterprise number, e.g. 0403.170.701)",
}


def _normalize_registration_number(value: str, country: str) -> Outcome:
    """A chamber-of-commerce number, checked with the country's register module and the
    register's own rules (`schemas/authority/registrations.py`): a Swedish personal
    number or a Dutch branch number is named, a German number without its court is kept
    with the warning `registration_number_unverified`."""
    text = registrations.without_register_label(ascii_digits(clean_text(value)), country)
    finding = _register_finding(text, country)
    if finding is not None:
        return _invalid_registration(value, country, f": {finding.reason}")
    checked = _checked_registration(value, text, country)
    if checked.value is None and country == "DE":
        stored = registrations.courtless_register_number(text)
        if stored is not None:
            return problem("registration_number_unverified", stored=stored, value=value, register=stored)
    if checked.value is None and country == "PL" and registrations.polish_krs(text):
        return Outcome(registrations.polish_krs(text))
    # KVK and Companies House numbers are 8 digits, with leading zeros a spreadsheet drops.
    if checked.value is None and country in ("NL", "GB"):
        candidate = leading_zeros.restored(re.sub(r"[\s.\-]", "", text), lambda v: len(v) == 8)
        if candidate is not None:
            note = leading_zeros.lost_zero_note(candidate)
            return _invalid_registration(value, country, f" (8 digits; {note})")
    return checked


normalize_registration_number = lru_cache(maxsize=CACHE_SIZE)(_normalize_registration_number)


def _register_finding(text: str, country: str) -> Finding | None:
    """What a register says of a number its library check would pass or misname."""
    placeholder = registrations.placeholder_problem(text)
    if placeholder is not None:
        return placeholder
    if country == "SE":
        return registrations.swedish_problem(text)
    if country == "NL":
        return registrations.dutch_problem(text)
    if country == "GB":
        return registrations.companies_house_problem(text)
    return None


def _checked_registration(value: str, text: str, country: str) -> Outcome:
    """The registration number as the library (or the country's pattern) checks it."""
    if country in _PATTERNS:
        pattern, shape = _PATTERNS[country]
        compact = re.sub(r"[\s.\-]", "", text).upper()
        if pattern.fullmatch(compact):
            return Outcome(compact)
        return _invalid_registration(value, country, f" ({shape})")
    name = _REGISTER_MODULES.get(country)
    if country == "FR":
        # stdnum's siren and siret take spaces and dots but not the dashes people also type.
        text = re.sub(r"[\s.\-]", "", text)
        name = "siret" if len(text) == 14 else "siren"
    if country == "AT":
        # The Firmenbuch writes its check letter in lower case (FN 123456 a); stdnum takes
        # only that, but FN 123456 A is the same number.
        text = re.sub(r"[A-Z]$", lambda letter: letter.group().lower(), text)
    module = stdnum_module(country, name) if name else None
    if module is None:
        if _GENERIC_REGISTRATION.fullmatch(text):
            return Outcome(text)
        return _invalid_registration(value, country)
    try:
        return Outcome(str(module.validate(text)))
    except ValidationError:
        return _invalid_registration(value, country)


def _invalid_registration(value: str, country: str, expected: str | None = None) -> Outcome:
    return problem(
        "invalid_registration_number",
        value=value,
        kind=national(country, "company registration number"),
        expected=_HINTS.get(country, "") if expected is None else expected,
    )
