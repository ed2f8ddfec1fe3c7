"""The `onboard` command line: options → configuration → one library call → rendering.

Human output goes to standard error; `--json` puts one JSON object per file on standard
output and nothing else there. A user's mistake is one clear line and exit code 2,
never a traceback (`--debug` shows it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import __version__
from pipeline.config import Config, ConfigError, load_config
from pipeline.issues import ColumnHint, FileError
from pipeline.names import plain_json, text_of
from pipeline.result import EXIT_UNUSABLE, FileResult, worst_exit
from pipeline.template import LANGUAGES

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pipeline.sweep import FileOutcome, SweepResult

F = TypeVar("F", bound=Callable[..., Any])


def common_options(function: F) -> F:
    """--db, --config, --report-dir and --json, shared by every command."""
    options = [
        click.option(
            "--db",
            "db_url",
            envvar="ONBOARD_DB_URL",
            metavar="URL",
            help="Store URL: sqlite:///FILE (default sqlite:///onboarding.db) or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DB. Env: ONBOARD_DB_URL.",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path, dir_okay=False),
            metavar="FILE",
            help="Configuration file (default: ./onboard.toml when present).",
        ),
        click.option(
            "--report-dir",
            type=click.Path(path_type=Path, file_okay=False),
            metavar="DIR",
            help="Folder for reports; each file gets a folder of its own below it (default: reports/).",
        ),
        click.option(
            "--json",
            "as_json",
            is_flag=True,
            help="Print each result as one JSON object per line on standard output.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _config(config_path: Path | None, db_url: str | None, report_dir: Path | None, **extra: Any) -> Config:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    # Owner-only unless reports.group_readable: set before anything is written.
    os.umask(config.umask)
    return config.with_overrides(db_url=db_url, report_dir=report_dir, **extra)


def _store(config: Config) -> Engine:
    """The store of `config`, schema up to date, with its time-outs."""
    from pipeline.store import open_store

    return _closed_with_command(open_store(config.db_url, config.connect_timeout, config.statement_timeout))


def _existing_store(config: Config) -> Engine:
    """The store of `config` for a command that only reads it: never created here."""
    from pipeline.store import open_existing_store

    return _closed_with_command(
        open_existing_store(config.db_url, config.connect_timeout, config.statement_timeout)
    )


def _closed_with_command(engine: Engine) -> Engine:
    """Close the engine's pooled connections when the command ends: a process running many
    commands (the tests, a script calling `cli`) would otherwise keep them all open."""
    click.get_current_context().call_on_close(engine.dispose)
    return engine


# --- the echo boundary: everything printed passes here -----------------------------------

# What a terminal acts on or hides: controls (C0 such as ESC, BEL, backspace, CR; DEL; C1
# such as CSI 0x9b), format characters (bidi overrides, zero-width), line separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


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


def _echo(*parts: object, err: bool = True) -> None:
    """Print one line for a person, on standard error unless `err` is false.

    File names, headers, values and messages carry the user's text: every part goes
    through `terminal_safe` here, and styles are added after, so nothing a file holds
    can move the cursor, retitle the terminal or reorder what the cron log shows.
    """
    line = "".join(
        click.style(terminal_safe(str(part.text)), **part.style)
        if isinstance(part, _Styled)
        else terminal_safe(str(part))
        for part in parts
    )
    click.echo(line, err=err)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json_line(data))


def _render_file(result: FileResult, mapping_help: bool = True) -> None:
    """One file's outcome for a person, on standard error (a failure is one line, then
    the mapping help when its columns could not be mapped and `mapping_help`)."""
    name = _style(result.file, bold=True)
    if result.error is not None:
        stage = _stage(result.error.stage)
        _echo(name, ": ", _style("failed", fg="red"), f" while {stage}: {result.error.message}")
        if mapping_help:
            _render_mapping_help(result)
        return
    if result.skipped:
        again = "use --force to import it again"
        _echo(name, f": skipped, {result.skipped} as batch {result.batch_id} ({again})")
        return
    counts: list[object] = [
        f": {result.rows} rows, ",
        _style(result.accepted, fg="green"),
        " accepted, ",
        _style(result.rejected, fg="red" if result.rejected else "green"),
        f" rejected, {len(result.warnings)} warnings",
    ]
    if result.command == "import":
        counts.append(
            f"; inserted {result.inserted}, updated {result.updated}, "
            f"unchanged {result.unchanged}; batch {result.batch_id}"
        )
    _echo(name, *counts)
    by_code = result.summary()["errors_by_code"]
    if by_code:
        _echo("  rejected for: " + ", ".join(f"{c} ×{n}" for c, n in by_code.items()))
    _render_ignored(result)
    _echo(f"  reports: {result.report_dir}")


def _render_ignored(result: FileResult) -> None:
    """Ignored columns, one a line and in colour: a column a user meant to import must
    not hide in one grey line."""
    if not result.column_hints:
        return
    count = len(result.column_hints)
    _echo(
        _style(f"  {count} column{'s' if count > 1 else ''} ignored (not imported):", fg="yellow", bold=True)
    )
    for hint in result.column_hints:
        _echo("    ", _style(repr(hint.column), fg="yellow"), f" — {_hint_text(hint)}")


def _hint_text(hint: ColumnHint) -> str:
    from schemas.fields import label

    if hint.note:
        return hint.note
    if not hint.nearest:
        return "not like any field"
    return "nearest: " + ", ".join(f"{label(f)} ({f})" for f in hint.nearest)


def _render_mapping_help(result: FileResult) -> None:
    """For a file whose columns could not be mapped: every header not recognised, with the
    nearest fields, and a [columns.synonyms] block to paste into onboard.toml."""
    if not result.missing_columns and not result.column_hints:
        return
    from pipeline.columns import synonyms_block

    if result.column_hints:
        _echo(_style("  headers not recognised:", fg="yellow", bold=True))
        for hint in result.column_hints:
            _echo("    ", _style(repr(hint.column), fg="yellow"), f" — {_hint_text(hint)}")
    if result.missing_columns:
        _echo("  to map them, add to onboard.toml (or the file given with --config), then run again:")
        for line in synonyms_block(result.column_hints, result.missing_columns).splitlines():
            _echo(f"    {line}")


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[Path], Callable[[str], None]] | None]:
    """A rich progress display over each file's stages, only on a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.run import STAGES

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:

        def for_file(path: Path) -> Callable[[str], None]:
            task = progress.add_task(escape(terminal_safe(path.name)), total=len(STAGES), stage="")

            def on_stage(stage: str) -> None:
                done = STAGES.index(stage) if stage in STAGES else 0
                progress.update(task, completed=done, stage=_stage(stage))

            return on_stage

        yield for_file


