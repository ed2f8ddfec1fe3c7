"""Countries and currencies that ISO lists but no new customer has (`schemas/authority/currencies.py`,
the country rule's withdrawn codes).

Sources: ISO 3166-3 (formerly used country codes, as pycountry's `historic_countries` carries
them: AN Netherlands Antilles 2010, YU Yugoslavia 2003, CS twice); ISO 4217 List Three
(historic denominations: the euro area's former currencies, ANG → XCG, VEF → VES) and List
One (the X codes that are no currency: XTS, XXX, the metals, the units of account).
"""

from __future__ import annotations

import pycountry
import pytest

from schemas.authority import currencies
from schemas.rules.country import normalize_country
from schemas.rules.currency import normalize_currency


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("AN", "Netherlands Antilles (AN, withdrawn in 2010)"),
        ("ANT", "Netherlands Antilles"),
        ("YU", "Yugoslavia (YU, withdrawn in 2003)"),
        (
            "CS",
            "Czechoslovakia (CS, withdrawn in 1993) and then Serbia and Montenegro (CS, withdrawn in 2006)",
        ),
        ("Czechoslovakia", "Czechoslovakia"),
        ("Soviet Union", "USSR (SU"),
        ("East Germany", "German Democratic Republic (DD"),
    ],
)
def test_a_withdrawn_country_is_named_as_such(value: str, named: str) -> None:
    """It rejects a country ISO 3166-1 withdrew, saying which and when."""
    outcome = normalize_country(value)
    assert (outcome.value, outcome.code) == (None, "unknown_country")
    assert named in outcome.message and "no country today" in outcome.message


@pytest.mark.parametrize(("value", "code"), [("BQ", "BQ"), ("GE", "GE"), ("SK", "SK"), ("East Timor", "TL")])
def test_a_code_iso_gave_again_is_todays_country(value: str, code: str) -> None:
    """It reads a withdrawn code that ISO reassigned (BQ, GE, SK) as today's country."""
    assert normalize_country(value).value == code


def test_an_unknown_country_keeps_its_message() -> None:
    """It says a value that never was a country is not a known country name or ISO code."""
    assert normalize_country("Narnia").message == "Country 'Narnia' is not a known country name or ISO code"


@pytest.mark.parametrize(
    ("value", "successor"),
    [
        ("NLG", "EUR"),
        ("dem", "EUR"),
        ("Deutsche Mark", "EUR"),
        ("HRK", "EUR"),
        ("ANG", "XCG"),
        ("VEF", "VES"),
    ],
)
def test_a_withdrawn_currency_names_its_successor(value: str, successor: str) -> None:
    """It rejects a currency ISO 4217 withdrew and says which code replaced it."""
    outcome = normalize_currency(value)
    assert (outcome.value, outcome.code) == (None, "unknown_currency")
    assert outcome.message.endswith(f"use {successor}")


@pytest.mark.parametrize("value", ["XTS", "XXX", "XAU", "xdr", "Sucre"])
def test_a_code_that_is_no_currency_is_rejected(value: str) -> None:
    """It rejects ISO 4217 codes for testing, no currency, metals and units of account."""
    outcome = normalize_currency(value)
    assert outcome.code == "unknown_currency"
    assert "is no currency a customer pays in" in outcome.message


def test_the_tables_hold_no_current_currency_and_every_successor_is_current() -> None:
    """It never rejects a current currency as withdrawn, and every successor is one."""
    current = {c.alpha_3 for c in pycountry.currencies}
    assert set(currencies.REPLACED_BY) & current == set()
    assert set(currencies.REPLACED_BY.values()) <= current
    assert set(currencies.NOT_MONEY) <= current


@pytest.mark.parametrize("value", ["EUR", "€", "Euro", "XCG", "XOF", "XAF", "XPF", "XCD", "CHW", "CLF"])
def test_currencies_and_fund_codes_pass(value: str) -> None:
    """It accepts currencies, the X codes that are currencies (XOF, XAF, XPF, XCD) and fund codes."""
    assert normalize_currency(value).ok
