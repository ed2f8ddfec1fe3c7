"""VAT numbers beyond the check digit (`schemas/authority/tax_ids.py`).

Sources: the GB vectors are valvat's (yolk/valvat, spec/valvat/checksum/gb_spec.rb), whose
ranges are HMRC's; the all-zero numbers are those python-stdnum 2.2 accepts (measured:
its arithmetic gives 0 for them), which no tax authority issues; the non-EU numbers
after their country code are jsvat's (se-panfilov/jsvat, test/countries_vat_lists).
"""

from __future__ import annotations

import pytest
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

from schemas.authority.tax_ids import gb_range_problem, placeholder_problem
from schemas.rules.tax_id import normalize_tax_id

# valvat's GB vectors: (number, valid)
VALVAT_GB = [
    ("GB434031494", True),  # an old-scheme (modulus 97) number
    ("GB434031439", True),  # a new-scheme ("9755") number
    ("GB999999973", False),  # old scheme, in the forbidden block 9990001–9999999
    ("GB100000034", False),  # new scheme, below 1000001
    ("GBGD100", True),  # government department: no check digits
    ("GBHA600", True),  # health authority: no check digits
]


@pytest.mark.parametrize(("number", "valid"), VALVAT_GB)
def test_gb_numbers_in_ranges_hmrc_never_issued_are_rejected(number: str, valid: bool) -> None:
    """It rejects what valvat (HMRC's ranges) rejects although stdnum's arithmetic passes it."""
    assert gb_vat.is_valid(number), "the vectors all pass stdnum: that is the point"
    assert (gb_range_problem(number) is None) is valid


@pytest.mark.parametrize(
    ("first_seven", "scheme_offset", "issued"),
    [
        ("0099999", 0, True),  # just below the old scheme's first unissued block
        ("0100000", 0, False),
        ("0999999", 0, False),
        ("1000000", 0, True),
        ("9490000", 0, True),
        ("9490001", 0, False),
        ("9700000", 0, False),
        ("9700001", 0, True),
        ("9990000", 0, True),
        ("9990001", 0, False),
        ("1000000", 55, False),  # the new scheme starts above 1000000
        ("1000001", 55, True),
    ],
)
def test_the_edges_of_hmrcs_blocks(first_seven: str, scheme_offset: int, issued: bool) -> None:
    """It draws HMRC's blocks exactly at their ends, for each scheme."""
    total = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2), first_seven, strict=True))
    check = (-(total + scheme_offset)) % 97
    number = f"GB{first_seven}{check:02d}"
    if check < 100 and gb_vat.is_valid(number):
        assert (gb_range_problem(number) is None) is issued, number


@pytest.mark.parametrize(
    "number",
    ["BG000000000", "EE000000000", "FI00000000", "EL000000000", "HU00000000", "LU00000000", "PL0000000000"],
)
def test_all_zero_eu_numbers_pass_stdnum_but_are_placeholders(number: str) -> None:
    """It calls a VAT number of zeros only a placeholder, where stdnum's arithmetic passes it."""
    assert eu_vat.is_valid(number)
    assert placeholder_problem(number) is not None


@pytest.mark.parametrize(
    "number", ["NL006486253B01", "DE136695976", "GB980780684", "BE0403170701", "NO000000001MVA"]
)
def test_real_numbers_are_no_placeholders(number: str) -> None:
    """It leaves numbers with any digit other than 0 alone (the portal's Copaco example first)."""
    assert placeholder_problem(number) is None


# Non-EU VAT numbers as other validators' suites write them: after the country's ISO code,
# and Norway's without MVA (jsvat's norway, russia and serbia lists; Skatteetaten: the VAT
# number is the organisation number followed by MVA).
@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [
        ("NO864234232", "NO", "864234232MVA"),
        ("974760673", "NO", "974760673MVA"),
        ("NO 974 760 673 MVA", "NO", "974760673MVA"),
        ("RU0274051582", "RU", "0274051582"),
        ("RS100010812", "RS", "100010812"),
        ("ADU132950X", "AD", "U132950X"),
    ],
)
def test_a_non_eu_vat_number_after_its_country_code_or_without_mva_is_accepted(
    value: str, country: str, stored: str
) -> None:
    """It reads the number after its ISO code, and a Norwegian one without MVA, as the same number."""
    assert normalize_tax_id(value, country) == (stored, None, "")


@pytest.mark.parametrize(
    ("value", "country"), [("NO974760674", "NO"), ("RU0274051583", "RU"), ("974760674MVA", "NO")]
)
def test_a_wrong_check_digit_stays_invalid_with_or_without_the_prefix(value: str, country: str) -> None:
    """It still rejects a number whose check digit fails, however it is written."""
    assert normalize_tax_id(value, country).code == "invalid_tax_id"


@pytest.mark.parametrize("uid", ["CHE-116.281.710", "CHE116281710", "che 116 281 710"])
def test_a_swiss_uid_without_its_vat_suffix_says_the_suffix_is_missing(uid: str) -> None:
    """It rejects a Swiss UID given as the VAT number, naming the missing MWST/TVA/IVA
    (the UID alone does not show a VAT registration), and accepts it with the suffix."""
    found = normalize_tax_id(uid, "CH")
    assert found.code == "invalid_tax_id" and "without MWST, TVA or IVA" in found.message
    assert normalize_tax_id(f"{uid} MWST", "CH").value == "CHE116281710MWST"
    assert "MWST" not in normalize_tax_id("CHE-116.281.711", "CH").message  # a wrong number is just wrong


@pytest.mark.parametrize(
    ("typed", "country", "stored", "code"),
    [
        ("XI980780684", "GB", "XI980780684", None),  # Northern Ireland's prefix for goods (Windsor Framework)
        ("XI 980 7806 84", "GB", "XI980780684", None),
        ("XI980780684", "NL", None, "tax_id_country_mismatch"),
        ("980780684", "GB", "GB980780684", None),  # the module's bare number keeps its prefix
        ("GB000000000", "GB", None, "invalid_tax_id"),  # zeros pass HMRC's arithmetic
    ],
)
def test_british_numbers_with_their_prefixes(
    typed: str, country: str, stored: str | None, code: str | None
) -> None:
    """It accepts a Northern Irish XI number for a British customer (and names it British
    elsewhere), stores a bare British number with GB, and keeps zeros a placeholder even
    where HMRC's ranges would pass them."""
    found = normalize_tax_id(typed, country)
    assert (found.value, found.code) == (stored, code)