def _stage(stage: str) -> str:
    return {
        "read": "reading",
        "map": "mapping columns",
        "validate": "validating",
        "load": "loading",
        "report": "writing reports",
    }.get(stage, stage)


def _finish(results: list[FileResult], as_json: bool) -> None:
    for result in results:
        if as_json:
            _echo_json(result.summary())
            if result.error is not None:
                # The one line on standard error, even with --json (the hints are in the JSON).
                _render_file(result, mapping_help=False)
    if len(results) > 1 and not as_json:
        totals = {k: sum(getattr(r, k) for r in results) for k in ("rows", "accepted", "rejected")}
        failed = sum(r.error is not None for r in results)
        _echo(
            f"{len(results)} files: {totals['rows']} rows, {totals['accepted']} accepted, "
            f"{totals['rejected']} rejected, {failed} unusable",
        )
    sys.exit(worst_exit(results))


# click 8.2+ shows a group's help through this "error" (its message is the help text).
_SHOWS_HELP: tuple[type[click.ClickException], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(click.exceptions, name)
)


class _Group(click.Group):
    """Turns unexpected exceptions into one line (the traceback with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # click prints these itself, and their messages may name a file: escape them too.
            message = terminal_safe(exc.format_message())
            if message == exc.format_message() or isinstance(exc, _SHOWS_HELP):
                raise
            if isinstance(exc, click.UsageError):
                raise click.UsageError(message, exc.ctx) from None
            raise click.ClickException(message) from None  # exit code 1, as every other one
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except FileError as exc:
            _echo(f"onboard: {exc.message}")
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:
            if ctx.params.get("debug"):
                for line in traceback.format_exc().splitlines():
                    _echo(line)
            else:
                _echo(
                    f"onboard: unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for details)"
                )
            sys.exit(EXIT_UNUSABLE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="onboard")
@click.option("--debug", is_flag=True, help="Show the full traceback of unexpected errors.")
def cli(debug: bool) -> None:
    """Bulk customer onboarding: spreadsheets in, pending customers out, approval by file.

    \b
    Exit codes: 0 all rows valid (or all lines applied), 1 some rows rejected
    (or lines refused), 2 a file or the store was unusable.
    """


FILES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
SHEET = click.option(
    "--sheet", metavar="NAME", help="Read this sheet (default: the first sheet with a header row)."
)


@cli.command()
@FILES
@SHEET
@common_options
def validate(
    files: tuple[Path, ...],
    sheet: str | None,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Check spreadsheets and write reject reports; nothing is stored.

    Exit 0 when every row is valid, 1 when some are rejected, 2 when a file is unusable:
    a gate for CI before a sheet goes in.
    """
    from pipeline.run import process_file

    config = _config(config_path, db_url, report_dir)
    results = []
    with _progress(not as_json) as progress:
        for path in files:
            on_stage = progress(path) if progress else None
            result = process_file(path, config, sheet=sheet, on_stage=on_stage)
            if not as_json:
                _render_file(result)
            results.append(result)
    _finish(results, as_json)


