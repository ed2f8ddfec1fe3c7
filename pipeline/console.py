"""Rendering for people: each result as the lines a terminal or a cron log shows, and the
progress display (as pandera's `_cli/rich_report.py`: the commands never format output).

Everything printed passes `echo` or `echo_json`, which escape what a terminal would act
on: file names, headers, values and messages carry the user's text.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.issues import ColumnHint, Issue, Stage
from pipeline.names import plain_json, text_of
from pipeline.result import FileResult, RunReport, StageCallback

if TYPE_CHECKING:
    from rich.text import Text

    from pipeline.review import ReviewResult
    from pipeline.sweep import SweepResult, SweptFile

# What a terminal acts on or hides: controls (C0 such as ESC, BEL, backspace, CR; DEL; C1
# such as CSI 0x9b), format characters (bidi overrides, zero-width), line separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
STAGE_LABELS: dict[Stage, str] = {
    "read": "reading",
    "map": "mapping columns",
    "validate": "validating",
    "compare": "comparing with stored customers",
    "load": "loading",
    "report": "writing reports",
}


def _hidden(character: str) -> bool:
    return not character.isprintable() and unicodedata.category(character) in _HIDDEN


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on or hide shown escaped
    (`\\x1b`, `\\u202e`), and undecodable bytes of a file name as `\\xNN`."""
    text = text_of(text)
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if _hidden(c) else c for c in text)


def _json_escape(character: str) -> str:
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters past U+FFFF
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_line(data: dict[str, Any]) -> str:
    """`data` as one line of JSON that a terminal shows as it is: json.dumps escapes C0
    controls itself, the other hidden characters (C1, bidi overrides) are escaped here."""
    line = json.dumps(plain_json(data), ensure_ascii=False, default=lambda value: text_of(str(value)))
    if line.isprintable():
        return line
    return "".join(_json_escape(c) if _hidden(c) else c for c in line)


@dataclass(frozen=True)
class _Styled:
    """Part of a line shown bold or in a colour; its text is escaped like any other."""

    text: object
    style: dict[str, Any]


def _style(text: object, **style: Any) -> _Styled:
    return _Styled(text, style)


