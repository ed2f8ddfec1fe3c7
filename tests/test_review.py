"""The approval pass: review export, a reviewer's edits with openpyxl, review apply."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import valid_row as customer
from factories import write_sheet
from openpyxl import load_workbook
from sqlalchemy import create_engine, select

from pipeline.cli import cli
from pipeline.report import unescape_formulas
from pipeline.store import audit, customers


@pytest.fixture
def db(db_url: str) -> str:
    """An empty store (see conftest.db_url), run from tmp_path."""
    return db_url


def onboard(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", db])


def imported(
    db: str, tmp_path: Path, rows: list[dict[str, str]], name: str = "in.csv", user: str = "importer"
) -> None:
    result = onboard(db, "import", str(write_sheet(tmp_path / name, rows)), "--user", user)
    assert result.exit_code in (0, 1), result.output


def export(db: str, out: Path, *extra: str) -> list[dict[str, str]]:
    result = onboard(db, "review", "export", "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return read_review(out)


def read_review(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    sheet = load_workbook(path)["Review"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], (v or "" for v in row), strict=True)) for row in rows[1:]]


def decide(path: Path, decisions: dict[str, tuple[str, str]]) -> None:
    """Fill in decision and reason per ERP ID, the way a reviewer does in Excel."""
    workbook = load_workbook(path)
    sheet = workbook["Review"]
    headers = [c.value for c in sheet[1]]
    key, decision, reason = (headers.index(n) + 1 for n in ("erp_id", "decision", "reason"))
    for row in range(2, sheet.max_row + 1):
        erp_id = sheet.cell(row=row, column=key).value
        if erp_id in decisions:
            sheet.cell(row=row, column=decision).value = decisions[erp_id][0]
            sheet.cell(row=row, column=reason).value = decisions[erp_id][1] or None
    workbook.save(path)


def apply(
    db: str, path: Path, *extra: str, reviewer: str = "reviewer"
) -> tuple[Result, dict[str, dict[str, str]]]:
    result = onboard(db, "review", "apply", str(path), "--reviewer", reviewer, "--json", *extra)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    report = {}
    if summary.get("report_dir"):
        with (Path(summary["report_dir"]) / "review-report.csv").open(encoding="utf-8") as handle:
            report = {line["erp_id"]: line for line in csv.DictReader(handle)}
    return result, report


def stored(db: str) -> dict[str, dict[str, object]]:
    engine = create_engine(db)
    with engine.connect() as connection:
        found = {r.erp_id: dict(r._mapping) for r in connection.execute(select(customers))}
    engine.dispose()
    return found


def audit_rows(db: str) -> list[dict[str, object]]:
    engine = create_engine(db)
    with engine.connect() as connection:
        found = [dict(r._mapping) for r in connection.execute(select(audit).order_by(audit.c.id))]
    engine.dispose()
    return found


def test_export_holds_pending_customers_with_fingerprint_and_dropdown(db: str, tmp_path: Path) -> None:
    """It exports every pending customer with a fingerprint, empty decisions and a drop-down."""
    imported(db, tmp_path, [customer(0), customer(1)])
    lines = export(db, tmp_path / "review.xlsx")
    assert [line["erp_id"] for line in lines] == ["00123", "00124"]
    assert all(line["decision"] == "" and line["reason"] == "" for line in lines)
    assert all(len(line["fingerprint"]) == 16 and line["status"] == "pending" for line in lines)
    assert lines[0]["tax_id"] == "NL006486253B01"
    workbook = load_workbook(tmp_path / "review.xlsx")
    sheet = workbook["Review"]
    assert sheet.freeze_panes == "D2"
    validations = sheet.data_validations.dataValidation
    assert any(v.formula1 == '"approve,reject"' and "B2" in str(v.sqref) for v in validations)
    assert "Instructions" in workbook.sheetnames
    assert "Read-only" in sheet["A1"].comment.text


def test_export_of_one_batch(db: str, tmp_path: Path) -> None:
    """It exports only the named batch's pending customers with --batch."""
    imported(db, tmp_path, [customer(0)], "first.csv")
    imported(db, tmp_path, [customer(1)], "second.csv")
    batch = str(stored(db)["00124"]["batch_id"])
    lines = export(db, tmp_path / "review.xlsx", "--batch", batch)
    assert [line["erp_id"] for line in lines] == ["00124"]


def test_approve_reject_and_empty(db: str, tmp_path: Path) -> None:
    """It approves, rejects with a reason, skips empty decisions, and records who and why."""
    imported(db, tmp_path, [customer(0), customer(1), customer(2)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("Approve", ""), "00124": ("REJECTED", "Duplicate in portal")})
    result, report = apply(db, review)
    assert result.exit_code == 0, result.output
    assert {k: v["outcome"] for k, v in report.items()} == {
        "00123": "approved",
        "00124": "rejected",
        "00125": "skipped",
    }
    customers_now = stored(db)
    assert customers_now["00123"]["status"] == "approved"
    assert customers_now["00123"]["reviewed_by"] == "reviewer"
    assert customers_now["00123"]["reviewed_at"] is not None
    assert customers_now["00124"]["status"] == "rejected"
    assert customers_now["00124"]["review_reason"] == "Duplicate in portal"
    assert customers_now["00125"]["status"] == "pending"
    changes = [
        (a["erp_id"], a["old_status"], a["new_status"], a["changed_by"])
        for a in audit_rows(db)
        if a["action"] != "created"
    ]
    assert changes == [
        ("00123", "pending", "approved", "reviewer"),
        ("00124", "pending", "rejected", "reviewer"),
    ]


