"""Registration-number fast path: the rule's own patterns, stdnum's arithmetic and courts.

NL and GB: the rule's own register patterns over the compacted number. BE: the enterprise
number's mod-97 check, as stdnum's `be.vat`. DE: "Court HRB 12345" as typed most often;
stdnum's `handelsregisternummer` is asked once per distinct court and register type (its
verdict and the court's official name do not depend on the number), and the number is put
back. Everything else, and every rejection, is the rule's.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.fast._arrow import by_country, digit_matrix, fullmatch
from pipeline.fast.tax import be_valid

# A court of letters, spaces, brackets, dots and dashes; one space; the register; one
# space; a number as stdnum's `_number_re` takes it, without the qualifier.
_COURT_NUMBER = (
    r"^(?P<court>[\p{L}][\p{L} ().\-]*[\p{L})]) (?P<registry>HRA|HRB|GnR|PR|VR) (?P<nr>[1-9][0-9]{0,5})$"
)


@cache
def _court(court: str, registry: str) -> str | None:
    """stdnum's official name of a court, or None when stdnum does not know it."""
    from stdnum.de import handelsregisternummer
    from stdnum.exceptions import ValidationError

    template = f"{court} {registry} 1"
    try:
        checked = str(handelsregisternummer.validate(template))
    except ValidationError:
        return None
    suffix = f" {registry} 1"
    return checked[: -len(suffix)] if checked.endswith(suffix) else None


def _german(values: arrow.Array) -> arrow.Array:
    parts = pc.extract_regex(values, _COURT_NUMBER)
    court, registry, number = (parts.field(name) for name in ("court", "registry", "nr"))
    known = {
        (c, r): _court(c, r)
        for c, r in set(zip(court.to_pylist(), registry.to_pylist(), strict=True))
        if c is not None and r is not None
    }
    names = [known.get((c, r)) for c, r in zip(court.to_pylist(), registry.to_pylist(), strict=True)]
    official = arrow.array(names, type=arrow.string())
    return pc.binary_join_element_wise(official, registry, number, " ")


def _patterned(values: arrow.Array, pattern: str) -> arrow.Array:
    compact = pc.utf8_upper(pc.replace_substring_regex(values, r"[ .\-]", ""))
    decided = pc.and_(fullmatch(values, r"[A-Za-z0-9 .\-]{1,60}"), fullmatch(compact, pattern))
    # Zeros only is a placeholder a register never issues: left to the rule to judge.
    decided = pc.and_(decided, pc.invert(fullmatch(compact, "0+")))
    return pc.if_else(decided, compact, arrow.scalar(None, arrow.string()))


def _belgian(values: arrow.Array) -> arrow.Array:
    compact = pc.replace_substring_regex(values, r"[ .\-/]", "")
    number = pc.if_else(fullmatch(compact, r"\d{9}"), pc.binary_join_element_wise("0", compact, ""), compact)
    shaped = pc.and_(fullmatch(values, r"[0-9 .\-/]{1,60}"), fullmatch(number, r"[01]\d{9}"))
    rows = np.flatnonzero(shaped.to_numpy(zero_copy_only=False))
    decided = np.zeros(len(values), dtype=bool)
    if len(rows):
        decided[rows] = be_valid(digit_matrix(number.take(arrow.array(rows)), 10))
    return pc.if_else(arrow.array(decided), number, arrow.scalar(None, arrow.string()))


def _decide_country(values: arrow.Array, country: str) -> arrow.Array | None:
    from schemas.rules.registration import _PATTERNS

    if country in _PATTERNS:
        return _patterned(values, _PATTERNS[country][0].pattern)
    if country == "BE":
        return _belgian(values)
    if country == "DE":
        return _german(values)
    return None


def decide(values: arrow.Array, countries: arrow.Array | None) -> arrow.Array:
    """The stored registration number of each value certainly valid in its row's country."""
    return by_country(values, countries, _decide_country)
