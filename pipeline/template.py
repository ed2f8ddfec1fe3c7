"""`onboard template`: an empty customer workbook that collects data right at the source.

The portal's fields as headers in the team's language (every one recognised on import),
drop-downs for country, currency and industry from the configuration, ID-like columns
formatted as Text so that Excel keeps leading zeros and plus signs, an input message per
column with its rule and an example, and an Instructions sheet. The Customers sheet holds
the header row only: no example row that could be imported as a customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.template_text import LANGUAGES as LANGUAGES  # the template's languages, re-exported
from pipeline.template_text import TEXTS, Texts
from pipeline.workbook import print_setup
from schemas.fields import FIELDS, label
from schemas.rules.text import header_key

# Each language's header per field; every one is a synonym of its field (a test holds
# them to it), so a filled template maps without configuration.
_HEADERS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Korte naam",
        "Bedrijfsnaam",
        "Klantnummer",
        "KvK-nummer",
        "BTW-nummer",
        "Valuta",
        "Branche",
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
    ),
    "de": (
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
        "Adresse",
        "Adresszusatz",
        "PLZ",
        "Vorname",
        "Nachname",
        "Funktion",
        "E-Mail-Adresse",
        "Telefonnummer",
    ),
    "fr": (
        "Nom court",
        "Raison sociale",
        "Numéro client",
        "Numéro d'immatriculation",
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
    ),
}

# The fields a customer may leave blank (state and postcode where the country has none).
OPTIONAL_FIELDS = frozenset(name for name, known in FIELDS.items() if not known.required)

# ID-like columns (the registry's digit fields) are Text (@): Excel would drop leading
# zeros (00123), turn a phone number's + into a number, or a long number into 1.23E+11.
TEXT_FIELDS = frozenset(name for name, known in FIELDS.items() if known.digits)

# An example per field: one Dutch customer, the portal's own example.
EXAMPLES: dict[str, str] = {
    "short_name": "Copaco",
    "full_name": "Copaco Nederland B.V.",
    "erp_id": "00123",
    "registration_number": "17087985",
    "tax_id": "NL006486253B01",
    "currency": "EUR",
    "industry": "Commercial",
    "country": "Netherlands",
    "city": "Eindhoven",
    "state": "Noord-Brabant",
    "address": "Hurksestraat 45",
    "address2": "Building B",
    "postal_code": "5652 AW",
    "contact_first_name": "Jan",
    "contact_last_name": "van der Berg",
    "contact_role": "Purchasing manager",
    "contact_email": "jan.vanderberg@copaco.com",
    "contact_phone": "+31 40 123 4567",
}

REQUIRED_FILL, OPTIONAL_FILL, HEADER_FONT = "#1F4E78", "#BDD7EE", "#FFFFFF"


def header(field: str, language: str) -> str:
    """The template's header of a field in a language (the portal's label in English).

    The one place labels are looked up: repoint it when labels move to a field registry.
    """
    if language == "en":
        return label(field)
    return _HEADERS[language][list(FIELDS).index(field)]


def fields() -> tuple[str, ...]:
    """The canonical fields, in the portal's order."""
    return tuple(FIELDS)


@dataclass(frozen=True)
class Template:
    """What `write_template` wrote."""

    out: Path
    language: str
    columns: int


def country_choices() -> list[str]:
    """Every ISO 3166 country by the name the country rule accepts, sorted."""
    import pycountry

    from schemas.rules.country import normalize_country

    names = []
    for country in pycountry.countries:
        name = str(getattr(country, "common_name", None) or country.name)
        names.append(name if normalize_country(name).value == country.alpha_2 else country.alpha_2)
    return sorted(names, key=header_key)


def currency_choices(config: Config) -> list[str]:
    """The configured currencies, or every ISO 4217 code of a currency (not XTS, XAU, …,
    which the rule rejects)."""
    if config.currencies:
        return list(config.currencies)
    import pycountry

    from schemas.authority.currencies import NOT_MONEY

    return sorted(str(c.alpha_3) for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY)


def write_template(out: Path, language: str, config: Config) -> Template:
    """Write the template workbook: Customers, Instructions and a hidden Lists sheet."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxWriterException

    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(out), options)
    texts = TEXTS[language]
    sheet = workbook.add_worksheet(texts.customers_sheet)
    guide = workbook.add_worksheet(texts.instructions_sheet)
    lists = workbook.add_worksheet("Lists")
    sources = _write_lists(lists, config)
    lists.hide()
    _write_customers_sheet(workbook, sheet, language, sources)
    _write_instructions(workbook, guide, language, config)
    sheet.activate()
    try:
        workbook.close()
    except XlsxWriterException as exc:
        raise OSError(f"cannot write {out}: {exc}") from None
    return Template(out, language, len(fields()))


def _write_lists(lists: Any, config: Config) -> dict[str, str]:
    """The drop-downs' values in columns of the hidden Lists sheet; their ranges by field."""
    columns = {
        "country": country_choices(),
        "currency": currency_choices(config),
        "industry": list(config.industries),
    }
    sources = {}
    for position, (field, values) in enumerate(columns.items()):
        lists.write_string(0, position, field)
        for row, value in enumerate(values, start=1):
            lists.write_string(row, position, value)
        letter = chr(ord("A") + position)
        sources[field] = f"=Lists!${letter}$2:${letter}${len(values) + 1}"
    return sources


