"""Outcome tables: the costly fields decided once per value, vectorized where certain.

The e-mail, VAT, registration, postcode, state and phone rules cost 15–45 µs a value in
their libraries. `Outcomes` first lets the compiled fast paths (`pipeline.fast`) decide
the values they are certain of, row by row over Arrow strings; every other value (and
every rejection with its message) goes to the field's rule once per distinct value (or
value and country), and the results are mapped back onto the rows. `Outcomes`
implements `schemas.checks.RuleOutcomes`: the schema built for a part is given that
part's outcomes, and without them the checks compute the same thing from the rules, so
the rules decide either way.

There is no process pool: with the fast paths deciding nearly every value of a common
file, the rules' share no longer pays for forking workers (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pipeline import fast
from schemas.checks import country_rule, rule_inputs
from schemas.fields import FIELDS
from schemas.rules.country import normalize_country
from schemas.rules.outcome import Outcome

# Fields whose rule is costly enough to tabulate; the others have few distinct values.
HEAVY_FIELDS = tuple(name for name, field in FIELDS.items() if field.costly)
_SEPARATOR = "\x1f"  # never in a cleaned cell: control characters are rejected


def _uncached(function: Callable[..., Outcome] | None) -> Callable[..., Outcome]:
    # Outcomes already computes each distinct value once; the rules' own caches would
    # only keep a million outcomes alive.
    assert function is not None
    return getattr(function, "__wrapped__", function)


_VALUE_RULES = {f: _uncached(FIELDS[f].rule) for f in HEAVY_FIELDS if not FIELDS[f].country_dependent}
_COUNTRY_RULES = {f: _uncached(FIELDS[f].rule) for f in HEAVY_FIELDS if FIELDS[f].country_dependent}


def _evaluate(field: str, key: str) -> Outcome:
    if field in _VALUE_RULES:
        return _VALUE_RULES[field](key)
    value, _, country = key.rpartition(_SEPARATOR)
    return country_rule(field, value, country, _COUNTRY_RULES[field])


class Outcomes:
    """Every heavy field's outcome on every row of one cleaned frame.

    `compiled=False` leaves every value to the rules (the plain path the tests compare).
    """

    def __init__(self, frame: pd.DataFrame, compiled: bool = True) -> None:
        self.index = frame.index
        present = frame["country"].dropna()
        known = {value: normalize_country(value).value for value in present.unique()}
        self.country = present.map(known).reindex(frame.index)
        # What the fast paths decided, row by row; only the rest become keys for the rules.
        self.decided: dict[str, pd.Series] = {}
        self._keys: dict[str, pd.Series] = {}
        for field in _VALUE_RULES:
            values = frame[field].dropna()
            self.decided[field] = _fast(field, values, None, compiled)
            self._keys[field] = values[self.decided[field].isna()]
        has_country = self.country.notna()
        country = self.country[has_country].astype(str)
        for field in _COUNTRY_RULES:
            # Blank values count: a blank postcode is a problem where postcodes are required.
            values = frame.loc[has_country, field].fillna("").astype(str)
            inputs = rule_inputs(frame, field, values, country)
            # A value read from another field (a blank state from the postcode) is the rule's.
            self.decided[field] = _fast(field, values, country, compiled).mask(inputs != values)
            undecided = self.decided[field].isna()
            self._keys[field] = inputs[undecided] + _SEPARATOR + country[undecided]
        self._codes: dict[str, pd.Series] = {}
        self._tables = {
            field: {key: _evaluate(field, key) for key in keys.unique().tolist()}
            for field, keys in self._keys.items()
        }

    def covers(self, index: pd.Index) -> bool:
        """True when these outcomes were computed for rows with exactly this index."""
        return index is self.index or (len(index) == len(self.index) and index.equals(self.index))

    def codes(self, field: str) -> pd.Series:
        """The problem code of every row (None where fine, decided or not applicable)."""
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
        ruled = self._keys[field].map(table)
        stored: pd.Series = pd.concat([self.decided[field].dropna(), ruled]).reindex(self.index)
        return stored

    def share_decided(self, field: str) -> tuple[int, int]:
        """(values the fast path decided, values checked) of a field."""
        decided = int(self.decided[field].notna().sum())
        return decided, decided + len(self._keys[field])


def _fast(field: str, values: pd.Series, countries: pd.Series | None, compiled: bool) -> pd.Series:
    """What the field's compiled fast path decided of each value (None: the rule decides)."""
    if not compiled:
        return pd.Series(None, index=values.index, dtype=object)
    return fast.decide(field, values, countries)
