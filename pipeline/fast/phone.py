"""Phone fast path: phonenumbers' own metadata, compiled per region into Arrow regexes.

It decides "valid, and this is the E.164 form" for the written forms `+CC …`, `00CC …`
(where the region's international prefix is a plain `00`) and the national form with the
trunk prefix (`0…`), separated by spaces, dots, dashes, slashes or brackets, and the
portal's `(0)`. It mirrors `phonenumbers.parse` + `is_valid_number` step by step and
leaves out whatever they do differently: regions sharing a calling code with a region
listed before them, national-prefix transform rules and carrier codes, a trunk prefix
after `+CC`, a national number a calling code could begin, letters and extensions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.fast._arrow import by_country, fullmatch

# Characters the fast path reads; anything else (letters, `x`, `#`, `;`, other scripts) is
# the library's. A `+` only in front, as normalize_phone and phonenumbers both take it.
_WRITTEN = r"\+?[0-9 ().\-/]{3,60}"
# normalize_phone drops the portal's "(0)" after an international prefix.
_TRUNK_ZERO = r"\( *0 *\)"
# The number types phonenumbers accepts as valid (`_number_type_helper`).
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@dataclass(frozen=True)
class Desc:
    """A phonenumbers number description: a national-number pattern and its lengths."""

    pattern: str
    lengths: tuple[int, ...]


@dataclass(frozen=True)
class Region:
    """What the fast path needs of one region's metadata."""

    calling_code: str
    trunk_prefix: str  # national prefix for parsing, literal digits ("" when none)
    international_prefix: str  # a regex
    plain_international_prefix: str  # the same when it is literal digits, else ""
    general: Desc
    local_only_lengths: tuple[int, ...]
    types: tuple[Desc, ...]


def _desc(raw: Any) -> Desc | None:
    if raw is None or not raw.national_number_pattern:
        return None
    return Desc(raw.national_number_pattern, tuple(raw.possible_length or ()))


@cache
def region(code: str) -> Region | None:
    """The compiled metadata of a region, or None where the fast path cannot be certain."""
    import phonenumbers
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    metadata = phonenumbers.PhoneMetadata.metadata_for_region(code)
    if metadata is None or metadata.national_prefix_transform_rule or metadata.country_code is None:
        return None
    # A shared calling code: phonenumbers gives the number to the first region that claims
    # it, so only the first, claiming by its full patterns, is certain.
    sharing = COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ())
    if not sharing or sharing[0] != code or metadata.leading_digits is not None:
        return None
    trunk = metadata.national_prefix_for_parsing or ""
    idd = metadata.international_prefix or ""
    general = _desc(metadata.general_desc)
    if not re.fullmatch(r"\d*", trunk) or general is None or metadata.general_desc is None or not idd:
        return None
    types = tuple(d for name in _TYPES if (d := _desc(getattr(metadata, name))) is not None)
    compiled = Region(
        calling_code=str(metadata.country_code),
        trunk_prefix=trunk,
        international_prefix=idd,
        plain_international_prefix=idd if re.fullmatch(r"\d+", idd) else "",
        general=general,
        local_only_lengths=tuple(metadata.general_desc.possible_length_local_only or ()),
        types=types,
    )
    return compiled if _compiles_in_re2(compiled) else None


def _compiles_in_re2(compiled: Region) -> bool:
    probe = arrow.array(["0"])
    try:
        for desc in (compiled.general, *compiled.types):
            fullmatch(probe, desc.pattern)
        pc.match_substring_regex(probe, f"^(?:{compiled.international_prefix})")
    except arrow.ArrowInvalid:
        return False
    return True


def _matches(numbers: arrow.Array, lengths: arrow.Array, desc: Desc) -> arrow.Array:
    ok = fullmatch(numbers, desc.pattern)
    if desc.lengths:
        ok = pc.and_(ok, pc.is_in(lengths, value_set=arrow.array(desc.lengths, arrow.int32())))
    return ok


def _valid(numbers: arrow.Array, compiled: Region) -> arrow.Array:
    """`is_valid_number` for national numbers of the region: the general description and
    at least one number type, each by pattern and possible lengths."""
    lengths = pc.cast(pc.utf8_length(numbers), arrow.int32())
    some_type = arrow.array(np.zeros(len(numbers), dtype=bool))
    for desc in compiled.types:
        some_type = pc.or_(some_type, _matches(numbers, lengths, desc))
    return pc.and_(_matches(numbers, lengths, compiled.general), some_type)


def _national_numbers(
    digits: arrow.Array, plus: arrow.Array, compiled: Region
) -> tuple[arrow.Array, arrow.Array]:
    """The national number of each value and whether its written form is a certain one."""
    code, trunk = compiled.calling_code, compiled.trunk_prefix
    after_code = pc.utf8_slice_codeunits(digits, len(code))
    # `+CC N`, with no trunk prefix on N (phonenumbers would strip it).
    no_trunk = pc.invert(pc.starts_with(after_code, trunk)) if trunk else pc.equal(after_code, after_code)
    international = pc.and_(pc.and_(plus, pc.starts_with(digits, code)), no_trunk)
    numbers = after_code
    idd = compiled.plain_international_prefix
    if idd:
        after_idd = pc.utf8_slice_codeunits(digits, len(idd) + len(code))
        dialled = pc.and_(pc.invert(plus), pc.starts_with(digits, idd + code))
        dialled = pc.and_(dialled, pc.invert(pc.starts_with(after_idd, trunk)) if trunk else dialled)
        numbers = pc.if_else(dialled, after_idd, numbers)
        international = pc.or_(international, dialled)
    # National form: not an international prefix; the trunk prefix where the region has one
    # (else not starting with the calling code, which phonenumbers may take as one).
    starts_idd = pc.match_substring_regex(digits, f"^(?:{compiled.international_prefix})")
    national = pc.and_(pc.invert(plus), pc.invert(starts_idd))
    if trunk:
        national = pc.and_(national, pc.starts_with(digits, trunk))
        stripped = pc.utf8_slice_codeunits(digits, len(trunk))
        local_only = pc.is_in(
            pc.cast(pc.utf8_length(stripped), arrow.int32()),
            value_set=arrow.array(compiled.local_only_lengths, arrow.int32()),
        )
        national = pc.and_(national, pc.invert(local_only))
    else:
        national = pc.and_(national, pc.invert(pc.starts_with(digits, code)))
        stripped = digits
    numbers = pc.if_else(national, stripped, numbers)
    return numbers, pc.or_(international, national)


def _decide_region(values: arrow.Array, country: str) -> arrow.Array | None:
    compiled = region(country)
    if compiled is None:
        return None
    written = fullmatch(values, _WRITTEN)
    prefixed = pc.or_(pc.starts_with(values, "+"), pc.starts_with(values, "00"))
    text = pc.if_else(prefixed, pc.replace_substring_regex(values, _TRUNK_ZERO, ""), values)
    digits = pc.replace_substring_regex(text, r"[^0-9]", "")
    plus = pc.starts_with(text, "+")
    numbers, certain_form = _national_numbers(digits, plus, compiled)
    decided = pc.and_(pc.and_(written, certain_form), _valid(numbers, compiled))
    e164 = pc.binary_join_element_wise("+" + compiled.calling_code, numbers, "")
    return pc.if_else(pc.fill_null(decided, False), e164, arrow.scalar(None, arrow.string()))


def decide(values: arrow.Array, countries: arrow.Array | None) -> arrow.Array:
    """E.164 of each phone number certainly valid in its row's country; null elsewhere."""
    return by_country(values, countries, _decide_region)
