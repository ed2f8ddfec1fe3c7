"""Test helpers: customer sheets written from canonical rows, and a view of the store.

Sheets are keyed by canonical field and written under the portal's labels (or any headers a
test names), as CSV or XLSX with every cell as text. The fixtures in conftest.py wrap these.
"""

from __future__ import annotations

import csv
import fcntl
import itertools
import json
import os
import re
import struct
import subprocess
import sys
import termios
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from openpyxl import Workbook, load_workbook
from sqlalchemy import Connection, Table, create_engine, func, make_url, select, text, update
from stdnum.eu import vat

from pipeline.store import customers, metadata
from pipeline.store.migrate import MIGRATIONS
from schemas.fields import FIELDS as FIELD_FACTS

PG_URL_VARIABLE = "ONBOARD_TEST_PG_URL"
ONBOARD = str(Path(sys.executable).parent / "onboard")

# Components CI must have: ONBOARD_REQUIRE_PG=1, ONBOARD_REQUIRE_LIBREOFFICE=1, … (set by
# .ci/run). Read once at import, before the `hermetic` fixture clears ONBOARD_* settings.
REQUIRED = frozenset(
    name.removeprefix("ONBOARD_REQUIRE_")
    for name, value in os.environ.items()
    if name.startswith("ONBOARD_REQUIRE_") and value.strip() == "1"
)


def unavailable(component: str, reason: str) -> NoReturn:
    """Skip a test whose `component` (PG, LIBREOFFICE, MAKE) is missing here; fail it
    instead where ONBOARD_REQUIRE_<COMPONENT>=1 says it must be there (CI), so a broken
    install step cannot turn into a green run with skips."""
    if component in REQUIRED:
        pytest.fail(f"{reason}, and ONBOARD_REQUIRE_{component}=1 requires it", pytrace=False)
    pytest.skip(reason)


def examples(quick: int, thorough: int) -> pytest.MarkDecorator:
    """Parametrize a property test's `examples` (hypothesis's max_examples): `quick` in
    `make test`, `thorough` in `make test-slow` (marked slow; CI runs both)."""
    return pytest.mark.parametrize(
        "examples",
        [pytest.param(quick, id="quick"), pytest.param(thorough, id="thorough", marks=pytest.mark.slow)],
    )


# The `db_url` of a test about what onboard makes of a file (reading it, mapping its
# columns, refusing it whole) rather than about the store: SQLite in `make test`, PostgreSQL
# in `make test-slow` (CI runs both). The store's own behaviour runs on both backends in
# `make test` (test_store, test_review, test_cli's file-level table, …).
POSTGRES_IN_TEST_SLOW = pytest.mark.parametrize(
    "db_url",
    ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow])],
    indirect=True,
)


# The portal's label of every canonical field, in the order of its Create form.
LABELS: dict[str, str] = {name: field.label for name, field in FIELD_FACTS.items()}
FIELDS: tuple[str, ...] = tuple(FIELD_FACTS)
# The canonical field of a portal label (the review workbook's headers).
NAME_OF_LABEL: dict[str, str] = {label: name for name, label in LABELS.items()}


def _valid_nl_vats(count: int) -> tuple[str, ...]:
    """Dutch VAT numbers (NL + 9 digits + B01) that stdnum accepts, found by counting up."""
    candidates = (f"NL{number:09d}B01" for number in itertools.count(100_000_000))
    return tuple(itertools.islice((v for v in candidates if vat.is_valid(v)), count))


# Copaco's number (the portal's example) first, then numbers for more distinct customers.
NL_VATS: tuple[str, ...] = ("NL006486253B01", *_valid_nl_vats(30))
assert all(vat.is_valid(number) for number in NL_VATS)

COPACO: dict[str, str] = {
    "short_name": "Copaco",
    "full_name": "Copaco Nederland B.V.",
    "erp_id": "00123",
    "registration_number": "17087985",
    "tax_id": "NL006486253B01",
    "currency": "EUR",
    "industry": "Commercial",
    "country": "NL",
    "city": "Eindhoven",
    "state": "",
    "address": "Hurksestraat 45",
    "address2": "",
    "postal_code": "5652 AW",
    "contact_first_name": "Jan",
    "contact_last_name": "Jansen",
    "contact_role": "Purchasing",
    "contact_email": "jan.jansen@copaco.com",
    "contact_phone": "+31(0)40 123 4567",
}


