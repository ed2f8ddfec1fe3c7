"""Peer: python-calamine reading the first sheet of an xlsx into Python lists, nothing more.

Prints the seconds it took and the number of rows, as JSON.
"""

from __future__ import annotations

import json
import sys
import time

import python_calamine


def main(path: str) -> None:
    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    rows = workbook.get_sheet_by_index(0).to_python()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(rows) - 1}))


if __name__ == "__main__":
    main(sys.argv[1])
