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

A sweep survives any single file: a file that is itself bad goes to `failed/`, one the
sweep cannot process because of its environment (store down, reports not writable, a
full disk) stays in the inbox and stops the sweep, so the next run tries again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.config import Config
from pipeline.identity import owner
from pipeline.issues import FileError, is_failure
from pipeline.names import text_of
from pipeline.result import EXIT_UNUSABLE, FileResult, run_exit_code

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from pipeline.review import ReviewResult

# The store, readers and rules (SQLAlchemy, pandas, Pandera) are imported where a file is
# processed: a cron sweep of an empty folder starts and ends in a fraction of a second.

FOLDERS = ("inbox", "reviews", "processed", "failed", "reports")
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", ".lock")
# A claim not finished after this long belongs to a sweep that died: take it over.
STALE_CLAIM = timedelta(hours=1)
# Failures of the sweep's environment, not of the file: the file stays for the next run.
ENVIRONMENT_CODES = frozenset({"store_error", "report_error"})
# How long the `notify` command may run before it is stopped.
NOTIFY_SECONDS = 60
Kind = Literal["import", "review"]


class SweepBusy(Exception):
    """Another sweep holds the drop folder's lock."""


@dataclass
class SweptFile:
    """One file of a sweep: what processing it said, and where it went (None: left in its
    folder)."""

    kind: Kind
    source: Path
    result: FileResult | ReviewResult
    destination: Path | None
    # Why the file was not moved, when it was not.
    note: str = ""
    # The environment's failure that left the file in its folder (the sweep stops).
    left_because: str | None = None

    @property
    def exit_code(self) -> int:
        """The file's own, or 2 when it could not be moved after it was processed."""
        moved = self.destination is not None or self.left_because is not None
        return self.result.exit_code if moved else EXIT_UNUSABLE

    def summary(self) -> dict[str, Any]:
        """The file's summary, with where it went."""
        data = self.result.summary()
        data["moved_to"] = str(self.destination) if self.destination else None
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Waiting:
    """A file the sweep left alone, and why."""

    path: Path
    reason: str


@dataclass
class SweepResult:
    """Everything one sweep did, and the files it left for later."""

    root: Path
    files: list[SweptFile] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    claimed_elsewhere: list[Path] = field(default_factory=list)
    # Why the sweep stopped before the end (the store or the disk failed), if it did.
    stopped: str | None = None
    # Why the notify command failed, if it did.
    notify_error: str | None = None

    @property
    def exit_code(self) -> int:
        return run_exit_code(self.files, stopped=self.stopped is not None)

    @property
    def did_something(self) -> bool:
        """True when a file was processed or the sweep had to stop: worth telling someone."""
        return bool(self.files or self.stopped)

    def summary(self) -> dict[str, Any]:
        """The sweep as one JSON object (what the notify command reads)."""
        return {
            "root": str(self.root),
            "files": [f.summary() for f in self.files],
            "waiting": [{"file": text_of(w.path.name), "reason": w.reason} for w in self.waiting],
            "claimed_elsewhere": [text_of(p.name) for p in self.claimed_elsewhere],
            "stopped": self.stopped,
            "exit_code": self.exit_code,
        }


def ensure_layout(root: Path) -> None:
    """Create the drop folder's sub-folders that are missing."""
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)


def is_settled(path: Path, settle_seconds: float, now: float | None = None) -> bool:
    """False for files still being written: lock files, temporary names, fresh files."""
    return _why_waiting(path, settle_seconds, now) is None


def _why_waiting(
    path: Path, settle_seconds: float, now: float | None = None, follow_symlinks: bool = False
) -> str | None:
    """Why a folder entry is not swept now, or None when it is a settled file."""
    name = path.name
    if name.startswith("~$"):
        return "an Office lock file (the workbook is open somewhere)"
    if name.startswith("."):
        return "a hidden file"
    if name.startswith("~") or name.lower().endswith(_TEMPORARY_SUFFIXES):
        return "a temporary name (still being copied or downloaded)"
    try:
        link = path.lstat()
        if stat.S_ISLNK(link.st_mode) and not follow_symlinks:
            return "a symbolic link: links are not followed (set sweep.follow_symlinks = true to allow)"
        status = path.stat()
    except FileNotFoundError:
        return "gone (moved away meanwhile, or a link to nothing)"
    if stat.S_ISDIR(status.st_mode):
        return "a folder: only files directly in the folder are swept"
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file (a FIFO, socket or device)"
    age = (time.time() if now is None else now) - status.st_mtime
    if age < settle_seconds:
        return f"still being written (changed {max(age, 0):.0f} s ago, settles after {settle_seconds:g} s)"
    return None