def valid_row(index: int = 0, **overrides: str) -> dict[str, str]:
    """A valid Dutch customer keyed by canonical field.

    Index 0 is Copaco as the portal shows it; every other index is a distinct customer
    (its own ERP ID, VAT number and e-mail address), so several can share one sheet.
    """
    row = dict(COPACO)
    if index:
        row |= {
            "short_name": f"Customer {index}",
            "full_name": f"Customer {index} B.V.",
            "erp_id": f"{123 + index:05d}",
            "tax_id": NL_VATS[index],
            "address": f"Hurksestraat {45 + index}",
            "contact_email": f"contact{index}@customer{index}.nl",
        }
    row.update(overrides)
    return row


def write_sheet(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    *,
    headers: Mapping[str, str] | None = None,
    fields: Sequence[str] = FIELDS,
    title_rows: Iterable[Sequence[str]] = (),
) -> Path:
    """Write `rows` (keyed by canonical field) as a .csv or .xlsx sheet, every cell text.

    Columns are `fields` in that order, headed by the portal labels unless `headers`
    renames them; a name in `fields` that is no canonical field is written as a column of
    its own under that name. `title_rows` go above the header row.
    """
    names = {**LABELS, **(headers or {})}
    records = [list(r) for r in title_rows]
    records.append([names.get(f, f) for f in fields])
    records += [[row.get(f, "") for f in fields] for row in rows]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(records)
        return path
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, record in enumerate(records, start=1):
        for column, value in enumerate(record, start=1):
            if value == "":
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            # openpyxl reads "=…" as a formula; the user typed text.
            cell.data_type = "s"
    workbook.save(path)
    return path


def json_lines(output: str) -> list[dict[str, Any]]:
    """Standard output parsed as one JSON object per line (every line must be one)."""
    return [json.loads(line) for line in output.splitlines()]


def age(path: Path, seconds: float = 60) -> Path:
    """Make a file look as if it was written `seconds` ago (settled, for a sweep)."""
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The lines of a CSV report as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_review(path: Path) -> list[dict[str, str]]:
    """The lines of a review file (.xlsx or .csv) as dicts by column, empty cells as ""."""
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook["Review"].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [NAME_OF_LABEL.get(str(name), str(name)) for name in rows[0]]
    return [
        dict(zip(header, ("" if v is None else str(v) for v in row), strict=True))
        for row in rows[1:]
        if any(v is not None for v in row)
    ]


def write_review(path: Path, lines: Iterable[Mapping[str, str]]) -> Path:
    """Replace the lines of the exported review file `path` with `lines`, as a reviewer
    editing it would: the header, the workbook's other sheets and its drop-down stay."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([line.get(name, "") for name in header] for line in lines)
        return path
    workbook = load_workbook(path)
    sheet = workbook["Review"]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for number, line in enumerate(lines, start=2):
        for column, name in enumerate(header, start=1):
            value = line.get(NAME_OF_LABEL.get(str(name), str(name)), "")
            if value:
                sheet.cell(row=number, column=column, value=value).data_type = "s"
    workbook.save(path)
    return path


def decide(path: Path, decisions: Mapping[str, tuple[str, str]]) -> Path:
    """Fill in (decision, reason) per ERP ID in the review file `path`, .xlsx or .csv."""
    lines = read_review(path)
    for line in lines:
        if line["erp_id"] in decisions:
            line["decision"], line["reason"] = decisions[line["erp_id"]]
    return write_review(path, lines)


def review_report(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    """The lines of the review-report.csv that `review apply` wrote, in the file's order."""
    return read_csv(Path(str(summary["report_dir"])) / "review-report.csv")


