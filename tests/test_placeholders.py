"""The placeholder check decided over the whole column by pyarrow's RE2, proven equal to
the rule as written for Python's re (`schemas.checks.PLACEHOLDERS`, fullmatch).

RE2 and Python's re disagree on `\\s` and on ignore-case beyond ASCII, so the check
spells the words without either (`ignorecase_spelled`); these tests hold that spelling
to what Python's re does on every code point, then the whole check to the rule on
generated values.
"""

from __future__ import annotations

import re
import string

import pandas as pd
import pyarrow as arrow
import pyarrow.compute as compute
import pytest
from factories import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.checks import PLACEHOLDER_WORDS, PLACEHOLDERS, placeholder_value
from schemas.rules.text import _IGNORECASE_EXTRAS, _PYTHON_SPACES


@pytest.fixture(scope="module")
def every_character() -> list[str]:
    return [chr(point) for point in range(0x110000) if not 0xD800 <= point < 0xE000]


def _class_members(spelled: str) -> set[str]:
    """The characters of a class's inside as spelled (single characters and a-b ranges)."""
    members, position = set(), 0
    while position < len(spelled):
        if position + 2 < len(spelled) and spelled[position + 1] == "-":
            members |= {chr(c) for c in range(ord(spelled[position]), ord(spelled[position + 2]) + 1)}
            position += 3
        else:
            members.add(spelled[position])
            position += 1
    return members


def test_the_spelled_white_space_is_pythons_on_every_code_point(every_character: list[str]) -> None:
    """It spells `\\s` as exactly the characters Python's re matches with it."""
    pythons = {c for c in every_character if re.fullmatch(r"\s", c)}
    assert _class_members(_PYTHON_SPACES) == pythons


def test_the_spelled_letters_are_pythons_ignorecase_on_every_code_point(every_character: list[str]) -> None:
    """It spells each ASCII letter as exactly the characters Python's ignore-case matches
    it with (the Kelvin sign for k, the long s, the dotted and dotless i), and RE2 reads
    that class as the same characters."""
    matched = [c for c in every_character if re.fullmatch("(?i:[a-z])", c)]
    extras = {c: [x for x in string.ascii_lowercase if re.fullmatch(f"(?i:{x})", c)] for c in matched}
    beyond_ascii = {c: letters for c, letters in extras.items() if c not in string.ascii_letters}
    assert beyond_ascii == {c: [x] for x, found in _IGNORECASE_EXTRAS.items() for c in found}
    spelled = "".join(string.ascii_letters) + "".join(_IGNORECASE_EXTRAS.values())
    re2 = compute.match_substring_regex(arrow.array(every_character), f"^[{spelled}]$").to_pylist()
    assert [c for c, hit in zip(every_character, re2, strict=True) if hit] == matched


def _check(values: list[str]) -> list[bool]:
    """What the pandera check decides, over an Arrow string column as the schema gets it."""
    column = pd.Series(pd.array(values, dtype="str"))
    return list(~placeholder_value(column))


def _rule(values: list[str]) -> list[bool]:
    return [re.fullmatch(PLACEHOLDERS, value) is not None for value in values]


KNOWN = [
    "n/a",
    "N/A",
    "n.v.t.",
    "N.V.T",
    "nvt",
    "k.A.",
    "K.a",
    "keine Angabe",
    "unknown",
    "Onbekend",
    "inconnue",
    "not applicable",
    "Niet van toepassing",
    "nicht bekannt",
    "sans objet",
    "non connu",
    "-",
    "?",
    "...",
    "—",
    "_",
    "…",
    "n / a",
    "n/\u00a0a",
    "\u212aeine angabe",
    "unbe\u212aannt",
    "\u0130nconnu",
    "\u017fans objet",
    "n\x1c/\x1ca",
    "Na",
    "TBA",
    "X",
    "n/ab",
    "nvtt",
    "Kees",
    "Inc.",
    "n/a b",
    "Nico",
    "not",
    "1",
    "東京",
    "é",
    "ß",
]


def test_known_values_are_decided_as_the_rule_decides_them() -> None:
    """It finds the placeholders of every language listed (in any case, with odd spaces
    and Python's case variants) and passes real values, exactly as the rule does."""
    assert _check(KNOWN) == _rule(KNOWN)
    assert _rule(["n/a", "-", "Na", "TBA"]) == [True, True, False, False]


_ALPHABET = st.sampled_from(
    [
        *"nNvVtTkKaAbBdDeEiIgGuUwWoOcCpPlLmMsSjzZrRhHfFxX./-?_ …—'0123456789éß東",
        *("\u212a", "\u017f", "\u0130", "\u0131", "\u00a0", "\x1c", "\x85", "\u3000", "\t"),
    ]
)
_WORDS = [word for word in re.split(r"\|", PLACEHOLDER_WORDS) if word.isalpha()]


@st.composite
def near_placeholders(draw: st.DrawFn) -> str:
    """A placeholder word in random case, or one a character away, or random text."""
    kind = draw(st.integers(0, 2))
    if kind == 2:
        return draw(st.text(_ALPHABET, min_size=1, max_size=12))
    word = draw(st.sampled_from([*_WORDS, "n/a", "n.v.t.", "k.a.", "keine angabe", "not known"]))
    word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    if kind == 1:
        at = draw(st.integers(0, len(word)))
        word = word[:at] + draw(_ALPHABET) + word[at + draw(st.integers(0, 1)) :]
    return word


@examples(quick=40, thorough=400)
def test_the_check_is_the_rule_on_generated_values(examples: int) -> None:
    """It decides every generated value (placeholders in any case, near misses, marks,
    odd spaces, other scripts) as the rule does."""

    @settings(max_examples=examples, deadline=None)
    @given(st.lists(near_placeholders(), min_size=1, max_size=60))
    def check(values: list[str]) -> None:
        assert _check(values) == _rule(values)

    check()


@pytest.mark.parametrize("blank", [None, pd.NA])
def test_a_blank_cell_is_no_placeholder(blank: object) -> None:
    """It passes a blank cell (a missing value is another check's business)."""
    column = pd.Series(pd.array(["n/a", blank, "Copaco"], dtype="str"))
    assert list(placeholder_value(column)) == [False, True, True]
