"""The review's decision rules as pure functions: what one line does, and what it says.

The CLI tests (tests/test_review.py) apply whole files; these pin what a line's outcome
and message hold, and the fingerprint a review file carries between versions of onboard.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from pipeline.review_decisions import decide, fingerprint
from schemas.fields import FIELDS


def stored(erp_id: str = "00123", status: str = "pending", batch_id: str = "b1") -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    record |= {"short_name": "Café Noir", "full_name": "Café Noir B.V.", "erp_id": erp_id, "country": "NL"}
    return record | {"contact_email": "jan@café.nl", "status": status, "batch_id": batch_id}


def line(decision: str, erp_id: str = "00123", **extra: str) -> dict[str, str]:
    record = stored(erp_id)
    return {"erp_id": erp_id, "decision": decision, "reason": "", "fingerprint": fingerprint(record)} | extra


def test_the_fingerprint_of_a_customer_is_what_earlier_versions_wrote() -> None:
    """It keeps the fingerprint of a stored customer (non-ASCII and blank fields alike) as
    onboard has written it into review files: changed, every review file exported before
    an upgrade would be refused as stale."""
    assert fingerprint(stored()) == "46d8430911bf4377"


@pytest.mark.parametrize("typed", ["Approve.", "APPROVED!", " approve ", "approved"])
def test_a_documented_word_with_case_spaces_or_a_full_stop_is_applied(typed: str) -> None:
    """It applies `approve(d)` in any case, with spaces or a closing `.` or `!`, recording
    the decision as the word itself and the line's row."""
    result = decide(line(typed), {"00123": stored()}, Counter(["00123"]), ("rev", None), {}, row=7)
    assert (result.outcome, result.decision, result.row) == ("approved", "approve", 7)
    assert result.message == "customer 00123 approved"


def test_each_outcome_says_which_customer_and_why() -> None:
    """It names the row, the ERP ID, the count of lines and the batch in the messages a
    reviewer reads in the review report."""
    records = {"00123": stored(), "00124": stored("00124", batch_id="b7")}
    once = Counter(["00123", "00124"])

    def outcome(
        values: dict[str, str], seen: Counter[str] = once, importers: Any = None
    ) -> tuple[str, str, str]:
        found = decide(values, records, seen, ("rev", None), importers or {}, row=5)
        return found.outcome, found.decision, found.message

    assert outcome(line("")) == ("skipped", "", "no decision")
    assert outcome(line("approve", erp_id="")) == ("refused", "approve", "row 5 has no erp_id")
    twice = outcome(line("approve"), seen=Counter(["00123", "00123"]))
    assert twice[2] == "ERP ID 00123 appears on 2 lines; keep one line per customer"
    stale = outcome(line("approve") | {"fingerprint": "0" * 16})
    assert stale[0] == "refused" and stale[2].startswith("customer 00123 changed since")
    barred = outcome(line("approve", erp_id="00124"), importers={"b7": ("rev", "rev")})
    assert barred == ("refused", "approve", "four-eyes rule: rev imported batch b7 and may not approve it")
    assert outcome(line("maybe"))[:2] == ("refused", "maybe")