class StoreView:
    """The store a test's commands used, opened anew for every look (as another user would)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, table: Table) -> list[dict[str, Any]]:
        """Every row of `table` by primary key: insertion order (batch ids sort by time)."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                query = select(table).order_by(*table.primary_key.columns)
                return [dict(row._mapping) for row in connection.execute(query)]
        finally:
            engine.dispose()

    def count(self, table: Table) -> int:
        """How many rows `table` holds."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(select(func.count()).select_from(table)).scalar_one())
        finally:
            engine.dispose()

    def customer(self, erp_id: str) -> dict[str, Any]:
        """The stored customer with this ERP ID."""
        found = [row for row in self.rows(customers) if row["erp_id"] == erp_id]
        assert len(found) == 1, f"{len(found)} customers with ERP ID {erp_id!r}"
        return found[0]

    def set_status(self, erp_id: str, status: str) -> None:
        """Set a customer's status directly, as a reviewer's earlier decision would have."""
        engine = create_engine(self.url)
        try:
            with engine.begin() as connection:
                done = connection.execute(
                    update(customers).where(customers.c.erp_id == erp_id).values(status=status)
                )
                assert done.rowcount == 1
        finally:
            engine.dispose()


def database_per_worker() -> None:
    """Under pytest-xdist, point ONBOARD_TEST_PG_URL at a database of this worker's own
    (the test database's name + `_gw1`, …), created when missing: PostgreSQL tests empty
    the tables, so two workers must never share them."""
    url, worker = os.environ.get(PG_URL_VARIABLE), os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.first() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    os.environ[PG_URL_VARIABLE] = base.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Empty tables at the newest schema revision, as `onboard` would create them.

    When the tables are already those of the newest revision (the usual case), emptying
    them is enough and much quicker than dropping and creating them again. DELETE and
    restarting the sequences is what TRUNCATE … RESTART IDENTITY does, in 4 ms instead of
    100 (a test's few rows; TRUNCATE makes new files for every table).
    """
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if _at_head(connection):
                for table in reversed(metadata.sorted_tables):  # rows that refer to others first
                    connection.execute(table.delete())
                connection.execute(
                    text(
                        "SELECT setval(quote_ident(sequencename)::regclass, 1, false) "
                        "FROM pg_sequences WHERE schemaname = current_schema()"
                    )
                )
                return
            metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            metadata.create_all(connection)
            # Without a revision open_store would (rightly) refuse tables it did not make.
            MigrationContext.configure(connection).stamp(ScriptDirectory(str(MIGRATIONS)), "head")
    finally:
        engine.dispose()


def _at_head(connection: Connection) -> bool:
    """The store has exactly the tables and columns of `metadata`, at the newest revision,
    and no trigger a test added."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if MigrationContext.configure(connection).get_current_revision() != head:
        return False
    names = [table.name for table in metadata.sorted_tables]
    found = connection.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(:names)"
        ),
        {"names": names},
    ).all()
    expected = {(table.name, column.name) for table in metadata.sorted_tables for column in table.columns}
    triggers = connection.execute(
        text("SELECT count(*) FROM information_schema.triggers WHERE trigger_schema = current_schema()")
    ).scalar_one()
    return set(found) == expected and len(found) == len(expected) and triggers == 0


def on_a_terminal(args: list[str], cwd: Path, columns: int = 120) -> tuple[int, str, str]:
    """Run onboard with standard error on a pseudo-terminal `columns` wide (as a person at
    a terminal would); returns the exit code, what the terminal showed and standard output."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    quiet = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in quiet} | {"TERM": "xterm-256color"}
    process = subprocess.Popen(
        [ONBOARD, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=120), shown.decode(errors="replace"), stdout


def text_format_columns(path: Path, member: str) -> list[bool]:
    """For each `<col>` range of a workbook's sheet (`xl/worksheets/sheetN.xml`), whether its
    style has Excel's Text format ("@"): what a person types into it stays as typed."""
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
        columns = re.findall(r'<col [^>]*style="(\d+)"', archive.read(member).decode())
    text_formats = {"49", *re.findall(r'<numFmt numFmtId="(\d+)" formatCode="@"', styles)}
    formats = re.findall(r'<xf numFmtId="(\d+)"', styles.split("<cellXfs")[1])
    return [formats[int(style)] in text_formats for style in columns]
