"""`make bench`: onboard against its peers, each pair measured in one alternating run.

Every comparison runs its two sides as separate processes, A B A B …, and reports the
median wall time of each side and their ratio, so both sides see the same machine state.
The data comes from the project's own generator (`onboard sample`). Peers: frictionless-py
validating the CSV against a regex-only Table Schema, and python-calamine reading the xlsx
into Python lists (bench/peer_*.py). Usage: python bench/run.py [--repeat 3] [--rows N]
[--big-rows N] [--pg-url URL] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "samples"
BIN = Path(sys.executable).parent
ONBOARD = str(BIN / "onboard")


@dataclass
class Run:
    """One process: its wall time, peak memory of its process tree, and its summary."""

    seconds: float
    peak_mb: float
    summary: dict[str, object] = field(default_factory=dict)


@dataclass
class Comparison:
    name: str
    a_label: str
    b_label: str
    target: str
    passes: Callable[[float, list[Run], list[Run]], bool]
    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)
    # The figure the ratio is taken of (wall time unless a stage time is named).
    measure: Callable[[Run], float] = lambda run: run.seconds

    @property
    def ratio(self) -> float:
        return self.median(self.a) / self.median(self.b)

    def median(self, runs: list[Run]) -> float:
        return statistics.median(self.measure(run) for run in runs)

    def verdict(self) -> str:
        return "holds" if self.passes(self.ratio, self.a, self.b) else "MISSED"


# --- running and measuring -----------------------------------------------------------


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    pids += _tree(int(child))
    except OSError:
        pass
    return pids


def run(command: list[str], ok: tuple[int, ...] = (0,), memory: bool = False) -> Run:
    """Run `command`; with `memory`, sample the proportional set size (PSS) of the
    process and its workers every 50 ms (PSS counts pages shared after fork once)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    if memory:
        while process.poll() is None:
            peak = max(peak, sum(_pss_kb(pid) for pid in _tree(process.pid)))
            time.sleep(0.05)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in ok:
        sys.exit(f"bench: {' '.join(command)} exited {process.returncode}:\n{err[-2000:]}")
    summary: dict[str, object] = {}
    if out.strip().startswith("{"):
        summary = json.loads(out.strip().splitlines()[-1])
    return Run(seconds, peak / 1024, summary)


def onboard_import(path: Path, db: str, reports: Path, memory: bool = False) -> Run:
    shutil.rmtree(reports, ignore_errors=True)
    command = [ONBOARD, "import", str(path), "--db", db, "--report-dir", str(reports), "--json"]
    return run(command, (0, 1), memory)


def fresh_sqlite(path: Path) -> str:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def copied(store: Path, path: Path) -> str:
    """A fresh copy of the SQLite store `store` at `path`."""
    url = fresh_sqlite(path)
    shutil.copy(store, path)
    return url


def newcomers_file(work: Path, rows: int) -> Path:
    """`rows` customers of another seed than the stored ones, an N before every ERP ID:
    new customers, of whom some share a number or a near name with stored ones, as they
    happen to (German register numbers, Belgian four-digit postcodes)."""
    # The name says how the file was drawn: a file drawn another way is never reused.
    out = work / f"newcomers-seed8-{rows}.csv"
    if not out.exists():
        drawn = work / f"seed8-{rows}.csv"
        run([ONBOARD, "sample", "--rows", str(rows), "--out", str(drawn), "--seed", "8"])
        with drawn.open(newline="", encoding="utf-8") as handle:
            records = list(csv.reader(handle))
        column = records[0].index("ERP ID")
        for record in records[1:]:
            record[column] = "N" + record[column]
        with out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(records)
    return out


def fresh_postgres(url: str) -> str:
    """Drop onboard's tables, so the import creates them as on a new server."""
    from sqlalchemy import create_engine, text

    from pipeline.store import metadata

    engine = create_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url


def stage(name: str) -> Callable[[Run], float]:
    def seconds(run: Run) -> float:
        timings = run.summary.get("timings")
        assert isinstance(timings, dict), "onboard --json printed no timings"
        return float(timings[name])

    return seconds


# --- the comparisons --------------------------------------------------------------------


def generate(work: Path, rows: int, big_rows: int) -> dict[str, Path]:
    files = {
        "csv": work / f"customers-{rows}.csv",
        "xlsx": work / f"customers-{rows}.xlsx",
        "big": work / f"customers-{big_rows}.csv",
    }
    for kind, path in files.items():
        if not path.exists():
            count = big_rows if kind == "big" else rows
            print(f"generating {path.name} ({count:,} rows) with onboard sample …", file=sys.stderr)
            # The same seed: the xlsx holds the very rows of the CSV.
            run([ONBOARD, "sample", "--rows", str(count), "--out", str(path), "--seed", "7"])
    return files


