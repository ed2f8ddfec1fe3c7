"""Realistic customer sheets for demos and benchmarks: `onboard sample --rows N --out FILE`.

Customers from the Netherlands, Germany and Belgium with valid VAT check digits, real
area codes and postcode formats, written the way people type them (`Nederland`, `eur`,
`+31(0)40 …`), and a share of rows with one typical mistake each. The same seed gives
the same file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from stdnum.iso7064 import mod_11_10

from schemas.fields import FIELDS

_COUNTRY_NAMES = {
    "NL": ("NL", "Netherlands", "Nederland", "The Netherlands", "nederland"),
    "DE": ("DE", "Germany", "Deutschland"),
    "BE": ("BE", "Belgium", "België", "Belgique"),
}
_CITIES = {
    "NL": ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Zwolle", "Haarlem", "Breda"),
    "DE": ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf"),
    "BE": ("Brussel", "Antwerpen", "Gent", "Leuven", "Brugge", "Mechelen"),
}
_STREETS = {
    "NL": ("Hoofdstraat", "Kerkstraat", "Stationsweg", "Dorpsstraat", "Industrieweg", "Hurksestraat"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenweg", "Schillerstraße"),
    "BE": ("Kerkstraat", "Stationsstraat", "Rue de la Loi", "Meir", "Veldstraat"),
}
# Area codes, the length of the subscriber number that follows and its possible first
# digits: numbers phonenumbers accepts as valid.
_AREAS = {
    "NL": (
        ("20", 7, "2345678"),
        ("10", 7, "2345678"),
        ("30", 7, "2345678"),
        ("40", 7, "2345678"),
        ("50", 7, "2345678"),
        ("6", 8, "12345"),
    ),
    "DE": (
        ("30", 8, "2345678"),
        ("40", 8, "2345678"),
        ("89", 7, "2345678"),
        ("69", 8, "2345678"),
        ("221", 7, "2345678"),
    ),
    "BE": (("2", 7, "2345678"), ("3", 7, "2345678"), ("9", 7, "234")),
}
_COUNTRY_CODES = {"NL": "31", "DE": "49", "BE": "32"}
_COURTS = ("München", "Berlin (Charlottenburg)", "Hamburg", "Köln", "Frankfurt am Main", "Düsseldorf")
_FIRST = ("Jan", "Anna", "Pieter", "Sophie", "Lukas", "Emma", "Thomas", "Lena", "Luc", "Marie", "Daan")
_LAST = ("Jansen", "de Vries", "Bakker", "Müller", "Schmidt", "Peeters", "Maes", "Visser", "Fischer")
_ROLES = ("CFO", "IT manager", "Purchasing", "Office manager", "CEO", "Procurement lead", "Controller")
_KINDS = ("Tech", "Bouw", "Logistiek", "Zorg", "Data", "Print", "Energie", "Media", "Consult")
_FORMS = {"NL": "B.V.", "DE": "GmbH", "BE": "BV"}
_INDUSTRIES = (
    "Commercial",
    "Commercial",
    "Education",
    "Government",
    "Healthcare",
    "Non-profit",
    "non profit",
)
_CURRENCIES = ("EUR",) * 8 + ("Euro", "eur")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def nl_vat(rng: random.Random) -> str:
    """A Dutch VAT number: 9 digits with the mod-11 check, then B01."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        check = sum(w * d for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
        if check < 10 and any(digits):
            return "NL" + "".join(map(str, digits)) + str(check) + "B01"


def de_vat(rng: random.Random) -> str:
    """A German VAT number: DE, 8 digits (not starting with 0), ISO 7064 mod 11,10."""
    first = str(rng.randint(1, 9)) + _digits(rng, 7)
    return "DE" + first + mod_11_10.calc_check_digit(first)


def be_number(rng: random.Random) -> str:
    """A Belgian enterprise number: 0, 7 digits, then 97 minus the rest mod 97."""
    first = "0" + str(rng.randint(2, 9)) + _digits(rng, 6)  # 8 of the 10 digits
    return first + f"{97 - int(first) % 97:02d}"


def _postcode(rng: random.Random, country: str) -> str:
    if country == "NL":
        letters = "ABCDEFGHJKLMNPRTVWXZ"
        return f"{rng.randint(1000, 9999)} {rng.choice(letters)}{rng.choice(letters)}"
    if country == "DE":
        return f"{rng.randint(10115, 99998):05d}"
    return str(rng.randint(1000, 9999))


def _phone(rng: random.Random, country: str) -> str:
    area, length, first = rng.choice(_AREAS[country])
    subscriber = rng.choice(first) + _digits(rng, length - 1)
    code = _COUNTRY_CODES[country]
    style = rng.random()
    if style < 0.5:
        return f"+{code} {area} {subscriber[:3]} {subscriber[3:]}"
    if style < 0.75:
        return f"0{area}-{subscriber}"
    return f"+{code}(0){area} {subscriber}"


