"""The Eircode's structure (`schemas/authority/eircode.py`).

Source of the routing keys: Eircode's published routing-key list (139 keys, each a
principal post town); of the character set: Eircode's description of the unique
identifier; `A65 F4E2` is Eircode's own illustration, repeated by Google's address data.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.authority.eircode import IDENTIFIER_CHARACTERS, ROUTING_KEYS, check_eircode


def test_there_are_139_routing_keys_and_dublin_6w_is_one() -> None:
    """It holds Eircode's 139 routing keys, the lowest, the highest and D6W among them."""
    assert len(ROUTING_KEYS) == 139
    assert {"A41", "D6W", "Y35", "T12", "V94"} <= ROUTING_KEYS


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("D02 X285", "D02 X285"),
        ("d02x285", "D02 X285"),
        ("D02-X285", "D02 X285"),
        ("D6W 1234", "D6W 1234"),  # Dublin 6W, the one routing key with a letter at its end
        ("A41 0000", "A41 0000"),  # lowest routing key
        ("Y35 YYYY", "Y35 YYYY"),  # highest routing key, last letter of the set
        ("T12 ACDE", "T12 ACDE"),
    ],
)
def test_a_real_eircode_is_stored_with_one_space(text: str, canonical: str) -> None:
    """It stores a valid Eircode as routing key, space, unique identifier."""
    assert check_eircode(text) == (canonical, "", "")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("D02 B285", "B"),  # B is not in the unique identifier's set
        ("D02 XO85", "O"),  # O could be misread as 0
        ("D02 X2I5", "I"),
        ("D02 S285", "S"),
        ("Z99 F4E2", "Z"),  # no routing key starts with Z
        ("B12 3456", "B"),
    ],
)
def test_a_letter_eircode_never_uses_is_rejected(text: str, named: str) -> None:
    """It rejects letters outside Eircode's character set and names the letter."""
    result = check_eircode(text)
    assert result.canonical is None
    assert named in result.problem


@pytest.mark.parametrize("text", ["D02 X28", "D02 X2855", "DO2 X285", "123 4567", "", "Dublin 2"])
def test_a_value_of_another_shape_is_no_eircode(text: str) -> None:
    """It rejects a value that is not a routing key and four characters."""
    assert check_eircode(text).canonical is None


def test_an_unlisted_routing_key_is_doubtful_not_wrong() -> None:
    """It keeps Eircode's illustration A65 F4E2, whose routing key is not on the list, with a doubt."""
    result = check_eircode("A65 F4E2")
    assert result.canonical == "A65 F4E2"
    assert "A65" in result.doubt


@given(st.sampled_from(sorted(ROUTING_KEYS)), st.text(alphabet=IDENTIFIER_CHARACTERS, min_size=4, max_size=4))
def test_every_listed_key_with_any_identifier_is_accepted(key: str, identifier: str) -> None:
    """It accepts every routing key with any identifier from the set, and is idempotent."""
    result = check_eircode(f"{key}{identifier}")
    assert result == (f"{key} {identifier}", "", "")
    assert check_eircode(result.canonical or "") == result
