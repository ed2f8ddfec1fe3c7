"""The sweep survives any single file and any failing environment; identity on every path.

Each test reproduces one class of the cron and file trust issue through the real CLI, on
real files in a drop folder made by `onboard init`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from factories import PG_URL_VARIABLE, StoreView, reset_postgres, write_sheet
from factories import valid_row as customer
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from pipeline import sweep as sweep_module
from pipeline.cli import cli
from pipeline.identity import account
from pipeline.store import audit, batches, customers

ONBOARD = str(Path(sys.executable).parent / "onboard")


def drop_folder(tmp_path: Path, *config_lines: str) -> Path:
    root = tmp_path / "drop"
    assert CliRunner().invoke(cli, ["init", str(root)]).exit_code == 0
    if config_lines:
        with (root / "onboard.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n".join(config_lines) + "\n")
    return root


def settled(path: Path) -> Path:
    stamp = time.time() - 60
    os.utime(path, (stamp, stamp), follow_symlinks=False)
    return path


def run(root: Path, *extra: str, db: str | None = None) -> Result:
    args = ["run", "--root", str(root), *extra] + (["--db", db] if db else [])
    return CliRunner().invoke(cli, args)


def json_lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_an_empty_sweep_says_nothing(tmp_path: Path) -> None:
    """It prints nothing at all and exits 0 when there is nothing to do (quiet under cron)."""
    root = drop_folder(tmp_path)
    result = run(root)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def test_every_log_line_is_time_stamped_and_left_files_say_why(tmp_path: Path) -> None:
    """It stamps each log line with the time and says why each file was left."""
    root = drop_folder(tmp_path)
    inbox = root / "inbox"
    settled(write_sheet(inbox / "good.csv", [customer(0)]))
    write_sheet(inbox / "fresh.csv", [customer(1)])
    settled(write_sheet(inbox / "~$open.xlsx", [customer(2)]))
    settled(write_sheet(inbox / "download.csv.part", [customer(3)]))
    result = run(root)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and all(line[:4].isdigit() and line[10] == "T" and line[19:21] == "Z " for line in lines), (
        lines
    )
    reasons = "\n".join(lines)
    assert "fresh.csv: still being written" in reasons
    assert "~$open.xlsx: an Office lock file" in reasons
    assert "download.csv.part: a temporary name" in reasons


def test_the_drop_folders_own_configuration_is_used(tmp_path: Path) -> None:
    """It reads DIR/onboard.toml: the store it names is used, not ./onboarding.db."""
    root = drop_folder(tmp_path)
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)
    result = run(root)
    assert result.exit_code == 0, result.stderr
    assert not (elsewhere / "onboarding.db").exists()
    assert StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 1


def test_onboard_root_also_finds_the_folders_own_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It reads DIR/onboard.toml when the folder comes from ONBOARD_ROOT too."""
    root = drop_folder(tmp_path)
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    monkeypatch.setenv("ONBOARD_ROOT", str(root))
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "onboarding.db").exists()
    assert StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 1


def test_a_long_file_name_is_imported_and_moved(tmp_path: Path) -> None:
    """It shortens a name that would exceed the file system's limit with its batch id."""
    root = drop_folder(tmp_path)
    name = "k" * 240 + ".csv"  # 244 bytes: with the batch id the moved name would not fit
    settled(write_sheet(root / "inbox" / name, [customer(0)]))
    result = run(root, "--json")
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result)
    moved = Path(str(line["moved_to"]))
    assert moved.parent == root / "processed" and moved.is_file()
    assert Path(str(line["report_dir"])).parent == root / "reports"
    assert len(os.fsencode(moved.name)) <= 255 and str(line["batch_id"]) in moved.name
    # Shortened no more than needed: the limit, less room for a "-999" when names collide.
    limit = sweep_module.name_max(root / "processed")
    assert moved.name.startswith("k" * 100) and len(os.fsencode(moved.name)) == limit - len("-999")
    assert not any((root / "inbox").iterdir())