@cli.command(name="import")
@FILES
@SHEET
@click.option("--force", is_flag=True, help="Import a file even if the same content was imported before.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate only and store nothing: the same as 'onboard validate FILE…'.",
)
@click.option(
    "--user",
    metavar="NAME",
    help="Who imports, recorded on the batch and its audit rows (default: import.user, "
    "ONBOARD_USER, else the login name).",
)
@common_options
def import_(
    files: tuple[Path, ...],
    sheet: str | None,
    force: bool,
    dry_run: bool,
    user: str | None,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Validate spreadsheets and load the accepted rows as pending customers.

    Each file is one transaction: its accepted rows and its batch record, or nothing.
    A file whose content was imported before is skipped (--force imports it again).
    Rows are matched by ERP ID: new ones are inserted as pending, changed pending or
    rejected ones are updated and set to pending, approved ones are never changed.
    """
    from pipeline.identity import account, login_name
    from pipeline.run import process_file

    if dry_run:
        _validate_instead(click.get_current_context(), as_json)
        return
    # A name typed in a terminal that is not UTF-8 is stored readably, never crashes the store.
    config = _config(config_path, db_url, report_dir, user=text_of(user) if user else None)
    config = config.with_overrides(user=config.user or login_name(), login=account())
    if not config.user:
        raise click.UsageError(
            "cannot tell who imports: this account has no login name; give --user NAME "
            "(or set import.user in onboard.toml, or ONBOARD_USER)"
        )
    engine = _store(config)
    results = []
    with _progress(not as_json) as progress:
        for path in files:
            on_stage = progress(path) if progress else None
            result = process_file(path, config, engine, sheet=sheet, force=force, on_stage=on_stage)
            if not as_json:
                _render_file(result)
            results.append(result)
    _finish(results, as_json)


def _validate_instead(ctx: click.Context, as_json: bool) -> None:
    """`import --dry-run`: what a user trying it wants is exactly validate, nothing stored."""
    if not as_json:
        _echo("import --dry-run: validating only, nothing is stored (the same as onboard validate)")
    accepted = {parameter.name for parameter in validate.params}
    ctx.invoke(validate, **{name: value for name, value in ctx.params.items() if name in accepted})


@cli.command()
@click.option("--batches", "limit", default=10, show_default=True, help="How many recent batches to list.")
@common_options
def status(
    limit: int, db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool
) -> None:
    """Customers per status, and the most recent import batches."""
    from pipeline.store import batch_status_counts, status_counts

    config = _config(config_path, db_url, report_dir)
    engine = _existing_store(config)
    counts = status_counts(engine)
    recent = batch_status_counts(engine, limit)
    if as_json:
        _echo_json({"customers": counts, "batches": recent})
        return
    _echo("customers: " + ", ".join(f"{s} {n}" for s, n in counts.items()))
    if recent:
        _echo(
            f"{'batch':<34} {'file':<30} {'rows':>6} {'acc':>6} {'rej':>6} "
            f"{'pending':>8} {'approved':>8} {'rejected':>8}",
        )
    for b in recent:
        _echo(
            f"{b['id']:<34} {Path(b['file_name']).name[:30]:<30} {b['rows']:>6} "
            f"{b['accepted']:>6} {b['rejected']:>6} {b['customers']['pending']:>8} "
            f"{b['customers']['approved']:>8} {b['customers']['rejected']:>8}",
        )


@cli.command()
@click.option(
    "--status",
    "status_",
    type=click.Choice(["pending", "approved", "rejected", "all"]),
    default="approved",
    show_default=True,
    help="Which customers to export.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output file; .csv, .xlsx or .json by extension.",
)
@click.option(
    "--for-spreadsheet",
    is_flag=True,
    help="Write the .csv for people who open it in a spreadsheet program: every field "
    "quoted, and an apostrophe before text that could start a formula (also after , ; or tab). "
    "Without it, CSV and JSON carry every value exactly as stored, for programs.",
)
@common_options
def export(
    status_: str,
    out: Path,
    for_spreadsheet: bool,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Write customers of one status to CSV, XLSX or JSON (how approved customers leave).

    CSV and JSON hold every value exactly as stored (+31401234567, -0042), for programs;
    use --for-spreadsheet for a CSV that people open in Excel or LibreOffice. An .xlsx is
    always safe to open: text that looks like a formula stays text.
    """
    from pipeline.report import write_customers
    from pipeline.store import CUSTOMER_COLUMNS, customers_with_status

    if out.suffix.lower() not in (".csv", ".xlsx", ".json"):
        raise click.UsageError(f"--out {out}: use a .csv, .xlsx or .json file name")
    if for_spreadsheet and out.suffix.lower() != ".csv":
        raise click.UsageError("--for-spreadsheet is for a .csv file (an .xlsx is always safe to open)")
    config = _config(config_path, db_url, report_dir)
    rows = customers_with_status(_existing_store(config), None if status_ == "all" else status_)
    write_customers(out, CUSTOMER_COLUMNS, rows, for_spreadsheet=for_spreadsheet)
    if as_json:
        _echo_json({"out": str(out), "status": status_, "customers": len(rows)})
    else:
        _echo(f"wrote {len(rows)} {status_} customers to {out}")


@cli.group()
def review() -> None:
    """The approval pass: export pending customers, apply a reviewed file.

    \b
    1. onboard review export --out review.xlsx      (one line per pending customer)
    2. a reviewer fills in decision (approve/reject) and reason, saves the file
    3. onboard review apply review.xlsx --reviewer NAME
    """


@review.command(name="export")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Review file to write: .xlsx (with drop-downs and instructions) or .csv.",
)
@click.option("--batch", "batch_id", metavar="ID", help="Only the pending customers of this batch.")
@common_options
def review_export(
    out: Path,
    batch_id: str | None,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Write pending customers to a review file with empty decision and reason columns."""
    from pipeline.review import export_review

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"--out {out}: use a .xlsx or .csv file name")
    config = _config(config_path, db_url, report_dir)
    written = export_review(_existing_store(config), out, batch_id)
    if as_json:
        _echo_json({"out": str(written.out), "customers": written.customers, "batch_id": batch_id})
    else:
        _echo(f"wrote {written.customers} pending customers to {written.out}")


@review.command(name="apply")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--reviewer", required=True, metavar="NAME", help="Who reviewed (recorded on every change).")
@click.option("--dry-run", is_flag=True, help="Check every line and write the report; change nothing.")
@common_options
def review_apply(
    file: Path,
    reviewer: str,
    dry_run: bool,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Apply the decisions of a reviewed file (approve / reject).

    Only lines whose fingerprint still matches the stored customer are applied; stale,
    unknown, malformed and reject-without-reason lines are refused. Exit 0 when every
    line applied, 1 when some were refused, 2 when the file is unusable.
    """
    from pipeline.identity import account
    from pipeline.review import apply_review

    config = _config(config_path, db_url, report_dir)
    result = apply_review(
        _store(config),
        file,
        text_of(reviewer),
        config.report_dir,
        dry_run=dry_run,
        four_eyes=config.four_eyes,
        account=account(),
    )
    if as_json:
        _echo_json(result.summary())
    elif result.error is not None:
        _echo(f"{file}: failed: {result.error.message}")
    else:
        counts = result.counts
        _echo(
            f"{file}: {len(result.lines)} lines; "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + (" (dry run: nothing changed)" if dry_run else ""),
        )
        for line in result.lines:
            if line.outcome == "refused":
                _echo(f"  row {line.row}: {line.message}")
        _echo(f"  report: {result.report_dir}")
    sys.exit(result.exit_code)


@cli.command()
@click.option("--rows", default=1000, show_default=True, help="How many customers.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output file, .csv or .xlsx.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same file).")
@click.option("--bad-ratio", default=0.03, show_default=True, help="Share of rows with a mistake.")
def sample(rows: int, out: Path, seed: int, bad_ratio: float) -> None:
    """Write a realistic sheet of NL, DE and BE customers (for demos and benchmarks)."""
    from pipeline.sample import generate_rows, write_sheet

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"--out {out}: use a .csv or .xlsx file name")
    write_sheet(out, generate_rows(rows, seed=seed, bad_ratio=bad_ratio))
    _echo(f"wrote {rows} customers to {out}")


