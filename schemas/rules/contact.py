"""Contact: the phone number (E.164) and the e-mail address."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from schemas.authority import email_limits, leading_zeros, phones
from schemas.rules.country import country_name
from schemas.rules.outcome import CACHE_SIZE, Outcome, problem

_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")
_CANNOT_KEEP = "cannot keep: give the number alone, in digits (an extension in another column)"


def _normalize_phone(value: str, country: str) -> Outcome:
    """A valid phone number (the country as its default region) → E.164; a number valid
    only in another country is kept with the warning `phone_other_country`; an extension
    or letters, which E.164 cannot keep, reject it (`phones.unstorable_part`)."""
    text, number = _valid_number(value.strip(), country)
    if number is None:
        candidate = phones.valid_with_zeros(text, country)
        note = f"; {leading_zeros.lost_zero_note(candidate)}" if candidate else ""
        return _invalid_phone(value, f"is not a valid phone number in {country_name(country)}{note}")
    unstorable = phones.unstorable_part(text, number)
    if unstorable is not None:
        # An extension or letters would be dropped or turned into digits: not silently.
        return _invalid_phone(
            value, f"holds {unstorable}, which a stored number (E.164: digits only) {_CANNOT_KEEP}"
        )
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phones.other_country(number, country)
    if region is None:
        return Outcome(stored)
    whose = phones.whose(region, country_name(region))
    where = country_name(country)
    return problem("phone_other_country", stored=stored, value=value, whose=whose, country=where)


def _valid_number(text: str, country: str) -> tuple[str, phonenumbers.PhoneNumber | None]:
    """The text as parsed and its number, None where no reading of it is valid.

    The portal's notation "+31(0)40 …" marks the trunk zero dialled only within the
    country, and is read without it; where the zero is part of the number (Italy's
    "+39 (0)6 …": ITU-T E.164 keeps Italy's leading zero), the digits are read as typed.
    """
    readings = [_TRUNK_ZERO.sub("", text), text] if text.startswith(("+", "00")) else [text]
    for reading in dict.fromkeys(readings):
        try:
            number = phonenumbers.parse(reading, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return reading, number
    return readings[0], None


def _invalid_phone(value: str, problem_text: str) -> Outcome:
    return problem("invalid_phone", value=value, problem=problem_text)


normalize_phone = lru_cache(maxsize=CACHE_SIZE)(_normalize_phone)


_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# What mail programs copy along with an address: a display name (`Jan <jan@…>`, RFC 5322
# §3.4), a `mailto:` link (RFC 6068), several addresses in one cell.
_NAMED_ADDRESS = re.compile(r"[^<>]*<([^<>\s]+@[^<>\s]+)>")
_SEVERAL = re.compile(r"[^@\s,;]+@[^@\s,;]+\s*[,;]\s*[^@\s,;]+@[^@\s,;]+.*")


def _shape_hint(text: str) -> str | None:
    """What to fix in a cell that holds more than one e-mail address, or None."""
    if named := _NAMED_ADDRESS.fullmatch(text):
        return f"it holds a name or brackets beside the address: give {named.group(1)} alone"
    if text.casefold().startswith("mailto:"):
        return f"it is a mailto: link: give {text[len('mailto:') :]} alone"
    if _SEVERAL.fullmatch(text):
        return "it holds several addresses: give the primary contact's one alone"
    return None


def _normalize_email(value: str) -> Outcome:
    """A syntactically valid e-mail address (no DNS look-up), domain in lower case."""
    text = value.strip()
    if hint := _shape_hint(text):
        return problem("invalid_email", value=value, reason=f"valid: {hint}")
    if not _EMAIL_SHAPE.fullmatch(text):
        return problem("invalid_email", value=value, reason="a valid e-mail address")
    # RFC 5321's limits and our decisions, which email-validator leaves to its strict mode.
    limit = email_limits.limit_problem(text)
    if limit is not None:
        return problem("invalid_email", value=value, reason=f"valid: {limit}")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return problem("invalid_email", value=value, reason=f"valid: {exc}")
    local, _, domain = str(result.normalized).rpartition("@")
    compatibility = email_limits.compatibility_problem(local)
    if compatibility is not None:
        return problem("invalid_email", value=value, reason=f"valid: {compatibility}")
    return Outcome(f"{local}@{domain.lower()}")


normalize_email = lru_cache(maxsize=CACHE_SIZE)(_normalize_email)
