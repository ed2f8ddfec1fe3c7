"""Values a spreadsheet read as numbers and so lost their leading zeros.

Excel and LibreOffice read a cell of digits typed without a Text format as a number:
`01067` becomes `1067`, `0031 40 …` becomes `3140…`. The digits are gone from the file
(LIBRARY-NOTES: "leading zeros that exist only through a cell's number format are
lost"), so no rule can restore them safely; the message says what happened and how to
keep them next time.
"""

from __future__ import annotations

from collections.abc import Callable

ADVICE = (
    "a spreadsheet read the cell as a number and dropped the leading zero; "
    "format the column as Text and type the value again with its zeros"
)


def restored(value: str, fits: Callable[[str], bool], most: int = 2) -> str | None:
    """`value` with the fewest leading zeros (up to `most`) that make it fit, or None.

    Only a value of digits alone can have lost zeros; one that already fits has lost none.
    """
    if not value.isdigit() or fits(value):
        return None
    for count in range(1, most + 1):
        candidate = "0" * count + value
        if fits(candidate):
            return candidate
    return None


def lost_zero_note(candidate: str) -> str:
    """What a message adds when the value fits its field as `candidate`, with its zeros."""
    return f"it may be {candidate}: {ADVICE}"
