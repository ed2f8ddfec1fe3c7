"""Phone numbers of another country than the customer's, and numbers that lost zeros.

The spec (§3) stores a number valid only in another country but flags it: a contact may
sit abroad, but a typo that turns a US number into one of Burkina Faso (`+1` typed as
`+226`) must be visible. phonenumbers' metadata (the ITU's E.164 assignments as Google's
libphonenumber keeps them) says which region a valid number belongs to.
"""

from __future__ import annotations

import phonenumbers

# Region code phonenumbers gives to numbers of no country (+800, +808, +870, +878, +881–+883).
NON_GEOGRAPHIC = "001"


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
