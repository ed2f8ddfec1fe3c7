"""VAT numbers beyond the check digit (`schemas/authority/tax_ids.py`).

Sources: the GB vectors are valvat's (yolk/valvat, spec/valvat/checksum/gb_spec.rb), whose
ranges are HMRC's; the all-zero numbers are those python-stdnum 2.2 accepts (measured:
its arithmetic gives 0 for them), which no tax authority issues.
"""

from __future__ import annotations

import pytest
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

from schemas.authority.tax_ids import gb_range_problem, placeholder_problem

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