def test_reject_without_reason_is_refused(db: str, tmp_path: Path) -> None:
    """It refuses a reject without a reason and exits 1, leaving the customer pending."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("reject", ""), "00124": ("approve", "")})
    result, report = apply(db, review)
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused"
    assert "reason" in report["00123"]["message"]
    assert report["00124"]["outcome"] == "approved"
    assert stored(db)["00123"]["status"] == "pending"


def test_applying_twice_changes_nothing(db: str, tmp_path: Path) -> None:
    """It treats a decision already in force as unchanged, so a file can be applied twice."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", ""), "00124": ("reject", "No contract")})
    apply(db, review)
    before = stored(db)
    result, report = apply(db, review)
    assert result.exit_code == 0
    assert {v["outcome"] for v in report.values()} == {"unchanged"}
    assert stored(db) == before
    assert len(audit_rows(db)) == 4  # two created, two decisions


def test_stale_fingerprint_after_reimport_is_refused(db: str, tmp_path: Path) -> None:
    """It refuses a decision on a record that a re-import changed after the export."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    imported(db, tmp_path, [customer(0, city="Veldhoven"), customer(1)], "changed.csv")
    decide(review, {"00123": ("approve", ""), "00124": ("approve", "")})
    result, report = apply(db, review)
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused" and "stale" in report["00123"]["message"]
    assert report["00124"]["outcome"] == "approved"
    assert stored(db)["00123"]["status"] == "pending"


def test_unknown_erp_id_and_bad_decision_are_refused(db: str, tmp_path: Path) -> None:
    """It refuses unknown ERP IDs and decisions outside approve/reject."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("maybe", ""), "00124": ("approve", "")})
    workbook = load_workbook(review)
    sheet = workbook["Review"]
    sheet["A3"].value = "99999"
    workbook.save(review)
    result, report = apply(db, review)
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused" and "maybe" in report["00123"]["message"]
    assert report["99999"]["outcome"] == "refused" and "not a known customer" in report["99999"]["message"]
    assert {c["status"] for c in stored(db).values()} == {"pending"}


def test_resaved_file_with_reordered_extra_and_deleted_columns(db: str, tmp_path: Path) -> None:
    """It reads a review file whose columns a reviewer reordered, added to and thinned out."""
    imported(db, tmp_path, [customer(0), customer(1), customer(2)])
    review = tmp_path / "review.xlsx"
    lines = export(db, review)
    rewritten = tmp_path / "rewritten.xlsx"
    workbook = load_workbook(review)
    sheet = workbook.create_sheet("Mine", 0)
    sheet.append(["My notes", "Fingerprint", "Reason", "Decision", "ERP ID", "full_name"])
    sheet.append(["call first", lines[2]["fingerprint"], "", "Approve", "00125", "x"])
    sheet.append(["", lines[0]["fingerprint"], "Wrong VAT", "reject", "00123", "y"])
    del workbook["Review"]
    workbook.save(rewritten)
    result, report = apply(db, rewritten)
    assert result.exit_code == 0, result.output
    assert {k: v["outcome"] for k, v in report.items()} == {"00125": "approved", "00123": "rejected"}


