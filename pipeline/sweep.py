"""The cron sweep: one pass over a drop folder.

`DIR/inbox` holds dropped spreadsheets, `DIR/reviews` filled review files. A sweep
imports every settled spreadsheet oldest first, then applies every review file; each
file ends in `DIR/processed` or `DIR/failed` (renamed with its batch id or a time stamp,
never overwritten, never deleted), its reports in `DIR/reports/<batch>/`.

Two guards keep a file from being done twice: a lock file lets one sweep per folder run
at a time on a host, and a claim row in the store (unique per file content) keeps
sweeps on several hosts sharing one store apart. A file is moved only after its batch
committed, so a sweep killed at any point loses nothing: the next one finds the file,
sees its content was imported and moves it.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from pipeline import store
from pipeline.config import Config
from pipeline.issues import FileError
from pipeline.read import file_sha256
from pipeline.result import EXIT_OK, FileResult
from pipeline.review import ReviewResult, apply_review
from pipeline.run import process_file

FOLDERS = ("inbox", "reviews", "processed", "failed", "reports")
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", ".lock")
# A claim not finished after this long belongs to a sweep that died: take it over.
STALE_CLAIM = timedelta(hours=1)


class SweepBusy(Exception):
    """Another sweep holds the drop folder's lock."""


@dataclass
class FileOutcome:
    """One file of a sweep: where it went and what processing it said."""

    kind: str  # "import" or "review"
    source: Path
    destination: Path | None
    summary: dict[str, Any]
    exit_code: int


@dataclass
class SweepResult:
    """Everything one sweep did, and the files it left for later."""

    root: Path
    files: list[FileOutcome] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)
    claimed_elsewhere: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return max((f.exit_code for f in self.files), default=EXIT_OK)


def ensure_layout(root: Path) -> None:
    """Create the drop folder's sub-folders that are missing."""
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)


def is_settled(path: Path, settle_seconds: float, now: float | None = None) -> bool:
    """False for files still being written: lock files, temporary names, fresh files."""
    name = path.name
    if name.startswith(("~$", ".", "~")) or name.lower().endswith(_TEMPORARY_SUFFIXES):
        return False
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return False
    return age >= settle_seconds


def pending_files(folder: Path, settle_seconds: float) -> tuple[list[Path], list[Path]]:
    """(settled files oldest first, files left for the next run)."""
    ready: list[tuple[float, str, Path]] = []
    waiting: list[Path] = []
    for path in folder.iterdir() if folder.is_dir() else []:
        if not path.is_file():
            continue
        if is_settled(path, settle_seconds):
            ready.append((path.stat().st_mtime, path.name, path))
        else:
            waiting.append(path)
    return [p for _m, _n, p in sorted(ready)], sorted(waiting)


