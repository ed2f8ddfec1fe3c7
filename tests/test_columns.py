"""Header matching (`pipeline/columns.py`) against the synonyms of `schemas/synonyms.py`.

SPEC section 2: headers in English, Dutch, German and French map onto the canonical
fields whatever their case, spacing or punctuation; columns that map to nothing are named;
a missing required column stops the file and every missing one is named.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.columns import ColumnMap, count_known, field_frame, map_headers, synonym_index
from pipeline.issues import FileError
from pipeline.read import cells_frame
from schemas.codes import CODES
from schemas.fields import ERRORS_COLUMN, REQUIRED, label
from schemas.fields import FIELDS as FIELD_FACTS
from schemas.rules.text import header_key

FIELDS = tuple(FIELD_FACTS)
REQUIRED_FIELDS = REQUIRED
OPTIONAL_FIELDS = tuple(f for f in FIELDS if f not in REQUIRED)
# The portal's own labels, one per canonical field, in the portal's order.
PORTAL_HEADERS = [label(field) for field in FIELDS]

# One full header row per language, in the order of FIELDS.
ENGLISH = [
    "Company short name",
    "Legal name",
    "Customer number",
    "Chamber of Commerce",
    "VAT number",
    "Currency",
    "Industry",
    "Country",
    "Town",
    "Province",
    "Street",
    "Address line 2",
    "Zip code",
    "Given name",
    "Surname",
    "Job title",
    "Email",
    "Telephone",
]
DUTCH = [
    "Korte naam",
    "Bedrijfsnaam",
    "Debiteurnummer",
    "KvK-nummer",
    "BTW-nummer",
    "Valuta",
    "Sector",
    "Land",
    "Plaats",
    "Provincie",
    "Adres",
    "Adresregel 2",
    "Postcode",
    "Voornaam",
    "Achternaam",
    "Functie",
    "E-mailadres",
    "Telefoonnummer",
]
GERMAN = [
    "Kurzname",
    "Firmenname",
    "Kundennummer",
    "Handelsregisternummer",
    "USt-IdNr.",
    "Währung",
    "Branche",
    "Land",
    "Ort",
    "Bundesland",
    "Straße",
    "Adresszusatz",
    "PLZ",
    "Vorname",
    "Nachname",
    "Funktion",
    "E-Mail-Adresse",
    "Telefon",
]
FRENCH = [
    "Nom court",
    "Raison sociale",
    "Numéro client",
    "SIRET",
    "Numéro de TVA",
    "Devise",
    "Secteur",
    "Pays",
    "Ville",
    "Région",
    "Adresse",
    "Complément d'adresse",
    "Code postal",
    "Prénom",
    "Nom",
    "Fonction",
    "Courriel",
    "Téléphone",
]


def required_headers(**replace: str) -> list[str]:
    """The portal's labels of the required fields, some replaced by `field=header`."""
    return [replace.get(field, label(field)) for field in REQUIRED_FIELDS]


def map_error(headers: list[str]) -> FileError:
    """The `FileError` that mapping `headers` raises."""
    with pytest.raises(FileError) as caught:
        map_headers(headers)
    return caught.value


# --- synonyms -----------------------------------------------------------------------------


def test_every_synonym_maps_onto_its_own_field() -> None:
    """It maps each canonical name and each listed synonym onto its field: no two fields collide."""
    index = synonym_index()
    for field, facts in FIELD_FACTS.items():
        for name in (field, *facts.synonyms):
            assert index[header_key(name)] == field, name


