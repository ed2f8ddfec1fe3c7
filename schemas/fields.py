"""The field registry: every fact about each canonical field, stated once.

A field's portal label and header synonyms, whether it is required, how long it may
be, whether Excel may have turned its digits into scientific notation, and its rule
with the codes that rule reports. The Pandera schema (`schemas/customer.py`), the
store's columns, the header matching, the sample sheets and the tests' factories are
built from `FIELDS`. Adding a field, or a rule to a field, is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

from schemas.rules.address import STATE_FROM_POSTCODE, normalize_postal_code, normalize_state
from schemas.rules.contact import normalize_email, normalize_phone
from schemas.rules.country import normalize_country
from schemas.rules.currency import normalize_currency, normalize_industry
from schemas.rules.outcome import Outcome
from schemas.rules.registration import normalize_registration_number
from schemas.rules.tax_id import normalize_tax_id

ValueRule = Callable[[str], Outcome]
CountryRule = Callable[[str, str], Outcome]
# What a rule takes besides the value: nothing, the row's country, or a configured list.
RuleInput = Literal["value", "country", "currencies", "industries"]

# The columns our rejects.xlsx adds; a re-dropped reject file is read without them.
ERRORS_COLUMN = "Errors"
ROW_COLUMN = "Original row"
REPORT_COLUMNS = (ROW_COLUMN, ERRORS_COLUMN)


@dataclass(frozen=True)
class Field:
    """One canonical field of the portal's Create form.

    `synonyms` are the header names that map onto it, the portal's own label first.
    `digits`: the field holds digits, which Excel likes to show as 1.23457E+11. `rule`
    normalizes a value (taking `takes` besides it) and reports `codes`; `costly` rules
    (15–45 µs a value in their libraries) are computed ahead, once per distinct value,
    on every core (`pipeline/outcomes.py`). `warnings` are the warning codes checks find
    about it; `rule_warnings` those its rule gives with the value it keeps. A rule that
    `reads` another field is given that field's value too, where its own is blank and the
    country is one of `reads_for` (the state: the postcode that names the province).
    `personal`: it identifies a person (GDPR personal data), so what we print to a
    terminal or a log masks it; the reports and the store hold it in full.
    """

    name: str
    synonyms: tuple[str, ...]
    required: bool = True
    max_length: int = 200
    digits: bool = False
    rule: Callable[..., Outcome] | None = None
    takes: RuleInput = "value"
    codes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    rule_warnings: tuple[str, ...] = ()
    costly: bool = False
    reads: str = ""
    reads_for: tuple[str, ...] = ()
    personal: bool = False

    @property
    def label(self) -> str:
        """The portal's label of the field, for messages and the sheets we write."""
        return self.synonyms[0]

    @property
    def takes_placeholders(self) -> bool:
        """True for a required field whose rule would store a placeholder (`n/a`, `-`):
        text without a rule, the ERP ID, and the numbers some countries check by shape only."""
        return self.required and (self.rule is None or self.name in ("registration_number", "tax_id"))

    @property
    def country_dependent(self) -> bool:
        """True when the field's rule depends on the row's country (a frame-level check)."""
        return self.takes == "country"


def _registry(*fields: Field) -> dict[str, Field]:
    return {field.name: field for field in fields}


