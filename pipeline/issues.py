"""Problems as data: the `Issue` record of one row's problem, and `FileError` for a file.

The table of problem codes is `schemas.codes.CODES`, beside the rules that report them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.codes import Severity

# The stages a file goes through, in order; a file-level failure names the one it failed in
# (None: outside them, e.g. a sweep's own failure on a file).
# `compare`: the accepted rows against the stored customers, for look-alikes.
Stage = Literal["read", "map", "validate", "compare", "load", "report"]
STAGES: tuple[Stage, ...] = ("read", "map", "validate", "compare", "load", "report")


@dataclass(frozen=True)
class Issue:
    """One problem of one cell (or row) of an input file.

    `row` is the row number the user sees in a spreadsheet program; `column` is the header
    as written in the file; `field` is the canonical field it maps onto.
    """

    row: int
    column: str
    field: str
    value: str
    code: str
    message: str
    severity: Severity = "error"


@dataclass(frozen=True)
class ColumnHint:
    """An ignored header and the fields it most resembles (best first), for mapping help."""

    column: str
    nearest: tuple[str, ...]
    note: str = ""

    def summary(self) -> dict[str, object]:
        """The hint as the JSON summary shows it."""
        return {"column": self.column, "nearest": list(self.nearest), "note": self.note}


class FileError(Exception):
    """A file cannot be used at all: the whole file fails and nothing is stored."""

    def __init__(self, code: str, message: str, stage: Stage | None = "read") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.stage = stage

    def summary(self) -> dict[str, str | None]:
        """The error as the JSON summaries show it."""
        return {"code": self.code, "stage": self.stage, "message": self.message}


def is_failure(exc: BaseException) -> bool:
    """Whether `exc` is a failure to report and go on from, not a request to stop: any
    `Exception`, and a Rust library's panic. pyo3's `PanicException` (python-calamine
    raises one for a date cell holding a number no date can have) derives from
    `BaseException`, so `except Exception` alone let one odd workbook end every sweep.
    KeyboardInterrupt, SystemExit and GeneratorExit are not failures: they still stop."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
