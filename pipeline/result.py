"""The result of processing one file: every output (console, JSON, summary.json, the
workbooks) is a rendering of a `FileResult`, and the exit code is decided here."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.issues import ColumnHint, FileError, Issue

EXIT_OK, EXIT_REJECTS, EXIT_UNUSABLE = 0, 1, 2
# A file name that is not valid UTF-8 reaches Python with lone surrogates in it.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class FileResult:
    """What happened to one input file."""

    file: Path
    command: str
    sha256: str = ""
    batch_id: str | None = None
    report_dir: Path | None = None
    sheet: str | None = None
    header_row: int | None = None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    # The ignored columns with the fields they resemble, and the required fields missing
    # (for the mapping help: a [columns.synonyms] block).
    column_hints: list[ColumnHint] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    skipped: str | None = None
    error: FileError | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """2 when the file was unusable, 1 when some rows were rejected, else 0."""
        if self.error is not None:
            return EXIT_UNUSABLE
        if self.skipped:
            return EXIT_OK
        return EXIT_REJECTS if self.rejected else EXIT_OK

    def summary(self) -> dict[str, Any]:
        """The summary object: `summary.json` and one line of `--json` output."""
        data: dict[str, Any] = {
            "file": str(self.file),
            "command": self.command,
            "sha256": self.sha256,
        }
        if self.command == "import":
            data["batch_id"] = self.batch_id
        data |= {
            "report_dir": str(self.report_dir) if self.report_dir else None,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "warnings": len(self.warnings),
            "errors_by_code": dict(sorted(Counter(i.code for i in self.errors).items())),
            "warnings_by_code": dict(sorted(Counter(i.code for i in self.warnings).items())),
            "unmapped_columns": self.unmapped_columns,
            "column_hints": [hint.summary() for hint in self.column_hints],
            "missing_columns": self.missing_columns,
        }
        if self.skipped:
            data["skipped"] = self.skipped
        if self.error is not None:
            data["error"] = self.error.summary()
        data["exit_code"] = self.exit_code
        data["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        return data


def worst_exit(results: list[FileResult]) -> int:
    """The exit code of a run over several files: the worst of theirs."""
    return max((r.exit_code for r in results), default=EXIT_OK)


def escape_surrogates(text: str) -> str:
    """The text with each lone surrogate as \\udcxx: UTF-8 cannot encode one."""
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
