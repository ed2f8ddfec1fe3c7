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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import __version__
from pipeline.config import Config, ConfigError, load_config
from pipeline.issues import FileError
from pipeline.result import EXIT_UNUSABLE, FileResult, worst_exit

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
    return config.with_overrides(db_url=db_url, report_dir=report_dir, **extra)


def _store(config: Config) -> Engine:
    """The store of `config`, schema up to date, with its time-outs."""
    from pipeline.store import open_store

    return _closed_with_command(open_store(config.db_url, config.connect_timeout, config.statement_timeout))


def _closed_with_command(engine: Engine) -> Engine:
    """Close the engine's pooled connections when the command ends: a process running many
    commands (the tests, a script calling `cli`) would otherwise keep them all open."""
    click.get_current_context().call_on_close(engine.dispose)
    return engine


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def _render_file(result: FileResult) -> None:
    """One file's outcome for a person, on standard error."""
    name = click.style(str(result.file), bold=True)
    if result.error is not None:
        click.echo(
            f"{name}: {click.style('failed', fg='red')} while {_stage(result.error.stage)}: "
            f"{result.error.message}",
            err=True,
        )
        return
    if result.skipped:
        click.echo(
            f"{name}: skipped, {result.skipped} as batch {result.batch_id} (use --force to import it again)",
            err=True,
        )
        return
    counts = (
        f"{result.rows} rows, {click.style(str(result.accepted), fg='green')} accepted, "
        f"{click.style(str(result.rejected), fg='red' if result.rejected else 'green')} "
        f"rejected, {len(result.warnings)} warnings"
    )
    if result.command == "import":
        counts += (
            f"; inserted {result.inserted}, updated {result.updated}, "
            f"unchanged {result.unchanged}; batch {result.batch_id}"
        )
    click.echo(f"{name}: {counts}", err=True)
    by_code = result.summary()["errors_by_code"]
    if by_code:
        click.echo("  rejected for: " + ", ".join(f"{c} ×{n}" for c, n in by_code.items()), err=True)
    if result.unmapped_columns:
        click.echo("  ignored columns: " + ", ".join(result.unmapped_columns), err=True)
    click.echo(f"  reports: {result.report_dir}", err=True)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[Path], Callable[[str], None]] | None]:
    """A rich progress display over each file's stages, only on a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
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
            task = progress.add_task(path.name, total=len(STAGES), stage="")

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
                _render_file(result)  # the one line on standard error, even with --json
    if len(results) > 1 and not as_json:
        totals = {k: sum(getattr(r, k) for r in results) for k in ("rows", "accepted", "rejected")}
        failed = sum(r.error is not None for r in results)
        click.echo(
            f"{len(results)} files: {totals['rows']} rows, {totals['accepted']} accepted, "
            f"{totals['rejected']} rejected, {failed} unusable",
            err=True,
        )
    sys.exit(worst_exit(results))


class _Group(click.Group):
    """Turns unexpected exceptions into one line (the traceback with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except FileError as exc:
            click.echo(f"onboard: {exc.message}", err=True)
            sys.exit(EXIT_UNUSABLE)
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            else:
                click.echo(
                    f"onboard: unexpected error: {type(exc).__name__}: {exc} "
                    "(rerun with --debug for details)",
                    err=True,
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

    config = _config(config_path, db_url, report_dir, user=user)
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


@cli.command()
@click.option("--batches", "limit", default=10, show_default=True, help="How many recent batches to list.")
@common_options
def status(
    limit: int, db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool
) -> None:
    """Customers per status, and the most recent import batches."""
    from pipeline.store import batch_status_counts, status_counts

    config = _config(config_path, db_url, report_dir)
    engine = _store(config)
    counts = status_counts(engine)
    recent = batch_status_counts(engine, limit)
    if as_json:
        _echo_json({"customers": counts, "batches": recent})
        return
    click.echo("customers: " + ", ".join(f"{s} {n}" for s, n in counts.items()), err=True)
    if recent:
        click.echo(
            f"{'batch':<34} {'file':<30} {'rows':>6} {'acc':>6} {'rej':>6} "
            f"{'pending':>8} {'approved':>8} {'rejected':>8}",
            err=True,
        )
    for b in recent:
        click.echo(
            f"{b['id']:<34} {Path(b['file_name']).name[:30]:<30} {b['rows']:>6} "
            f"{b['accepted']:>6} {b['rejected']:>6} {b['customers']['pending']:>8} "
            f"{b['customers']['approved']:>8} {b['customers']['rejected']:>8}",
            err=True,
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
@common_options
def export(
    status_: str,
    out: Path,
    db_url: str | None,
    config_path: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Write customers of one status to CSV, XLSX or JSON (how approved customers leave)."""
    from pipeline.report import write_customers
    from pipeline.store import customers_with_status

    if out.suffix.lower() not in (".csv", ".xlsx", ".json"):
        raise click.UsageError(f"--out {out}: use a .csv, .xlsx or .json file name")
    config = _config(config_path, db_url, report_dir)
    rows = customers_with_status(_store(config), None if status_ == "all" else status_)
    write_customers(out, rows)
    if as_json:
        _echo_json({"out": str(out), "status": status_, "customers": len(rows)})
    else:
        click.echo(f"wrote {len(rows)} {status_} customers to {out}", err=True)


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
    written = export_review(_store(config), out, batch_id)
    if as_json:
        _echo_json({"out": str(written.out), "customers": written.customers, "batch_id": batch_id})
    else:
        click.echo(f"wrote {written.customers} pending customers to {written.out}", err=True)


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
        reviewer,
        config.report_dir,
        dry_run=dry_run,
        four_eyes=config.four_eyes,
        account=account(),
    )
    if as_json:
        _echo_json(result.summary())
    elif result.error is not None:
        click.echo(f"{file}: failed: {result.error.message}", err=True)
    else:
        counts = result.counts
        click.echo(
            f"{file}: {len(result.lines)} lines; "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + (" (dry run: nothing changed)" if dry_run else ""),
            err=True,
        )
        for line in result.lines:
            if line.outcome == "refused":
                click.echo(f"  row {line.row}: {line.message}", err=True)
        click.echo(f"  report: {result.report_dir}", err=True)
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
    click.echo(f"wrote {rows} customers to {out}", err=True)


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

    folder = root
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
                reviewer=reviewer,
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
    click.echo(f"{stamp} {message}", err=True)


def _echo_json_outcome(outcome: FileOutcome) -> None:
    _echo_json(outcome.summary)


def _log_outcome(outcome: FileOutcome) -> None:
    """One file of a sweep for the log: where it went and what processing said."""
    from pipeline.sweep import printable

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
    _log(f"{outcome.kind} {printable(outcome.source.name)} → {where}: {detail}{note}")


def _log_sweep(result: SweepResult, folder: Path, as_json: bool) -> None:
    """The end of a sweep: files left and why, and a total. An empty sweep says nothing."""
    from pipeline.sweep import printable

    if result.notify_error:
        _log(result.notify_error)
    if as_json:
        if result.stopped:
            _log(f"sweep of {folder} stopped: {result.stopped}")
        return
    for waiting in result.waiting:
        _log(f"left {printable(waiting.path.parent.name)}/{printable(waiting.path.name)}: {waiting.reason}")
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
        click.echo(f"kept the existing {config_file}", err=True)
    else:
        config_file.write_text(EXAMPLE_CONFIG.format(root=folder.resolve()), encoding="utf-8")
        click.echo(f"wrote {config_file}", err=True)
    click.echo(f"drop folder ready: {folder} (sweep it with: onboard run --config {config_file})", err=True)


@cli.group()
def db() -> None:
    """Store schema: migrations with Alembic."""


@db.command(name="upgrade")
@common_options
def db_upgrade(db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool) -> None:
    """Bring the store's schema to the newest revision (new SQLite files are set up automatically)."""
    from pipeline.migrate import upgrade
    from pipeline.store import connect, reason, safe_url

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
        click.echo(f"{safe_url(config.db_url)}: schema {before or 'empty'} → {after}", err=True)


@db.command(name="current")
@common_options
def db_current(db_url: str | None, config_path: Path | None, report_dir: Path | None, as_json: bool) -> None:
    """Show the store's schema revision and the newest one this onboard knows."""
    from pipeline.migrate import current_revision, head_revision
    from pipeline.store import connect, reason, safe_url

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
        click.echo(f"{safe_url(config.db_url)}: at {current or 'empty'}, newest {head_revision()}", err=True)


def main() -> None:
    """Console-script entry point."""
    # Reports, moved files and the SQLite store hold personal data: owner-only access.
    os.umask(0o077)
    cli(prog_name="onboard")