def test_csv_review_files(db: str, tmp_path: Path) -> None:
    """It exports and applies CSV review files too."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.csv"
    lines = export(db, review)
    lines[0]["decision"], lines[1]["decision"], lines[1]["reason"] = "approve", "reject", "Closed"
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    result, report = apply(db, review)
    assert result.exit_code == 0, result.output
    assert {k: v["outcome"] for k, v in report.items()} == {"00123": "approved", "00124": "rejected"}


def test_csv_review_round_trips_formula_like_values(db: str, tmp_path: Path) -> None:
    """It applies a CSV review file to customers whose ERP IDs start like a formula (-0042, +77, =3):
    the apostrophes the export put before them are taken off again, exactly."""
    erp_ids = ["-0042", "+77", "=3", "@x", "'q", "a;-b", "x, 'y"]
    imported(db, tmp_path, [customer(i + 1, erp_id=e) for i, e in enumerate(erp_ids)])
    review = tmp_path / "review.csv"
    lines = export(db, review)
    assert sorted(unescape_formulas(line["erp_id"]) for line in lines) == sorted(erp_ids)
    # The reviewer's program keeps the text as it is and writes it back.
    for line in lines:
        line["decision"], line["reason"] = "reject", "-- not ours; =ask sales"
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)

    result, report = apply(db, review)

    assert result.exit_code == 0, result.output
    assert {unescape_formulas(k): v["outcome"] for k, v in report.items()} == dict.fromkeys(
        erp_ids, "rejected"
    )
    assert {k: (c["status"], c["review_reason"]) for k, c in stored(db).items()} == dict.fromkeys(
        erp_ids, ("rejected", "-- not ours; =ask sales")
    )


def test_dry_run_changes_nothing(db: str, tmp_path: Path) -> None:
    """It reports what would happen with --dry-run but changes no customer and no audit row."""
    imported(db, tmp_path, [customer(0)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", "")})
    before, audit_before = stored(db), audit_rows(db)
    result, report = apply(db, review, "--dry-run")
    assert result.exit_code == 0
    assert report["00123"]["outcome"] == "approved"
    assert stored(db) == before
    assert audit_rows(db) == audit_before


def test_four_eyes_rule(db: str, tmp_path: Path) -> None:
    """It refuses an approval by the person who imported the batch when four-eyes is on."""
    config = tmp_path / "onboard.toml"
    config.write_text("[review]\nfour_eyes = true\n", encoding="utf-8")
    imported(db, tmp_path, [customer(0), customer(1)], user="alice")
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", ""), "00124": ("reject", "Not ours")})
    result, report = apply(db, review, "--config", str(config), reviewer="alice")
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused" and "four-eyes" in report["00123"]["message"]
    assert report["00124"]["outcome"] == "rejected"
    result, report = apply(db, review, "--config", str(config), reviewer="bob")
    assert report["00123"]["outcome"] == "approved"


def test_not_a_review_file_is_unusable(db: str, tmp_path: Path) -> None:
    """It exits 2 with one line for a file that is not a review file."""
    sheet = write_sheet(tmp_path / "customers.csv", [customer(0)])
    result = onboard(db, "review", "apply", str(sheet), "--reviewer", "bob")
    assert result.exit_code == 2
    assert "not a review file" in result.output
    assert "Traceback" not in result.output


def test_status_and_export_of_approved(db: str, tmp_path: Path) -> None:
    """It counts statuses overall and per batch, and exports the approved customers."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", "")})
    apply(db, review)
    status = json.loads(onboard(db, "status", "--json").stdout)
    assert status["customers"] == {"pending": 1, "approved": 1, "rejected": 0}
    assert status["batches"][0]["customers"] == {"pending": 1, "approved": 1, "rejected": 0}
    out = tmp_path / "approved.json"
    assert onboard(db, "export", "--status", "approved", "--out", str(out)).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [c["erp_id"] for c in exported] == ["00123"]
    assert exported[0]["contact_phone"] == "+31401234567"


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("yes", ""),
        ("ok", ""),
        ("no", ""),
        ("aprove", "did you mean approve?"),
        ("rejct", "did you mean reject?"),
    ],
)
def test_only_documented_decision_words_are_applied(db: str, tmp_path: Path, typed: str, hint: str) -> None:
    """It refuses words outside approve/approved/reject/rejected, naming the nearest one."""
    imported(db, tmp_path, [customer(0)])
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": (typed, "because")})
    result, report = apply(db, review)
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused"
    assert f"{typed!r} is not one of: approve, reject" in report["00123"]["message"]
    assert hint in report["00123"]["message"]
    assert stored(db)["00123"]["status"] == "pending"


def test_four_eyes_sees_through_another_name(db: str, tmp_path: Path) -> None:
    """It refuses an approval by the account that imported, whatever name the import or the
    review was given: --user bob on import, then --reviewer with the importer's login."""
    from pipeline.identity import account

    config = tmp_path / "onboard.toml"
    config.write_text("[review]\nfour_eyes = true\n", encoding="utf-8")
    imported(db, tmp_path, [customer(0)], user="bob")
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", "")})
    result, report = apply(db, review, "--config", str(config), reviewer=account())
    assert result.exit_code == 1
    assert report["00123"]["outcome"] == "refused" and "four-eyes" in report["00123"]["message"]
    result, report = apply(db, review, "--config", str(config), reviewer="  BOB ")
    assert report["00123"]["outcome"] == "refused"
    result, report = apply(db, review, "--config", str(config), reviewer="carol")
    assert report["00123"]["outcome"] == "approved"


def test_four_eyes_refuses_a_batch_with_no_recorded_importer(db: str, tmp_path: Path) -> None:
    """It refuses to approve, under four-eyes, a batch whose importer was never recorded."""
    from sqlalchemy import update

    from pipeline.store import batches

    config = tmp_path / "onboard.toml"
    config.write_text("[review]\nfour_eyes = true\n", encoding="utf-8")
    imported(db, tmp_path, [customer(0)])
    engine = create_engine(db)
    with engine.begin() as connection:  # a batch from before importers were recorded
        connection.execute(update(batches).values(imported_by="", imported_login=None))
    engine.dispose()
    review = tmp_path / "review.xlsx"
    export(db, review)
    decide(review, {"00123": ("approve", "")})
    _result, report = apply(db, review, "--config", str(config), reviewer="carol")
    assert report["00123"]["outcome"] == "refused" and "no recorded importer" in report["00123"]["message"]
