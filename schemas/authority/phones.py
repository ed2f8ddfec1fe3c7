"""Phone numbers of another country than the customer's, and numbers that lost zeros.

The spec (§3) stores a number valid only in another country but flags it: a contact may
sit abroad, but a typo that turns a US number into one of Burkina Faso (`+1` typed as
`+226`) must be visible. phonenumbers' metadata (the ITU's E.164 assignments as Google's
libphonenumber keeps them) says which region a valid number belongs to.

A number is stored as E.164, which holds digits only (ITU-T E.164 §6: at most 15 digits,
no extension). phonenumbers parses more than that: it splits off an extension (`ext 12`,
`x12`, `#12`, `,12`), turns three letters or more into the keypad's digits (ITU-T E.161:
`ABC` → `222`, an `O` typed for a zero becomes a 6) and drops fewer. What it drops
or turns into digits is rejected by name, never stored altered: `unstorable_part`.
"""

from __future__ import annotations

import re

import phonenumbers

# Region code phonenumbers gives to numbers of no country (+800, +808, +870, +878, +881–+883).
NON_GEOGRAPHIC = "001"


# A label before the number: letters and a colon ("Tel:", "T:", the RFC 3966 URI "tel:")
# or two letters or more and a full stop ("Tel.", "Mob."). Nothing of the number is in it.
_LABEL = re.compile(r"(?:[^\W\d_]+\.?\s*:|[^\W\d_]{2,}\.)\s*")
# The separators people write between digits, which E.164 drops without loss: the
# punctuation phonenumbers reads as such (its _VALID_PUNCTUATION and _PLUS_CHARS, less the
# `x` it also reads there, which marks an extension), half- and full-width.
_SEPARATORS = frozenset(
    "+-.()/[]~\u00ad\u200b\u2060\u2010\u2011\u2012\u2013\u2014\u2015\u2053\u2212\u223c"
    "\u30fc\uff08\uff09\uff0b\uff0d\uff0e\uff0f\uff3b\uff3d\uff5e"
)


def unstorable_part(text: str, number: phonenumbers.PhoneNumber) -> str | None:
    """What of a typed, valid number its E.164 form would lose or alter, in words; None
    when it holds only digits, separators and a leading label."""
    if number.extension:
        return f"the extension {number.extension}"
    label = _LABEL.match(text)
    body = text[label.end() :] if label else text
    extra = "".join(c for c in body if not (c.isdecimal() or c.isspace() or c in _SEPARATORS))
    return f"{extra!r}" if extra else None


def other_country(number: phonenumbers.PhoneNumber, country: str) -> str | None:
    """The region of a valid number when it is not the customer's country, else None."""
    regions = phonenumbers.region_codes_for_country_code(number.country_code or 0)
    # Most calling codes belong to one region: the country's own is then the answer.
    if regions == (country,):
        return None
    if country in regions and phonenumbers.is_valid_number_for_region(number, country):
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region and region != country else None


def whose(region: str, region_name: str) -> str:
    """Whose number it is, for the warning `phone_other_country`."""
    if region == NON_GEOGRAPHIC:
        return "an international number of no country"
    return f"a number of {region_name}"


def valid_with_zeros(value: str, country: str) -> str | None:
    """The number with the leading zeros a spreadsheet dropped put back, if it is then valid.

    `0032 2 …` read as a number becomes `322…`; `030 …` becomes `30…`. Only a value of
    digits alone can have lost them.
    """
    digits = value.replace(" ", "")
    if not digits.isdigit():
        return None
    for candidate in ("0" + digits, "00" + digits):
        try:
            number = phonenumbers.parse(candidate, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return candidate
    return None