@contextmanager
def folder_lock(root: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the drop folder's lock; raise `SweepBusy` if another sweep keeps it too long."""
    lock_path = root / ".onboard-sweep.lock"
    with lock_path.open("a") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SweepBusy(f"another sweep is working on {root}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(engine: Engine, kind: str, sha256: str, name: str) -> bool:
    """Record that this sweep works on a file's content; False if another sweep does.

    A finished claim is taken again (the content may be dropped a second time: the
    import then says it was imported before). An unfinished one is taken over when its
    process on this host is gone (a killed sweep) or it is older than `STALE_CLAIM` (a
    sweep on another host that died).
    """
    stamp = store.now()
    row = {
        "kind": kind,
        "sha256": sha256,
        "file_name": name,
        "claimed_by": _claimant(),
        "claimed_at": stamp,
        "finished_at": None,
        "outcome": None,
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(store.claims), [row])
        return True
    except IntegrityError:
        pass  # claimed before: see whether that claim is finished or abandoned
    key = (store.claims.c.kind == kind) & (store.claims.c.sha256 == sha256)
    with store.transaction(engine, "claim") as connection:
        current = connection.execute(select(store.claims).where(key)).first()
        if current is None:
            return False
        taken_over = (
            current.finished_at is not None
            or _older_than(current.claimed_at, STALE_CLAIM)
            or _died_here(current.claimed_by)
        )
        if not taken_over:
            return False
        # Compare-and-set on the claim we saw, so two sweeps cannot both take it over.
        done = connection.execute(
            update(store.claims)
            .where(
                key
                & (store.claims.c.claimed_by == current.claimed_by)
                & (store.claims.c.claimed_at == current.claimed_at)
            )
            .values(claimed_by=row["claimed_by"], claimed_at=stamp, finished_at=None, outcome=None)
        )
        return bool(done.rowcount)


def _died_here(claimant: str) -> bool:
    """True when the claim is this host's and its process no longer runs (killed sweep)."""
    host, _, pid = claimant.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # runs, under another user
    return False


def _older_than(stamp: Any, age: timedelta) -> bool:
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=store.now().tzinfo)
    return bool(store.now() - stamp > age)


def finish_claim(engine: Engine, kind: str, sha256: str, outcome: str) -> None:
    """Mark a claim done, so the same content dropped again is handled again."""
    with store.transaction(engine, "claim") as connection:
        connection.execute(
            update(store.claims)
            .where((store.claims.c.kind == kind) & (store.claims.c.sha256 == sha256))
            .values(finished_at=store.now(), outcome=outcome)
        )


def move_aside(path: Path, folder: Path, tag: str) -> Path:
    """Move `path` into `folder` as NAME.TAG.EXT, never overwriting an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = path.stem, path.suffix
    for attempt in range(1000):
        extra = f"-{attempt}" if attempt else ""
        target = folder / f"{stem}.{tag}{extra}{suffix}"
        try:
            # A hard link fails when the target exists: no check-then-rename race.
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            os.replace(path, target)
            return target
        path.unlink()
        return target
    raise FileError("store_error", f"cannot find a free name for {path.name} in {folder}", "sweep")


def sweep(
    root: Path,
    config: Config,
    engine: Engine,
    *,
    reviewer: str | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> SweepResult:
    """One sweep over the drop folder `root` (the caller holds `folder_lock`)."""
    ensure_layout(root)
    result = SweepResult(root)
    config = replace(config, report_dir=root / "reports")
    spreadsheets, waiting = pending_files(root / "inbox", config.settle_seconds)
    reviews, waiting_reviews = pending_files(root / "reviews", config.settle_seconds)
    result.waiting = waiting + waiting_reviews
    for path in spreadsheets:
        outcome = _sweep_import(path, root, config, engine)
        _record(result, outcome, path, on_file)
    for path in reviews:
        outcome = _sweep_review(path, root, config, engine, reviewer)
        _record(result, outcome, path, on_file)
    return result


def _record(
    result: SweepResult,
    outcome: FileOutcome | None,
    path: Path,
    on_file: Callable[[FileOutcome], None] | None,
) -> None:
    if outcome is None:
        result.claimed_elsewhere.append(path)
        return
    result.files.append(outcome)
    if on_file is not None:
        on_file(outcome)


def _sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except FileNotFoundError:
        return None  # moved away by another sweep meanwhile


def _sweep_import(path: Path, root: Path, config: Config, engine: Engine) -> FileOutcome | None:
    sha256 = _sha256_or_none(path)
    if sha256 is None or not claim(engine, "import", sha256, path.name):
        return None
    result: FileResult = process_file(path, config, engine)
    failed = result.error is not None
    tag = result.batch_id or (f"{store.now():%Y%m%d-%H%M%S}-{sha256[:8]}")
    destination = move_aside(path, root / ("failed" if failed else "processed"), tag)
    finish_claim(engine, "import", sha256, "failed" if failed else "processed")
    summary = result.summary() | {"moved_to": str(destination)}
    return FileOutcome("import", path, destination, summary, result.exit_code)


def _sweep_review(
    path: Path, root: Path, config: Config, engine: Engine, reviewer: str | None
) -> FileOutcome | None:
    sha256 = _sha256_or_none(path)
    if sha256 is None or not claim(engine, "review", sha256, path.name):
        return None
    who = reviewer or _owner(path)
    result: ReviewResult = apply_review(engine, path, who, root / "reports", four_eyes=config.four_eyes)
    failed = result.error is not None
    tag = f"review-{store.now():%Y%m%d-%H%M%S}-{sha256[:8]}"
    destination = move_aside(path, root / ("failed" if failed else "processed"), tag)
    finish_claim(engine, "review", sha256, "failed" if failed else "processed")
    summary = result.summary() | {"moved_to": str(destination)}
    return FileOutcome("review", path, destination, summary, result.exit_code)


def _owner(path: Path) -> str:
    """The login name of the file's owner: who dropped a review file, by default."""
    import pwd

    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (KeyError, OSError):
        return "unknown"
