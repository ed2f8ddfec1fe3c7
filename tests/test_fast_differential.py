"""The compiled fast paths (pipeline/fast/) against the rules: every value a fast path
decides, the rule decides identically (accepted, no problem code, the same stored form).

The corpora (tests/fast_corpus.py) are the libraries' own examples for every region they
support, written every way people write them, near misses, and Hypothesis strings; the
quick suite takes a few common countries, `make test-slow` every one.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from factories import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import fast
from schemas.fields import FIELDS
from schemas.rules.outcome import Outcome
from schemas.rules.text import clean_text
from tests import fast_corpus

Builder = Callable[[bool], list[fast_corpus.Pair]]
CORPORA: dict[str, Builder] = {
    "contact_phone": fast_corpus.phones,
    "contact_email": fast_corpus.emails,
    "postal_code": fast_corpus.postcodes,
    "tax_id": fast_corpus.tax_ids,
    "registration_number": fast_corpus.registrations,
}


def _rule(field: str, value: str, country: str) -> Outcome:
    rule = FIELDS[field].rule
    assert rule is not None
    outcome: Outcome = rule(value) if field == "contact_email" else rule(value, country)
    return outcome


def disagreements(field: str, pairs: list[fast_corpus.Pair]) -> tuple[list[str], int]:
    """The values the fast path decides otherwise than the rule, and how many it decided.

    Values are cleaned first, as validation hands them over (white space collapsed)."""
    values = pd.Series([clean_text(value) for value, _ in pairs], dtype=object)
    countries = None if field == "contact_email" else pd.Series([c for _, c in pairs], dtype=object)
    decided = fast.decide(field, values, countries)
    wrong = []
    for position in decided.dropna().index:
        value, country = values[position], ("" if countries is None else countries[position])
        outcome = _rule(field, value, country)
        if outcome != Outcome(decided[position]):
            wrong.append(f"{value!r} in {country}: fast {decided[position]!r}, rule {outcome}")
    return wrong, int(decided.notna().sum())


def _check(field: str, full: bool) -> None:
    pairs = list(dict.fromkeys(CORPORA[field](full)))
    wrong, decided = disagreements(field, pairs)
    assert not wrong, f"{len(wrong)} of {decided} decided values disagree, e.g. {wrong[:5]}"
    rejected = sum(1 for value, country in pairs[:3000] if _rule(field, clean_text(value), country).code)
    # The corpus must give the fast path work and the rule values to reject.
    assert decided > len(pairs) / 20, f"the fast path decided only {decided} of {len(pairs)}"
    assert rejected > 0


@pytest.mark.parametrize("field", sorted(CORPORA))
def test_fast_path_decides_as_the_rule_on_common_countries(field: str) -> None:
    """It decides each value of the quick corpus as the rule does, or leaves it to the rule."""
    _check(field, full=False)


@pytest.mark.slow
@pytest.mark.parametrize("field", sorted(CORPORA))
def test_fast_path_decides_as_the_rule_everywhere(field: str) -> None:
    """It decides each value of every supported region's corpus as the rule does."""
    _check(field, full=True)


_PHONE_TEXT = st.text(alphabet="0123456789 +()-./", min_size=3, max_size=20)
_COUNTRY = st.sampled_from(fast_corpus.QUICK_REGIONS)


@examples(quick=60, thorough=300)
def test_phone_fast_path_on_arbitrary_text(examples: int) -> None:
    """It never decides a phone-like string otherwise than phonenumbers and the rule."""

    @settings(max_examples=examples, deadline=None)
    @given(st.lists(st.tuples(_PHONE_TEXT, _COUNTRY), min_size=1, max_size=30))
    def agrees(pairs: list[fast_corpus.Pair]) -> None:
        assert disagreements("contact_phone", pairs)[0] == []

    agrees()


_ADDRESS = st.from_regex(r"[A-Za-z0-9._%+\-!#]{1,10}@[A-Za-z0-9.\-]{1,12}\.[A-Za-z0-9]{1,5}", fullmatch=True)


@examples(quick=50, thorough=300)
def test_email_fast_path_on_arbitrary_addresses(examples: int) -> None:
    """It never decides an address-like string otherwise than email-validator and the rule."""

    @settings(max_examples=examples, deadline=None)
    @given(st.lists(st.tuples(_ADDRESS, st.just("")), min_size=1, max_size=30))
    def agrees(pairs: list[fast_corpus.Pair]) -> None:
        assert disagreements("contact_email", pairs)[0] == []

    agrees()


_POSTCODE_TEXT = st.text(alphabet="0123456789ABSDEWaw -", min_size=1, max_size=9)


@examples(quick=50, thorough=200)
def test_postcode_fast_path_on_arbitrary_text(examples: int) -> None:
    """It never decides a postcode-like string otherwise than the rule."""

    @settings(max_examples=examples, deadline=None)
    @given(st.lists(st.tuples(_POSTCODE_TEXT, _COUNTRY), min_size=1, max_size=30))
    def agrees(pairs: list[fast_corpus.Pair]) -> None:
        assert disagreements("postal_code", [(clean_text(v), c) for v, c in pairs])[0] == []

    agrees()


_NUMBER_TEXT = st.text(alphabet="0123456789BNLDEFR .-/", min_size=1, max_size=16)


@examples(quick=50, thorough=200)
def test_tax_and_registration_fast_paths_on_arbitrary_text(examples: int) -> None:
    """They never decide a number-like string otherwise than stdnum and the rules."""

    @settings(max_examples=examples, deadline=None)
    @given(
        st.lists(
            st.tuples(_NUMBER_TEXT, st.sampled_from(["NL", "DE", "BE", "FR", "GB"])), min_size=1, max_size=30
        )
    )
    def agree(pairs: list[fast_corpus.Pair]) -> None:
        assert disagreements("tax_id", pairs)[0] == []
        assert disagreements("registration_number", pairs)[0] == []

    agree()