def test_synonyms_cover_the_portal_form() -> None:
    """It lists the fields of SPEC section 2 in the portal's order, each with its portal label first."""
    assert FIELDS == (
        "short_name",
        "full_name",
        "erp_id",
        "registration_number",
        "tax_id",
        "currency",
        "industry",
        "country",
        "city",
        "state",
        "address",
        "address2",
        "postal_code",
        "contact_first_name",
        "contact_last_name",
        "contact_role",
        "contact_email",
        "contact_phone",
    )
    assert label("state") == "State/Province"
    assert label("postal_code") == "Zip/Postal code"
    assert label("contact_email") == "Email address"
    assert set(OPTIONAL_FIELDS) == {"state", "address2", "postal_code"}
    assert list(REQUIRED_FIELDS) == [f for f in FIELDS if f not in OPTIONAL_FIELDS]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Zip/Postal code", "zippostalcode"),
        ("zip postal-code", "zippostalcode"),
        ("ZIP_POSTAL_CODE", "zippostalcode"),
        ("Straße", "strasse"),
        ("Numéro de TVA", "numerodetva"),
        ("  USt-IdNr. ", "ustidnr"),
        ("Complément d'adresse", "complementdadresse"),
    ],
)
def test_header_key(header: str, key: str) -> None:
    """It folds away case, accents, spaces and punctuation, and spells ß as ss."""
    assert header_key(header) == key


def test_synonym_index_is_a_fresh_copy() -> None:
    """It returns a new dict each call, so a caller's change never leaks into the cached index."""
    first = synonym_index()
    first["notes"] = "short_name"
    assert "notes" not in synonym_index()


def test_synonym_index_extra_names() -> None:
    """It adds configured names, in any spelling, without losing the built-in ones."""
    index = synonym_index({"erp_id": ["Relatienummer", "Debtor no."]})
    assert index["relatienummer"] == "erp_id"
    assert index["debtorno"] == "erp_id"
    assert index["debiteurnummer"] == "erp_id"
    assert "relatienummer" not in synonym_index()


# --- map_headers: spellings and languages -------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", "contact_email"),
        ("e mail", "contact_email"),
        ("EMAIL", "contact_email"),
        ("E-Mail", "contact_email"),
        ("contact_email", "contact_email"),
        ("Postcode", "postal_code"),
        ("Post code", "postal_code"),
        ("PLZ", "postal_code"),
        ("Code postal", "postal_code"),
        ("zip/postal code", "postal_code"),
        ("BTW-nummer", "tax_id"),
        ("btw nummer", "tax_id"),
        ("USt-IdNr.", "tax_id"),
        ("Numéro de TVA", "tax_id"),
        ("numero de tva", "tax_id"),
        ("KVK", "registration_number"),
        ("Kvk nummer", "registration_number"),
        ("STRASSE", "address"),
        ("  Straße  ", "address"),
        ("Telephone", "contact_phone"),
        ("Téléphone", "contact_phone"),
        ("State / Province", "state"),
    ],
)
def test_header_spellings(header: str, field: str) -> None:
    """It matches a header case-, space-, accent- and punctuation-insensitively."""
    headers = [header if f == field else label(f) for f in REQUIRED_FIELDS]
    if field not in REQUIRED_FIELDS:
        headers.append(header)
    columns = map_headers(headers)
    assert columns.column_of(field) == header
    assert columns.unmapped == ()


@pytest.mark.parametrize(
    "headers", [PORTAL_HEADERS, ENGLISH, DUTCH, GERMAN, FRENCH], ids=["portal", "en", "nl", "de", "fr"]
)
def test_full_header_row_per_language(headers: list[str]) -> None:
    """It maps a whole header row in the portal's words, English, Dutch, German or French."""
    columns = map_headers(headers)
    assert dict(columns.fields) == {field: position for position, field in enumerate(FIELDS)}
    assert columns.headers == tuple(headers)
    assert columns.unmapped == ()


def test_column_order_does_not_matter() -> None:
    """It records each field at the position of its column, whatever the order of the sheet."""
    headers = list(reversed(PORTAL_HEADERS))
    columns = map_headers(headers)
    for field in FIELDS:
        assert headers[columns.fields[field]] == label(field)


def test_optional_columns_may_be_absent() -> None:
    """It accepts a sheet without the optional state, address2 and postcode columns."""
    columns = map_headers(required_headers())
    assert set(columns.fields) == set(REQUIRED_FIELDS)


# --- map_headers: unknown, blank, missing and duplicate columns ---------------------------


def test_unknown_columns_reported() -> None:
    """It names, as written and in order, the columns that map onto no field, and ignores them."""
    headers = ["Notes", *required_headers(), "Account manager", "Numéro TVA"]
    columns = map_headers(headers)
    assert columns.unmapped == ("Notes", "Account manager", "Numéro TVA")
    assert set(columns.fields) == set(REQUIRED_FIELDS)


