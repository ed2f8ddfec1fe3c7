"""The approval pass: review export, a reviewer's edits with openpyxl, review apply."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from factories import (
    StoreView,
    decide,
    read_review,
    review_report,
    text_format_columns,
    write_review,
    write_sheet,
)
from factories import valid_row as customer
from openpyxl import load_workbook
from sqlalchemy import create_engine

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


def apply_file(db: str, path: Path, *extra: str, reviewer: str = "reviewer") -> tuple[Result, dict[str, Any]]:
    """Run review apply with --json: the result and the file's summary."""
    result = onboard(db, "review", "apply", str(path), "--reviewer", reviewer, "--json", *extra)
    assert result.stdout.strip(), result.output
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def apply(
    db: str, path: Path, *extra: str, reviewer: str = "reviewer"
) -> tuple[Result, dict[str, dict[str, str]]]:
    result, summary = apply_file(db, path, *extra, reviewer=reviewer)
    report = {line["erp_id"]: line for line in review_report(summary)} if summary.get("report_dir") else {}
    return result, report


def stored(db: str) -> dict[str, dict[str, Any]]:
    return {row["erp_id"]: row for row in StoreView(db).rows(customers)}


def audit_rows(db: str) -> list[dict[str, Any]]:
    return StoreView(db).rows(audit)


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
    assert "Read-only" in sheet["A1"].comment.text
    # Text format: a reason typed as 3/4 stays as typed, not a date.
    assert sheet["A2"].number_format == "@"
    columns = text_format_columns(tmp_path / "review.xlsx", "xl/worksheets/sheet1.xml")
    assert columns and all(columns)
    guide = workbook["Instructions"]
    # Printed on one page wide: every line wraps inside column A instead of running on.
    assert guide.sheet_properties.pageSetUpPr.fitToPage and guide.max_column == 1
    assert all(cell.alignment.wrap_text for (cell,) in guide.iter_rows(min_row=2) if cell.value)
    assert guide[guide.max_row][0].value.endswith("UTC; 2 pending customers.")


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
    # A decision changes the customer: its updated_at is the decision's time.
    assert customers_now["00124"]["updated_at"] == customers_now["00124"]["reviewed_at"]
    assert customers_now["00125"]["updated_at"] == customers_now["00125"]["created_at"]
    changes = [
        (a["erp_id"], a["old_status"], a["new_status"], a["changed_by"], a["reason"])
        for a in audit_rows(db)
        if a["action"] != "created"
    ]
    assert changes == [
        ("00123", "pending", "approved", "reviewer", None),
        ("00124", "pending", "rejected", "reviewer", "Duplicate in portal"),
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


def test_a_line_without_erp_id_or_decision_is_skipped_and_the_reviewer_is_trimmed(
    db: str, tmp_path: Path
) -> None:
    """It skips a line with neither ERP ID nor decision (README: `skipped`, not refused),
    and records the reviewer's name without stray spaces."""
    imported(db, tmp_path, [customer(0)])
    review = tmp_path / "review.csv"
    lines = export(db, review)
    lines[0]["decision"] = "approve"
    note = {key: "" for key in lines[0]} | {"reason": "a note under the list"}
    with review.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows([lines[0], note])
    result, summary = apply_file(db, review, reviewer="  Bo   Bergh ")
    assert result.exit_code == 0, result.output
    assert (summary["approved"], summary["skipped"], summary["refused"]) == (1, 1, 0)
    assert stored(db)["00123"]["reviewed_by"] == "Bo Bergh"


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


def erp(index: int) -> str:
    return customer(index)["erp_id"]


@dataclass(frozen=True)
class Case:
    """One customer's line(s) in a review file, what happened to the customer between the
    export and the apply, and what applying the file must leave."""

    name: str
    index: int
    decisions: tuple[tuple[str, str], ...]  # (decision, reason) of each line written for it
    outcomes: tuple[str, ...]  # of those lines, in order
    status: str
    reviewed_by: str | None
    trail: tuple[str, ...]  # the customer's audit actions, in order
    erp_id: str | None = None  # written instead of the customer's own ERP ID
    meanwhile: str = ""  # "approve"/"reject" by carol from the same export, or "change" by a re-import


CASES = (
    Case("approve", 1, (("approve", ""),), ("approved",), "approved", "bob", ("created", "approved")),
    Case("reject", 2, (("reject", "Closed"),), ("rejected",), "rejected", "bob", ("created", "rejected")),
    Case("no decision", 3, (("", ""),), ("skipped",), "pending", None, ("created",)),
    Case(
        "ERP ID on several lines",
        4,
        (("approve", ""), ("reject", "Duplicate")),
        ("refused", "refused"),
        "pending",
        None,
        ("created",),
    ),
    Case(
        "rejected meanwhile, approved by the old file",
        5,
        (("approve", ""),),
        ("refused",),
        "rejected",
        "carol",
        ("created", "rejected"),
        meanwhile="reject",
    ),
    Case(
        "approved meanwhile, rejected by the old file",
        6,
        (("reject", "Closed"),),
        ("refused",),
        "approved",
        "carol",
        ("created", "approved"),
        meanwhile="approve",
    ),
    Case("no ERP ID", 7, (("approve", ""),), ("refused",), "pending", None, ("created",), erp_id=""),
    Case(
        "unknown ERP ID", 8, (("approve", ""),), ("refused",), "pending", None, ("created",), erp_id="99999"
    ),
    Case(
        "stale fingerprint",
        9,
        (("approve", ""),),
        ("refused",),
        "pending",
        None,
        ("created", "updated"),
        meanwhile="change",
    ),
    Case("reject without reason", 10, (("reject", ""),), ("refused",), "pending", None, ("created",)),
)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_each_refused_line_leaves_its_customer_as_it_was(db: str, tmp_path: Path, suffix: str) -> None:
    """It refuses every documented kind of bad line (see CASES), changing nothing of its
    customer, and applies the good lines of the same file."""
    imported(db, tmp_path, [customer(case.index) for case in CASES], user="alice")
    review = tmp_path / f"review{suffix}"
    exported = {line["erp_id"]: line for line in export(db, review)}
    # Meanwhile carol decides some customers from a file of the same export, and a
    # re-import changes another.
    other = tmp_path / f"other{suffix}"
    export(db, other)
    decide(
        other,
        {erp(c.index): (c.meanwhile, "By phone") for c in CASES if c.meanwhile in ("approve", "reject")},
    )
    assert apply_file(db, other, reviewer="carol")[0].exit_code == 0
    changed = [customer(c.index, city="Veldhoven") for c in CASES if c.meanwhile == "change"]
    imported(db, tmp_path, changed, name="changed.csv", user="alice")
    write_review(
        review,
        [
            exported[erp(case.index)]
            | {"decision": decision, "reason": reason}
            | ({} if case.erp_id is None else {"erp_id": case.erp_id})
            for case in CASES
            for decision, reason in case.decisions
        ],
    )

    result, summary = apply_file(db, review, reviewer="bob")

    assert result.exit_code == 1, result.output
    assert [(line["erp_id"], line["outcome"]) for line in review_report(summary)] == [
        (erp(case.index) if case.erp_id is None else case.erp_id, outcome)
        for case in CASES
        for outcome in case.outcomes
    ]
    view = StoreView(db)
    trails = [(a["erp_id"], a["action"]) for a in view.rows(audit)]
    for case in CASES:
        now = view.customer(erp(case.index))
        assert (case.name, now["status"], now["reviewed_by"]) == (case.name, case.status, case.reviewed_by)
        trail = tuple(action for erp_id, action in trails if erp_id == erp(case.index))
        assert (case.name, trail) == (case.name, case.trail)
    assert view.count(customers) == len(CASES)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_file_applied_twice_changes_nothing_the_second_time(db: str, tmp_path: Path, suffix: str) -> None:
    """It treats a decision already in force as unchanged: a second apply, by anyone,
    changes no customer and writes no audit row."""
    imported(db, tmp_path, [customer(0), customer(1), customer(2)])
    review = tmp_path / f"review{suffix}"
    export(db, review)
    decide(review, {"00123": ("approve", ""), "00124": ("reject", "No contract")})
    first, summary = apply_file(db, review, reviewer="bob")
    assert first.exit_code == 0, first.output
    assert (summary["approved"], summary["rejected"], summary["skipped"]) == (1, 1, 1)
    view = StoreView(db)
    before, audit_before = view.rows(customers), view.rows(audit)
    assert len(audit_before) == 5  # three created, two decided

    again, summary = apply_file(db, review, reviewer="carol")

    assert again.exit_code == 0, again.output
    assert [(line["erp_id"], line["outcome"]) for line in review_report(summary)] == [
        ("00123", "unchanged"),
        ("00124", "unchanged"),
        ("00125", "skipped"),
    ]
    assert view.rows(customers) == before  # still reviewed by bob, at the same time
    assert view.rows(audit) == audit_before


@pytest.mark.parametrize(("suffix", "reviewer"), [(".xlsx", ""), (".csv", "   ")])
def test_a_blank_reviewer_makes_the_file_unusable(
    db: str, tmp_path: Path, suffix: str, reviewer: str
) -> None:
    """It refuses the whole file (missing_reviewer, exit 2) when the reviewer's name is
    empty or blank, and changes nothing."""
    imported(db, tmp_path, [customer(0), customer(1)])
    review = tmp_path / f"review{suffix}"
    export(db, review)
    decide(review, {"00123": ("approve", ""), "00124": ("reject", "No contract")})
    view = StoreView(db)
    before, audit_before = view.rows(customers), view.rows(audit)

    result, summary = apply_file(db, review, reviewer=reviewer)

    assert result.exit_code == 2
    assert summary["error"]["code"] == "missing_reviewer"
    assert (summary["approved"], summary["rejected"], summary["exit_code"]) == (0, 0, 2)
    assert view.rows(customers) == before
    assert view.rows(audit) == audit_before


def test_review_workbook_has_portal_labels_and_reads_back(db: str, tmp_path: Path) -> None:
    """It heads the review workbook's customer columns with the portal's labels (ERP ID,
    Zip/Postal code, …) and keeps decision, reason and fingerprint; a reviewer's decisions
    under those headers apply, and a workbook headed with the column names still reads."""
    imported(db, tmp_path, [customer(0), customer(1), customer(2)])
    onboard(db, "review", "export", "--out", str(tmp_path / "review.xlsx"))
    workbook = load_workbook(tmp_path / "review.xlsx")
    sheet = workbook["Review"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["ERP ID", "decision", "reason", "warnings", "Short name"]
    assert {"Tax ID", "Zip/Postal code", "State/Province", "Email address", "fingerprint"} <= set(header)
    assert "erp_id" not in header and "postal_code" not in header
    decision, reason = header.index("decision") + 1, header.index("reason") + 1
    sheet.cell(row=2, column=decision).value = "approve"
    sheet.cell(row=3, column=decision).value = "reject"
    sheet.cell(row=3, column=reason).value = "Closed"
    workbook.save(tmp_path / "review.xlsx")
    result, report = apply(db, tmp_path / "review.xlsx")
    assert result.exit_code == 0, result.output
    assert {erp_id: line["outcome"] for erp_id, line in report.items()} == {
        "00123": "approved",
        "00124": "rejected",
        "00125": "skipped",
    }
    assert [stored(db)[e]["status"] for e in ("00123", "00124", "00125")] == [
        "approved",
        "rejected",
        "pending",
    ]

    # A workbook whose headers are the column names (a review CSV's, older exports') reads too.
    from pipeline.review_workbook import REVIEW_COLUMNS

    for column, name in enumerate(REVIEW_COLUMNS, start=1):
        sheet.cell(row=1, column=column).value = name
    sheet.cell(row=4, column=decision).value = "approve"
    workbook.save(tmp_path / "names.xlsx")
    result, report = apply(db, tmp_path / "names.xlsx")
    assert result.exit_code == 0, result.output
    assert report["00125"]["outcome"] == "approved"
    assert report["00123"]["outcome"] == "unchanged"


def test_a_reason_with_hidden_characters_is_refused_and_a_line_break_kept(db: str, tmp_path: Path) -> None:
    """It refuses a line whose reason holds a NUL or a bidi override (PostgreSQL refused
    the NUL and failed the whole file; SQLite kept both, unseen) and applies the others,
    keeping a reason's line break as typed with Alt+Enter."""
    imported(db, tmp_path, [customer(0), customer(1), customer(2)])
    review = tmp_path / "review.csv"
    export(db, review)
    decide(
        review,
        {
            "00123": ("reject", "no\x00contract"),
            "00124": ("reject", "\u202etcartnoc on"),
            "00125": ("reject", "No contract\nsigned yet"),
        },
    )
    result, report = apply(db, review)
    assert result.exit_code == 1
    assert [report[erp_id]["outcome"] for erp_id in ("00123", "00124", "00125")] == ["refused"] * 2 + [
        "rejected"
    ]
    assert "control or invisible character" in report["00123"]["message"]
    assert stored(db)["00125"]["review_reason"] == "No contract\nsigned yet"
    assert {stored(db)[erp_id]["status"] for erp_id in ("00123", "00124")} == {"pending"}