def _write_customers_sheet(workbook: Any, sheet: Any, language: str, sources: dict[str, str]) -> None:
    """The header row, column formats and widths, and a validation (input message, and a
    drop-down where there is a list) per column."""
    text = workbook.add_format({"num_format": "@"})
    look = {"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"}
    required = workbook.add_format(look | {"font_color": HEADER_FONT, "bg_color": REQUIRED_FILL})
    optional = workbook.add_format(look | {"bg_color": OPTIONAL_FILL})
    for column, field in enumerate(fields()):
        name = header(field, language)
        width = min(max(len(name), len(EXAMPLES[field])) + 4, 40)
        sheet.set_column(column, column, width, text if field in TEXT_FIELDS else None)
        sheet.write_string(0, column, name, optional if field in OPTIONAL_FIELDS else required)
        validation = _validation(field, name, TEXTS[language], sources)
        sheet.data_validation(1, column, 1_048_575, column, validation)
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 0)
    # Eighteen columns do not fit one page legibly: two pages wide, the short name repeated.
    _printable(sheet, pages_wide=2)
    sheet.repeat_columns(0, 0)


def _printable(sheet: Any, pages_wide: int = 1) -> None:
    """Printed (or saved as PDF): landscape A4, `pages_wide` pages wide, header repeated."""
    print_setup(sheet, pages_wide)
    sheet.repeat_rows(0)


def rule_text(field: str, texts: Texts) -> str:
    """A column's input message: required or optional, its rule and an example."""
    needed = texts.optional if field in OPTIONAL_FIELDS else texts.required
    return f"{needed} {texts.rules[field]} {texts.example} {EXAMPLES[field]}"


def _validation(field: str, name: str, texts: Texts, sources: dict[str, str]) -> dict[str, Any]:
    """A column's data validation: its rule as the input message, a list where there is one.

    Country and currency only warn on a value outside the list (ISO codes, local names and
    symbols are accepted on import); industry must come from the list.
    """
    # Excel shows at most 32 characters of title and 255 of message.
    rule = rule_text(field, texts)
    message = {"input_title": name[:32], "input_message": rule[:255], "ignore_blank": True}
    if field not in sources:
        return {"validate": "any"} | message
    strict = field == "industry"
    return {
        "validate": "list",
        "source": sources[field],
        "error_type": "stop" if strict else "warning",
        "error_title": name[:32],
        "error_message": texts.not_in_list_refused if strict else texts.not_in_list_warned,
    } | message


def instructions(language: str, config: Config) -> list[str]:
    """The Instructions sheet, a line a row."""
    texts = TEXTS[language]
    values = {"sheet": texts.customers_sheet, "industries": ", ".join(config.industries)}
    return [line.format(**values) for line in texts.instructions]


# Widths of the Instructions sheet's columns, in characters.
_GUIDE_WIDTHS = (26, 72, 28)


def _write_instructions(workbook: Any, guide: Any, language: str, config: Config) -> None:
    """The instructions, then a table of every column with its rule and an example."""
    title = workbook.add_format({"bold": True, "font_size": 14})
    paragraph = workbook.add_format({"text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True, "bg_color": OPTIONAL_FILL, "border": 1})
    cell = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for column, width in enumerate(_GUIDE_WIDTHS):
        guide.set_column(column, column, width)
    lines = instructions(language, config)
    guide.write_string(0, 0, lines[0], title)
    guide.set_row(0, 24)
    for row, line in enumerate(lines[1:], start=1):
        if line:
            guide.merge_range(row, 0, row, 2, line, paragraph)
            guide.set_row(row, _height(line, sum(_GUIDE_WIDTHS)))
    start = len(lines) + 1
    for column, name in enumerate(TEXTS[language].table_header):
        guide.write_string(start, column, name, bold)
    for row, field in enumerate(fields(), start=start + 1):
        texts = TEXTS[language]
        rule = f"{texts.optional if field in OPTIONAL_FIELDS else texts.required} {texts.rules[field]}"
        guide.write_string(row, 0, header(field, language), cell)
        guide.write_string(row, 1, rule, cell)
        guide.write_string(row, 2, EXAMPLES[field], cell)
        guide.set_row(row, _height(rule, _GUIDE_WIDTHS[1]))
    _printable(guide)


def _height(text: str, width: int) -> float:
    """A row's height in points for wrapped `text` in a column `width` characters wide:
    neither Excel nor LibreOffice grows a row written with wrapped text by itself."""
    # A column holds about 1.2 characters of the default proportional font per unit of width.
    lines = -(-len(text) * 5 // (width * 6))
    return 15.0 * max(lines, 1)


def headers(language: str) -> Sequence[str]:
    """The template's header row in a language."""
    return [header(field, language) for field in fields()]