# In the order of the portal's form.
FIELDS: dict[str, Field] = _registry(
    Field(
        "short_name",
        ("Short name", "Company short name", "Korte naam", "Kurzname", "Nom court"),
        max_length=50,
    ),
    Field(
        "full_name",
        (
            "Full name",
            "Company name",
            "Legal name",
            "Bedrijfsnaam",
            "Statutaire naam",
            "Firmenname",
            "Raison sociale",
        ),
    ),
    Field(
        "erp_id",
        (
            "ERP ID",
            "Customer ID",
            "Customer number",
            "Debiteurnummer",
            "Klantnummer",
            "Kundennummer",
            "Numéro client",
        ),
        max_length=50,
        digits=True,
        codes=("duplicate_in_file",),
    ),
    Field(
        "registration_number",
        (
            "Registration number",
            "Chamber of Commerce",
            "CoC number",
            "KvK",
            "KvK-nummer",
            "Handelsregisternummer",
            "SIREN",
            "SIRET",
            "Numéro d'immatriculation",
        ),
        max_length=50,
        digits=True,
        rule=normalize_registration_number,
        takes="country",
        codes=("invalid_registration_number",),
        rule_warnings=("registration_number_unverified",),
        costly=True,
    ),
    Field(
        "tax_id",
        (
            "Tax ID",
            "VAT",
            "VAT number",
            "BTW",
            "BTW-nummer",
            "USt-IdNr.",
            "Umsatzsteuer-ID",
            "Numéro de TVA",
            "TVA",
        ),
        max_length=50,
        digits=True,
        rule=normalize_tax_id,
        takes="country",
        codes=("invalid_tax_id", "tax_id_country_mismatch"),
        warnings=("tax_id_unverified", "duplicate_tax_id"),
        costly=True,
    ),
    Field(
        "currency",
        ("Currency", "Valuta", "Währung", "Devise"),
        max_length=50,
        rule=normalize_currency,
        takes="currencies",
        codes=("unknown_currency", "currency_not_allowed"),
    ),
    Field(
        "industry",
        ("Industry", "Branche", "Sector", "Secteur"),
        rule=normalize_industry,
        takes="industries",
        codes=("unknown_industry",),
    ),
    Field(
        "country",
        ("Country", "Land", "Pays", "Country/Region"),
        rule=normalize_country,
        codes=("unknown_country",),
    ),
    Field("city", ("City", "Town", "Plaats", "Woonplaats", "Stad", "Ort", "Stadt", "Ville")),
    Field(
        "state",
        ("State/Province", "State", "Province", "Region", "Provincie", "Bundesland", "Région"),
        required=False,
        rule=normalize_state,
        takes="country",
        codes=("unknown_state", "state_required"),
        rule_warnings=("state_from_postal_code",),
        costly=True,
        reads="postal_code",
        reads_for=STATE_FROM_POSTCODE,
    ),
    Field(
        "address",
        ("Address", "Street", "Address line 1", "Adres", "Straat", "Straße", "Strasse", "Adresse"),
    ),
    Field(
        "address2",
        (
            "Secondary address",
            "Address line 2",
            "Adres 2",
            "Adresregel 2",
            "Adresszusatz",
            "Complément d'adresse",
        ),
        required=False,
    ),
    Field(
        "postal_code",
        (
            "Zip/Postal code",
            "Zip",
            "Zip code",
            "Postal code",
            "Postcode",
            "PLZ",
            "Postleitzahl",
            "Code postal",
        ),
        required=False,
        max_length=20,
        digits=True,
        rule=normalize_postal_code,
        takes="country",
        codes=("invalid_postal_code", "postal_code_required"),
        rule_warnings=("postal_code_unverified",),
        costly=True,
    ),
    Field("contact_first_name", ("First name", "Given name", "Voornaam", "Vorname", "Prénom"), personal=True),
    Field(
        "contact_last_name",
        ("Last name", "Surname", "Family name", "Achternaam", "Nachname", "Nom"),
        personal=True,
    ),
    Field("contact_role", ("Role", "Job title", "Function", "Functie", "Rol", "Funktion", "Fonction")),
    Field(
        "contact_email",
        ("Email address", "Email", "E-mail", "E-mailadres", "E-Mail-Adresse", "Courriel"),
        max_length=254,
        rule=normalize_email,
        codes=("invalid_email",),
        costly=True,
        personal=True,
    ),
    Field(
        "contact_phone",
        (
            "Phone number",
            "Phone",
            "Telephone",
            "Telefoonnummer",
            "Telefoon",
            "Telefonnummer",
            "Telefon",
            "Téléphone",
            "Tel",
        ),
        max_length=50,
        digits=True,
        rule=normalize_phone,
        takes="country",
        codes=("invalid_phone",),
        rule_warnings=("phone_other_country",),
        costly=True,
        personal=True,
    ),
)

REQUIRED = tuple(name for name, field in FIELDS.items() if field.required)
# The field each field-specific code is about (frame-level checks report every column).
FIELD_OF_CODE: dict[str, str] = {
    code: field.name
    for field in FIELDS.values()
    for code in (*field.codes, *field.warnings, *field.rule_warnings)
}
# The warnings rules give with the values they keep, reported from the rules' outcomes.
PERSONAL = frozenset(name for name, field in FIELDS.items() if field.personal)
RULE_WARNINGS = frozenset(code for field in FIELDS.values() for code in field.rule_warnings)


def label(field: str) -> str:
    """The portal's label of a canonical field, for messages."""
    return FIELDS[field].label


def country_rules() -> dict[str, CountryRule]:
    """The rule of every field that depends on the row's country, by field."""
    return {name: f.rule for name, f in FIELDS.items() if f.rule is not None and f.takes == "country"}


def value_rules(industries: tuple[str, ...], currencies: tuple[str, ...]) -> dict[str, ValueRule]:
    """The rule of every field that does not depend on the country, bound to the configuration."""
    bound: dict[RuleInput, dict[str, tuple[str, ...]]] = {
        "value": {},
        "currencies": {"allowed": currencies},
        "industries": {"industries": industries},
    }
    return {
        name: partial(f.rule, **bound[f.takes]) if bound[f.takes] else f.rule
        for name, f in FIELDS.items()
        if f.rule is not None and f.takes != "country"
    }