def test_blank_and_errors_columns_are_neither_mapped_nor_reported() -> None:
    """It skips blank headers and the Errors column our rejects.xlsx adds."""
    headers = ["", *required_headers(), "   ", ERRORS_COLUMN]
    columns = map_headers(headers)
    assert columns.unmapped == ()
    assert set(columns.fields) == set(REQUIRED_FIELDS)


def test_missing_required_columns_all_named() -> None:
    """It stops the file with `missing_columns`, naming every missing column, not only the first."""
    headers = [h for h in required_headers() if h not in ("Tax ID", "Country", "Phone number")]
    error = map_error([*headers, "Notes"])
    assert error.code == "missing_columns"
    assert CODES[error.code].level == "file"
    assert error.stage == "map"
    for name in ("Tax ID (tax_id)", "Country (country)", "Phone number (contact_phone)"):
        assert name in error.message
    assert "Short name" not in error.message
    assert "Notes" not in error.message


def test_one_missing_column_named() -> None:
    """It names a single missing column in the singular."""
    error = map_error(required_headers()[1:])
    assert error.code == "missing_columns"
    assert error.message == "missing required column: Short name (short_name)"


def test_empty_header_row_misses_every_required_column() -> None:
    """It names every required field when the header row holds nothing it knows."""
    error = map_error(["Foo", "Bar"])
    assert error.code == "missing_columns"
    for field in REQUIRED_FIELDS:
        assert f"{label(field)} ({field})" in error.message


def test_missing_optional_column_is_not_an_error() -> None:
    """It never names an optional column as missing."""
    error = map_error(required_headers()[1:])
    for field in OPTIONAL_FIELDS:
        assert f"({field})" not in error.message


@pytest.mark.parametrize(
    ("first", "second"),
    [("Email", "E-mail"), ("Postcode", "PLZ"), ("Tax ID", "BTW-nummer"), ("Country", "country")],
)
def test_duplicate_columns_rejected(first: str, second: str) -> None:
    """It stops the file with `duplicate_columns` when two columns map onto one field, naming both."""
    error = map_error([*required_headers(), first, second])
    assert error.code == "duplicate_columns"
    assert CODES[error.code].level == "file"
    assert error.stage == "map"
    assert repr(first) in error.message
    assert repr(second) in error.message


def test_duplicate_columns_checked_before_missing_ones() -> None:
    """It reports a doubled field, every doubled field, even when required columns are missing too."""
    error = map_error(["Email", "E-mail", "PLZ", "Postcode"])
    assert error.code == "duplicate_columns"
    assert "Email address" in error.message
    assert "Zip/Postal code" in error.message


def test_repeated_unknown_columns_are_not_duplicates() -> None:
    """It reports unknown columns as often as they occur; only mapped columns can be duplicates."""
    columns = map_headers([*required_headers(), "Notes", "Notes"])
    assert columns.unmapped == ("Notes", "Notes")


# --- map_headers: extra synonyms from configuration ---------------------------------------


def test_extra_synonyms_map() -> None:
    """It maps headers named in the configuration's extra synonyms."""
    headers = required_headers(erp_id="Relatienummer", contact_role="Positie")
    columns = map_headers(headers, extra={"erp_id": ["Relatienummer"], "contact_role": ("Positie",)})
    assert columns.column_of("erp_id") == "Relatienummer"
    assert columns.column_of("contact_role") == "Positie"
    assert columns.unmapped == ()


def test_extra_synonyms_matched_like_built_in_ones() -> None:
    """It matches an extra synonym without case, spaces or punctuation, like the built-in ones."""
    headers = required_headers(erp_id="RELATIE-NUMMER")
    columns = map_headers(headers, extra={"erp_id": ["Relatie nummer"]})
    assert columns.column_of("erp_id") == "RELATIE-NUMMER"


