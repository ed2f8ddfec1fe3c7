"""The `onboard` command line: options → configuration → one library call → rendering
(`pipeline.console`) → exit code.

Human output goes to standard error; `--json` puts one JSON object per file on standard
output and nothing else there. A user's mistake is one clear line and exit code 2,
never a traceback (`--debug` shows it).
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import pipeline
from pipeline import __version__, console, options
from pipeline.config import Config, example_config, sweep_config
from pipeline.issues import FileError, is_failure
from pipeline.names import text_of
from pipeline.result import EXIT_OK, EXIT_UNUSABLE, FileProcess, FileResult, RunReport, StageCallback

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _store(config: Config, opener: Callable[..., Engine] | None = None) -> Engine:
    """The store of `config` by `opener` (default: its schema brought up to date), pooled
    connections closed when the command ends: a process running many commands (the tests, a
    script calling `cli`) would otherwise keep them all open."""
    engine = (opener or pipeline.open_store)(config.db_url, config.connect_timeout, config.statement_timeout)
    click.get_current_context().call_on_close(engine.dispose)
    return engine


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
            message = console.terminal_safe(exc.format_message())
            if message == exc.format_message() or isinstance(exc, _SHOWS_HELP):
                raise
            if isinstance(exc, click.UsageError):
                raise click.UsageError(message, exc.ctx) from None
            raise click.ClickException(message) from None  # exit code 1, as every other one
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except FileError as exc:
            console.echo(f"onboard: {exc.message}")
            sys.exit(EXIT_UNUSABLE)
        except BaseException as exc:  # a library's panic too (see is_failure)
            if not is_failure(exc):
                raise
            if ctx.params.get("debug"):
                for line in traceback.format_exc().splitlines():
                    console.echo(line)
            else:
                console.echo(
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


def _each_file(files: tuple[Path, ...], as_json: bool, show: int, process: FileProcess) -> RunReport:
    """Each file's progress, then (the display gone) its outcome and first `show` problems."""
    report = RunReport()
    for path in files:
        with console.file_progress(path, not as_json) as on_stage:
            result = process(path, on_stage)
        if not as_json:
            console.file_result(result, show=show)
        report.add(result)
    console.run_end(report, as_json)
    return report


@cli.command()
@options.files
@options.sheet
@options.show
@options.common
def validate(files: tuple[Path, ...], sheet: str | None, show: int, common: options.Common) -> None:
    """Check spreadsheets and write reject reports; nothing is stored.

    Exit 0 when every row is valid, 1 when some are rejected, 2 when a file is unusable:
    a gate for CI before a sheet goes in.
    """
    config = common.config(sheet=sheet)

    def validate_one(path: Path, on_stage: StageCallback | None) -> FileResult:
        return pipeline.validate_file(path, config, on_stage=on_stage)

    sys.exit(_each_file(files, common.as_json, show, validate_one).exit_code)


@cli.command(name="import")
@options.files
@options.sheet
@click.option("--force", is_flag=True, help="Import a file even if the same content was imported before.")
@options.import_dry_run
@options.user
@options.show
@options.common
def import_(
    files: tuple[Path, ...],
    sheet: str | None,
    force: bool,
    dry_run: bool,
    user: str | None,
    show: int,
    common: options.Common,
) -> None:
    """Validate spreadsheets and load the accepted rows as pending customers.

    Each file is one transaction: its accepted rows and its batch record, or nothing.
    A file whose content was imported before is skipped (--force imports it again).
    Rows are matched by ERP ID: new ones are inserted as pending, changed pending or
    rejected ones are updated and set to pending, approved ones are never changed.
    """
    if dry_run:
        _validate_instead(click.get_current_context(), common.as_json)
        return
    config = common.importer_config(user, sheet=sheet)
    engine = _store(config)

    def import_one(path: Path, on_stage: StageCallback | None) -> FileResult:
        return pipeline.import_file(path, config, engine, force=force, on_stage=on_stage)

    sys.exit(_each_file(files, common.as_json, show, import_one).exit_code)


def _validate_instead(ctx: click.Context, as_json: bool) -> None:
    """`import --dry-run`: what a user trying it wants is exactly validate, nothing stored."""
    if not as_json:
        console.echo("import --dry-run: validating only, nothing is stored (the same as onboard validate)")
    accepted = {parameter.name for parameter in validate.params}
    ctx.invoke(validate, **{name: value for name, value in ctx.params.items() if name in accepted})


