"""Fill in a review file the way a reviewer would (used by `make demo`).

Approves every customer, except that it rejects every fifth one with a reason and
leaves every seventh undecided. Usage: python samples/fill_review.py REVIEW.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook


def fill(path: Path) -> tuple[int, int, int]:
    """Write decisions into the review workbook; returns (approved, rejected, undecided)."""
    workbook = load_workbook(path)
    sheet = workbook["Review"]
    headers = [cell.value for cell in sheet[1]]
    decision, reason = headers.index("decision") + 1, headers.index("reason") + 1
    counts = [0, 0, 0]
    for number, row in enumerate(range(2, sheet.max_row + 1), start=1):
        if number % 7 == 0:
            counts[2] += 1
        elif number % 5 == 0:
            sheet.cell(row=row, column=decision).value = "Reject"
            sheet.cell(row=row, column=reason).value = "Duplicate of an existing portal customer"
            counts[1] += 1
        else:
            sheet.cell(row=row, column=decision).value = "approve"
            counts[0] += 1
    workbook.save(path)
    return counts[0], counts[1], counts[2]


if __name__ == "__main__":
    approved, rejected, undecided = fill(Path(sys.argv[1]))
    print(
        f"reviewer filled in: {approved} approve, {rejected} reject, {undecided} undecided", file=sys.stderr
    )
