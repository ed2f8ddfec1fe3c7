"""Phone numbers of another country, and values that lost leading zeros.

Sources: the numbers are libphonenumber's example numbers for each region
(`phonenumbers.example_number`), so every one is valid where it belongs; the +226
Burkina Faso case is the issue's typo of a US number.
"""

from __future__ import annotations

import phonenumbers
import pytest

from schemas.authority.leading_zeros import ADVICE, lost_zero_note, restored
from schemas.authority.phones import NON_GEOGRAPHIC, other_country, valid_with_zeros, whose


@pytest.mark.parametrize(
    ("region", "country", "expected"),
    [
        ("BF", "US", "BF"),  # a US customer's number typed with +226
        ("CA", "US", "CA"),  # shares +1 with the US, still another country
        ("BE", "NL", "BE"),
        ("NL", "NL", None),
        ("US", "US", None),
    ],
)
def test_a_valid_number_of_another_region_is_named(region: str, country: str, expected: str | None) -> None:
    """It names the region of a valid number that is not the customer's country."""
    number = phonenumbers.example_number(region)
    assert number is not None and phonenumbers.is_valid_number(number)
    assert other_country(number, country) == expected


def test_a_non_geographic_number_is_of_no_country() -> None:
    """It calls a +800 number an international number of no country."""
    number = phonenumbers.parse("+800 1234 5678")
    assert other_country(number, "NL") == NON_GEOGRAPHIC
    assert "no country" in whose(NON_GEOGRAPHIC, "")


def test_the_warning_names_the_country() -> None:
    """It says which country the number is of."""
    assert whose("BF", "Burkina Faso") == "a number of Burkina Faso"


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("491234567", "BE", "0491234567"),  # a Belgian mobile read as a number
        ("33123456789", "NL", "0033123456789"),  # 0033 … (France) read as a number
        ("+31 40 123 4567", "NL", None),  # not digits alone: nothing was dropped
        ("12", "NL", None),
    ],
)
def test_a_phone_number_that_lost_its_zeros(value: str, country: str, expected: str | None) -> None:
    """It puts back one or two zeros where the result is a valid number."""
    assert valid_with_zeros(value, country) == expected


@pytest.mark.parametrize(
    ("value", "fits", "expected"),
    [
        ("1067", lambda v: len(v) == 5, "01067"),
        ("144", lambda v: len(v) == 5, "00144"),
        ("44", lambda v: len(v) == 5, None),  # three zeros would be a guess
        ("01067", lambda v: len(v) == 5, None),  # fits already
        ("D1067", lambda v: len(v) == 5, None),  # not a number
    ],
)
def test_restored_puts_back_at_most_two_zeros(value: str, fits: object, expected: str | None) -> None:
    """It restores a value a spreadsheet shortened by one or two leading zeros, nothing else."""
    assert restored(value, fits) == expected  # type: ignore[arg-type]  # lambdas in a table


def test_the_message_says_how_to_keep_the_zeros() -> None:
    """It tells the user that a spreadsheet dropped the zero and to format the column as Text."""
    note = lost_zero_note("01067")
    assert "01067" in note and ADVICE in note and "Text" in note
