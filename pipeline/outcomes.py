"""Outcome tables: the heavy fields' normalizers run once per distinct key, on every core.

The e-mail, VAT, registration, postcode, state and phone rules cost 15–45 µs a value in
their libraries. `Outcomes` computes each field's `Outcome` once per distinct value (or
value and country), split over a process pool when a file is large, and maps the
results back onto the rows. `Outcomes` implements `schemas.checks.RuleOutcomes`: the
schema built for a part is given that part's outcomes, and without them the checks
compute the same thing from the rules, so the rules decide either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

import pandas as pd

from schemas.checks import country_rule, rule_inputs
from schemas.fields import FIELDS
from schemas.rules.country import normalize_country
from schemas.rules.outcome import Outcome

# Fields whose rule is costly enough to tabulate; the others have few distinct values.
HEAVY_FIELDS = tuple(name for name, field in FIELDS.items() if field.costly)
# Below this many distinct keys a process pool costs more than it saves.
POOL_THRESHOLD = 20_000
_SEPARATOR = "\x1f"  # never in a cleaned cell: control characters are rejected


def default_workers() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _uncached(function: Callable[..., Outcome] | None) -> Callable[..., Outcome]:
    # Outcomes already computes each distinct value once; the rules' own caches would
    # only keep a million outcomes alive in every process.
    assert function is not None
    return getattr(function, "__wrapped__", function)


_VALUE_RULES = {f: _uncached(FIELDS[f].rule) for f in HEAVY_FIELDS if not FIELDS[f].country_dependent}
_COUNTRY_RULES = {f: _uncached(FIELDS[f].rule) for f in HEAVY_FIELDS if FIELDS[f].country_dependent}


def _evaluate(field: str, key: str) -> Outcome:
    if field in _VALUE_RULES:
        return _VALUE_RULES[field](key)
    value, _, country = key.rpartition(_SEPARATOR)
    return country_rule(field, value, country, _COUNTRY_RULES[field])


def _evaluate_chunk(jobs: Sequence[tuple[str, str]]) -> list[Outcome]:
    return [_evaluate(field, key) for field, key in jobs]


class Outcomes:
    """Every heavy field's outcome on every row of one cleaned frame.

    With a pool, the work is handed to it on creation and collected on first use, so the
    caller can go on with other work (the previous part's Pandera checks) meanwhile.
    """

    def __init__(self, frame: pd.DataFrame, pool: Executor | None = None) -> None:
        self.index = frame.index
        present = frame["country"].dropna()
        known = {value: normalize_country(value).value for value in present.unique()}
        self.country = present.map(known).reindex(frame.index)
        self._keys: dict[str, pd.Series] = {}
        for field in _VALUE_RULES:
            self._keys[field] = frame[field].dropna()
        has_country = self.country.notna()
        country = self.country[has_country].astype(str)
        for field in _COUNTRY_RULES:
            # Blank values count: a blank postcode is a problem where postcodes are required.
            values = frame.loc[has_country, field].fillna("").astype(str)
            self._keys[field] = rule_inputs(frame, field, values, country) + _SEPARATOR + country
        self._codes: dict[str, pd.Series] = {}
        distinct = {field: keys.unique().tolist() for field, keys in self._keys.items()}
        self._jobs = [(field, key) for field, keys in distinct.items() for key in keys]
        self._futures: list[Future[list[Outcome]]] | None = None
        self._computed: dict[str, dict[str, Outcome]] | None = None
        if pool is not None and len(self._jobs) >= POOL_THRESHOLD:
            self._futures = _submit(self._jobs, pool)
        else:
            self._computed = self._tabulate(_evaluate_chunk(self._jobs))

    @property
    def _tables(self) -> dict[str, dict[str, Outcome]]:
        if self._computed is None:
            assert self._futures is not None
            self._computed = self._tabulate([o for future in self._futures for o in future.result()])
            self._futures = None
        return self._computed

    def _tabulate(self, outcomes: list[Outcome]) -> dict[str, dict[str, Outcome]]:
        tables: dict[str, dict[str, Outcome]] = {field: {} for field in self._keys}
        for (field, key), outcome in zip(self._jobs, outcomes, strict=True):
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

    def messages(self, field: str) -> pd.Series:
        """The message of every row whose value has a problem (only those rows)."""
        table = {key: outcome.message for key, outcome in self._tables[field].items() if outcome.code}
        return self._keys[field].map(table).dropna()

    def values(self, field: str) -> pd.Series:
        """The stored form of every row's value (None where it has none)."""
        table = {key: outcome.value or None for key, outcome in self._tables[field].items()}
        return self._keys[field].map(table).reindex(self.index)


def _submit(jobs: list[tuple[str, str]], pool: Executor) -> list[Future[list[Outcome]]]:
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