def test_a_file_name_that_is_not_utf8_is_imported(tmp_path: Path) -> None:
    """It imports and moves a file whose name is not valid UTF-8, and logs it readably,
    also in the JSON it hands the notify command."""
    root = drop_folder(tmp_path)
    notified = tmp_path / "notified.json"
    config = (root / "onboard.toml").read_text(encoding="utf-8")
    notify = f"settle_seconds = 10\nnotify = \"cat > '{notified}'\""
    (root / "onboard.toml").write_text(config.replace("settle_seconds = 10", notify), encoding="utf-8")
    raw = os.fsencode(root / "inbox") + b"/caf\xe9-klanten.csv"
    write_sheet(Path(os.fsdecode(raw)), [customer(0)])
    settled(Path(os.fsdecode(raw)))
    result = run(root)  # the sweep finds the name itself: no argument carries it in
    assert result.exit_code == 0, result.stderr
    assert b"caf\\xe9-klanten.csv" in result.stderr_bytes
    assert b"caf\\udce9-klanten.csv" in notified.read_bytes()
    assert [p for p in os.listdir(os.fsencode(root / "inbox"))] == []
    assert StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 1


def test_a_symlink_in_the_inbox_is_skipped_with_a_reason(tmp_path: Path) -> None:
    """It does not import a link pointing outside the inbox, and says why it left it."""
    root = drop_folder(tmp_path)
    outside = write_sheet(tmp_path / "secret.csv", [customer(0)])
    link = root / "inbox" / "link.csv"
    link.symlink_to(outside)
    settled(link)
    result = run(root)
    assert result.exit_code == 0
    assert "link.csv: a symbolic link" in result.stderr
    assert link.is_symlink() and outside.is_file()
    assert (
        not (root / "onboarding.db").exists()
        or StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 0
    )


def test_symlinks_are_followed_when_allowed(tmp_path: Path) -> None:
    """It imports a link's file with sweep.follow_symlinks = true."""
    root = drop_folder(tmp_path)
    text = (root / "onboard.toml").read_text(encoding="utf-8")
    (root / "onboard.toml").write_text(
        text.replace("settle_seconds = 10", "settle_seconds = 10\nfollow_symlinks = true"), encoding="utf-8"
    )
    link = root / "inbox" / "link.csv"
    link.symlink_to(settled(write_sheet(tmp_path / "shared.csv", [customer(0)])))
    settled(link)
    result = run(root)
    assert result.exit_code == 0, result.stderr
    assert StoreView(f"sqlite:///{root / 'onboarding.db'}").count(customers) == 1


