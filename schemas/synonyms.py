"""Header synonyms per canonical field, in the order of the portal's form.

The first name of each list is the portal's own label. Matching ignores case, spaces,
accents and punctuation (see `header_key`). `onboard.toml` can add more names.
"""

from __future__ import annotations

import re
import unicodedata

SYNONYMS: dict[str, tuple[str, ...]] = {
    "short_name": ("Short name", "Company short name", "Korte naam", "Kurzname", "Nom court"),
    "full_name": (
        "Full name",
        "Company name",
        "Legal name",
        "Bedrijfsnaam",
        "Statutaire naam",
        "Firmenname",
        "Raison sociale",
    ),
    "erp_id": (
        "ERP ID",
        "Customer ID",
        "Customer number",
        "Debiteurnummer",
        "Klantnummer",
        "Kundennummer",
        "Numéro client",
    ),
    "registration_number": (
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
    "tax_id": (
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
    "currency": ("Currency", "Valuta", "Währung", "Devise"),
    "industry": ("Industry", "Branche", "Sector", "Secteur"),
    "country": ("Country", "Land", "Pays"),
    "city": ("City", "Town", "Plaats", "Woonplaats", "Stad", "Ort", "Stadt", "Ville"),
    "state": ("State/Province", "State", "Province", "Region", "Provincie", "Bundesland", "Région"),
    "address": ("Address", "Street", "Address line 1", "Adres", "Straat", "Straße", "Strasse", "Adresse"),
    "address2": (
        "Secondary address",
        "Address line 2",
        "Adres 2",
        "Adresregel 2",
        "Adresszusatz",
        "Complément d'adresse",
    ),
    "postal_code": (
        "Zip/Postal code",
        "Zip",
        "Zip code",
        "Postal code",
        "Postcode",
        "PLZ",
        "Postleitzahl",
        "Code postal",
    ),
    "contact_first_name": ("First name", "Given name", "Voornaam", "Vorname", "Prénom"),
    "contact_last_name": ("Last name", "Surname", "Family name", "Achternaam", "Nachname", "Nom"),
    "contact_role": ("Role", "Job title", "Function", "Functie", "Rol", "Funktion", "Fonction"),
    "contact_email": ("Email address", "Email", "E-mail", "E-mailadres", "E-Mail-Adresse", "Courriel"),
    "contact_phone": (
        "Phone number",
        "Phone",
        "Telephone",
        "Telefoonnummer",
        "Telefoon",
        "Telefonnummer",
        "Telefon",
        "Téléphone",
    ),
}

OPTIONAL_FIELDS = frozenset({"state", "address2", "postal_code"})
REQUIRED_FIELDS = tuple(f for f in SYNONYMS if f not in OPTIONAL_FIELDS)

# The column our rejects.xlsx adds; a re-dropped reject file is read without it.
ERRORS_COLUMN = "Errors"

_NOT_ALNUM = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """Fold a header or value for matching: no case, accents, spaces or punctuation.

    "Zip/Postal code", "zip postal-code" and "ZIP_POSTAL_CODE" share one key.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", stripped.casefold())


def label(field: str) -> str:
    """The portal's label of a canonical field, for messages."""
    return SYNONYMS[field][0]
