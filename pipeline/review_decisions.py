"""The review's decision rules: what one line of a review file does to a stored customer.

Pure functions of the line, the stored record and who reviews: no files, no store.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pipeline.identity import same_person
from schemas.fields import FIELDS
from schemas.rules.text import CONTROL_CHARACTERS

_HIDDEN = re.compile(CONTROL_CHARACTERS)
# The only words applied (in any case): a decision is never guessed from "ok", "yes" or
# "no", and a misspelling is refused with the nearest word suggested.
DECISION_WORDS = {"approve": "approve", "approved": "approve", "reject": "reject", "rejected": "reject"}
OUTCOMES = ("approved", "rejected", "unchanged", "refused", "skipped")


def fingerprint(record: dict[str, Any]) -> str:
    """A short hash of a customer's fields as stored; any change of a field changes it."""
    canonical = json.dumps([record.get(name) or "" for name in FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ReviewLine:
    """The outcome of one decision line of a review file."""

    erp_id: str
    decision: str
    outcome: str
    message: str
    row: int = 0


def decide(
    values: dict[str, str],
    stored: dict[str, dict[str, Any]],
    seen: Counter[str],
    reviewers: tuple[str, str | None],
    importers: dict[str, tuple[str, str]],
    row: int,
) -> ReviewLine:
    """The outcome of one line, from the file's values and the stored record.

    `seen` counts the file's lines per ERP ID; `reviewers` is (the reviewer's name, the
    account applying the file); `importers` maps batch ids to who imported them, given
    only under the four-eyes rule.
    """
    erp_id = values.get("erp_id", "")
    typed = values.get("decision", "")
    decision = DECISION_WORDS.get(typed.casefold().strip(" .!"), "")

    def line(outcome: str, message: str) -> ReviewLine:
        return ReviewLine(erp_id, decision or typed, outcome, message, row)

    if not typed:  # with or without an ERP ID: nothing was decided, nothing to refuse
        return line("skipped", "no decision")
    if not erp_id:
        return line("refused", f"row {row} has no erp_id")
    if not decision:
        return line("refused", unknown_decision(typed))
    if seen[erp_id] > 1:
        return line("refused", f"ERP ID {erp_id} appears on {seen[erp_id]} lines; keep one line per customer")
    record = stored.get(erp_id)
    if record is None:
        return line("refused", f"ERP ID {erp_id} is not a known customer")
    refusal = _refusal(decision, values, record, reviewers, importers)
    if refusal is not None:
        outcome, message = refusal
        return line(outcome, message)
    target = "approved" if decision == "approve" else "rejected"
    return line(target, f"customer {erp_id} {target}")


def _refusal(
    decision: str,
    values: dict[str, str],
    record: dict[str, Any],
    reviewers: tuple[str, str | None],
    importers: dict[str, tuple[str, str]],
) -> tuple[str, str] | None:
    """(outcome, message) when a known customer's line is not applied, or None."""
    erp_id = record["erp_id"]
    if values.get("fingerprint", "") != fingerprint(record):
        return (
            "refused",
            f"customer {erp_id} changed since this review file was exported (stale fingerprint); "
            "export a new review file",
        )
    target = "approved" if decision == "approve" else "rejected"
    if record["status"] == target:
        return "unchanged", f"customer {erp_id} is already {target}"
    if record["status"] != "pending":
        return "refused", f"customer {erp_id} is {record['status']}; only pending customers are decided"
    if decision == "reject" and not values.get("reason"):
        return "refused", f"rejecting customer {erp_id} needs a reason"
    if _HIDDEN.search(values.get("reason", "")):
        # The reason is stored and may reach the customer: what nobody sees is not kept
        # (and PostgreSQL refuses NUL, which failed the whole file there).
        return (
            "refused",
            f"the reason for customer {erp_id} holds a control or invisible character; retype it",
        )
    if decision == "approve" and record["batch_id"] in importers:
        barred = four_eyes(record["batch_id"], importers[record["batch_id"]], reviewers)
        if barred:
            return "refused", barred
    return None


def unknown_decision(typed: str) -> str:
    """Why a decision word is refused, with the nearest known word when there is one."""
    nearest = difflib.get_close_matches(typed.casefold().strip(), DECISION_WORDS, n=1, cutoff=0.6)
    hint = f" (did you mean {DECISION_WORDS[nearest[0]]}?)" if nearest else ""
    return f"decision {typed!r} is not one of: approve, reject{hint}; the line was not applied"


def four_eyes(batch_id: str, importer: tuple[str, str], reviewers: tuple[str, str | None]) -> str | None:
    """Why this reviewer may not approve a customer of this batch, or None.

    The importer's name is compared with the reviewer's name and account, and the
    importer's account with the reviewer's name, so nobody approves their own import
    under another name. Two accounts alone are not compared: a team may share one
    account and tell its members apart by name.
    """
    name, login = importer
    reviewer, account = reviewers
    if not name.strip():
        return (
            f"four-eyes rule: batch {batch_id} has no recorded importer (it was imported before "
            "onboard recorded one), so no reviewer can be shown not to have imported it"
        )
    same = same_person([name], [reviewer, account]) or same_person([login], [reviewer])
    if same is not None:
        return f"four-eyes rule: {same} imported batch {batch_id} and may not approve it"
    return None
