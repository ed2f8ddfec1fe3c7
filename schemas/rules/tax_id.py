"""Tax ID: a VAT number checked for the customer's country, stored compact and upper case."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from schemas.authority import tax_ids
from schemas.rules.country import country_name, national, stdnum_module
from schemas.rules.outcome import CACHE_SIZE, Outcome, problem


def vat_prefix(country: str) -> str:
    """The VAT prefix of an EU country: its ISO code, except EL for Greece."""
    return "EL" if country == "GR" else country


EU_COUNTRIES = frozenset(c.upper() for c in eu_vat.MEMBER_STATES) - {"XI"}
_PREFIX_COUNTRY = {vat_prefix(c): c for c in EU_COUNTRIES} | {"XI": "GB"}


def _find_tax_module(country: str) -> Any:
    if country == "US":
        from stdnum.us import ein

        return ein
    return stdnum_module(country, "vat")


_tax_module = lru_cache(maxsize=64)(_find_tax_module)


def has_tax_check(country: str) -> bool:
    """True when the country's VAT/tax numbers can be checked (else: tax_id_unverified)."""
    return country in EU_COUNTRIES or _tax_module(country) is not None


def _normalize_tax_id(value: str, country: str) -> Outcome:
    """A VAT number checked for the customer's country, stored compact and upper case.

    EU countries: a number typed without its prefix gets the country's prefix; a prefix
    of another country is `tax_id_country_mismatch`. Elsewhere the country's own stdnum
    check, or acceptance with the warning `tax_id_unverified` where none exists. Beyond
    the check digits, placeholders and GB numbers HMRC never issues are invalid
    (`schemas/authority/tax_ids.py`).
    """
    checked = _checked_tax_id(value, country)
    # An unverified number (no check for the country) is still held to the placeholder rule.
    if checked.value is None or checked.code not in (None, "tax_id_unverified"):
        return checked
    why = tax_ids.placeholder_problem(checked.value)
    if why is None and country == "GB":
        why = tax_ids.gb_range_problem(checked.value)
    if why is not None:
        return _invalid_tax_id(value, country, f": {why}")
    return checked


normalize_tax_id = lru_cache(maxsize=CACHE_SIZE)(_normalize_tax_id)


def _checked_tax_id(value: str, country: str) -> Outcome:
    """The VAT number as the library checks it (see `normalize_tax_id`)."""
    compact = _TAX_SEPARATORS.sub("", value).upper()
    if country in EU_COUNTRIES:
        prefix = vat_prefix(country)
        try:
            return Outcome(eu_vat.validate(compact if compact.startswith(prefix) else prefix + compact))
        except ValidationError:
            pass
        owner = _PREFIX_COUNTRY.get(compact[:2])
        if owner and owner != country and eu_vat.is_valid(compact):
            return problem(
                "tax_id_country_mismatch",
                value=value,
                owner=country_name(owner),
                country=country_name(country),
            )
        return _invalid_tax_id(value, country)
    if country == "GB" and compact.startswith("XI") and eu_vat.is_valid(compact):
        return Outcome(eu_vat.compact(compact))
    module = _tax_module(country)
    if module is None:
        return problem("tax_id_unverified", stored=compact, value=value, country=country_name(country))
    checked = _module_checked(module, compact, country)
    if checked is None:
        return _invalid_tax_id(value, country, tax_ids.swiss_uid_hint(compact) if country == "CH" else "")
    # Keep the country prefix where the module strips it (GB 980780684 → GB980780684).
    if country == "GB" and checked[:2].isdigit():
        checked = "GB" + checked
    return Outcome(checked)


def _module_checked(module: Any, compact: str, country: str) -> str | None:
    """The number as the country's stdnum module validates it, or None.

    Outside the EU, a number is often written after its country's ISO code, as VAT
    numbers are in international trade (`RU0274051582`, `NO974760673`) where the module
    takes the bare number; and a Norwegian VAT number is the organisation number followed
    by MVA (Skatteetaten), which files often leave off. Both are the same number.
    """
    readings = [compact]
    if compact.startswith(country) and country != "GB":
        readings.append(compact[len(country) :])
    if country == "NO":
        readings += [reading + "MVA" for reading in readings if not reading.endswith("MVA")]
    for reading in readings:
        try:
            return str(module.validate(reading))
        except ValidationError:
            continue
    return None


_TAX_SEPARATORS = re.compile(r"[\s.\-/]")


def _invalid_tax_id(value: str, country: str, why: str = "") -> Outcome:
    return problem("invalid_tax_id", value=value, kind=national(country, "VAT number"), why=why)