def alternate(comparison: Comparison, a: Callable[[], Run], b: Callable[[], Run], repeat: int) -> Comparison:
    for round_ in range(repeat):
        print(f"  {comparison.name}: round {round_ + 1}/{repeat}", file=sys.stderr)
        comparison.a.append(a())
        comparison.b.append(b())
    return comparison


def fast_shares(path: Path) -> dict[str, tuple[int, int]]:
    """Per fast-path field: (values the compiled fast path decided, values checked), as
    validation checks them (cleaned, non-blank, with a known country where one is needed)."""
    from pipeline import fast
    from pipeline.columns import field_frame, map_headers
    from pipeline.read import read_table
    from pipeline.validate import clean
    from schemas.rules.country import normalize_country

    table = read_table(path)
    columns = map_headers(table.headers)
    frame = clean(field_frame(columns, table.cells))
    country = frame["country"].map(lambda value: normalize_country(value).value, na_action="ignore")
    shares: dict[str, tuple[int, int]] = {}
    for name in fast.FAST_PATHS:
        checked = frame[name].notna() & (country.notna() if name != "contact_email" else True)
        values = frame.loc[checked, name]
        decided = fast.decide(name, values, None if name == "contact_email" else country[checked])
        shares[name] = (int(decided.notna().sum()), len(values))
    return shares


def fill_review(exported: Path, filled: Path) -> int:
    """Approve every line of an exported review workbook (what a reviewer hands back)."""
    import python_calamine
    from openpyxl import Workbook

    rows = python_calamine.CalamineWorkbook.from_path(str(exported)).get_sheet_by_name("Review").to_python()
    header = [str(cell) for cell in rows[0]]
    decision = header.index("decision")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Review")
    sheet.append(header)
    for row in rows[1:]:
        cells = ["" if cell is None else str(cell) for cell in row]
        cells[decision] = "approve"
        sheet.append(cells)
    workbook.save(filled)
    return len(rows) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each comparison (median)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=HERE / ".data")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ONBOARD_BENCH_PG_URL") or os.environ.get("ONBOARD_TEST_PG_URL"),
        help="PostgreSQL for the load comparison (its onboard tables are dropped)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the results table here")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    files = generate(work, args.rows, args.big_rows)
    reports, db = work / "reports", work / "bench.db"
    python = sys.executable
    comparisons: list[Comparison] = []

    csv_import = Comparison(
        f"import {args.rows:,}-row CSV vs frictionless validate",
        "onboard import (read, validate, load, report)",
        "frictionless validate (regex-only schema)",
        "ratio ≤ 1.0",
        lambda ratio, a, b: ratio <= 1.0,
    )
    comparisons.append(
        alternate(
            csv_import,
            lambda: onboard_import(files["csv"], fresh_sqlite(db), reports),
            lambda: run([python, str(HERE / "peer_frictionless.py"), str(files["csv"])]),
            args.repeat,
        )
    )
    comparisons.append(
        alternate(
            Comparison(
                f"import {args.rows:,}-row XLSX vs calamine read",
                "onboard import of the xlsx",
                "python-calamine: sheet into Python lists",
                "ratio ≤ 2.0",
                lambda ratio, a, b: ratio <= 2.0,
            ),
            lambda: onboard_import(files["xlsx"], fresh_sqlite(db), reports),
            lambda: run([python, str(HERE / "peer_calamine.py"), str(files["xlsx"])]),
            args.repeat,
        )
    )
    scale = args.big_rows / args.rows
    big = Comparison(
        f"import {args.big_rows:,}-row CSV vs {args.rows:,}-row CSV",
        f"onboard import, {args.big_rows:,} rows",
        f"onboard import, {args.rows:,} rows",
        f"ratio ≤ {1.05 * scale:.1f}, peak ≤ 1,500 MB",
        lambda ratio, a, b: ratio <= 1.05 * scale and max(r.peak_mb for r in a) <= 1500,
    )
    comparisons.append(
        alternate(
            big,
            lambda: onboard_import(files["big"], fresh_sqlite(db), reports, memory=True),
            lambda: onboard_import(files["csv"], fresh_sqlite(db), reports, memory=True),
            args.repeat,
        )
    )
    # Possible duplicates: new customers checked against a store of a million.
    million = work / "million.db"
    onboard_import(files["big"], fresh_sqlite(million), reports)
    newcomers = newcomers_file(work, args.rows)
    comparisons.append(
        alternate(
            Comparison(
                f"import {args.rows:,} new customers: into {args.big_rows:,} stored vs into none",
                f"import into a store of {args.big_rows:,} (look-alike check)",
                "import into an empty store",
                "ratio ≤ 2.0",
                lambda ratio, a, b: ratio <= 2.0,
            ),
            lambda: onboard_import(newcomers, copied(million, db), reports),
            lambda: onboard_import(newcomers, fresh_sqlite(db), reports),
            args.repeat,
        )
    )
    if args.pg_url:
        pg_url: str = args.pg_url
        comparisons.append(
            alternate(
                Comparison(
                    f"load stage, {args.rows:,} rows: PostgreSQL vs SQLite",
                    "load into PostgreSQL (COPY)",
                    "load into SQLite",
                    "ratio ≤ 2.0",
                    lambda ratio, a, b: ratio <= 2.0,
                    measure=stage("load"),
                ),
                lambda: onboard_import(files["csv"], fresh_postgres(pg_url), reports),
                lambda: onboard_import(files["csv"], fresh_sqlite(db), reports),
                args.repeat,
            )
        )
    else:
        print("bench: no --pg-url (or ONBOARD_TEST_PG_URL): PostgreSQL load not compared", file=sys.stderr)

    # Review: the store of one import of the CSV, copied fresh for every apply.
    imported = work / "imported.db"
    onboard_import(files["csv"], fresh_sqlite(imported), reports)
    exported, filled = work / "review.xlsx", work / "review-filled.xlsx"
    run([ONBOARD, "review", "export", "--out", str(exported), "--db", f"sqlite:///{imported}"])
    fill_review(exported, filled)
    import_time = csv_import.median(csv_import.a)

    def export() -> Run:
        return run([ONBOARD, "review", "export", "--out", str(exported), "--db", f"sqlite:///{imported}"])

    def apply() -> Run:
        shutil.copy(imported, db)
        return run(
            [
                ONBOARD,
                "review",
                "apply",
                str(filled),
                "--reviewer",
                "bench",
                "--db",
                f"sqlite:///{db}",
                "--report-dir",
                str(reports),
            ]
        )

    review = alternate(
        Comparison(
            f"review export and apply, {args.rows:,} pending",
            "review export (xlsx)",
            "review apply (xlsx, all approved)",
            f"each < import ({import_time:.1f} s)",
            lambda ratio, a, b: (
                max(statistics.median(r.seconds for r in a), statistics.median(r.seconds for r in b))
                < import_time
            ),
        ),
        export,
        apply,
        args.repeat,
    )
    comparisons.append(review)
    share_files = (files["csv"], *sorted(SAMPLES.glob("*.csv")), *sorted(SAMPLES.glob("*.xlsx")))
    shares = {path.name: fast_shares(path) for path in share_files}
    print_results(comparisons, args, import_time, args.markdown, shares)


