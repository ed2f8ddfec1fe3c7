"""The Irish Eircode by its real structure, not Google's `[\\dA-Z]{3} ?[\\dA-Z]{4}`.

An Eircode is a routing key (one of the 139 that Eircode publishes, a letter and two
digits, or `D6W`) and a unique identifier of four characters from a restricted set:
the digits and the letters A C D E F H K N P R T V W X Y, chosen so that none can be
misread as another (Eircode, "Eircode address and postcode structure"; the routing keys
from Eircode's routing-key list).

A character outside that set is certainly wrong. A routing key outside the list is only
doubtful (Eircode may add keys, and its own illustration `A65 F4E2`, which Google's data
repeats, uses one that is not on the list): it is accepted with a warning.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Eircode's published routing keys (each names a principal post town), 139 in all.
ROUTING_KEYS = frozenset(
    """
    A41 A42 A45 A63 A67 A75 A81 A82 A83 A84 A85 A86 A91 A92 A94 A96 A98 C15 D01 D02 D03
    D04 D05 D06 D07 D08 D09 D10 D11 D12 D13 D14 D15 D16 D17 D18 D20 D22 D24 D6W E21 E25
    E32 E34 E41 E45 E53 E91 F12 F23 F26 F28 F31 F35 F42 F45 F52 F56 F91 F92 F93 F94 H12
    H14 H16 H18 H23 H53 H54 H62 H65 H71 H91 K32 K34 K36 K45 K56 K67 K78 N37 N39 N41 N91
    P12 P14 P17 P24 P25 P31 P32 P36 P43 P47 P51 P56 P61 P67 P72 P75 P81 P85 R14 R21 R32
    R35 R42 R45 R51 R56 R93 R95 T12 T23 T34 T45 T56 V14 V15 V23 V31 V35 V42 V92 V93 V94
    V95 W12 W23 W34 W91 X35 X42 X91 Y14 Y21 Y25 Y34 Y35
    """.split()  # noqa: SIM905 (the list as Eircode prints it, 21 keys a line)
)
# The characters of the unique identifier, and the letters a routing key starts with:
# digits and 15 letters (never B G I J L M O Q S U Z).
IDENTIFIER_CHARACTERS = "0123456789ACDEFHKNPRTVWXY"
_SHAPE = re.compile(r"([A-Z][0-9]{2}|D6W)([A-Z0-9]{4})")


class Eircode(NamedTuple):
    """An Eircode in its canonical form (`D02 X285`), or why the text is none.

    `doubt` is set for an Eircode of the right structure whose routing key is not on
    Eircode's list: the value is kept, with that doubt as a warning.
    """

    canonical: str | None
    problem: str = ""
    doubt: str = ""


def check_eircode(text: str) -> Eircode:
    """The canonical Eircode of `text`, or the reason it cannot be one."""
    match = _SHAPE.fullmatch(re.sub(r"[\s-]", "", text.upper()))
    if match is None:
        return Eircode(None, "an Eircode is a routing key such as D02 and four characters, e.g. D02 X285")
    key, identifier = match.groups()
    wrong = sorted({char for char in key[0] + identifier if char not in IDENTIFIER_CHARACTERS})
    if wrong:
        letters = " or ".join(wrong)
        return Eircode(None, f"an Eircode never holds the letter {letters} (Eircode leaves it out)")
    canonical = f"{key} {identifier}"
    if key not in ROUTING_KEYS:
        return Eircode(canonical, doubt=f"{key} is not one of the 139 routing keys Eircode publishes")
    return Eircode(canonical)
