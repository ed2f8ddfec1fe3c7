"""VAT numbers that pass the check-digit arithmetic but cannot have been issued.

python-stdnum checks a number's format and check digits. Two kinds of number pass those
and still are no VAT number:

- **Placeholders**: all zeros. Several countries' arithmetic gives 0 for them (BG, EE,
  FI, GR, HU, LU, PL, GB, NO, XI among those we check), and spreadsheets are full of
  `000000000` typed to get past a required field. No tax authority issues one. This
  holds where no check exists too (accepted unverified otherwise), and so does a number
  without a digit or letter (`-`, `/`), which would be stored empty.
- **GB numbers in ranges HMRC never issues.** HMRC's check for a 9-digit VAT number (and
  the first 9 digits of a 12-digit branch number) is a weighted sum of the first 7 digits
  with the last 2, modulo 97: the old scheme (remainder 0) and, since 2010, the "9755"
  scheme (remainder 0 after adding 55). HMRC issues old-scheme numbers only outside the
  blocks 0100000–0999999, 9490001–9700000 and 9990001–9999999 of the first 7 digits, and
  new-scheme numbers only from 1000001 up. stdnum checks the arithmetic alone; these
  ranges are as HMRC gave them to software developers, and as the validators jsvat
  (braemoor) and valvat implement them.
"""

from __future__ import annotations

_WEIGHTS = (8, 7, 6, 5, 4, 3, 2)
# HMRC: blocks of the first 7 digits not issued under each scheme.
Blocks = tuple[tuple[int, int], ...]
_OLD_SCHEME_UNISSUED: Blocks = ((100_000, 999_999), (9_490_001, 9_700_000), (9_990_001, 9_999_999))
_NEW_SCHEME_UNISSUED: Blocks = ((0, 1_000_000),)


def placeholder_problem(compact: str) -> str | None:
    """Why a compact VAT number (prefix and all) is a placeholder (None when it is not)."""
    if not any(char.isalnum() for char in compact):
        return "it holds no digit or letter: a placeholder, never an issued VAT number"
    digits = "".join(char for char in compact if char.isdigit())
    if digits and set(digits) == {"0"}:
        return "a number of zeros only is a placeholder, never an issued VAT number"
    return None


def gb_range_problem(compact: str) -> str | None:
    """Why a GB VAT number that passes the check digits was never issued (None: it may be).

    `compact` is `GB` or `XI` and 9 or 12 digits; government departments (`GD…`) and
    health authorities (`HA…`) have no check digits and are left alone.
    """
    digits = compact[2:] if compact[:2] in ("GB", "XI") else compact
    if not digits.isdigit() or len(digits) not in (9, 12):
        return None
    base, check = int(digits[:7]), int(digits[7:9])
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, digits[:7], strict=True))
    if (total + check) % 97 == 0:
        unissued = _OLD_SCHEME_UNISSUED
    elif (total + 55 + check) % 97 == 0:
        unissued = _NEW_SCHEME_UNISSUED
    else:
        return None
    if any(low <= base <= high for low, high in unissued):
        return "HMRC has never issued VAT numbers in that range"
    return None


def swiss_uid_hint(compact: str) -> str:
    """What is missing when a Swiss UID is given for the VAT number (empty otherwise).

    A Swiss VAT number is the enterprise's UID followed by MWST, TVA or IVA (Swiss Federal
    Tax Administration, "UID and VAT number"); the UID alone is every enterprise's number
    and does not show that it is registered for VAT.
    """
    from stdnum.ch import uid

    if not uid.is_valid(compact):
        return ""
    return (
        ": it is the enterprise's UID without MWST, TVA or IVA; a Swiss VAT number is the UID "
        "followed by one of them, and the UID alone does not show a VAT registration"
    )
