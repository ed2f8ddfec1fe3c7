"""VAT fast path: stdnum's check-digit arithmetic for the most common countries, in numpy.

For NL, DE, BE and FR it decides "valid, stored as stdnum's compact form with the
country's prefix" for ASCII numbers of digits (and NL's `B`), typed with or without the
prefix, with spaces, dots, dashes or slashes; the same steps as `normalize_tax_id`
and stdnum's `nl.btw`, `de.vat`, `be.vat` and `fr.tva`. The rest (NL's mod-97 numbers
of sole proprietors, FR's letter keys, other countries) goes to stdnum.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.fast._arrow import by_country, digit_matrix, fullmatch

Digits = npt.NDArray[np.int64]
Verdicts = npt.NDArray[np.bool_]
_WRITTEN = r"[A-Za-z0-9 .\-/]{1,60}"
_SEPARATORS = r"[ .\-/]"


def _verdicts(result: object) -> Verdicts:
    return np.asarray(result, dtype=np.bool_)


def _nl(digits: Digits) -> Verdicts:
    # nl.bsn: the 11-test over the 9 digits before B; a number of zeros is no number.
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])
    return _verdicts(
        (digits[:, :9] @ weights % 11 == 0)
        & (digits[:, :9].sum(axis=1) > 0)
        & (digits[:, 10:].sum(axis=1) > 0)
    )


def _de(digits: Digits) -> Verdicts:
    # ISO 7064 mod 11,10 over the 9 digits, the first not 0.
    check = np.full(len(digits), 5, dtype=np.int64)
    for position in range(9):
        check = (np.where(check == 0, 10, check) * 2 % 11 + digits[:, position]) % 10
    return _verdicts((check == 1) & (digits[:, 0] != 0))


def be_valid(digits: Digits) -> Verdicts:
    # 10 digits, first 0 or 1: (the first eight + the last two) mod 97 == 0.
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    body = digits[:, :8] @ powers
    check = digits[:, 8] * 10 + digits[:, 9]
    return _verdicts(((body + check) % 97 == 0) & (digits[:, 0] <= 1) & ((body > 0) | (check > 0)))


def _luhn(digits: Digits) -> Verdicts:
    doubled = digits[:, ::-1].copy()
    doubled[:, 1::2] *= 2
    doubled[doubled > 9] -= 9
    return _verdicts(doubled.sum(axis=1) % 10 == 0)


def _fr(digits: Digits) -> Verdicts:
    # 2 key digits + SIREN (Luhn, except Monaco's 000…): key == (SIREN·100 + 12) mod 97.
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    siren = digits[:, 2:] @ powers
    key = digits[:, 0] * 10 + digits[:, 1]
    monaco = digits[:, 2:5].sum(axis=1) == 0
    return _verdicts((key == (siren * 100 + 12) % 97) & (monaco | _luhn(digits[:, 2:])))


# prefix → (shape of the compact number after the prefix, its width, the check)
_CHECKS: dict[str, tuple[str, int, Callable[[Digits], Verdicts]]] = {
    "NL": (r"\d{9}B\d{2}", 12, _nl),
    "DE": (r"\d{9}", 9, _de),
    "BE": (r"[01]\d{9}", 10, be_valid),
    "FR": (r"\d{11}", 11, _fr),
}


def _decide_country(values: arrow.Array, country: str) -> arrow.Array | None:
    if country not in _CHECKS:
        return None
    shape, width, check = _CHECKS[country]
    compact = pc.utf8_upper(pc.replace_substring_regex(values, _SEPARATORS, ""))
    # normalize_tax_id adds the prefix when missing; stdnum strips it again.
    number = pc.if_else(pc.starts_with(compact, country), pc.utf8_slice_codeunits(compact, 2), compact)
    if country == "BE":
        # be.vat: the old 9-digit form gains its leading 0.
        number = pc.if_else(fullmatch(number, r"\d{9}"), pc.binary_join_element_wise("0", number, ""), number)
    shaped = pc.and_(fullmatch(values, _WRITTEN), fullmatch(number, shape))
    rows = np.flatnonzero(shaped.to_numpy(zero_copy_only=False))
    decided = np.zeros(len(values), dtype=bool)
    if len(rows):
        candidates = number.take(arrow.array(rows))
        digits = digit_matrix(pc.replace_substring(candidates, "B", "0"), width)
        decided[rows] = check(digits)
    stored = pc.binary_join_element_wise(country, number, "")
    return pc.if_else(arrow.array(decided), stored, arrow.scalar(None, arrow.string()))


def decide(values: arrow.Array, countries: arrow.Array | None) -> arrow.Array:
    """The stored VAT number of each value certainly valid for its row's country."""
    return by_country(values, countries, _decide_country)
