"""Shared fixtures: customer sheets, the CLI, and an empty store per backend.

`db_url` gives each test an empty store: a SQLite file in `tmp_path`, and PostgreSQL when
ONBOARD_TEST_PG_URL names a server (otherwise those tests are skipped, and say so; with
ONBOARD_REQUIRE_PG=1, as in CI, they fail instead).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import (
    PG_URL_VARIABLE,
    StoreView,
    database_per_worker,
    read_csv,
    reset_postgres,
    unavailable,
    valid_row,
    write_sheet,
)

from pipeline.cli import cli

# Under pytest-xdist (`make test` runs two workers) each worker has a test database of its own.
database_per_worker()


@pytest.fixture(autouse=True)
def fresh_caches_under_mutmut() -> None:
    """Under mutmut, every test starts with empty caches. mutmut runs the clean tests in
    its own process and forks a child per mutant: the rules' `lru_cache`s (and every
    other cache of `pipeline`, `schemas`) filled before the fork would answer for a
    mutated rule. And while it records which tests reach which function ("stats"), a
    cached function is reached by the first test that calls it only; the others would
    not be run against its mutants."""
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in {"pipeline", "schemas"}:
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder with no `ONBOARD_*` setting from the shell (but
    the test database's URL): a developer's exported variables, or an `onboard.toml`,
    `reports/` or `onboarding.db` left in the checkout by the README's examples, change
    nothing."""
    for name in list(os.environ):
        if name.startswith("ONBOARD_") and name != PG_URL_VARIABLE:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from `tmp_path`, so default paths (reports/, onboarding.db) land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, workdir: Path) -> Iterator[str]:
    """An empty store: a SQLite file in tmp_path, or the test PostgreSQL with fresh tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onboarding.db'}"
        return
    yield postgres()


@pytest.fixture
def pg_url(workdir: Path) -> str:
    """The test PostgreSQL with fresh tables, for what only PostgreSQL can do (two writers
    at once); mark such tests `postgres`."""
    return postgres()


def postgres() -> str:
    url = os.environ.get(PG_URL_VARIABLE)
    if not url:
        unavailable("PG", f"{PG_URL_VARIABLE} is not set: PostgreSQL tests skipped")
    reset_postgres(url)
    return url


@pytest.fixture(name="valid_row")
def valid_row_fixture() -> Callable[..., dict[str, str]]:
    """`valid_row(index=0, **overrides)`: a valid Dutch customer (see `valid_row`)."""
    return valid_row


@pytest.fixture(name="write_sheet")
def write_sheet_fixture() -> Callable[..., Path]:
    """`write_sheet(path, rows, headers=…, fields=…, title_rows=…)` (see `write_sheet`)."""
    return write_sheet


@pytest.fixture(name="read_csv")
def read_csv_fixture() -> Callable[[Path], list[dict[str, str]]]:
    """`read_csv(path)`: the lines of a CSV report as dicts."""
    return read_csv


@pytest.fixture
def store(db_url: str) -> StoreView:
    """The store of `db_url`, for assertions on what is there."""
    return StoreView(db_url)


@pytest.fixture
def onboard() -> Callable[..., Result]:
    """Run the `onboard` command line in-process: `onboard("validate", path, "--json")`."""

    def run(*args: object) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args])

    return run
