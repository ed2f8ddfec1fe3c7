"""Imports, review exports, decisions and review applies in any order: a Hypothesis state
machine drives the real command line on SQLite and checks the store against a model of
the documented rules after every step.

The model: an import inserts a new customer as pending, leaves an identical row alone,
refuses a changed row of an approved customer, and puts any other changed customer
(back) to pending; a file whose content was imported before is skipped unless forced.
A review line is refused when its ERP ID is on several lines, its fingerprint is stale,
its customer is no longer pending, a reject has no reason, or (four-eyes) the reviewer
imported the customer's batch; a decision already in force is unchanged. Every change
of a customer (created, updated, approved, rejected) writes one audit row.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from factories import StoreView, read_review, review_report, valid_row, write_review, write_sheet
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from pipeline.cli import cli
from pipeline.identity import account
from pipeline.store import audit, batches, customers

IMPORTERS = ("alice", "bob")
REVIEWERS = ("carol", "bob", "alice")  # carol first: the simplest review is allowed
CUSTOMERS = range(1, 4)  # indices of `valid_row`: few, so that sheets and reviews meet
ROLES = ("Purchasing", "Finance")  # a customer's two versions differ in contact role
# Decisions of a line, the applicable ones twice as likely as no decision or no reason.
APPROVE, REJECT = ("approve", ""), ("reject", "Not a customer")
DECISIONS = (APPROVE, REJECT, APPROVE, REJECT, ("", ""), ("reject", ""))
# Status changes each kind of step may make (None: not stored before).
ALLOWED = {
    "import": {(None, "pending"), ("rejected", "pending")},
    "apply": {("pending", "approved"), ("pending", "rejected")},
}

SHEET_ROWS = st.lists(
    st.tuples(st.sampled_from(CUSTOMERS), st.sampled_from(range(len(ROLES)))),
    min_size=1,
    max_size=3,
    unique_by=lambda row: row[0],
)
FORMATS = st.sampled_from((".csv", ".xlsx"))
STEPS = ("review", "import", "review", "import", "review")  # an import costs several reviews

SETTINGS = settings(
    max_examples=20,
    stateful_step_count=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
    # An example costs about a second: report a failing sequence (ten steps at most) as
    # found rather than spend minutes shrinking it.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)


def erp(index: int) -> str:
    return valid_row(index)["erp_id"]


@dataclass(frozen=True)
class Sheet:
    """An imported customer sheet: (customer index, version) per row."""

    path: Path
    rows: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Export:
    """A review file as exported: (ERP ID, version) per line."""

    path: Path
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Review:
    """A review file with decisions: (ERP ID, version exported, decision, reason) per line."""

    path: Path
    lines: tuple[tuple[str, int, str, str], ...]


class ReviewStates(RuleBasedStateMachine):
    """One store and one folder per example; four-eyes on."""

    def __init__(self, folder: Path, template: Path) -> None:
        super().__init__()
        self.folder = folder
        folder.mkdir()
        shutil.copy(template, folder / "store.db")
        self.url = f"sqlite:///{folder / 'store.db'}"
        self.config = folder / "onboard.toml"
        self.config.write_text("[review]\nfour_eyes = true\n", encoding="utf-8")
        self.files = itertools.count()
        self.written: list[Sheet] = []
        self.exports: list[Export] = []
        self.reviews: list[Review] = []
        # The model, by ERP ID.
        self.status: dict[str, str] = {}
        self.index_of: dict[str, int] = {}  # of `valid_row`
        self.version: dict[str, int] = {}
        self.importer: dict[str, str] = {}  # who imported the batch the customer is in
        self.reviewed_by: dict[str, str | None] = {}
        self.trail: Counter[str] = Counter()  # audit rows
        self.imported: set[str] = set()  # contents (sha256) a batch was recorded for
        # The stored statuses at the last check, and the kind of step since then.
        self.seen: dict[str, str] = {}
        self.last = "import"

    def onboard(self, *args: object) -> dict[str, Any]:
        """Run one command (exit 0 or 1) on this example's store; its --json summary."""
        common = ("--db", self.url, "--config", self.config, "--report-dir", self.folder / "reports")
        result = CliRunner().invoke(cli, [str(a) for a in (*args, *common, "--json")])
        assert result.exit_code in (0, 1), result.output
        return dict(json.loads(result.stdout.strip().splitlines()[-1]))

    def path(self, kind: str, suffix: str) -> Path:
        return self.folder / f"{kind}-{next(self.files)}{suffix}"

    # --- imports ---------------------------------------------------------------------

    def write(self, rows: list[tuple[int, int]], suffix: str) -> Sheet:
        cells = [valid_row(index, contact_role=ROLES[version]) for index, version in rows]
        sheet = Sheet(write_sheet(self.path("sheet", suffix), cells), tuple(rows))
        self.written.append(sheet)
        return sheet

    def load(self, sheet: Sheet, user: str, force: bool) -> None:
        content = hashlib.sha256(sheet.path.read_bytes()).hexdigest()
        summary = self.onboard("import", sheet.path, "--user", user, *(["--force"] if force else []))
        self.last = "import"
        assert summary["rows"] == summary["accepted"] + summary["rejected"]
        if content in self.imported and not force:
            assert summary.get("skipped") == "already imported"
            return
        assert "skipped" not in summary
        self.imported.add(content)
        counts = dict.fromkeys(("inserted", "updated", "unchanged", "rejected"), 0)
        for index, version in sheet.rows:
            key = erp(index)
            if key in self.status and self.version[key] == version:
                counts["unchanged"] += 1
            elif self.status.get(key) == "approved":
                counts["rejected"] += 1  # approved_customer_changed: left as it is
            else:
                counts["updated" if key in self.status else "inserted"] += 1
                self.index_of[key] = index
                self.status[key], self.version[key], self.importer[key] = "pending", version, user
                self.reviewed_by[key] = None
                self.trail[key] += 1
        assert {name: summary[name] for name in counts} == counts

    @initialize(rows=SHEET_ROWS, user=st.sampled_from(IMPORTERS), suffix=FORMATS)
    def first_import(self, rows: list[tuple[int, int]], user: str, suffix: str) -> None:
        self.load(self.write(rows, suffix), user, force=False)

    @initialize(suffix=FORMATS)
    def first_export(self, suffix: str) -> None:
        self.export(suffix)

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """An import or a review. One rule rather than two: Hypothesis's swarm testing
        switches rules off for whole examples, and the sequences worth trying need both."""
        if data.draw(st.sampled_from(STEPS), label="step") == "import":
            self.import_sheet(data)
        else:
            self.review(data)

    def import_sheet(self, data: st.DataObject) -> None:
        """Import a new sheet, with changed versions of one or more stored customers, or
        (one time in four) an earlier file again, the same bytes."""
        if data.draw(st.integers(0, 3), label="an earlier file again (3)") == 3:
            sheet = data.draw(st.sampled_from(self.written), label="file")
        else:
            stored = st.sampled_from(sorted(self.index_of))
            changed = data.draw(st.lists(stored, min_size=1, unique=True), label="changed")
            rows = [(self.index_of[key], 1 - self.version[key]) for key in changed]
            rows += [row for row in data.draw(SHEET_ROWS, label="rows") if erp(row[0]) not in changed]
            sheet = self.write(rows, data.draw(FORMATS, label="format"))
        user = data.draw(st.sampled_from(IMPORTERS), label="user")
        self.load(sheet, user, data.draw(st.booleans(), label="force"))

    def export(self, suffix: str) -> Export:
        path = self.path("review", suffix)
        self.onboard("review", "export", "--out", path)
        pending = sorted(key for key, status in self.status.items() if status == "pending")
        assert [line["erp_id"] for line in read_review(path)] == pending
        export = Export(path, tuple((key, self.version[key]) for key in pending))
        self.exports.append(export)
        return export

    def review(self, data: st.DataObject) -> None:
        """Apply a review file: one time in four an earlier one again, otherwise a new one
        decided on a fresh or an earlier export; by any reviewer."""
        if self.reviews and data.draw(st.integers(0, 3), label="an earlier review file again (3)") == 3:
            review = data.draw(st.sampled_from(self.reviews), label="review file")
        else:
            review = self.decide(data)
        self.apply(review, data.draw(st.sampled_from(REVIEWERS), label="reviewer"))

    def decide(self, data: st.DataObject) -> Review:
        """Decide the lines of a copy of an export (sometimes copying a line with another
        decision), the export a fresh one or an earlier one."""
        if data.draw(st.booleans(), label="an earlier export"):
            export = data.draw(st.sampled_from(self.exports), label="export")
        else:
            export = self.export(data.draw(FORMATS, label="format"))
        lines = read_review(export.path)
        decisions = st.lists(st.sampled_from(DECISIONS), min_size=len(lines), max_size=len(lines))
        chosen = data.draw(decisions, label="decisions")
        filled = [line | {"decision": d, "reason": r} for line, (d, r) in zip(lines, chosen, strict=True)]
        model = [(key, version, d, r) for (key, version), (d, r) in zip(export.lines, chosen, strict=True)]
        if lines and data.draw(st.integers(0, 2), label="copy a line (2)") == 2:
            at = data.draw(st.integers(0, len(lines) - 1), label="line copied")
            decision, reason = data.draw(st.sampled_from((APPROVE, REJECT)), label="its decision")
            filled.insert(at + 1, filled[at] | {"decision": decision, "reason": reason})
            model.insert(at + 1, (*model[at][:2], decision, reason))
        path = self.path("decided", export.path.suffix)
        shutil.copy(export.path, path)
        review = Review(write_review(path, filled), tuple(model))
        self.reviews.append(review)
        return review

    def apply(self, review: Review, reviewer: str) -> None:
        summary = self.onboard("review", "apply", review.path, "--reviewer", reviewer)
        self.last = "apply"
        copies = Counter(key for key, *_ in review.lines)
        expected = [
            (key, self.outcome(key, version, decision, reason, copies[key], reviewer))
            for key, version, decision, reason in review.lines
        ]
        assert [(line["erp_id"], line["outcome"]) for line in review_report(summary)] == expected
        for key, outcome in expected:
            if outcome in ("approved", "rejected"):
                self.status[key], self.reviewed_by[key] = outcome, reviewer
                self.trail[key] += 1

    def outcome(self, key: str, version: int, decision: str, reason: str, copies: int, reviewer: str) -> str:
        """A line's outcome by the documented rules, against the store before the file."""
        if not decision:
            return "skipped"
        if copies > 1 or version != self.version[key]:
            return "refused"  # on several lines; stale fingerprint
        target = "approved" if decision == "approve" else "rejected"
        if self.status[key] == target:
            return "unchanged"
        if self.status[key] != "pending" or (decision == "reject" and not reason):
            return "refused"
        if decision == "approve" and reviewer == self.importer[key]:
            return "refused"  # four-eyes
        return target

    # --- the store -------------------------------------------------------------------

    @invariant()
    def store_keeps_the_rules(self) -> None:
        view = StoreView(self.url)
        stored = {row["erp_id"]: row for row in view.rows(customers)}
        importers = {row["id"]: row["imported_by"] for row in view.rows(batches)}
        trail = view.rows(audit)
        statuses = {key: row["status"] for key, row in stored.items()}
        for key, status in statuses.items():
            change = (self.seen.get(key), status)
            assert change[0] == status or change in ALLOWED[self.last], (key, change, self.last)
        assert statuses == self.status
        assert {key: row["contact_role"] for key, row in stored.items()} == {
            key: ROLES[version] for key, version in self.version.items()
        }
        assert {key: row["reviewed_by"] for key, row in stored.items()} == self.reviewed_by
        assert Counter(row["erp_id"] for row in trail) == self.trail
        for row in stored.values():  # four-eyes
            if row["status"] == "approved":
                assert row["reviewed_by"] != importers[row["batch_id"]], row
        for row in trail:
            if row["new_status"] == "approved":
                assert row["changed_by"] != importers[row["batch_id"]], row
        self.seen = statuses


# A few sequences in `make test`; many more in `make test-slow`, which CI runs.
@pytest.mark.parametrize(
    "examples", [pytest.param(6, id="quick"), pytest.param(25, id="thorough", marks=pytest.mark.slow)]
)
def test_import_and_review_keep_the_rules_in_any_order(tmp_path: Path, examples: int) -> None:
    """It keeps every rule of import and review in any sequence of imports, re-imports,
    exports, decisions and applies (see the module's docstring)."""
    if account() in (*IMPORTERS, *REVIEWERS):
        pytest.skip(f"the account {account()!r} is one of the machine's people")
    template = tmp_path / "template.db"
    upgraded = CliRunner().invoke(cli, ["db", "upgrade", "--db", f"sqlite:///{template}"])
    assert upgraded.exit_code == 0, upgraded.output
    numbers = itertools.count()
    run_state_machine_as_test(
        lambda: ReviewStates(tmp_path / f"example-{next(numbers)}", template),
        settings=settings(SETTINGS, max_examples=examples),
    )
