"""The result of processing one file: every output (console, JSON, summary.json, the
workbooks) is a rendering of a `FileResult`, whose counts keep `rows == accepted +
rejected` themselves; the exit code of a run over many files is decided here too."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pipeline.issues import ColumnHint, FileError, Issue, Stage

EXIT_OK, EXIT_REJECTS, EXIT_UNUSABLE = 0, 1, 2
# A file name that is not valid UTF-8 reaches Python with lone surrogates in it.
_SURROGATE = re.compile("[\ud800-\udfff]")
Command = Literal["validate", "import"]
# Told (stage, rows done, rows in all) as a stage starts and as its rows get done; rows in
# all is None for a stage that does not go row by row (read, map, report).
StageCallback = Callable[[Stage, int, int | None], None]
# How validate and import process one file (for the command line's loop over files).
FileProcess = Callable[[Path, StageCallback | None], "FileResult"]


class Stopwatch:
    """Seconds per stage of one file, and in all; tells `on_stage` as each stage starts
    and, for a stage of `rows`, as its rows get done (for a progress display)."""

    def __init__(self, on_stage: StageCallback | None = None) -> None:
        self._on_stage = on_stage
        self._start = time.perf_counter()
        self._seconds: dict[str, float] = {}
        self._running: tuple[Stage, float] | None = None
        self._rows: int | None = None
        self._stopped: float | None = None

    @contextmanager
    def stage(self, name: Stage, rows: int | None = None) -> Iterator[None]:
        if self._on_stage is not None:
            self._on_stage(name, 0, rows)
        self._rows = rows
        self._running = (name, time.perf_counter())
        try:
            yield
        finally:
            self._seconds[name] = self._seconds.get(name, 0.0) + time.perf_counter() - self._running[1]
            self._running = None

    def done(self, rows: int) -> None:
        """`rows` of the running stage's rows are done (a progress display shows how many,
        and the time left)."""
        if self._on_stage is not None and self._running is not None:
            self._on_stage(self._running[0], rows, self._rows)

    def stop(self) -> None:
        """Fix the total: a result printed later must not count the time it waited."""
        if self._stopped is None:
            self._stopped = time.perf_counter()

    def timings(self) -> dict[str, float]:
        """Seconds per stage so far, a running stage up to now (summary.json is written
        during the report stage), and `total`."""
        now = time.perf_counter() if self._stopped is None else self._stopped
        seconds = dict(self._seconds)
        if self._running is not None:
            name, started = self._running
            seconds[name] = seconds.get(name, 0.0) + now - started
        return seconds | {"total": now - self._start}


@dataclass
class FileResult:
    """What happened to one input file.

    The counts change only through `counted`, `reject`, `stored`, `failed` and `skipped`, which keep
    `rows == accepted + rejected`.
    """

    file: Path
    command: Command
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
    # Why the file was not processed again ("already imported"), when it was not.
    skip_reason: str | None = None
    error: FileError | None = None
    stopwatch: Stopwatch = field(default_factory=Stopwatch, repr=False, compare=False)

    def counted(
        self, rows: int, errors: list[Issue], warnings: list[Issue], map_warnings: Sequence[Issue] = ()
    ) -> None:
        """The validation's verdict: a row with an error is rejected, every other accepted.
        Warnings of the map stage (a doubtful name split) count only on accepted rows."""
        rejected = {issue.row for issue in errors}
        kept = [issue for issue in map_warnings if issue.row not in rejected]
        self.rows, self.errors = rows, errors
        self.warnings = sorted(warnings + kept, key=lambda issue: issue.row) if kept else warnings
        self.rejected = len(rejected)
        self.accepted = rows - self.rejected

    def warn(self, issues: Sequence[Issue]) -> None:
        """More warnings about accepted rows, found after the validation (look-alikes in
        the store); counts do not change."""
        if issues:
            self.warnings = sorted([*self.warnings, *issues], key=lambda issue: issue.row)

    def reject(self, issues: Sequence[Issue]) -> None:
        """Reject accepted rows after all (the store refused them): their problems join
        the errors, their warnings go, and each row moves from accepted to rejected."""
        rows = {issue.row for issue in issues} - {issue.row for issue in self.errors}
        self.errors = sorted([*self.errors, *issues], key=lambda issue: issue.row)
        self.warnings = [issue for issue in self.warnings if issue.row not in rows]
        self.rejected += len(rows)
        self.accepted -= len(rows)

    def stored(self, inserted: int, updated: int, unchanged: int) -> None:
        """What the store did with the accepted rows."""
        self.inserted, self.updated, self.unchanged = inserted, updated, unchanged

    @property
    def reject_rate(self) -> float:
        """The share of rows rejected (0 for a file without rows)."""
        return self.rejected / self.rows if self.rows else 0.0

    def failed(self, error: FileError) -> FileResult:
        """This file failed whole: what was learned of it is kept, no row counts."""
        return FileResult(
            self.file,
            self.command,
            sha256=self.sha256,
            sheet=self.sheet,
            header_row=self.header_row,
            unmapped_columns=self.unmapped_columns,
            column_hints=self.column_hints,
            missing_columns=self.missing_columns,
            error=error,
            stopwatch=self.stopwatch,
        )

    def skipped(self, earlier: dict[str, Any]) -> FileResult:
        """This file's content was imported before: the earlier batch's id and counts."""
        rows, accepted, rejected = (int(str(earlier[name])) for name in ("rows", "accepted", "rejected"))
        assert rows == accepted + rejected, earlier
        return FileResult(
            self.file,
            self.command,
            sha256=self.sha256,
            batch_id=str(earlier["id"]),
            sheet=self.sheet,
            header_row=self.header_row,
            unmapped_columns=self.unmapped_columns,
            column_hints=self.column_hints,
            rows=rows,
            accepted=accepted,
            rejected=rejected,
            unchanged=accepted,
            skip_reason="already imported",
            stopwatch=self.stopwatch,
        )

    @property
    def timings(self) -> dict[str, float]:
        return self.stopwatch.timings()

    @property
    def exit_code(self) -> int:
        """2 when the file was unusable, 1 when some rows were rejected, else 0."""
        if self.error is not None:
            return EXIT_UNUSABLE
        if self.skip_reason:
            return EXIT_OK
        return EXIT_REJECTS if self.rejected else EXIT_OK

    def errors_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(i.code for i in self.errors).items()))

    def warnings_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(i.code for i in self.warnings).items()))

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
            "errors_by_code": self.errors_by_code(),
            "warnings_by_code": self.warnings_by_code(),
            "unmapped_columns": self.unmapped_columns,
            "column_hints": [hint.summary() for hint in self.column_hints],
            "missing_columns": self.missing_columns,
        }
        if self.skip_reason:
            data["skipped"] = self.skip_reason
        if self.error is not None:
            data["error"] = self.error.summary()
        data["exit_code"] = self.exit_code
        data["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
        return data


class Finished(Protocol):
    """Anything a run finishes with an exit code of its own: a file, a review, a swept file."""

    @property
    def exit_code(self) -> int: ...


def run_exit_code(finished: Iterable[Finished], stopped: bool = False) -> int:
    """The exit code of a whole run: 2 when it stopped early, else the worst of its files'
    (0 for none). Every command over several files ends with this."""
    if stopped:
        return EXIT_UNUSABLE
    return max((item.exit_code for item in finished), default=EXIT_OK)


@dataclass
class RunReport:
    """The files of one validate or import run: the totals people read and the exit code,
    as black's `Report` keeps them."""

    files: list[FileResult] = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.files.append(result)

    @property
    def exit_code(self) -> int:
        return run_exit_code(self.files)

    @property
    def rows(self) -> int:
        return sum(result.rows for result in self.files)

    @property
    def accepted(self) -> int:
        return sum(result.accepted for result in self.files)

    @property
    def rejected(self) -> int:
        return sum(result.rejected for result in self.files)

    @property
    def unusable(self) -> int:
        return sum(result.error is not None for result in self.files)


def escape_surrogates(text: str) -> str:
    """The text with each lone surrogate as \\udcxx: UTF-8 cannot encode one."""
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
