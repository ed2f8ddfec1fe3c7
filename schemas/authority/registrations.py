"""Registration numbers: what the registers say beyond stdnum's check digits.

- **Sweden.** stdnum's `se.orgnr` runs the Luhn check on 10 digits, which a personal
  identity number passes too. Skatteverket ("Organisationsnummer", SKV 709) gives every
  organisation number a third digit of 2 or more (digits 3–4 are at least 20, so they
  can never be a birth month); a personal identity number ("Personnummer", SKV 704) has
  a month 01–12 there and a day 01–31 (61–91 for a coordination number, SKV 707). A
  personal identity number is not an organisation number: a sole trader has none and
  is registered under the person's number, which does not belong in a customer master.
- **Germany.** A Handelsregister number is only unique with its register court
  (handelsregister.de: the court, the register HRA/HRB/GnR/PR/VR/GsR, the number); files
  carry `HRB 12345` without it. That cannot be checked, but is no error: it is accepted
  with a warning that names what is missing.
- **Netherlands.** The KvK number has 8 digits (KVK, "KVK-nummer"); a branch has a
  12-digit vestigingsnummer, often copied from the same extract into the KvK column, and
  a 9-digit RSIN (the fiscal number, KVK and Belastingdienst) is the other mix-up.
- **United Kingdom.** A Companies House number has 8 characters: 8 digits (England and
  Wales), or one of the prefixes Companies House publishes and 6 digits (`SC123456`,
  `R0123456`); any other two letters are no company number.
"""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.nl import bsn

from schemas.authority import Finding

# --- Sweden --------------------------------------------------------------------------


def swedish_kind(digits: str) -> str | None:
    """`organisation` or `person` for 10 Luhn-valid digits, by Skatteverket's digit rules.

    None when the digits are neither (or fail the Luhn check: left to stdnum's message).
    """
    if len(digits) != 10 or not digits.isdigit() or not luhn.is_valid(digits):
        return None
    if int(digits[2]) >= 2:
        return "organisation"
    month, day = int(digits[2:4]), int(digits[4:6])
    if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
        return "person"
    return None


def swedish_problem(value: str) -> Finding | None:
    """The problem of a Swedish number given as an organisation number (None: it is one)."""
    digits = re.sub(r"[\s-]", "", value)
    if len(digits) == 12 and digits[:2] in ("16", "19", "20"):
        # Skatteverket's 12-digit forms: "16" and an organisation number, or a century
        # and a personal identity number.
        digits = digits[2:]
    kind = swedish_kind(digits)
    if kind == "person":
        return Finding(
            "invalid_registration_number",
            "it is a personal identity number (personnummer), whose third and fourth digits "
            "are a birth month, not an organisation number",
        )
    return None


# --- Germany ---------------------------------------------------------------------------

# The registers of the Handelsregister and its siblings (HRA partnerships, HRB companies,
# GnR cooperatives, PR partnerships of professionals, VR associations, GsR civil-law
# partnerships), a number, and an optional letter suffix.
_COURTLESS = re.compile(r"(HRA|HRB|GNR|PR|VR|GSR)\s*(\d{1,6})(?:\s*([A-Z]{1,2}))?", re.IGNORECASE)
_REGISTER_SPELLING = {"GNR": "GnR", "GSR": "GsR"}


def courtless_register_number(value: str) -> str | None:
    """`HRB 12345` in its stored form when `value` is a register number without a court."""
    match = _COURTLESS.fullmatch(value.strip())
    if match is None:
        return None
    register = match.group(1).upper()
    register = _REGISTER_SPELLING.get(register, register)
    suffix = f" {match.group(3).upper()}" if match.group(3) else ""
    return f"{register} {match.group(2)}{suffix}"


# --- Netherlands ----------------------------------------------------------------------