@cli.command()
@click.option("--batches", "limit", default=10, show_default=True, help="How many recent batches to list.")
@options.common
def status(limit: int, common: options.Common) -> None:
    """Customers per status, and the most recent import batches."""
    engine = _store(common.config(), pipeline.open_existing_store)
    counts, recent = pipeline.status_counts(engine), pipeline.batch_status_counts(engine, limit)
    if common.as_json:
        console.echo_json({"customers": counts, "batches": recent})
    else:
        console.status_table(counts, recent)


@cli.command()
@options.status
@options.customers_out
@options.for_spreadsheet
@options.common
def export(status_: str, out: Path, for_spreadsheet: bool, common: options.Common) -> None:
    """Write customers of one status to CSV, XLSX or JSON (how approved customers leave).

    CSV and JSON hold every value exactly as stored (+31401234567, -0042), for programs;
    use --for-spreadsheet for a CSV that people open in Excel or LibreOffice. An .xlsx is
    always safe to open: text that looks like a formula stays text.
    """
    if out.suffix.lower() not in (".csv", ".xlsx", ".json"):
        raise click.UsageError(f"--out {out}: use a .csv, .xlsx or .json file name")
    if for_spreadsheet and out.suffix.lower() != ".csv":
        raise click.UsageError("--for-spreadsheet is for a .csv file (an .xlsx is always safe to open)")
    engine = _store(common.config(), pipeline.open_existing_store)
    rows = pipeline.customers_with_status(engine, None if status_ == "all" else status_)
    written = pipeline.write_customers(out, pipeline.CUSTOMER_COLUMNS, rows, for_spreadsheet=for_spreadsheet)
    if common.as_json:
        console.echo_json({"out": str(out), "status": status_, "customers": written})
    else:
        console.echo(f"wrote {console.count(written, status_ + ' customer')} to {out}")


@cli.group()
def review() -> None:
    """The approval pass: export pending customers, apply a reviewed file.

    \b
    1. onboard review export --out review.xlsx      (one line per pending customer)
    2. a reviewer fills in decision (approve/reject) and reason, saves the file
    3. onboard review apply review.xlsx --reviewer NAME
    """


@review.command(name="export")
@options.review_out
@click.option("--batch", "batch_id", metavar="ID", help="Only the pending customers of this batch.")
@options.common
def review_export(out: Path, batch_id: str | None, common: options.Common) -> None:
    """Write pending customers to a review file with empty decision and reason columns."""
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"--out {out}: use a .xlsx or .csv file name")
    written = pipeline.export_review(_store(common.config(), pipeline.open_existing_store), out, batch_id)
    if common.as_json:
        console.echo_json({"out": str(written.out), "customers": written.customers, "batch_id": batch_id})
    else:
        console.echo(f"wrote {console.count(written.customers, 'pending customer')} to {written.out}")


@review.command(name="apply")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--reviewer",
    required=True,
    metavar="NAME",
    callback=options.person_name,
    help="Who reviewed (recorded on every change).",
)
@click.option("--dry-run", is_flag=True, help="Check every line and write the report; change nothing.")
@options.common
def review_apply(file: Path, reviewer: str, dry_run: bool, common: options.Common) -> None:
    """Apply the decisions of a reviewed file (approve / reject).

    Only lines whose fingerprint still matches the stored customer are applied; stale,
    unknown, malformed and reject-without-reason lines are refused. Exit 0 when every
    line applied, 1 when some were refused, 2 when the file is unusable.
    """
    config = common.config()
    result = pipeline.apply_review(
        _store(config),
        file,
        text_of(reviewer),
        config.report_dir,
        dry_run=dry_run,
        four_eyes=config.four_eyes,
        account=pipeline.account(),
    )
    if common.as_json:
        console.echo_json(result.summary())
    else:
        console.review_result(result)
    sys.exit(result.exit_code)


@cli.command()
@options.sample_rows
@options.sample_out
@options.sample_seed
@options.sample_bad_ratio
def sample(rows: int, out: Path, seed: int, bad_ratio: float) -> None:
    """Write a realistic sheet of NL, DE and BE customers (for demos and benchmarks)."""
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError(f"--out {out}: use a .csv or .xlsx file name")
    pipeline.write_sheet(out, pipeline.generate_rows(rows, seed=seed, bad_ratio=bad_ratio))
    console.echo(f"wrote {console.count(rows, 'customer')} to {out}")


