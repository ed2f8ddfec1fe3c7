"""The command line's options, each declared once (as frictionless' console/common.py):
the four every command has, bundled as `Common`, and those several commands share."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from pipeline.config import Config, ConfigError, load_config
from pipeline.template_text import LANGUAGES


@dataclass(frozen=True)
class Common:
    """The options every command has (`common_options`)."""

    db_url: str | None
    config_path: Path | None
    report_dir: Path | None
    as_json: bool

    def config(self, **overrides: Any) -> Config:
        """The configuration: the file and environment, then these options and `overrides`."""
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
        # Owner-only unless reports.group_readable: set before anything is written.
        os.umask(config.umask)
        return config.with_overrides(db_url=self.db_url, report_dir=self.report_dir, **overrides)

    def importer_config(self, user: str | None, **overrides: Any) -> Config:
        """The configuration of an import: who imports (--user, import.user, ONBOARD_USER,
        else the login name) and the account running it."""
        from pipeline.identity import account, login_name
        from pipeline.names import text_of

        # A name typed in a terminal that is not UTF-8 is stored readably, never crashes the store.
        if user is not None and not user.strip():
            raise click.UsageError("--user is empty: give the name of who imports")
        config = self.config(user=text_of(user) if user else None, **overrides)
        config = config.with_overrides(user=config.user or login_name(), login=account())
        if not config.user:
            raise click.UsageError(
                "cannot tell who imports: this account has no login name; give --user NAME "
                "(or set import.user in onboard.toml, or ONBOARD_USER)"
            )
        return config


def common(function: Callable[..., None]) -> Callable[..., None]:
    """--db, --config, --report-dir and --json, shared by every command, which receives
    them as one `Common` (its parameter `common`)."""
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

    @functools.wraps(function)
    def with_common(*args: Any, db_url: str | None, config_path: Path | None, **kw: Any) -> None:
        report_dir, as_json = kw.pop("report_dir"), kw.pop("as_json")
        function(*args, common=Common(db_url, config_path, report_dir, as_json), **kw)

    for option in reversed(options):
        with_common = option(with_common)
    return with_common


def _out(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A required --out file option (each command says which formats it writes)."""
    return click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help=help)


files = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
sheet = click.option(
    "--sheet", metavar="NAME", help="Read this sheet (default: the first sheet with a header row)."
)
show = click.option(
    "--show",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    metavar="N",
    help="After each file, show its first N problems as a table (0: none); all are in its reports.",
)


def person_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A name to record as who imports or reviews, refused here when the store could not
    keep it (too long, control characters); a blank one is left to the command's own
    refusal."""
    from pipeline.identity import name_problem
    from pipeline.names import text_of

    if value is None or not value.strip():
        return value
    name = text_of(value)
    if problem := name_problem(name):
        raise click.BadParameter(f"the name {problem}", ctx, param)
    return name


user = click.option(
    "--user",
    metavar="NAME",
    callback=person_name,
    help="Who imports, recorded on the batch and its audit rows (default: import.user, "
    "ONBOARD_USER, else the login name).",
)
status = click.option(
    "--status",
    "status_",
    type=click.Choice(["pending", "approved", "rejected", "all"]),
    default="approved",
    show_default=True,
    help="Which customers to export.",
)
customers_out = _out("Output file; .csv, .xlsx or .json by extension.")
for_spreadsheet = click.option(
    "--for-spreadsheet",
    is_flag=True,
    help="Write the .csv for people who open it in a spreadsheet program: every field "
    "quoted, and an apostrophe before text that could start a formula (also after , ; or tab). "
    "Without it, CSV and JSON carry every value exactly as stored, for programs.",
)
review_out = _out("Review file to write: .xlsx (with drop-downs and instructions) or .csv.")
sample_out = _out("Output file, .csv or .xlsx.")
root = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="The drop folder (with inbox/, reviews/, processed/, failed/, reports/). "
    "Default: sweep.root of the configuration, or ONBOARD_ROOT.",
)
sweep_reviewer = click.option(
    "--reviewer",
    metavar="NAME",
    callback=person_name,
    help="Reviewer recorded for review files (default: the file's owner).",
)
wait = click.option(
    "--wait",
    "wait_seconds",
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another sweep of the same folder to finish.",
)
settle = click.option(
    "--settle",
    "settle_seconds",
    type=float,
    metavar="SECONDS",
    help="Leave files modified less than this long ago for the next run (default 10).",
)
import_dry_run = click.option(
    "--dry-run",
    is_flag=True,
    help="Validate only and store nothing: the same as 'onboard validate FILE…'.",
)
language = click.option(
    "--lang",
    "language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the headers (every one is recognised on import).",
)
template_config = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Configuration whose industries and currencies fill the drop-downs (default: ./onboard.toml).",
)

sample_rows = click.option(
    "--rows", type=click.IntRange(min=0), default=1000, show_default=True, help="How many customers."
)
sample_seed = click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same file).")
sample_bad_ratio = click.option(
    "--bad-ratio",
    type=click.FloatRange(0, 1),
    default=0.03,
    show_default=True,
    help="Share of rows with a mistake (0 to 1).",
)