def dutch_problem(value: str) -> Finding | None:
    """A clear problem for a Dutch number that is another KVK number than the KvK number."""
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits.isdigit():
        return None
    if len(digits) == 12:
        return Finding(
            "invalid_registration_number",
            "its 12 digits are a branch number (vestigingsnummer), not the 8-digit KvK number of the company",
        )
    if len(digits) == 9 and bsn.is_valid(digits):
        reason = "its 9 digits are an RSIN (fiscal number), not the 8-digit KvK number"
        return Finding("invalid_registration_number", reason)
    return None


# --- United Kingdom --------------------------------------------------------------------

# The prefixes of Companies House numbers, as Companies House lists them ("Uniform Resource
# Identifiers Customer Guide", list of company numbers and prefixes; CE, CS and SG are on
# its register though not in that list, OE since the Register of Overseas Entities, 2022).
COMPANIES_HOUSE_PREFIXES = {
    "AC": "assurance company, England and Wales",
    "CE": "charitable incorporated organisation, England and Wales",
    "CS": "charitable incorporated organisation, Scotland",
    "EN": "European company (SE), Northern Ireland",
    "ES": "European company (SE), Scotland",
    "FC": "overseas company",
    "FE": "further education or sixth form college corporation",
    "GE": "European economic interest grouping, England and Wales",
    "GN": "European economic interest grouping, Northern Ireland",
    "GS": "European economic interest grouping, Scotland",
    "IC": "investment company with variable capital, England and Wales",
    "IP": "industrial and provident society, England and Wales",
    "LP": "limited partnership, England and Wales",
    "NA": "assurance company, Northern Ireland",
    "NC": "limited liability partnership, Northern Ireland",
    "NF": "overseas company registered in Northern Ireland before October 2009",
    "NI": "company, Northern Ireland",
    "NL": "limited partnership, Northern Ireland",
    "NO": "credit union or industrial and provident society, Northern Ireland",
    "NP": "industrial and provident society or credit union, Northern Ireland",
    "NR": "royal charter company, Northern Ireland",
    "NV": "investment company with variable capital, Northern Ireland",
    "NZ": "unregistered company, Northern Ireland",
    "OC": "limited liability partnership, England and Wales",
    "OE": "overseas entity (Register of Overseas Entities)",
    "PC": "protected cell company",
    "R0": "company, Northern Ireland, before partition",
    "RC": "royal charter company, England and Wales",
    "RS": "registered society",
    "SA": "assurance company, Scotland",
    "SC": "company, Scotland",
    "SE": "European company (SE), England and Wales",
    "SF": "overseas company registered in Scotland before October 2009",
    "SG": "Scottish qualifying partnership",
    "SI": "investment company with variable capital, Scotland",
    "SL": "limited partnership, Scotland",
    "SO": "limited liability partnership, Scotland",
    "SP": "industrial and provident society, Scotland",
    "SR": "royal charter company, Scotland",
    "SZ": "unregistered company, Scotland",
    "ZC": "unregistered company, England and Wales",
}
# The forms beside a prefix and 6 digits that the register holds (every one of its 13.6
# million numbers matches them, as rob-murray's published Companies House number format
# measured): a last character C or R; a mutual society's number on the FCA's Mutuals
# Public Register (`IP28746R`); registered societies' and Scottish LLPs' suffixes; an A
# after Northern Irish companies and Scottish limited partnerships; LLPs with a P or
# letter suffix.
_PREFIX = "|".join(COMPANIES_HOUSE_PREFIXES)
COMPANIES_HOUSE_NUMBER = "|".join(
    (
        r"\d{8}",
        r"\d{7}[CR]",
        rf"(?:{_PREFIX})\d{{6}}",
        rf"(?:{_PREFIX})\d{{5}}[CR]",
        r"(?:IP|NP|SP)\d{5}[A-Z]",
        r"(?:RS|SO)\d{3}(?:\d{2}[WSRCZF]|\d(?:FI|RS|SA|IP|US|EN|AS)|CUS)",
        r"(?:NI|SL)\d{5}A",
        r"OC(?:[\dP]{5}[CWERTB]|[\dP]{4}(?:OC|CU))",
    )
)
_PREFIXED_NUMBER = re.compile(r"([A-Z][A-Z0-9])(\d{5}[A-Z]|\d{6})")


