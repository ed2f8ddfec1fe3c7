"""Claims keep sweeps on several hosts sharing one store apart (README, "Several hosts,
one PostgreSQL store"): a content claimed by a sweep that is still working is left alone;
a finished claim, a killed sweep's claim on this host and a stale claim of another host
are taken over, by exactly one sweep.

Another sweep is a real process of its own (`Claimant`) that claims through
`pipeline.sweep.claim` and holds its claim until told to finish it or to exit without
finishing it, as a killed sweep does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from factories import StoreView, write_sheet
from factories import valid_row as customer
from sqlalchemy import Engine, event, insert

from pipeline import store
from pipeline.cli import cli
from pipeline.store import batches, claims, customers, finish_claim
from pipeline.sweep import STALE_CLAIM, claim

CONTENT = hashlib.sha256(b"customers.csv as dropped").hexdigest()

CLAIMANT = textwrap.dedent(
    """
    import json, sys
    from pipeline import store, sweep
    url, kind, sha256 = sys.argv[1:4]
    engine = store.connect(url)
    print(json.dumps(sweep.claim(engine, kind, sha256, "customers.csv")), flush=True)
    if sys.stdin.readline().strip() == "finish":
        store.finish_claim(engine, kind, sha256, "processed")
    """
)


class Claimant:
    """Another sweep's process: it claims `sha256` at once (`claimed` says whether it got
    the claim), then holds it until `finish()` or `die()`."""

    def __init__(self, url: str, sha256: str, kind: str = "import") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLAIMANT, url, kind, sha256],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        said = self.process.stdout.readline()  # its claim is decided
        if not said:
            raise AssertionError(f"the claimant failed: {self.process.communicate(timeout=60)[1]}")
        self.claimed: bool = json.loads(said)

    def finish(self) -> None:
        """Finish the claim, as a sweep does once the file is moved, and exit."""
        self._end("finish")

    def die(self) -> None:
        """Exit without finishing the claim, as a killed sweep does."""
        self._end("die")

    def _end(self, command: str) -> None:
        _out, err = self.process.communicate(command + "\n", timeout=60)
        assert self.process.returncode == 0, err


@pytest.fixture
def claimants(db_url: str) -> Iterator[Callable[..., Claimant]]:
    """`claimants(sha256, kind="import")`: another sweep claiming on the test's store;
    any still running at the end is stopped."""
    started: list[Claimant] = []

    def start(sha256: str, kind: str = "import") -> Claimant:
        started.append(Claimant(db_url, sha256, kind))
        return started[-1]

    yield start
    for claimant in started:
        if claimant.process.poll() is None:
            claimant.process.kill()
            claimant.process.communicate(timeout=60)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The test's store, schema up to date, as this process's sweep opens it."""
    opened = store.open_store(db_url)
    yield opened
    opened.dispose()


def dead_pid() -> int:
    """The process id of a process that has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    return int(done.stdout)


def claimed_elsewhere(engine: Engine, sha256: str, age: timedelta) -> None:
    """An unfinished claim of a sweep on another host, made `age` ago (whose process id
    is not running here)."""
    with engine.begin() as connection:
        connection.execute(
            insert(claims),
            [
                {
                    "kind": "import",
                    "sha256": sha256,
                    "file_name": "customers.csv",
                    "claimed_by": f"elsewhere.example:{dead_pid()}",
                    "claimed_at": store.now() - age,
                }
            ],
        )


def test_a_claim_is_refused_while_its_sweep_works_and_taken_once_finished(
    engine: Engine, claimants: Callable[..., Claimant]
) -> None:
    """It refuses a content claimed by a running sweep, and gives it to the next sweep
    once that claim is finished; then that sweep's claim keeps others out."""
    other = claimants(CONTENT)
    assert other.claimed

    assert claim(engine, "import", CONTENT, "customers.csv") is False
    other.finish()
    assert claim(engine, "import", CONTENT, "customers.csv") is True

    third = claimants(CONTENT)
    assert third.claimed is False
    third.die()
    finish_claim(engine, "import", CONTENT, "processed")
    assert claimants(CONTENT).claimed is True


def test_the_claim_of_a_killed_sweep_on_this_host_is_taken_over(
    engine: Engine, claimants: Callable[..., Claimant]
) -> None:
    """It takes over an unfinished claim whose process on this host is gone."""
    killed = claimants(CONTENT)
    assert killed.claimed
    killed.die()

    assert claim(engine, "import", CONTENT, "customers.csv") is True