@cli.command()
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@options.language
@options.template_config
def template(out: Path, language: str, config_path: Path | None) -> None:
    """Write an empty customer workbook (.xlsx) to collect data at the source.

    The portal's fields as headers, drop-downs for country, currency and industry, ID
    columns as text (leading zeros kept), a rule and an example per column, and an
    Instructions sheet. Fill it in, then: onboard validate OUT; onboard import OUT.
    """
    if out.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{out}: the template is an .xlsx workbook; use a .xlsx file name")
    config = options.Common(None, config_path, None, as_json=False).config()
    written = pipeline.write_template(out, language, config)
    console.echo(f"wrote {written.out}: {written.columns} columns ({language}); next: onboard validate {out}")


@cli.command(name="run")
@options.root
@options.sweep_reviewer
@options.wait
@options.settle
@options.common
def run_(
    root: Path | None,
    reviewer: str | None,
    wait_seconds: float,
    settle_seconds: float | None,
    common: options.Common,
) -> None:
    """One sweep of a drop folder, for cron: import inbox/, then apply reviews/.

    Spreadsheets in inbox/ are imported oldest first, then review files in reviews/ are
    applied. Each file is moved to processed/ (or failed/ when unusable) with its batch
    id or a time stamp in its name; its reports go to reports/. Office lock files
    (~$…), temporary or hidden names and files modified in the last --settle seconds are
    left for the next run. Exit code: the worst of the files'; 0 when another sweep is
    running.
    """
    folder, config_path = sweep_config(root, common.config_path)
    config = replace(common, config_path=config_path).config(settle_seconds=settle_seconds)
    folder = folder or config.root
    if folder is None:
        raise click.UsageError("name the drop folder with --root DIR (or sweep.root in onboard.toml)")
    if not folder.is_dir():
        raise click.UsageError(f"--root {folder}: no such folder (create it with: onboard init {folder})")
    try:
        # The lock comes first: an overlapping cron run exits at once, store or no store.
        with pipeline.folder_lock(folder, wait_seconds):
            result = pipeline.sweep_folder(
                folder,
                config,
                lambda: _store(config),
                reviewer=text_of(reviewer) if reviewer else None,
                on_file=console.swept_file_json if common.as_json else console.swept_file,
            )
    except pipeline.SweepBusy as busy:
        console.log(f"{busy}; nothing to do")
        sys.exit(EXIT_OK)
    console.sweep_end(result, folder, common.as_json)
    sys.exit(result.exit_code)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Create a drop folder (inbox/, reviews/, processed/, failed/, reports/) and a
    commented example onboard.toml in it (an existing one is kept)."""
    pipeline.ensure_layout(folder)
    config_file = folder / "onboard.toml"
    if config_file.exists():
        console.echo(f"kept the existing {config_file}")
    else:
        config_file.write_text(example_config(folder.resolve()), encoding="utf-8")
        console.echo(f"wrote {config_file}")
    console.echo(f"drop folder ready: {folder} (sweep it with: onboard run --config {config_file})")


@cli.group()
def db() -> None:
    """Store schema: migrations with Alembic."""


@db.command(name="upgrade")
@options.common
def db_upgrade(common: options.Common) -> None:
    """Bring the store's schema to the newest revision (new SQLite files are set up automatically)."""
    config = common.config()
    with _store_errors(config, "upgrade"):
        before, after = pipeline.upgrade(_store(config, pipeline.connect))
    url = pipeline.safe_url(config.db_url)
    if common.as_json:
        console.echo_json({"db": url, "before": before, "after": after})
    else:
        console.echo(f"{url}: schema {before or 'empty'} → {after}")


@db.command(name="current")
@options.common
def db_current(common: options.Common) -> None:
    """Show the store's schema revision and the newest one this onboard knows."""
    config = common.config()
    with _store_errors(config, "read"):
        current = pipeline.current_revision(_store(config, pipeline.connect))
    url, head = pipeline.safe_url(config.db_url), pipeline.head_revision()
    if common.as_json:
        console.echo_json({"db": url, "current": current, "head": head})
    else:
        console.echo(f"{url}: at {current or 'empty'}, newest {head}")


@contextlib.contextmanager
def _store_errors(config: Config, doing: str) -> Iterator[None]:
    """SQLAlchemy's and Alembic's errors alike as one line for the user."""
    try:
        yield
    except Exception as exc:
        url = pipeline.safe_url(config.db_url)
        raise FileError("store_error", f"cannot {doing} {url}: {pipeline.reason(exc)}") from None


def main() -> None:
    """Console-script entry point."""
    # Reports, moved files and the SQLite store hold personal data: owner-only access.
    os.umask(0o077)
    cli(prog_name="onboard")