def pending_files(
    folder: Path, settle_seconds: float, follow_symlinks: bool = False
) -> tuple[list[Path], list[Waiting]]:
    """(settled files oldest first, files left for the next run with the reason)."""
    ready: list[tuple[float, str, Path]] = []
    waiting: list[Waiting] = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        reason = _why_waiting(path, settle_seconds, follow_symlinks=follow_symlinks)
        if reason is None:
            ready.append((path.stat().st_mtime, path.name, path))
        else:
            waiting.append(Waiting(path, reason))
    return [p for _m, _n, p in sorted(ready)], waiting


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
    from pipeline import store

    return store.claim(engine, kind, sha256, name, _claimant(), stale_after=STALE_CLAIM, abandoned=_died_here)


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


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of `folder` allows."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def moved_name(path: Path, tag: str, limit: int = 255) -> tuple[str, str]:
    """(stem, suffix) for NAME.TAG[-N].EXT within `limit` bytes: a long stem is shortened
    (the original name stays in the reports and the store)."""
    stem, suffix = path.stem, path.suffix
    if len(os.fsencode(suffix)) > 16:  # not an extension, just a dot in a long name
        stem, suffix = path.name, ""
    room = limit - len(os.fsencode(f".{tag}-999{suffix}"))
    while stem and len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return stem or "file", suffix