def test_extra_synonyms_only_where_configured() -> None:
    """It does not keep another call's extra synonyms: without them the header is unknown."""
    map_headers(required_headers(erp_id="Relatienummer"), extra={"erp_id": ["Relatienummer"]})
    error = map_error(required_headers(erp_id="Relatienummer"))
    assert error.code == "missing_columns"
    assert "ERP ID (erp_id)" in error.message


def test_extra_synonym_can_make_a_duplicate() -> None:
    """It counts a column matched by an extra synonym when looking for duplicate columns."""
    with pytest.raises(FileError) as caught:
        map_headers([*required_headers(), "Relatienummer"], extra={"erp_id": ["Relatienummer"]})
    assert caught.value.code == "duplicate_columns"


# --- count_known --------------------------------------------------------------------------


def test_count_known_counts_distinct_fields() -> None:
    """It counts the fields a candidate header row names, each field once, unknown cells not."""
    index = synonym_index()
    assert count_known(["Email", "E-mail", "Country", "Customer list Q1", ""], index) == 2
    assert count_known(["Customer list Q1"], index) == 0


# --- canonical_frame ----------------------------------------------------------------------


def canonical_frame(columns: ColumnMap, rows: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    """The canonical fields of `rows` as the import builds them: cells, then fields."""
    return field_frame(columns, cells_frame(rows, numbers, len(columns.headers)))


def test_canonical_frame_one_column_per_field() -> None:
    """It builds one text column per canonical field in portal order, indexed by the user's row numbers."""
    headers = ["Notes", *reversed(required_headers())]
    columns = map_headers(headers)
    rows = [[f"note {n}", *(f"{label(f)} {n}" for f in reversed(REQUIRED_FIELDS))] for n in (1, 2)]
    frame = canonical_frame(columns, rows, [5, 9])
    assert list(frame.columns) == list(FIELDS)
    assert list(frame.index) == [5, 9]
    assert frame.index.name == "row"
    for field in REQUIRED_FIELDS:
        assert list(frame[field]) == [f"{label(field)} 1", f"{label(field)} 2"]
    assert all(pd.api.types.is_string_dtype(frame[field]) for field in FIELDS)


def test_canonical_frame_absent_optional_fields_blank() -> None:
    """It fills the optional fields that have no column with blank text, not missing values."""
    columns = map_headers(required_headers())
    rows = [["x"] * len(REQUIRED_FIELDS)]
    frame = canonical_frame(columns, rows, [2])
    for field in OPTIONAL_FIELDS:
        assert list(frame[field]) == [""]


def test_canonical_frame_keeps_text_as_typed() -> None:
    """It keeps each cell exactly as read: leading zeros, spaces and number-like text."""
    columns = map_headers(required_headers())
    cells = {"erp_id": "00123", "registration_number": "12345678", "short_name": "  Copaco  "}
    rows = [[cells.get(field, "") for field in REQUIRED_FIELDS]]
    frame = canonical_frame(columns, rows, [7])
    assert frame.loc[7, "erp_id"] == "00123"
    assert frame.loc[7, "registration_number"] == "12345678"
    assert frame.loc[7, "short_name"] == "  Copaco  "


def test_canonical_frame_row_numbers_as_given() -> None:
    """It uses the row numbers it is given, gaps and all, not a fresh 0-based range."""
    columns = map_headers(required_headers())
    rows = [[str(n)] * len(REQUIRED_FIELDS) for n in range(3)]
    frame = canonical_frame(columns, rows, [4, 7, 30])
    assert list(frame.index) == [4, 7, 30]
    assert list(frame["short_name"]) == ["0", "1", "2"]


def test_canonical_frame_without_rows() -> None:
    """It builds an empty frame that still has every canonical column."""
    frame = canonical_frame(map_headers(PORTAL_HEADERS), [], [])
    assert list(frame.columns) == list(FIELDS)
    assert frame.empty
    assert frame.index.name == "row"


def test_column_map_is_what_map_headers_returns() -> None:
    """It returns a ColumnMap whose `column_of` gives the header as written in the file."""
    columns = map_headers(DUTCH)
    assert isinstance(columns, ColumnMap)
    assert columns.column_of("tax_id") == "BTW-nummer"
    assert columns.column_of("postal_code") == "Postcode"
