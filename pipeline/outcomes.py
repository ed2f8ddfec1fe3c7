"""Outcome tables: the heavy fields' normalizers run once per distinct key, on every core.

The e-mail, VAT, registration, postcode, state and phone rules cost 15–45 µs a value in
their libraries. `Outcomes` computes each field's `Outcome` once per distinct value (or
value and country), split over a process pool when a file is large, and maps the
results back onto the rows. The Pandera checks read from the active `Outcomes`; without
one they compute the same thing directly, so the rules are the normalizers either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd

from pipeline import fast
from pipeline import normalize as nz

# Fields whose normalizer is expensive enough to tabulate; the others have few values.
VALUE_FIELDS = {"contact_email": nz.normalize_email}
HEAVY_FIELDS = (*VALUE_FIELDS, *nz.COUNTRY_DEPENDENT)
# Below this many distinct keys a process pool costs more than it saves.
POOL_THRESHOLD = 20_000
_SEPARATOR = "\x1f"  # never in a cleaned cell: control characters are rejected

_ACTIVE: ContextVar[Outcomes | None] = ContextVar("outcomes", default=None)


def default_workers() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _uncached(function: Callable[..., nz.Outcome]) -> Callable[..., nz.Outcome]:
    # Outcomes already computes each distinct value once; the normalizers' own caches
    # would only keep a million outcomes alive in every process.
    return getattr(function, "__wrapped__", function)


_VALUE_RULES = {field: _uncached(f) for field, f in VALUE_FIELDS.items()}
_COUNTRY_RULES = {field: _uncached(f) for field, f in nz.COUNTRY_DEPENDENT.items()}


def _evaluate(field: str, key: str) -> nz.Outcome:
    if field in _VALUE_RULES:
        return _VALUE_RULES[field](key)
    value, _, country = key.rpartition(_SEPARATOR)
    return _COUNTRY_RULES[field](value, country)


def _evaluate_chunk(jobs: Sequence[tuple[str, str]]) -> list[nz.Outcome]:
    return [_evaluate(field, key) for field, key in jobs]


class Outcomes:
    """Every heavy field's outcome on every row of one cleaned frame.

    With a pool, the work is handed to it on creation and collected on first use, so the
    caller can go on with other work (the previous part's Pandera checks) meanwhile.
    """

    def __init__(self, frame: pd.DataFrame, pool: Executor | None = None, compiled: bool = True) -> None:
        self.index = frame.index
        present = frame["country"].dropna()
        known = {value: nz.normalize_country(value).value for value in present.unique()}
        self.country = present.map(known).reindex(frame.index)
        # The compiled fast paths decide the values they are certain of, row by row; only
        # the rest become keys for the rules.
        self.decided: dict[str, pd.Series] = {}
        self._keys: dict[str, pd.Series] = {}
        for field in VALUE_FIELDS:
            values = frame[field].dropna()
            self.decided[field] = _fast(field, values, None, compiled)
            self._keys[field] = values[self.decided[field].isna()]
        has_country = self.country.notna()
        country = self.country[has_country].astype(str)
        for field in nz.COUNTRY_DEPENDENT:
            # Blank values count: a blank postcode is a problem where postcodes are required.
            values = frame.loc[has_country, field].fillna("").astype(str)
            self.decided[field] = _fast(field, values, country, compiled)
            undecided = self.decided[field].isna()
            self._keys[field] = values[undecided] + _SEPARATOR + country[undecided]
        self._codes: dict[str, pd.Series] = {}
        distinct = {field: keys.unique().tolist() for field, keys in self._keys.items()}
        self._jobs = [(field, key) for field, keys in distinct.items() for key in keys]
        self._futures: list[Future[list[nz.Outcome]]] | None = None
        self._computed: dict[str, dict[str, nz.Outcome]] | None = None
        if pool is not None and len(self._jobs) >= POOL_THRESHOLD:
            self._futures = _submit(self._jobs, pool)
        else:
            self._computed = self._tabulate(_evaluate_chunk(self._jobs))

    @property
    def _tables(self) -> dict[str, dict[str, nz.Outcome]]:
        if self._computed is None:
            assert self._futures is not None
            self._computed = self._tabulate([o for future in self._futures for o in future.result()])
            self._futures = None
        return self._computed

    def _tabulate(self, outcomes: list[nz.Outcome]) -> dict[str, dict[str, nz.Outcome]]:
        tables: dict[str, dict[str, nz.Outcome]] = {field: {} for field in self._keys}
        for (field, key), outcome in zip(self._jobs, outcomes, strict=True):
            tables[field][key] = outcome
        return tables

    def covers(self, index: pd.Index) -> bool:
        """True when these outcomes were computed for rows with exactly this index."""
        return index is self.index or (len(index) == len(self.index) and index.equals(self.index))

    def codes(self, field: str) -> pd.Series:
        """The problem code of every row (None where fine, decided or not applicable)."""
        if field not in self._codes:
            table = {key: outcome.code for key, outcome in self._tables[field].items()}
            self._codes[field] = self._keys[field].map(table).reindex(self.index)
        return self._codes[field]

    def values(self, field: str) -> pd.Series:
        """The stored form of every row's value (None where it has none)."""
        table = {key: outcome.value or None for key, outcome in self._tables[field].items()}
        ruled = self._keys[field].map(table)
        stored: pd.Series = pd.concat([self.decided[field].dropna(), ruled]).reindex(self.index)
        return stored


def _fast(field: str, values: pd.Series, countries: pd.Series | None, compiled: bool) -> pd.Series:
    """What the field's compiled fast path decided of each value (None: the rule decides)."""
    if not compiled:
        return pd.Series(None, index=values.index, dtype=object)
    return fast.decide(field, values, countries)


def _submit(jobs: list[tuple[str, str]], pool: Executor) -> list[Future[list[nz.Outcome]]]:
    size = -(-len(jobs) // (default_workers() * 4))
    return [pool.submit(_evaluate_chunk, jobs[start : start + size]) for start in range(0, len(jobs), size)]


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """A process pool of `workers` for `Outcomes` (None for one worker), shut down after.

    The workers are forked when first needed and inherit the loaded libraries and data.
    """
    if workers <= 1:
        yield None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # Frozen objects are skipped by the collector, so the children do not copy their pages.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            yield pool
    finally:
        gc.unfreeze()


@contextmanager
def active(outcomes: Outcomes) -> Iterator[Outcomes]:
    """Make the checks read from `outcomes` while validating its frame."""
    token = _ACTIVE.set(outcomes)
    try:
        yield outcomes
    finally:
        _ACTIVE.reset(token)


def for_rows(index: pd.Index) -> Outcomes | None:
    """The active outcomes if they were computed for these rows."""
    outcomes = _ACTIVE.get()
    return outcomes if outcomes is not None and outcomes.covers(index) else None