def companies_house_problem(value: str) -> Finding | None:
    """The problem of a number whose two-letter prefix Companies House does not use."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    match = _PREFIXED_NUMBER.fullmatch(compact)
    if match is None or re.fullmatch(COMPANIES_HOUSE_NUMBER, compact):
        return None
    prefix = match.group(1)
    if prefix in COMPANIES_HOUSE_PREFIXES:
        return None  # a known prefix in a form of another prefix: the shape's message says it
    return Finding(
        "invalid_registration_number",
        f"{prefix} is not a prefix Companies House gives (8 digits, or SC, NI, OC, LP, FC, … and 6 digits)",
    )


# --- every country -------------------------------------------------------------------

# What people write before (France: after, too) a register number: the register's name,
# which is no part of the number (KVK: "KvK-nummer"; Erhvervsstyrelsen: "CVR-nr."; KRS;
# KBO/BCE; the German Registergericht, "Amtsgericht München HRB 12345"; the French greffe,
# "RCS Paris B 552 081 317", whose identifier is the SIREN, INSEE).
_NUMBER_WORD = r"(?:[- ]?(?:nummer|nr|no|n°|number|numéro)\.?)?(?:\s*[:.]\s*|\s+)"
_REGISTER_LABELS = {
    "NL": re.compile(rf"(?:kvk|k\.v\.k\.){_NUMBER_WORD}", re.IGNORECASE),
    "DK": re.compile(rf"cvr{_NUMBER_WORD}", re.IGNORECASE),
    "PL": re.compile(rf"krs{_NUMBER_WORD}", re.IGNORECASE),
    "BE": re.compile(
        rf"(?:kbo|bce|ondernemingsnummer|n° d'entreprise|numéro d'entreprise)(?:{_NUMBER_WORD})",
        re.IGNORECASE,
    ),
    "DE": re.compile(r"(?:amtsgericht|registergericht|ag)\s+", re.IGNORECASE),
    "FR": re.compile(r"r\.?c\.?s\.?\s+(?:\D+?\s+)?(?:[ab]\s+)?(?=\d)", re.IGNORECASE),
}
_FRENCH_TRAILING = re.compile(r"(?<=\d)\s+r\.?c\.?s\.?(?:\s+\D+)?", re.IGNORECASE)


def without_register_label(value: str, country: str) -> str:
    """The number of `value` without the register's name written before it (or, in
    France, after it): `KvK 12345678` → `12345678`, `RCS Paris B 552 081 317` → the SIREN."""
    label = _REGISTER_LABELS.get(country)
    found = label.match(value) if label else None
    number = value[found.end() :] if found else value
    return _FRENCH_TRAILING.sub("", number) if country == "FR" else number


# The KRS, Poland's court register (Krajowy Rejestr Sądowy): 10 digits given in order from
# 0000000001, so its numbers start with zeros; a REGON has 9 or 14 and a NIP (tax number)
# 10 digits that start with a tax office's code, never 0.
_KRS = re.compile(r"0\d{9}")


def polish_krs(value: str) -> str | None:
    """A KRS number in its stored form (10 digits), or None."""
    digits = re.sub(r"[\s.\-]", "", value)
    return digits if _KRS.fullmatch(digits) and set(digits) != {"0"} else None


def placeholder_problem(value: str) -> Finding | None:
    """A number of zeros only (`0`, `000-000`): no register issues one, in any country."""
    digits = re.sub(r"[\s.\-/]", "", value)
    if digits.isdigit() and set(digits) == {"0"}:
        return Finding(
            "invalid_registration_number", "zeros only is a placeholder, never a registration number"
        )
    return None
