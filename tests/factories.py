"""Small, readable customer sheets for tests: a valid Dutch customer and file writers."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl import Workbook

from schemas.synonyms import SYNONYMS

LABELS = {field: names[0] for field, names in SYNONYMS.items()}

# Valid Dutch VAT numbers (checked with stdnum) for distinct customers.
NL_VATS = (
    "NL006486253B01",
    "NL945807302B01",
    "NL215736813B01",
    "NL930364260B01",
    "NL212997221B01",
    "NL003322452B01",
    "NL562241541B01",
)
NL_PHONES = (
    "+31(0)40 123 4567",
    "+31 20 123 4567",
    "+31 30 234 5678",
    "+31 10 345 6789",
    "+31 50 456 7890",
    "+31 6 12345678",
    "020-1234567",
)


def customer(number: int = 0, **overrides: str) -> dict[str, str]:
    """A valid Dutch customer (number 0 is the portal's example, Copaco); fields overridable."""
    row = {
        "short_name": "Copaco" if number == 0 else f"Customer {number}",
        "full_name": "Copaco Nederland B.V." if number == 0 else f"Customer {number} B.V.",
        "erp_id": f"{123 + number:05d}",
        "registration_number": f"{17087985 + number}",
        "tax_id": NL_VATS[number % len(NL_VATS)],
        "currency": "EUR",
        "industry": "Commercial",
        "country": "Netherlands",
        "city": "Eindhoven",
        "state": "",
        "address": f"Hurksestraat {45 + number}",
        "address2": "",
        "postal_code": "5652 AW",
        "contact_first_name": "Jan",
        "contact_last_name": "Jansen",
        "contact_role": "Purchasing manager",
        "contact_email": f"jan.jansen{number or ''}@copaco.com",
        "contact_phone": NL_PHONES[number % len(NL_PHONES)],
    }
    row.update(overrides)
    return row


def write_sheet(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    headers: Mapping[str, str] = LABELS,
    title_rows: Iterable[Iterable[str]] = (),
) -> Path:
    """Write rows (keyed by canonical field) under `headers`, as .csv or .xlsx (all text)."""
    fields = list(headers)
    records = [list(r) for r in title_rows] + [[headers[f] for f in fields]]
    records += [[row.get(f, "") for f in fields] for row in rows]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(records)
    else:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for record in records:
            sheet.append(record)
        for row in sheet.iter_rows():
            for cell in row:
                cell.data_type = "s"
        workbook.save(path)
    return path


PG_URL_VARIABLE = "ONBOARD_TEST_PG_URL"


def fresh_store_url(kind: str, tmp_path: Path) -> str:
    """A store URL with empty tables: a new SQLite file, or the test PostgreSQL emptied."""
    import os

    import pytest
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/onboarding.db"
    url = os.environ.get(PG_URL_VARIABLE)
    if not url:
        pytest.skip(f"{PG_URL_VARIABLE} is not set: PostgreSQL tests skipped")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS claims, audit, customers, batches, alembic_version"))
    engine.dispose()
    return url