def _customer(rng: random.Random, number: int) -> dict[str, str]:
    country = rng.choices(("NL", "DE", "BE"), weights=(5, 3, 2))[0]
    kind = rng.choice(_KINDS)
    city = rng.choice(_CITIES[country])
    name = f"{kind} {city} {number}"
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    domain = f"{kind.lower()}{number}.{country.lower()}"
    if country == "NL":
        tax_id, registration = nl_vat(rng), _digits(rng, 8)
    elif country == "DE":
        tax_id, registration = de_vat(rng), f"{rng.choice(_COURTS)} HRB {rng.randint(1000, 99999)}"
    else:
        enterprise = be_number(rng)
        tax_id = "BE" + enterprise
        registration = f"{enterprise[:4]}.{enterprise[4:7]}.{enterprise[7:]}"
    return {
        "short_name": name[:50],
        "full_name": f"{name} {_FORMS[country]}",
        "erp_id": f"C{number:07d}" if rng.random() < 0.7 else f"{number:06d}",
        "registration_number": registration,
        "tax_id": tax_id if rng.random() < 0.9 else tax_id[2:],  # sometimes typed without prefix
        "currency": rng.choice(_CURRENCIES),
        "industry": rng.choice(_INDUSTRIES),
        "country": rng.choice(_COUNTRY_NAMES[country]),
        "city": city,
        "state": "",
        "address": f"{rng.choice(_STREETS[country])} {rng.randint(1, 250)}",
        "address2": "" if rng.random() < 0.8 else f"Unit {rng.randint(1, 40)}",
        "postal_code": _postcode(rng, country),
        "contact_first_name": first,
        "contact_last_name": last,
        "contact_role": rng.choice(_ROLES),
        "contact_email": f"{first.lower()}.{last.lower().replace(' ', '')}@{domain}".replace("ü", "ue"),
        "contact_phone": _phone(rng, country),
    }


def _mistakes(rows: list[dict[str, str]]) -> list[Callable[[random.Random, dict[str, str]], None]]:
    def bad_check_digit(rng: random.Random, row: dict[str, str]) -> None:
        last = row["tax_id"][-1]
        row["tax_id"] = row["tax_id"][:-1] + str((int(last) + 1) % 10 if last.isdigit() else 7)

    def other_country(rng: random.Random, row: dict[str, str]) -> None:
        row["tax_id"] = "DE136695976" if not row["tax_id"].startswith("DE") else "NL006486253B01"

    def duplicate(rng: random.Random, row: dict[str, str]) -> None:
        row["erp_id"] = rows[rng.randrange(len(rows))]["erp_id"] if rows else row["erp_id"]

    return [
        bad_check_digit,
        other_country,
        lambda rng, row: row.update(postal_code="12"),
        lambda rng, row: row.update(
            contact_phone="+31(0)123456789" if row["tax_id"].startswith("NL") else "+49 30 12"
        ),
        lambda rng, row: row.update(contact_email=rng.choice(("jan.janssen@", "jan janssen@x.nl"))),
        lambda rng, row: row.update(currency="EURO$"),
        lambda rng, row: row.update(industry="Retail banking"),
        lambda rng, row: row.update(**{rng.choice(("city", "contact_last_name")): ""}),
        lambda rng, row: row.update(country="Atlantis"),
        duplicate,
    ]


def generate_rows(rows: int, seed: int = 0, bad_ratio: float = 0.03) -> list[dict[str, str]]:
    """`rows` customers, about `bad_ratio` of them with one typical mistake each."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    mistakes = _mistakes(out)
    for number in range(1, rows + 1):
        row = _customer(rng, number)
        if rng.random() < bad_ratio:
            rng.choice(mistakes)(rng, row)
        out.append(row)
    return out


def write_sheet(
    path: Path, rows: Sequence[Mapping[str, str]], labels: Mapping[str, str] | None = None
) -> None:
    """Write rows under `labels` (default: the portal's) as .csv (UTF-8) or .xlsx (every cell text)."""
    if labels is None:
        labels = {name: field.label for name, field in FIELDS.items()}
    fields = list(labels)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([labels[f] for f in fields])
            writer.writerows([row.get(f, "") for f in fields] for row in rows)
        return
    if suffix != ".xlsx":
        raise ValueError(f"{path}: use a .csv or .xlsx file name")
    from pipeline.workbook import Looks, TableSheet, new_workbook, save

    workbook = new_workbook(path)
    table = TableSheet(workbook, Looks(workbook), "Customers", [labels[f] for f in fields])
    for row in rows:
        table.append([row.get(f, "") for f in fields])
    table.finish()
    save(workbook, path)