def print_results(
    comparisons: list[Comparison],
    args: argparse.Namespace,
    import_time: float,
    markdown: Path | None,
    shares: dict[str, dict[str, tuple[int, int]]],
) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"onboard bench: {cores} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"median of {args.repeat} alternating rounds",
        "",
        "| comparison | A | median A | B | median B | ratio A/B | target | verdict |",
        "|---|---|---:|---|---:|---:|---|---|",
    ]
    for c in comparisons:
        a, b = c.median(c.a), c.median(c.b)
        extra = ""
        if any(r.peak_mb for r in c.a):
            extra = f" (peak {max(r.peak_mb for r in c.a):,.0f} MB)"
        lines.append(
            f"| {c.name} | {c.a_label}{extra} | {a:.2f} s | {c.b_label} | {b:.2f} s | {c.ratio:.2f} "
            f"| {c.target} | {c.verdict()} |"
        )
    review = comparisons[-1]
    lines.append("")
    lines.append(
        f"review export / import = {review.median(review.a) / import_time:.2f}, "
        f"review apply / import = {review.median(review.b) / import_time:.2f}"
    )
    timings = [t for r in comparisons[0].a if isinstance(t := r.summary.get("timings"), dict)]
    if timings:
        stages = ("read", "map", "validate", "compare", "load", "report")
        medians = {s: statistics.median(float(t.get(s, 0.0)) for t in timings) for s in stages}
        lines.append("CSV import stages (median s): " + ", ".join(f"{s} {v:.2f}" for s, v in medians.items()))
    lines += ["", "Values the compiled fast paths decided (the rest went to the libraries):", ""]
    fields = list(next(iter(shares.values()))) if shares else []
    lines.append("| file | " + " | ".join(fields) + " |")
    lines.append("|---|" + "---:|" * len(fields))
    for name, counts in shares.items():
        cells = [f"{d / n:.1%} of {n:,}" if n else "none" for d, n in (counts[f] for f in fields)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    print(text)
    if markdown is not None:
        markdown.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
