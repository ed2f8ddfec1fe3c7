"""Arrow helpers shared by the fast paths."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc


def fullmatch(values: arrow.Array, pattern: str) -> arrow.Array:
    """True where the whole value matches `pattern` (RE2), False where not or null."""
    return pc.fill_null(pc.match_substring_regex(values, f"^(?:{pattern})$"), False)


def by_country(
    values: arrow.Array,
    countries: arrow.Array | None,
    decide_one: Callable[[arrow.Array, str], arrow.Array | None],
) -> arrow.Array:
    """Run `decide_one(values of a country, country)` per country; null where undecided."""
    result = np.full(len(values), None, dtype=object)
    if countries is None:
        return arrow.array(result, type=arrow.string())
    for country in pc.unique(countries.drop_null()).to_pylist():
        rows = np.flatnonzero(
            pc.fill_null(pc.equal(countries, country), False).to_numpy(zero_copy_only=False)
        )
        decided = decide_one(values.take(arrow.array(rows)), str(country))
        if decided is not None:
            result[rows] = decided.to_numpy(zero_copy_only=False)
    return arrow.array(result, type=arrow.string(), from_pandas=True)


def digit_matrix(values: arrow.Array, width: int) -> np.ndarray:
    """Strings of exactly `width` ASCII digits as a (rows, width) array of digit values."""
    joined = "".join(values.to_pylist())
    return (np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, width) - 48).astype(np.int64)