def count(number: int, noun: str) -> str:
    """`number` and `noun`, in the plural unless one: "1 row", "3 rows", "0 files"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def echo(*parts: object, err: bool = True) -> None:
    """Print one line for a person, on standard error unless `err` is false.

    Every part goes through `terminal_safe` here, and styles are added after, so nothing
    a file holds can move the cursor, retitle the terminal or reorder what the cron log
    shows.
    """
    line = "".join(
        click.style(terminal_safe(str(part.text)), **part.style)
        if isinstance(part, _Styled)
        else terminal_safe(str(part))
        for part in parts
    )
    click.echo(line, err=err)


def echo_json(data: dict[str, Any]) -> None:
    """One JSON object on standard output, one line."""
    click.echo(json_line(data))


def stage_label(stage: Stage | None) -> str:
    return STAGE_LABELS[stage] if stage is not None else "processing"


# --- validate and import ----------------------------------------------------------------


def file_result(result: FileResult, mapping_help: bool = True, show: int = 0) -> None:
    """One file's outcome for a person, on standard error (a failure is one line, then
    the mapping help when its columns could not be mapped and `mapping_help`), with its
    first `show` problems as a table."""
    name = _style(result.file, bold=True)
    if result.error is not None:
        stage = stage_label(result.error.stage)
        echo(name, ": ", _style("failed", fg="red"), f" while {stage}: {result.error.message}")
        if mapping_help:
            _mapping_help(result)
        problems(result, show)  # a file over the reject rate: why so many were rejected
        return
    if result.skip_reason:
        again = "use --force to import it again"
        echo(name, f": skipped, {result.skip_reason} as batch {result.batch_id} ({again})")
        return
    counts: list[object] = [
        f": {count(result.rows, 'row')}, ",
        _style(result.accepted, fg="green"),
        " accepted, ",
        _style(result.rejected, fg="red" if result.rejected else "green"),
        f" rejected, {count(len(result.warnings), 'warning')}",
    ]
    if result.command == "import":
        counts.append(
            f"; inserted {result.inserted}, updated {result.updated}, "
            f"unchanged {result.unchanged}; batch {result.batch_id}"
        )
    echo(name, *counts)
    for what, by_code in (("rejected", result.errors_by_code()), ("warned", result.warnings_by_code())):
        if by_code:
            for line in _fitted(f"  {what} for: " + ", ".join(f"{c} ×{n}" for c, n in by_code.items())):
                echo(line)
    problems(result, show)
    _ignored(result)
    echo(f"  reports: {result.report_dir}")


def _fitted(line: str) -> list[str]:
    """A long line wrapped between words to a terminal's width (the terminal would cut
    words); one line in a log, where a line is what grep finds."""
    if not sys.stderr.isatty():
        return [line]
    columns = shutil.get_terminal_size().columns
    return textwrap.wrap(
        line, columns, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False
    )


# The problem table's widest value: enough to recognise it, the rest is in the reports.
VALUE_WIDTH = 30
# Personal data that what onboard prints never shows whole (it stays in the reports).


def problems(result: FileResult, show: int) -> None:
    """The first `show` problems of a file (row, column, value, message) as a table that
    fits the terminal, then where all of them are: rejects.csv, and rejects.xlsx to fix."""
    if show <= 0 or not result.errors:
        return
    from rich import box
    from rich.padding import Padding
    from rich.table import Table

    first = sorted(result.errors, key=lambda issue: issue.row)[:show]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("column", overflow="ellipsis", max_width=24)
    table.add_column("value", overflow="ellipsis", max_width=VALUE_WIDTH)
    table.add_column("message", overflow="fold", ratio=1)
    for issue in first:
        value, message = _shown(issue)
        table.add_row(*(_cell(text) for text in (str(issue.row), issue.column, _shorten(value), message)))
    print_rich(Padding(table, (0, 0, 0, 2)))  # indented as the file's other lines
    _where_the_rest_is(result, len(first))


def _shown(issue: Issue) -> tuple[str, str]:
    """The value and message as the terminal shows them: a contact's name, e-mail address
    or phone number masked (terminals end up in logs; the reports hold them in full)."""
    from schemas.fields import PERSONAL  # the registry loads the rule libraries: not at start-up

    if issue.field not in PERSONAL or not issue.value:
        return issue.value, issue.message
    masked = issue.value[:2] + "…"
    return masked, issue.message.replace(issue.value, masked)


def _cell(text: str) -> Text:
    from rich.text import Text

    # A Text is never read as markup, and terminal_safe escapes what a terminal acts on.
    return Text(terminal_safe(text))


def _shorten(value: str) -> str:
    value = terminal_safe(value)
    return value if len(value) <= VALUE_WIDTH else value[: VALUE_WIDTH - 1] + "…"


def _where_the_rest_is(result: FileResult, shown: int) -> None:
    if result.report_dir is None:
        return
    rest = len(result.errors) - shown
    where = result.report_dir / "rejects.csv"
    fix = result.report_dir / "rejects.xlsx"
    if rest:
        echo(f"  {count(rest, 'more problem')}: all {len(result.errors)} in {where}")
    else:
        echo(f"  all problems also in {where}")
    echo(f"  fix the rejected rows in {fix} and drop it again")


def print_rich(renderable: object) -> None:
    """A rich table on standard error, as wide as the terminal (80 columns elsewhere);
    nothing in it is read as markup, emoji codes or highlighted."""
    from rich.console import Console

    Console(stderr=True, highlight=False, markup=False, emoji=False).print(renderable)


def _ignored(result: FileResult) -> None:
    """Ignored columns, one a line and in colour: a column a user meant to import must
    not hide in one grey line."""
    if not result.column_hints:
        return
    ignored = count(len(result.column_hints), "column")
    echo(_style(f"  {ignored} ignored (not imported):", fg="yellow", bold=True))
    for hint in result.column_hints:
        echo("    ", _style(repr(hint.column), fg="yellow"), f" — {_hint_text(hint)}")


def _hint_text(hint: ColumnHint) -> str:
    from schemas.fields import label

    if hint.note:
        return hint.note
    if not hint.nearest:
        return "not like any field"
    return "nearest: " + ", ".join(f"{label(f)} ({f})" for f in hint.nearest)


def _mapping_help(result: FileResult) -> None:
    """For a file whose columns could not be mapped: every header not recognised, with the
    nearest fields, and a [columns.synonyms] block to paste into onboard.toml."""
    if not result.missing_columns and not result.column_hints:
        return
    from pipeline.columns import synonyms_block  # pandas: only when there is help to give

    if result.column_hints:
        echo(_style("  headers not recognised:", fg="yellow", bold=True))
        for hint in result.column_hints:
            echo("    ", _style(repr(hint.column), fg="yellow"), f" — {_hint_text(hint)}")
    if result.missing_columns:
        echo("  to map them, add to onboard.toml (or the file given with --config), then run again:")
        for line in synonyms_block(result.column_hints, result.missing_columns).splitlines():
            echo(f"    {line}")


def run_end(report: RunReport, as_json: bool) -> None:
    """After the files of a run: with --json their summaries (and each failure's one line
    on standard error); without, a total when there were several."""
    for result in report.files:
        if as_json:
            echo_json(result.summary())
            if result.error is not None:
                # The one line on standard error, even with --json (the hints are in the JSON).
                file_result(result, mapping_help=False)
    if len(report.files) > 1 and not as_json:
        echo(
            f"{count(len(report.files), 'file')}: {count(report.rows, 'row')}, {report.accepted} accepted, "
            f"{report.rejected} rejected, {report.unusable} unusable",
        )


@contextlib.contextmanager
def file_progress(path: Path, enabled: bool) -> Iterator[StageCallback | None]:
    """A rich progress display of one file, only on a terminal: its stage, and for the
    stages that go row by row (validate, load) the rows done and the time left; yields
    the file's stage callback. The display is gone (transient) when the block ends, before
    the file's result is printed: a redraw can never cover a result line or the reason a
    file failed."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as display:
        task = display.add_task(escape(terminal_safe(path.name)), total=None, stage="", rows="")

        def on_stage(stage: Stage, done: int, rows: int | None) -> None:
            counted = f"{done:,}/{rows:,} rows" if rows is not None else ""
            if done == 0:  # a new stage: its own bar, and a time left from its own speed
                display.reset(task, total=rows, stage=stage_label(stage), rows=counted)
            else:
                display.update(task, completed=done, rows=counted)
            display.refresh()

        yield on_stage