def move_aside(path: Path, folder: Path, tag: str) -> Path:
    """Move `path` into `folder` as NAME.TAG.EXT, never overwriting an existing file.

    Raises `OSError` when it cannot be moved.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = moved_name(path, tag, name_max(folder))
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
    raise OSError(f"cannot find a free name for {text_of(path.name)} in {folder}")


def sweep_folder(
    root: Path,
    config: Config,
    open_engine: Callable[[], Engine],
    *,
    reviewer: str | None = None,
    on_file: Callable[[SweptFile], None] | None = None,
) -> SweepResult:
    """One sweep over the drop folder `root` (the caller holds `folder_lock`).

    The store is opened (`open_engine`) only when there is a file to process; when it
    cannot be, or fails meanwhile, the files left stay where they are for the next run.
    """
    result = SweepResult(root)
    try:
        ensure_layout(root)
    except OSError as exc:
        result.stopped = f"cannot prepare the drop folder {root}: {exc}"
        return result
    config = replace(config, report_dir=root / "reports")
    todo: list[tuple[Kind, Path]] = []
    sources: tuple[tuple[Kind, str], ...] = (("import", "inbox"), ("review", "reviews"))
    for kind, folder in sources:
        ready, waiting = pending_files(root / folder, config.settle_seconds, config.follow_symlinks)
        todo += [(kind, path) for path in ready]
        result.waiting += waiting
    if todo:
        _sweep_files(result, todo, config, open_engine, reviewer, on_file)
    if result.did_something and config.notify:
        result.notify_error = notify(config.notify, result.summary())
    return result


def _sweep_files(
    result: SweepResult,
    todo: list[tuple[Kind, Path]],
    config: Config,
    open_engine: Callable[[], Engine],
    reviewer: str | None,
    on_file: Callable[[SweptFile], None] | None,
) -> None:
    for position, (kind, path) in enumerate(todo):
        stop: str | None
        try:
            if position == 0:
                engine = open_engine()
                _check_writable(result.root)
            swept = _sweep_file(kind, path, result.root, config, engine, reviewer)
        except FileError as error:  # the store or the drop folder failed: stop here
            swept, stop = None, error.message
        else:
            stop = swept.left_because if swept is not None else None
        if swept is None and stop is None:
            result.claimed_elsewhere.append(path)
        elif swept is not None:
            result.files.append(swept)
            if on_file is not None:
                on_file(swept)
        if stop is not None:
            result.stopped = f"{stop}; {len(todo) - position} file(s) left for the next run"
            return


def _check_writable(root: Path) -> None:
    """Refuse to start when a file could not be moved after its batch committed."""
    for name in ("inbox", "reviews", "processed", "failed", "reports"):
        if not os.access(root / name, os.W_OK | os.X_OK):
            raise FileError("report_error", f"{root / name} is not writable", "report")


def _sweep_file(
    kind: Kind, path: Path, root: Path, config: Config, engine: Engine, reviewer: str | None
) -> SweptFile | None:
    """Claim, process and move one file; None when another sweep has it or it vanished."""
    from pipeline import store
    from pipeline.read import file_sha256

    try:
        sha256 = file_sha256(path)
    except FileNotFoundError:
        return None  # moved away by another sweep meanwhile
    except OSError:
        # Unreadable (permissions): claimed by its name; processing says what is wrong.
        sha256 = hashlib.sha256(os.fsencode(path.name)).hexdigest()
    if not claim(engine, kind, sha256, text_of(path.name)):
        return None
    who = owner(path)
    result = _process(kind, path, root, config, engine, reviewer or who, who)
    if kind == "import":
        batch_id = result.batch_id if isinstance(result, FileResult) else None
        tag = batch_id or f"{store.now():%Y%m%d-%H%M%S}-{sha256[:8]}"
    else:
        tag = f"review-{store.now():%Y%m%d-%H%M%S}-{sha256[:8]}"
    if result.error is not None and result.error.code in ENVIRONMENT_CODES:
        _finish_quietly(engine, kind, sha256, "left")
        note = "left in its folder for the next run"
        return SweptFile(kind, path, result, None, note, left_because=result.error.message)
    folder = root / ("failed" if result.error is not None else "processed")
    try:
        destination = move_aside(path, folder, tag)
    except OSError as exc:
        _finish_quietly(engine, kind, sha256, folder.name)
        note = (
            f"could not be moved to {folder.name}/ ({exc}); the next sweep moves it "
            "without processing it again"
        )
        return SweptFile(kind, path, result, None, note)
    _finish_quietly(engine, kind, sha256, folder.name)
    return SweptFile(kind, path, result, destination)


def _process(
    kind: Kind, path: Path, root: Path, config: Config, engine: Engine, reviewer: str, who: str
) -> FileResult | ReviewResult:
    """Import or apply one file as `who` (its owner). An error nobody foresaw fails this
    file alone: the sweep goes on with the next one."""
    from pipeline.importer import import_file
    from pipeline.review import ReviewResult, apply_review

    try:
        if kind == "import":
            return import_file(path, replace(config, user=who, login=who), engine)
        return apply_review(engine, path, reviewer, root / "reports", four_eyes=config.four_eyes, account=who)
    except BaseException as exc:  # the sweep must survive any single file, even a panic
        if not is_failure(exc):
            raise
        error = FileError("internal_error", f"onboard failed on this file: {type(exc).__name__}: {exc}", None)
        if kind == "import":
            return FileResult(file=path, command="import", error=error)
        return ReviewResult(file=path, reviewer=reviewer, error=error)


def _finish_quietly(engine: Engine, kind: str, sha256: str, outcome: str) -> None:
    """Finish a claim; a store gone meanwhile leaves it for the take-over of dead claims."""
    from pipeline import store

    with suppress(FileError):
        store.finish_claim(engine, kind, sha256, outcome)


def notify(command: str, summary: dict[str, Any]) -> str | None:
    """Run the configured notify command with the sweep's JSON on its standard input.

    Returns why it failed (never raises): a broken notification must not fail the sweep.
    """
    payload = json.dumps(summary, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace")
    try:
        done = subprocess.run(
            command, shell=True, input=payload, capture_output=True, timeout=NOTIFY_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return f"notify command {command!r} did not finish within {NOTIFY_SECONDS} s"
    except OSError as exc:
        return f"notify command {command!r} could not run: {exc}"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"notify command {command!r} exited {done.returncode}" + (f": {said[-1]}" if said else "")
    return None