def test_a_fifo_in_the_inbox_is_left_alone(tmp_path: Path) -> None:
    """It never opens a FIFO named .csv (that would block the sweep) and says why."""
    root = drop_folder(tmp_path)
    os.mkfifo(root / "inbox" / "pipe.csv")
    settled(root / "inbox" / "pipe.csv")
    result = subprocess.run([ONBOARD, "run", "--root", str(root)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "pipe.csv: not a regular file" in result.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word (a hung store)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.slow  # waits for the connection time-out
def test_a_store_that_never_answers_leaves_the_files_for_the_next_run(
    tmp_path: Path, silent_server: int
) -> None:
    """It gives up after the connect time-out, exits 2, and leaves every file in the inbox."""
    root = drop_folder(tmp_path, "")
    toml = (root / "onboard.toml").read_text(encoding="utf-8")
    url = f"postgresql+psycopg://onboard:x@127.0.0.1:{silent_server}/onboard"
    toml = toml.replace('url = "sqlite', f'connect_timeout = 2\nurl = "{url}"\n# url = "sqlite')
    (root / "onboard.toml").write_text(toml, encoding="utf-8")
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    settled(write_sheet(root / "inbox" / "b.csv", [customer(1)]))
    started = time.monotonic()
    result = subprocess.run([ONBOARD, "run", "--root", str(root)], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert "stopped" in result.stderr and "2 file(s) left for the next run" in result.stderr
    assert sorted(p.name for p in (root / "inbox").iterdir()) == ["a.csv", "b.csv"]
    assert not any((root / "failed").iterdir())


def test_an_overlapping_run_exits_at_once_even_when_the_store_hangs(
    tmp_path: Path, silent_server: int
) -> None:
    """It takes the folder lock before opening the store: a second cron run exits 0 at once."""
    root = drop_folder(tmp_path)
    url = f"postgresql+psycopg://onboard:x@127.0.0.1:{silent_server}/onboard"
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    import fcntl

    with (root / ".onboard-sweep.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        started = time.monotonic()
        result = subprocess.run(
            [ONBOARD, "run", "--root", str(root), "--db", url], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0 and "another sweep" in result.stderr
    assert time.monotonic() - started < 10


def test_a_folder_that_cannot_take_the_file_stops_the_sweep_before_importing(tmp_path: Path) -> None:
    """It checks where files will go before any commit: nothing is imported, nothing moved."""
    root = drop_folder(tmp_path)
    (root / "processed").rmdir()
    (root / "processed").write_text("not a folder", encoding="utf-8")
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    result = run(root)
    assert result.exit_code == 2
    assert "processed" in result.stderr and "stopped" in result.stderr
    assert (root / "inbox" / "a.csv").is_file()
    assert not (root / "onboarding.db").exists()


def test_a_file_that_cannot_be_moved_after_commit_is_not_imported_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It keeps going when a move fails after the commit; the next sweep moves the file
    without importing it again."""
    root = drop_folder(tmp_path)
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    settled(write_sheet(root / "inbox" / "b.csv", [customer(1)]))
    real = sweep_module.move_aside

    def fails_for_a(path: Path, folder: Path, tag: str) -> Path:
        if path.name == "a.csv":
            raise OSError(28, "No space left on device")
        return real(path, folder, tag)

    monkeypatch.setattr(sweep_module, "move_aside", fails_for_a)
    first = run(root, "--json")
    assert first.exit_code == 2
    by_name = {Path(str(line["file"])).name: line for line in json_lines(first)}
    assert by_name["a.csv"]["moved_to"] is None and by_name["b.csv"]["moved_to"]
    assert "could not be moved to processed/" in str(by_name["a.csv"]["note"])
    monkeypatch.setattr(sweep_module, "move_aside", real)
    second = run(root, "--json")
    assert second.exit_code == 0
    (line,) = json_lines(second)
    assert line["skipped"] == "already imported"
    view = StoreView(f"sqlite:///{root / 'onboarding.db'}")
    assert view.count(customers) == 2 and view.count(batches) == 2
    assert not any((root / "inbox").iterdir())


def test_sweep_imports_are_recorded_under_the_files_owner(tmp_path: Path) -> None:
    """It records who dropped the file as its importer, never an empty name."""
    root = drop_folder(tmp_path)
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    assert run(root).exit_code == 0
    view = StoreView(f"sqlite:///{root / 'onboarding.db'}")
    (batch,) = view.rows(batches)
    assert batch["imported_by"] == account() and batch["imported_login"] == account()
    assert {row["changed_by"] for row in view.rows(audit)} == {account()}


@pytest.mark.parametrize("reviewer", [[], ["--reviewer", "Someone Else"]], ids=["owner", "named"])
def test_four_eyes_holds_through_the_sweep(tmp_path: Path, reviewer: list[str]) -> None:
    """It refuses an approval dropped by the same person who dropped the import, also
    under another reviewer's name (the file's owner is the account applying it)."""
    root = drop_folder(tmp_path)
    text = (root / "onboard.toml").read_text(encoding="utf-8")
    (root / "onboard.toml").write_text(
        text.replace("four_eyes = false", "four_eyes = true"), encoding="utf-8"
    )
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0)]))
    assert run(root).exit_code == 0
    review = root / "review.xlsx"
    config = str(root / "onboard.toml")
    exported = CliRunner().invoke(cli, ["review", "export", "--out", str(review), "--config", config])
    assert exported.exit_code == 0, exported.output
    workbook = load_workbook(review)
    workbook["Review"]["B2"] = "approve"
    workbook.save(review)
    settled(review.rename(root / "reviews" / "review.xlsx"))
    result = run(root, "--json", *reviewer)
    assert result.exit_code == 1
    (line,) = json_lines(result)
    assert line["refused"] == 1 and line["approved"] == 0
    assert Path(str(line["report_dir"])).parent == root / "reports"
    view = StoreView(f"sqlite:///{root / 'onboarding.db'}")
    assert [row["status"] for row in view.rows(customers)] == ["pending"]


def test_the_notify_command_gets_the_sweeps_summary(tmp_path: Path) -> None:
    """It runs sweep.notify after a sweep that did something, with the JSON on stdin; a
    failing command is logged and changes nothing else."""
    root = drop_folder(tmp_path)
    out = tmp_path / "notified.json"
    text = (root / "onboard.toml").read_text(encoding="utf-8")
    (root / "onboard.toml").write_text(
        text.replace("settle_seconds = 10", f"settle_seconds = 10\nnotify = \"cat > '{out}'\""),
        encoding="utf-8",
    )
    assert run(root).exit_code == 0
    assert not out.exists()  # an empty sweep notifies nobody
    settled(write_sheet(root / "inbox" / "a.csv", [customer(0), customer(1, contact_email="x@")]))
    write_sheet(root / "inbox" / "fresh.csv", [customer(9)])  # still being written: left
    result = run(root)
    assert result.exit_code == 1
    assert "notify command" not in result.stderr  # it succeeded: nothing to report
    sent = json.loads(out.read_text(encoding="utf-8"))  # the keys the README documents
    assert sent["exit_code"] == 1 and [Path(f["file"]).name for f in sent["files"]] == ["a.csv"]
    assert Path(sent["root"]).resolve() == root.resolve() and sent["stopped"] is None
    assert [w["file"] for w in sent["waiting"]] == ["fresh.csv"]
    assert "still being written" in sent["waiting"][0]["reason"]
    # A failing command is reported with its last line, even one that is not UTF-8 or empty.
    for n, (command, said) in enumerate(
        [
            ("echo mail server down >&2; exit 3", "exited 3: mail server down"),
            ("printf 'caf\\351 down\\n' >&2; exit 3", "exited 3: caf\ufffd down"),
            ("exit 4", "exited 4"),
        ]
    ):
        notify = f"settle_seconds = 10\nnotify = '''{command}'''"  # a TOML literal string
        (root / "onboard.toml").write_text(text.replace("settle_seconds = 10", notify), encoding="utf-8")
        settled(write_sheet(root / "inbox" / f"b{n}.csv", [customer(2 + n)]))
        result = run(root)
        assert result.exit_code == 0, result.stderr
        assert said in result.stderr, result.stderr


@pytest.mark.postgres
@pytest.mark.slow  # waits for the statement time-out
def test_a_statement_waiting_too_long_is_cancelled(tmp_path: Path) -> None:
    """It cancels an import whose statement waits past database.statement_timeout (here a
    lock another session holds), exits 2 with store_error, and stores nothing."""
    url = os.environ.get(PG_URL_VARIABLE)
    if not url:
        pytest.skip(f"{PG_URL_VARIABLE} is not set: PostgreSQL tests skipped")
    reset_postgres(url)
    config = tmp_path / "onboard.toml"
    config.write_text("[database]\nstatement_timeout = 2\n", encoding="utf-8")
    sheet = write_sheet(tmp_path / "a.csv", [customer(0)])
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE batches IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            result = subprocess.run(
                [ONBOARD, "import", str(sheet), "--db", url, "--config", str(config), "--json"],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=tmp_path,
            )
            waited = time.monotonic() - started
    finally:
        engine.dispose()
    assert result.returncode == 2, result.stderr
    assert json.loads(result.stdout)["error"]["code"] == "store_error"
    assert waited < 30
    assert StoreView(url).count(batches) == 0