# --- review, status --------------------------------------------------------------------


def review_result(result: ReviewResult) -> None:
    """What applying a review file did, with each refused line."""
    if result.error is not None:
        echo(f"{result.file}: failed: {result.error.message}")
        return
    echo(
        f"{result.file}: {len(result.lines)} lines; "
        + ", ".join(f"{k} {v}" for k, v in result.counts.items())
        + (" (dry run: nothing changed)" if result.dry_run else ""),
    )
    for line in result.lines:
        if line.outcome == "refused":
            echo(f"  row {line.row}: {line.message}")
    echo(f"  report: {result.report_dir}")


STATUS_ORDER = ("pending", "approved", "rejected")


def status_table(counts: dict[str, int], recent: list[dict[str, Any]]) -> None:
    """Customers per status, then one line per recent batch, as wide as the terminal: a
    long file name is cut to what is left, a batch id or a number never (the id is what
    `review export --batch` takes)."""
    echo("customers: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    if not recent:
        return
    from rich.console import Console
    from rich.table import Table

    headers = ("rows", "acc", "rej", *STATUS_ORDER)
    rows = [
        (b["rows"], b["accepted"], b["rejected"], *(b["customers"][s] for s in STATUS_ORDER)) for b in recent
    ]
    widths = [max(len(name), *(len(str(numbers[i])) for numbers in rows)) for i, name in enumerate(headers)]
    batch = max(len(b["id"]) for b in recent)
    # One space between columns; the file name gets what is left (at least "a.c…").
    left = Console(stderr=True).width - batch - sum(widths) - len(headers) - 2
    names = [Path(b["file_name"]).name for b in recent]
    file = max(min(max(len(n) for n in names), 30, left), 4)
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
    table.add_column("batch", no_wrap=True, width=batch)
    table.add_column("file", overflow="ellipsis", no_wrap=True, width=file)
    for name, width in zip(headers, widths, strict=True):
        table.add_column(name, justify="right", no_wrap=True, width=width)
    for b, name, numbers in zip(recent, names, rows, strict=True):
        table.add_row(_cell(b["id"]), _cell(name), *map(str, numbers))
    print_rich(table)


# --- the sweep's log --------------------------------------------------------------------


def log(message: str) -> None:
    """One line of the sweep's log on standard error, time-stamped for cron logs."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    echo(f"{stamp} {message}")


def swept_file_json(swept: SweptFile) -> None:
    echo_json(swept.summary())


def swept_file(swept: SweptFile) -> None:
    """One file of a sweep for the log: where it went and what processing said."""
    result = swept.result
    where = f"{swept.destination.parent.name}/" if swept.destination else "stays"
    if result.error is not None:
        detail = result.error.message
    elif not isinstance(result, FileResult):
        counts = result.counts
        detail = ", ".join(f"{k} {counts[k]}" for k in ("approved", "rejected", "unchanged", "refused"))
    elif result.skip_reason:
        detail = f"skipped, {result.skip_reason} (batch {result.batch_id})"
    else:
        detail = (
            f"{count(result.rows, 'row')}, {result.accepted} accepted, {result.rejected} "
            f"rejected; batch {result.batch_id}"
        )
    note = f" ({swept.note})" if swept.note else ""
    log(f"{swept.kind} {swept.source.name} → {where}: {detail}{note}")


def sweep_end(result: SweepResult, folder: Path, as_json: bool) -> None:
    """The end of a sweep: files left and why, and a total. An empty sweep says nothing."""
    if result.notify_error:
        log(result.notify_error)
    if as_json:
        if result.stopped:
            log(f"sweep of {folder} stopped: {result.stopped}")
        return
    for waiting in result.waiting:
        log(f"left {waiting.path.parent.name}/{waiting.path.name}: {waiting.reason}")
    if result.stopped:
        log(f"sweep of {folder} stopped: {result.stopped}")
    elif result.files or result.claimed_elsewhere:
        elsewhere, files = len(result.claimed_elsewhere), count(len(result.files), "file")
        log(
            f"sweep of {folder}: {files}, {len(result.waiting)} left for the next run"
            + (f", {elsewhere} claimed by another sweep" if elsewhere else "")
        )
