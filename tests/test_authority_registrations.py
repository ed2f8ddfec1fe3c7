"""Registration numbers by their registers (`schemas/authority/registrations.py`).

Sources: python-stdnum's own examples for se.orgnr (1234567897) and se.personnummer
(880320-0016, 811218-9876); Skatteverket's digit rules (SKV 709: an organisation number's
third digit is at least 2; SKV 704/707: a personal number's month and day); KVK's number
lengths (8-digit KvK number, 12-digit vestigingsnummer, 9-digit RSIN); stdnum's de
handelsregisternummer examples with and without their court; Companies House's list of
company number prefixes and rob-murray's Companies House number format (its examples).
"""

from __future__ import annotations

import pytest
from stdnum import luhn
from stdnum.se import orgnr

from schemas.authority.registrations import (
    COMPANIES_HOUSE_PREFIXES,
    companies_house_problem,
    courtless_register_number,
    dutch_problem,
    placeholder_problem,
    swedish_kind,
    swedish_problem,
)
from schemas.rules.registration import normalize_registration_number

SWEDISH = [
    ("1234567897", "organisation"),  # stdnum se.orgnr's example
    ("5560360793", "organisation"),  # an aktiebolag (first digit 5)
    ("2120000142", "organisation"),  # a public body (first digit 2)
    ("8803200016", "person"),  # stdnum se.personnummer's example
    ("8112189876", "person"),  # stdnum se.personnummer's example
    ("8112409878", None),  # day 40: neither a date (01–31) nor a coordination number (61–91)
]


@pytest.mark.parametrize(("digits", "kind"), SWEDISH)
def test_swedish_numbers_are_told_apart_by_their_digits(digits: str, kind: str | None) -> None:
    """It tells an organisation number from a personal identity number as Skatteverket does."""
    if kind is not None:
        assert orgnr.is_valid(digits), "every vector passes stdnum's orgnr check: that is the point"
    assert swedish_kind(digits) == kind


def test_a_coordination_number_is_a_person() -> None:
    """It counts a coordination number (day + 60) as a person's number."""
    assert luhn.is_valid("7010632391")
    assert swedish_kind("7010632391") == "person"


@pytest.mark.parametrize("value", ["811218-9876", "8803200016", "19811218-9876", "198803200016"])
def test_a_personal_number_is_no_organisation_number(value: str) -> None:
    """It rejects a personnummer in the registration column and says what it is."""
    found = swedish_problem(value)
    assert found is not None
    assert found.code == "invalid_registration_number"
    assert "personnummer" in found.reason


@pytest.mark.parametrize("value", ["556036-0793", "5560360793", "165560360793", "123456-7897"])
def test_an_organisation_number_passes(value: str) -> None:
    """It lets organisation numbers through, Skatteverket's 12-digit form with 16 too."""
    assert swedish_problem(value) is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("HRB 12345", "HRB 12345"),
        ("hrb12345", "HRB 12345"),
        ("HRA 11223", "HRA 11223"),  # stdnum's example, without its court Aachen
        ("HRB 86891 B", "HRB 86891 B"),  # Berlin-style suffix
        ("GnR 11223", "GnR 11223"),
        ("VR 1234", "VR 1234"),
    ],
)
def test_a_register_number_without_its_court_is_recognised(value: str, stored: str) -> None:
    """It recognises a Handelsregister number written without its court, stored tidily."""
    assert courtless_register_number(value) == stored


@pytest.mark.parametrize("value", ["Aachen HRA 11223", "HRC 44123", "12345", "HRB", "HRB 1234567"])
def test_other_values_are_no_courtless_register_number(value: str) -> None:
    """It leaves full numbers (stdnum checks them) and other registers to the other rules."""
    assert courtless_register_number(value) is None


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("000012345678", "vestigingsnummer"),
        ("0000 1234 5678", "vestigingsnummer"),
        ("123456782", "RSIN"),  # passes the 11-test as every RSIN does
    ],
)
def test_dutch_mix_ups_are_named(value: str, named: str) -> None:
    """It names the Dutch number given instead of the KvK number."""
    found = dutch_problem(value)
    assert found is not None and named in found.reason


