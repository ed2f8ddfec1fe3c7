"""Outcome tables: the heavy fields' normalizers run once per distinct key, on every core.

The e-mail, VAT, registration, postcode, state and phone rules cost 15–45 µs a value in
their libraries. `Outcomes` computes each field's `Outcome` once per distinct value (or
value and country), split over a process pool when a file is large, and maps the
results back onto the rows. The Pandera checks read from the active `Outcomes`; without
one they compute the same thing directly, so the rules are the normalizers either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar

import pandas as pd

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


def _evaluate(field: str, key: str) -> nz.Outcome:
    if field in VALUE_FIELDS:
        return VALUE_FIELDS[field](key)
    value, _, country = key.rpartition(_SEPARATOR)
    return nz.COUNTRY_DEPENDENT[field](value, country)


def _evaluate_chunk(jobs: Sequence[tuple[str, str]]) -> list[nz.Outcome]:
    return [_evaluate(field, key) for field, key in jobs]


class Outcomes:
    """Every heavy field's outcome on every row of one cleaned frame."""

    def __init__(self, frame: pd.DataFrame, workers: int = 1) -> None:
        self.index = frame.index
        present = frame["country"].dropna()
        known = {value: nz.normalize_country(value).value for value in present.unique()}
        self.country = present.map(known).reindex(frame.index)
        self._keys: dict[str, pd.Series] = {}
        for field in VALUE_FIELDS:
            self._keys[field] = frame[field].dropna()
        has_country = self.country.notna()
        country = self.country[has_country].astype(str)
        for field in nz.COUNTRY_DEPENDENT:
            # Blank values count: a blank postcode is a problem where postcodes are required.
            values = frame.loc[has_country, field].fillna("").astype(str)
            self._keys[field] = values + _SEPARATOR + country
        self._tables = self._compute(workers)
        self._codes: dict[str, pd.Series] = {}

    def _compute(self, workers: int) -> dict[str, dict[str, nz.Outcome]]:
        distinct = {field: keys.unique().tolist() for field, keys in self._keys.items()}
        jobs = [(field, key) for field, keys in distinct.items() for key in keys]
        if workers > 1 and len(jobs) >= POOL_THRESHOLD:
            outcomes = _in_pool(jobs, workers)
        else:
            outcomes = _evaluate_chunk(jobs)
        tables: dict[str, dict[str, nz.Outcome]] = {field: {} for field in distinct}
        for (field, key), outcome in zip(jobs, outcomes, strict=True):
            tables[field][key] = outcome
        return tables

    def covers(self, index: pd.Index) -> bool:
        """True when these outcomes were computed for rows with exactly this index."""
        return index is self.index or (len(index) == len(self.index) and index.equals(self.index))

    def codes(self, field: str) -> pd.Series:
        """The problem code of every row (None where fine or not applicable)."""
        if field not in self._codes:
            table = {key: outcome.code for key, outcome in self._tables[field].items()}
            self._codes[field] = self._keys[field].map(table).reindex(self.index)
        return self._codes[field]

    def values(self, field: str) -> pd.Series:
        """The stored form of every row's value (None where it has none)."""
        table = {key: outcome.value or None for key, outcome in self._tables[field].items()}
        return self._keys[field].map(table).reindex(self.index)


def _in_pool(jobs: list[tuple[str, str]], workers: int) -> list[nz.Outcome]:
    size = -(-len(jobs) // (workers * 4))
    chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]
    # fork: the workers inherit the loaded libraries and their data at no cost.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        return [outcome for chunk in pool.map(_evaluate_chunk, chunks) for outcome in chunk]


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
