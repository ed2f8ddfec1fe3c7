"""Header matching: which column of the file holds which canonical field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from pipeline.issues import FileError
from schemas.fields import ERRORS_COLUMN, FIELDS, REQUIRED, label
from schemas.rules.text import header_key


@dataclass(frozen=True)
class ColumnMap:
    """The result of matching a header row.

    `fields` maps each canonical field found to the position of its column; `headers`
    holds the header cells as written; `unmapped` the headers that map to nothing.
    """

    headers: tuple[str, ...]
    fields: Mapping[str, int]
    unmapped: tuple[str, ...]

    def column_of(self, field: str) -> str:
        """The header as written in the file for a canonical field."""
        return self.headers[self.fields[field]]


def synonym_index(extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """Header key → canonical field, from the built-in synonyms plus `extra`."""
    return dict(_synonym_index(tuple((f, tuple(n)) for f, n in (extra or {}).items())))


@lru_cache(maxsize=8)
def _synonym_index(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for known in FIELDS.values():
        for name in (known.name, *known.synonyms):
            index[header_key(name)] = known.name
    for field, names in extra:
        for name in names:
            index[header_key(name)] = field
    return index


def count_known(cells: Sequence[str], index: Mapping[str, str]) -> int:
    """How many distinct fields a candidate header row names; used to find the header."""
    return len({index[k] for k in (header_key(c) for c in cells) if k in index})


def map_headers(headers: Sequence[str], extra: Mapping[str, Sequence[str]] | None = None) -> ColumnMap:
    """Match header cells onto canonical fields.

    Raises `FileError` naming every missing required column, or the columns that claim
    the same field twice.
    """
    index = synonym_index(extra)
    fields: dict[str, int] = {}
    claimed: dict[str, list[str]] = {}
    unmapped: list[str] = []
    for position, header in enumerate(headers):
        if not header.strip() or header.strip() == ERRORS_COLUMN:
            continue
        field = index.get(header_key(header))
        if field is None:
            unmapped.append(header)
            continue
        claimed.setdefault(field, []).append(header)
        fields.setdefault(field, position)
    doubles = {f: names for f, names in claimed.items() if len(names) > 1}
    if doubles:
        described = "; ".join(
            f"{' and '.join(repr(n) for n in names)} both map to {label(f)}" for f, names in doubles.items()
        )
        raise FileError("duplicate_columns", f"{described}: keep one column per field", "map")
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        names = ", ".join(f"{label(f)} ({f})" for f in missing)
        raise FileError(
            "missing_columns",
            f"missing required column{'s' if len(missing) > 1 else ''}: {names}",
            "map",
        )
    return ColumnMap(tuple(headers), fields, tuple(unmapped))


def field_frame(headers_map: ColumnMap, cells: pd.DataFrame) -> pd.DataFrame:
    """The canonical fields of a table's `cells` (columns by header position), by row."""
    data: dict[str, pd.Series] = {}
    for field in FIELDS:
        position = headers_map.fields.get(field)
        if position is not None:
            data[field] = cells[position]
        else:
            data[field] = pd.Series("", index=cells.index, dtype="str")
    return pd.DataFrame(data, index=cells.index)