@pytest.mark.parametrize("value", ["00000000", "0", "000-000", "0000 0000"])
def test_zeros_only_is_a_placeholder_in_any_register(value: str) -> None:
    """It names a number of zeros only as a placeholder, whatever the register."""
    found = placeholder_problem(value)
    assert found is not None and "placeholder" in found.reason


@pytest.mark.parametrize("value", ["HRB 0", "01234567", "A0"])
def test_a_number_with_another_digit_or_a_letter_is_no_placeholder(value: str) -> None:
    """It leaves a number with any digit but 0, or a letter, to the register's own rule."""
    assert placeholder_problem(value) is None


@pytest.mark.parametrize("value", ["12345678", "33123456", "01234567", "123456789"])
def test_a_kvk_number_or_an_unknown_nine_digits_pass(value: str) -> None:
    """It leaves 8-digit numbers, and 9 digits that fail the RSIN's 11-test, to the KvK rule."""
    assert dutch_problem(value) is None


# Companies House's published prefixes (its "Uniform Resource Identifiers Customer Guide",
# list of company numbers and prefixes) and the FCA Mutuals Public Register's society
# numbers as Companies House holds them.
COMPANIES_HOUSE = [
    ("03977902", "03977902"),  # GOOGLE UK LIMITED, England and Wales
    ("SC234456", "SC234456"),  # a Scottish company
    ("ni 012345", "NI012345"),  # Northern Ireland, typed in lower case with a space
    ("OC123456", "OC123456"),  # an LLP
    ("R0000123", "R0000123"),  # Northern Ireland before partition: R, zero, 6 digits
    ("OE001234", "OE001234"),  # the Register of Overseas Entities
    ("IP28746R", "IP28746R"),  # a registered society: 5 digits and the register's letter
    # rob-murray's Companies House number format (matched against all 13.6 million numbers
    # on the register): its examples per prefix and its suffixed forms.
    ("LP001682", "LP001682"),
    ("SF000109", "SF000109"),
    ("NF000006", "NF000006"),
    ("FE000123", "FE000123"),
    ("NI12345A", "NI12345A"),
    ("SL12345A", "SL12345A"),
    ("RS123CUS", "RS123CUS"),
    ("RS1234FI", "RS1234FI"),
    ("OC30P01C", "OC30P01C"),
    ("OC1234CU", "OC1234CU"),
    ("SC12345R", "SC12345R"),
    ("1234567R", "1234567R"),
]


@pytest.mark.parametrize(("value", "stored"), COMPANIES_HOUSE)
def test_a_companies_house_number_of_a_published_prefix_is_accepted(value: str, stored: str) -> None:
    """It accepts every form Companies House gives, stored compact and upper case."""
    outcome = normalize_registration_number(value, "GB")
    assert (outcome.value, outcome.code) == (stored, None)


@pytest.mark.parametrize("value", ["XY123456", "AB12345C", "QQ000001"])
def test_two_letters_companies_house_never_gives_are_no_company_number(value: str) -> None:
    """It rejects a prefix outside Companies House's list, naming the prefix."""
    outcome = normalize_registration_number(value, "GB")
    assert outcome.code == "invalid_registration_number"
    assert f"{value[:2]} is not a prefix Companies House gives" in outcome.message
    assert companies_house_problem(value) is not None


def test_every_published_prefix_makes_a_number() -> None:
    """It accepts each prefix on Companies House's list with 6 digits."""
    numbers = [f"{prefix}123456" for prefix in COMPANIES_HOUSE_PREFIXES]
    rejected = [number for number in numbers if not normalize_registration_number(number, "GB").ok]
    assert rejected == []


@pytest.mark.parametrize(
    ("value", "stored"), [("FN 123456 A", "123456a"), ("fn 48233 Z", "48233z"), ("123456a", "123456a")]
)
def test_an_austrian_firmenbuch_number_is_read_in_either_case(value: str, stored: str) -> None:
    """It accepts the Firmenbuch's check letter typed in upper case, stored as the register writes it."""
    assert normalize_registration_number(value, "AT") == (stored, None, "")