@cli.command()
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--lang",
    "language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the headers (every one is recognised on import).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Configuration whose industries and currencies fill the drop-downs (default: ./onboard.toml).",
)
def template(out: Path, language: str, config_path: Path | None) -> None:
    """Write an empty customer workbook (.xlsx) to collect data at the source.

    The portal's fields as headers, drop-downs for country, currency and industry, ID
    columns as text (leading zeros kept), a rule and an example per column, and an
    Instructions sheet. Fill it in, then: onboard validate OUT; onboard import OUT.
    """
    from pipeline.template import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{out}: the template is an .xlsx workbook; use a .xlsx file name")
    config = _config(config_path, None, None)
    written = write_template(out, language, config)
    _echo(f"wrote {written.out}: {written.columns} columns ({language}); next: onboard validate {out}")


@cli.command(name="run")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="The drop folder (with inbox/, reviews/, processed/, failed/, reports/). "
    "Default: sweep.root of the configuration, or ONBOARD_ROOT.",
)
@click.option(
    "--reviewer", metavar="NAME", help="Reviewer recorded for review files (default: the file's owner)."
)
@click.option(
    "--wait",
    "wait_seconds",
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another sweep of the same folder to finish.",
)
@click.option(
    "--settle",
    "settle_seconds",
    type=float,
    metavar="SECONDS",
    help="Leave files modified less than this long ago for the next run (default 10).",
)
@common_options
def run_(
    root: Path | None,
    reviewer: str | None,
    wait_seconds: float,
    settle_seconds: float | None,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """One sweep of a drop folder, for cron: import inbox/, then apply reviews/.

    Spreadsheets in inbox/ are imported oldest first, then review files in reviews/ are
    applied. Each file is moved to processed/ (or failed/ when unusable) with its batch
    id or a time stamp in its name; its reports go to reports/. Office lock files
    (~$…), temporary or hidden names and files modified in the last --settle seconds are
    left for the next run. Exit code: the worst of the files'; 0 when another sweep is
    running.
    """
    from pipeline.sweep import SweepBusy, folder_lock, sweep

    folder = root or (Path(os.environ["ONBOARD_ROOT"]) if os.environ.get("ONBOARD_ROOT") else None)
    own = folder / "onboard.toml" if folder is not None else None
    if config_path is None and not os.environ.get("ONBOARD_CONFIG") and own is not None and own.is_file():
        config_path = own  # the drop folder's own configuration
    config = _config(config_path, db_url, report_dir, settle_seconds=settle_seconds)
    folder = folder or config.root
    if folder is None:
        raise click.UsageError("name the drop folder with --root DIR (or sweep.root in onboard.toml)")
    if not folder.is_dir():
        raise click.UsageError(f"--root {folder}: no such folder (create it with: onboard init {folder})")
    try:
        # The lock comes first: an overlapping cron run exits at once, store or no store.
        with folder_lock(folder, wait_seconds):
            result = sweep(
                folder,
                config,
                lambda: _store(config),
                reviewer=text_of(reviewer) if reviewer else None,
                on_file=_echo_json_outcome if as_json else _log_outcome,
            )
    except SweepBusy as busy:
        _log(f"{busy}; nothing to do")
        sys.exit(0)
    _log_sweep(result, folder, as_json)
    sys.exit(result.exit_code)


def _log(message: str) -> None:
    """One line of the sweep's log on standard error, time-stamped for cron logs."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _echo(f"{stamp} {message}")


def _echo_json_outcome(outcome: FileOutcome) -> None:
    _echo_json(outcome.summary)


def _log_outcome(outcome: FileOutcome) -> None:
    """One file of a sweep for the log: where it went and what processing said."""
    summary = outcome.summary
    where = f"{outcome.destination.parent.name}/" if outcome.destination else "stays"
    if "error" in summary:
        detail = summary["error"]["message"]
    elif outcome.kind == "review":
        detail = ", ".join(f"{k} {summary[k]}" for k in ("approved", "rejected", "unchanged", "refused"))
    elif summary.get("skipped"):
        detail = f"skipped, {summary['skipped']} (batch {summary['batch_id']})"
    else:
        detail = (
            f"{summary['rows']} rows, {summary['accepted']} accepted, {summary['rejected']} "
            f"rejected; batch {summary['batch_id']}"
        )
    note = f" ({outcome.note})" if outcome.note else ""
    _log(f"{outcome.kind} {outcome.source.name} → {where}: {detail}{note}")


def _log_sweep(result: SweepResult, folder: Path, as_json: bool) -> None:
    """The end of a sweep: files left and why, and a total. An empty sweep says nothing."""
    if result.notify_error:
        _log(result.notify_error)
    if as_json:
        if result.stopped:
            _log(f"sweep of {folder} stopped: {result.stopped}")
        return
    for waiting in result.waiting:
        _log(f"left {waiting.path.parent.name}/{waiting.path.name}: {waiting.reason}")
    if result.stopped:
        _log(f"sweep of {folder} stopped: {result.stopped}")
    elif result.files or result.claimed_elsewhere:
        elsewhere = len(result.claimed_elsewhere)
        _log(
            f"sweep of {folder}: {len(result.files)} files, {len(result.waiting)} left for the next run"
            + (f", {elsewhere} claimed by another sweep" if elsewhere else "")
        )


EXAMPLE_CONFIG = """\
# onboard configuration. Environment variables ONBOARD_* override these values,
# command-line options override both.

[database]
# SQLite file (default) or a shared PostgreSQL store:
#   url = "postgresql+psycopg://onboard:SECRET@db.example.com/onboard"
url = "sqlite:///{root}/onboarding.db"
# A store that does not answer fails after this many seconds (PostgreSQL), and a
# statement running longer is cancelled: a cron sweep never hangs.
# connect_timeout = 10
# statement_timeout = 900

[import]
# Who imports when not given with --user (default: the login name). A sweep records
# the owner of each dropped file instead.
# user = "onboarding-team"

[reports]
# Reports, moved files and the SQLite store hold personal data and are readable by
# their owner only. Set to true to let the owner's group read them too (umask 027).
# group_readable = false

[sweep]
# The drop folder of `onboard run`.
root = "{root}"
# Files modified less than this many seconds ago are still being written.
settle_seconds = 10
# A shell command run after each sweep that did something, with the sweep's JSON summary
# on standard input (mail, a chat webhook, monitoring). Its failure is logged, never fatal.
# notify = "mail -s 'onboard sweep' onboarding@example.com"
# Symbolic links in inbox/ and reviews/ are skipped unless this is true.
# follow_symlinks = false

[validation]
# The industries a customer may have.
industries = ["Commercial", "Education", "Government", "Healthcare", "Non-profit"]
# Restrict currencies (ISO 4217 codes); leave out to allow all.
# currencies = ["EUR", "USD", "GBP"]
# Fail a whole file when more than this share of its rows is rejected (1.0: never).
max_reject_rate = 1.0

[columns.synonyms]
# Extra header names per field, e.g.:
# erp_id = ["Relatienummer", "Debtor number"]

[review]
# When true, whoever imported a batch may not approve it.
four_eyes = false
"""


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Create a drop folder (inbox/, reviews/, processed/, failed/, reports/) and a
    commented example onboard.toml in it (an existing one is kept)."""
    from pipeline.sweep import ensure_layout

    ensure_layout(folder)
    config_file = folder / "onboard.toml"
    if config_file.exists():
        _echo(f"kept the existing {config_file}")
    else:
        config_file.write_text(EXAMPLE_CONFIG.format(root=folder.resolve()), encoding="utf-8")
        _echo(f"wrote {config_file}")
    _echo(f"drop folder ready: {folder} (sweep it with: onboard run --config {config_file})")


@cli.group()
def db() -> None:
    """Store schema: migrations with Alembic."""


@db.command(name="upgrade")
@common_options
def db_upgrade(db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool) -> None:
    """Bring the store's schema to the newest revision (new SQLite files are set up automatically)."""
    from pipeline.store import connect, reason, safe_url
    from pipeline.store.migrate import upgrade

    config = _config(config_path, db_url, report_dir)
    try:
        engine = connect(config.db_url, config.connect_timeout, config.statement_timeout)
        _closed_with_command(engine)
        before, after = upgrade(engine)
    except Exception as exc:  # SQLAlchemy and Alembic errors alike: one line for the user
        raise FileError("store_error", f"cannot upgrade {safe_url(config.db_url)}: {reason(exc)}") from None
    if as_json:
        _echo_json({"db": safe_url(config.db_url), "before": before, "after": after})
    else:
        _echo(f"{safe_url(config.db_url)}: schema {before or 'empty'} → {after}")


@db.command(name="current")
@common_options
def db_current(db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool) -> None:
    """Show the store's schema revision and the newest one this onboard knows."""
    from pipeline.store import connect, reason, safe_url
    from pipeline.store.migrate import current_revision, head_revision

    config = _config(config_path, db_url, report_dir)
    try:
        engine = connect(config.db_url, config.connect_timeout, config.statement_timeout)
        _closed_with_command(engine)
        current = current_revision(engine)
    except Exception as exc:  # unreachable store: one line for the user
        raise FileError("store_error", f"cannot read {safe_url(config.db_url)}: {reason(exc)}") from None
    if as_json:
        _echo_json({"db": safe_url(config.db_url), "current": current, "head": head_revision()})
    else:
        _echo(f"{safe_url(config.db_url)}: at {current or 'empty'}, newest {head_revision()}")


def main() -> None:
    """Console-script entry point."""
    # Reports, moved files and the SQLite store hold personal data: owner-only access.
    os.umask(0o077)
    cli(prog_name="onboard")
