"""Claims keep sweeps on several hosts, sharing one store, from processing a file twice.

Each test fails when `sweep.claim` grants every claim (the audit's mutant M2): the unique
index on imported content alone cannot keep a second host from also working on a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from factories import StoreView, write_sheet
from factories import valid_row as customer
from sqlalchemy import update

from pipeline.cli import cli
from pipeline.read import file_sha256
from pipeline.store import batches, claims, finish_claim, now, open_store
from pipeline.sweep import STALE_CLAIM, claim

ONBOARD = str(Path(sys.executable).parent / "onboard")


def test_an_unfinished_claim_keeps_others_out_and_a_finished_one_is_taken_again(db_url: str) -> None:
    """It refuses a second claim on content whose claim is unfinished, grants it once the
    first is finished (the same content dropped again is handled again)."""
    engine = open_store(db_url)
    assert claim(engine, "import", "a" * 64, "a.csv")
    assert not claim(engine, "import", "a" * 64, "copy of a.csv")
    assert claim(engine, "review", "a" * 64, "a.csv")  # another kind of work, its own claim
    finish_claim(engine, "import", "a" * 64, "processed")
    with engine.connect() as connection:
        finished = connection.execute(
            claims.select().where((claims.c.kind == "import") & (claims.c.sha256 == "a" * 64))
        ).one()
    assert finished.outcome == "processed" and finished.finished_at is not None
    assert claim(engine, "import", "a" * 64, "a.csv")
    engine.dispose()


def test_a_dead_sweeps_claim_is_taken_over_and_a_stale_one_once(db_url: str) -> None:
    """It takes over the claim of a process of this host that is gone, and the claim of
    another host older than STALE_CLAIM, but only one taker wins a stale claim."""
    code = (
        "import sys; from pipeline.store import open_store; from pipeline.sweep import claim; "
        "sys.exit(0 if claim(open_store(sys.argv[1]), 'import', 'b' * 64, 'b.csv') else 1)"
    )
    assert subprocess.run([sys.executable, "-c", code, db_url], timeout=120).returncode == 0
    engine = open_store(db_url)
    assert claim(engine, "import", "b" * 64, "b.csv")  # its process has exited: taken over
    assert claim(engine, "import", "c" * 64, "c.csv")
    with engine.begin() as connection:  # the claim of a sweep on another host that died
        connection.execute(
            update(claims)
            .where(claims.c.sha256 == "c" * 64)
            .values(claimed_by="elsewhere:1", claimed_at=now() - STALE_CLAIM * 2)
        )
    assert claim(engine, "import", "c" * 64, "c.csv")
    assert not claim(engine, "import", "c" * 64, "c.csv")  # now fresh and ours: not twice
    engine.dispose()


def test_a_file_another_host_is_importing_is_left_alone(db_url: str, tmp_path: Path) -> None:
    """It leaves a file whose content another live sweep has claimed in the inbox: not
    imported, not moved, and not reported as a file of this sweep."""
    root = tmp_path / "drop"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    sheet = write_sheet(root / "inbox" / "a.csv", [customer(0)])
    stamp = time.time() - 60
    os.utime(sheet, (stamp, stamp))
    engine = open_store(db_url)
    assert claim(engine, "import", file_sha256(sheet), "a.csv")  # held by this live process
    engine.dispose()
    result = subprocess.run(
        [ONBOARD, "run", "--root", str(root), "--db", db_url, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines() if line.strip()] == []
    assert sheet.is_file() and not any((root / "processed").iterdir())
    assert StoreView(db_url).count(batches) == 0
