"""Registration number: a chamber-of-commerce number, checked with the country's register."""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.exceptions import ValidationError

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
    "GB": (re.compile(r"(?:\d{8}|[A-Z]{2}\d{6})"), "8 digits, or 2 letters and 6 digits"),
}
_HINTS = {
    "DE": " (expected the court and number, e.g. 'München HRB 12345')",
    "FR": " (expected a 9-digit SIREN or 14-digit SIRET)",
    "BE": " (expected a 10-digit enterprise number, e.g. 0403.170.701)",
}


@lru_cache(maxsize=CACHE_SIZE)
def normalize_registration_number(value: str, country: str) -> Outcome:
    """A chamber-of-commerce number, checked with the country's register module."""
    text = ascii_digits(clean_text(value))
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