@pytest.mark.parametrize(
    ("age", "taken"),
    [(timedelta(minutes=1), False), (STALE_CLAIM + timedelta(minutes=5), True)],
    ids=["fresh", "stale"],
)
def test_another_hosts_claim_is_taken_over_only_when_stale(
    engine: Engine, age: timedelta, taken: bool
) -> None:
    """It leaves another host's unfinished claim alone (its process cannot be looked at
    from here, whatever its id) until it is older than STALE_CLAIM."""
    claimed_elsewhere(engine, CONTENT, age)

    assert claim(engine, "import", CONTENT, "customers.csv") is taken


def test_two_take_overs_of_a_stale_claim_one_wins(
    engine: Engine, db_url: str, claimants: Callable[..., Claimant]
) -> None:
    """It gives a stale claim to exactly one of two sweeps taking it over at once: here
    the other sweep takes it over between this one's look at the claim and its update."""
    claimed_elsewhere(engine, CONTENT, STALE_CLAIM + timedelta(minutes=5))
    racers: list[Claimant] = []

    def race(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE CLAIMS") and not racers:
            racers.append(claimants(CONTENT))

    event.listen(engine, "before_cursor_execute", race)
    try:
        mine = claim(engine, "import", CONTENT, "customers.csv")
    finally:
        event.remove(engine, "before_cursor_execute", race)

    assert len(racers) == 1, "the other sweep never raced"
    assert (racers[0].claimed, mine) == (True, False)
    # The winner holds it: nobody takes it over while it works.
    assert claim(engine, "import", CONTENT, "customers.csv") is False


def drop_folder(root: Path) -> Path:
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    return root


def sweep(db_url: str, root: Path, *extra: object) -> list[dict[str, Any]]:
    """One sweep of `root` (exit 0 expected); its --json lines."""
    result = CliRunner().invoke(cli, ["run", "--root", str(root), "--db", db_url, "--json", *map(str, extra)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_sweep_leaves_a_file_another_hosts_sweep_is_working_on(
    db_url: str, tmp_path: Path, claimants: Callable[..., Claimant]
) -> None:
    """It leaves in the inbox, not imported and not moved, a file whose content a sweep on
    another host has claimed and not finished; the next sweeps import it once and move it
    on both hosts."""
    hosts = {name: drop_folder(tmp_path / name) for name in ("host-a", "host-b")}
    names = ["f0.csv", "f1.csv", "f2.csv"]
    for number, name in enumerate(names):
        sheet = write_sheet(hosts["host-a"] / "inbox" / name, [customer(number)])
        shutil.copy2(sheet, hosts["host-b"] / "inbox" / name)
    stamp = time.time() - 60  # settled
    for root in hosts.values():
        for name in names:
            os.utime(root / "inbox" / name, (stamp, stamp))
    contents = {
        name: hashlib.sha256((hosts["host-a"] / "inbox" / name).read_bytes()).hexdigest() for name in names
    }
    notified = tmp_path / "notified.json"
    config = tmp_path / "notify.toml"
    config.write_text(f'[sweep]\nnotify = "cat > {notified}"\n', encoding="utf-8")
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
    view = StoreView(db_url)
    host_a = claimants(contents["f1.csv"])  # host A's sweep is importing f1.csv
    assert host_a.claimed

    lines = sweep(db_url, hosts["host-b"], "--config", config)

    assert [Path(line["file"]).name for line in lines] == ["f0.csv", "f2.csv"]
    assert sorted(p.name for p in (hosts["host-b"] / "inbox").iterdir()) == ["f1.csv"]
    assert len(list((hosts["host-b"] / "processed").iterdir())) == 2
    assert sorted(batch["sha256"] for batch in view.rows(batches)) == sorted(
        contents[name] for name in ("f0.csv", "f2.csv")
    )
    assert view.count(customers) == 2
    assert json.loads(notified.read_text(encoding="utf-8"))["claimed_elsewhere"] == ["f1.csv"]

    host_a.die()  # killed before it imported f1.csv: its claim is taken over
    lines = sweep(db_url, hosts["host-a"])
    assert {Path(line["file"]).name: line.get("skipped") for line in lines} == {
        "f0.csv": "already imported",
        "f1.csv": None,
        "f2.csv": "already imported",
    }
    (line,) = sweep(db_url, hosts["host-b"])
    assert (Path(line["file"]).name, line.get("skipped")) == ("f1.csv", "already imported")
    for root in hosts.values():
        assert not list((root / "inbox").iterdir())
        assert len(list((root / "processed").iterdir())) == 3
    assert sorted(batch["sha256"] for batch in view.rows(batches)) == sorted(contents.values())
    assert view.count(customers) == 3
