"""Header matching: which column of the file holds which canonical field.

Columns holding part of a field are matched too (see `schemas/column_parts.py`): a street
with its house number (and addition) become `address`, one contact-name column becomes
first and last name. A header that matches nothing is ignored, and named with the nearest
fields it resembles so the user can add it to `[columns.synonyms]`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache

import pandas as pd

from pipeline.issues import ColumnHint, FileError, Issue
from schemas.codes import CODES
from schemas.column_parts import (
    COLUMN_PARTS,
    PLAIN_PARTS,
    STREET_HEADERS,
    house_number,
    join_address,
    split_contact_name,
)
from schemas.fields import FIELDS, REPORT_COLUMNS, REQUIRED, label
from schemas.rules.country import normalize_country
from schemas.rules.text import WHITESPACE, header_key

# Nearest fields of an unrecognised header: at least this similar, and at most two.
_NEAR_ENOUGH = 0.6
_NEAREST = 2
_ABBREVIATED = re.compile(r"(nr|no|num|nbr)$")
_SPELLED = {"nr": "nummer", "no": "number", "num": "number", "nbr": "number"}
# A remark in a header, in brackets or on the lines below its name: `Phone (incl. country
# code)`, `E-mail [work]`, `Postcode` over `(NL: 1234 AB)` in one cell.
_REMARK = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|[\r\n].*", re.DOTALL)


@dataclass(frozen=True)
class ColumnMap:
    """The result of matching a header row.

    `fields` maps each canonical field found to the position of its column (for a field
    built from parts, the column the problems are shown in: the street, the contact name);
    `parts` maps the part columns found (`street`, `house_number`, `house_number_addition`,
    `contact_name`) to their positions; `headers` holds the header cells as written;
    `unmapped` the headers that are ignored, and `hints` the nearest fields of each.
    """

    headers: tuple[str, ...]
    fields: Mapping[str, int]
    unmapped: tuple[str, ...]
    parts: Mapping[str, int] = dataclass_field(default_factory=dict)
    hints: tuple[ColumnHint, ...] = ()

    def column_of(self, field: str) -> str:
        """The header as written in the file for a canonical field; its portal label when
        it has no column of its own (built from parts: street and house number, a
        contact-name column)."""
        return self.headers[self.fields[field]] if field in self.fields else label(field)

    @property
    def used(self) -> list[int]:
        """Positions of every column the import reads, parts included."""
        return sorted({*self.fields.values(), *self.parts.values()})


class MappingError(FileError):
    """Required columns are missing, or two columns claim one field; carries the mapping
    help (ignored headers and their nearest fields) for the summary and the console."""

    def __init__(self, code: str, message: str, columns: ColumnMap, missing: Sequence[str] = ()) -> None:
        super().__init__(code, message, "map")
        self.columns = columns
        self.missing = tuple(missing)


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
    return len(known_fields(cells, index))


def known_fields(cells: Sequence[str], index: Mapping[str, str]) -> set[str]:
    """The fields a candidate header row names (as a whole, or loosely: see `_loose_keys`)."""
    keys = [header_key(c) for c in cells] + [key for c in cells for key in _loose_keys(c)]
    return {index[k] for k in keys if k in index}


def _loose_keys(header: str) -> list[str]:
    """Keys a header that matches nothing as a whole may match by: without its remarks
    (`Phone (incl. country code)`), and with an abbreviated number spelled out (`Klantnr`,
    `BTW-nr.`, `VAT no` as `Klantnummer`, `BTW-nummer`, `VAT number`)."""
    bare = _REMARK.sub(" ", header)
    keys = [header_key(header), header_key(bare)] if bare != header else [header_key(header)]
    spelled = [_ABBREVIATED.sub(lambda m: _SPELLED[m.group(1)], key) for key in keys]
    return [key for key in dict.fromkeys([*keys[1:], *spelled]) if key and key != keys[0]]


@lru_cache(maxsize=1)
def _part_index() -> dict[str, str]:
    """Header key → part name, for the columns that hold part of a field."""
    return {header_key(name): part for part, (_, names) in COLUMN_PARTS.items() for name in names}


def map_headers(headers: Sequence[str], extra: Mapping[str, Sequence[str]] | None = None) -> ColumnMap:
    """Match header cells onto canonical fields and field parts.

    Raises `MappingError` naming every missing required column, or the columns that
    claim the same field twice; either way it carries the ignored headers' hints.
    """
    index = synonym_index(extra)
    fields: dict[str, int] = {}
    parts: dict[str, int] = {}
    claimed: dict[str, list[str]] = {}
    unmapped: list[int] = []
    for position, field_name in _header_fields(headers, index).items():
        if field_name is None:
            unmapped.append(position)
            continue
        claimed.setdefault(field_name, []).append(headers[position])
        (parts if field_name in COLUMN_PARTS else fields).setdefault(field_name, position)
    fields, parts, redundant = _resolve_parts(headers, fields, parts)
    ignored = sorted([*unmapped, *redundant.values()])
    columns = ColumnMap(
        tuple(headers),
        fields,
        tuple(headers[p] for p in ignored),
        parts,
        tuple(_hint(headers[p], index, redundant) for p in ignored),
    )
    doubles = {f: names for f, names in claimed.items() if len(names) > 1}
    if doubles:
        described = "; ".join(
            f"{' and '.join(repr(n) for n in names)} both map to {_name(f)}" for f, names in doubles.items()
        )
        raise MappingError("duplicate_columns", f"{described}: keep one column per field", columns)
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        names = ", ".join(f"{label(f)} ({f})" + _part_note(f, parts) for f in missing)
        message = f"missing required column{'s' if len(missing) > 1 else ''}: {names}"
        raise MappingError("missing_columns", message, columns, missing)
    return columns


def _header_fields(headers: Sequence[str], index: Mapping[str, str]) -> dict[int, str | None]:
    """The field or part each header names (None: nothing), by position; blank headers
    and the report columns we add are left out.

    A header matches as a whole, else loosely (without its remarks, `Phone (incl. country
    code)`, or with its number spelled out, `Klantnr`), then only for a field no other
    header names and that one loose header alone claims.
    """
    named: dict[int, str | None] = {}
    bare: dict[int, str] = {}
    for position, header in enumerate(headers):
        if not header.strip() or header.strip() in REPORT_COLUMNS:
            continue
        named[position] = _field_of_key(header_key(header), index)
        loose = [_field_of_key(key, index) for key in _loose_keys(header)] if named[position] is None else []
        found = next((field_name for field_name in loose if field_name is not None), None)
        if found is not None:
            bare[position] = found
    taken = set(named.values())
    for position, field_name in bare.items():
        if field_name not in taken and list(bare.values()).count(field_name) == 1:
            named[position] = field_name
    return named


def _field_of_key(key: str, index: Mapping[str, str]) -> str | None:
    return (index.get(key) or _part_index().get(key)) if key else None


def _resolve_parts(
    headers: Sequence[str], fields: dict[str, int], parts: dict[str, int]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Which part columns build a field, and which are redundant (not read, and said so).

    A house number (or its addition) makes the address column the street; without an
    address column the street part stands in. Plain "Number" and "Addition" count only
    beside a column that names the street alone. A contact-name column fills first and
    last name only where they have no column of their own.
    """
    fields, used, redundant = dict(fields), dict(parts), {}
    street = fields.get("address", parts.get("street"))
    if "address" in fields and "street" in parts:
        redundant["street"] = used.pop("street")
    if street is not None:
        fields["address"] = street
    street_alone = street is not None and header_key(headers[street]) in _street_keys()
    for plain, part in PLAIN_PARTS.items():
        if plain in used:
            if street_alone and part not in used:
                used[part] = used.pop(plain)
            else:
                redundant[plain] = used.pop(plain)
    if "contact_name" in parts:
        names = ("contact_first_name", "contact_last_name")
        if all(n in fields for n in names):
            redundant["contact_name"] = used.pop("contact_name")
        else:
            for name in names:
                fields.setdefault(name, parts["contact_name"])
    return fields, used, redundant


@lru_cache(maxsize=1)
def _street_keys() -> frozenset[str]:
    return frozenset(header_key(name) for name in STREET_HEADERS)


def _part_note(field_name: str, parts: Mapping[str, int]) -> str:
    if field_name == "address" and ({"house_number", "house_number_addition"} & set(parts)):
        return " (a house-number column was found, but no street column)"
    return ""


def _name(field_name: str) -> str:
    return label(field_name) if field_name in FIELDS else field_name.replace("_", " ")


def _hint(header: str, index: Mapping[str, str], redundant: Mapping[str, int]) -> ColumnHint:
    """The nearest fields of an ignored header (a redundant part names what it would fill)."""
    part = _part_index().get(header_key(header))
    if part in PLAIN_PARTS and part in redundant:
        note = "read as part of the address only beside a street column (Street, Straat, Straße, …)"
        return ColumnHint(header, ("address",), note)
    if part is not None and part in redundant:
        target = ("contact_first_name", "contact_last_name") if part == "contact_name" else ("address",)
        has = "have columns of their own" if len(target) > 1 else "has a column of its own"
        note = f"{' and '.join(label(t) for t in target)} {has}; this one is not read"
        return ColumnHint(header, target, note)
    return ColumnHint(header, nearest_fields(header, index))


def nearest_fields(header: str, index: Mapping[str, str]) -> tuple[str, ...]:
    """The canonical fields whose names `header` most resembles, best first (at most two).

    Similarity is difflib's ratio on the folded header, or containment of a name of four
    or more letters ("Debiteur nr" ~ "Debiteurnummer", "Klantnummer oud" ~ "Klantnummer").
    """
    key = header_key(header)
    if not key:
        return ()
    # Abbreviated numbers are spelled out: "Relatienr" is compared as "Relatienummer" too.
    keys = {key, _ABBREVIATED.sub(lambda m: _SPELLED[m.group(1)], key)}
    best: dict[str, float] = {}
    for name, field_name in index.items():
        for candidate in keys:
            score = difflib.SequenceMatcher(None, candidate, name).ratio()
            if len(name) >= 4 and len(candidate) >= 4 and (name in candidate or candidate in name):
                score = max(score, 0.85)
            best[field_name] = max(best.get(field_name, 0.0), score)
    ranked = sorted((s, f) for f, s in best.items() if s >= _NEAR_ENOUGH)[::-1]
    if not ranked:
        return ()
    top = ranked[0][0]
    return tuple(f for s, f in ranked[:_NEAREST] if s >= top - 0.1)


def synonyms_block(hints: Sequence[ColumnHint], missing: Sequence[str]) -> str:
    """A `[columns.synonyms]` block for onboard.toml that maps the ignored headers onto the
    missing fields they resemble. One header per field (two would be `duplicate_columns`):
    the one most like that field alone, other candidates as comments; a missing field no
    header resembles is a commented line to fill in."""
    candidates: dict[str, list[ColumnHint]] = {}
    for hint in hints:
        target = next((f for f in hint.nearest if f in missing), None)
        if target is not None and not hint.note:
            candidates.setdefault(target, []).append(hint)
    lines = ["[columns.synonyms]"]
    for field_name in missing:
        found = sorted(
            candidates.get(field_name, []), key=lambda h: (h.nearest[0] != field_name, len(h.nearest))
        )
        if not found:
            lines.append(f'# {field_name} = ["the header of your {label(field_name)} column"]')
            continue
        lines.append(f"{field_name} = [{_toml_string(found[0].column)}]")
        lines += [f"# {field_name} = [{_toml_string(other.column)}]  # or this one" for other in found[1:]]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


@dataclass(frozen=True)
class Derived:
    """The canonical frame of a table, and the warnings that building it raised."""

    frame: pd.DataFrame
    warnings: list[Issue]


def derive_fields(headers_map: ColumnMap, cells: pd.DataFrame) -> Derived:
    """The canonical fields of a table's `cells` (columns by header position), by row,
    with the address joined from its parts and the contact name split."""
    data: dict[str, pd.Series] = {}
    for field_name in FIELDS:
        position = headers_map.fields.get(field_name)
        if position is not None:
            data[field_name] = cells[position]
        else:
            data[field_name] = pd.Series("", index=cells.index, dtype="str")
    frame = pd.DataFrame(data, index=cells.index)
    parts = headers_map.parts
    if "house_number" in parts or "house_number_addition" in parts:
        frame["address"] = _joined_addresses(frame, cells, parts)
    warnings: list[Issue] = []
    if "contact_name" in parts:
        warnings = _split_names(frame, cells, headers_map)
    return Derived(frame, warnings)


def field_frame(headers_map: ColumnMap, cells: pd.DataFrame) -> pd.DataFrame:
    """The canonical fields of a table's `cells` (see `derive_fields`), by row."""
    return derive_fields(headers_map, cells).frame


def _part(cells: pd.DataFrame, parts: Mapping[str, int], name: str) -> list[str]:
    if name not in parts:
        return [""] * len(cells)
    return _texts(cells[parts[name]])


def _texts(column: pd.Series) -> list[str]:
    """Cells trimmed as the validate stage trims them (control characters stay, to be found)."""
    text = column.fillna("").astype("str")
    cleaned: list[str] = text.str.replace(WHITESPACE, " ", regex=True).str.strip(" ").tolist()
    return cleaned


def _joined_addresses(frame: pd.DataFrame, cells: pd.DataFrame, parts: Mapping[str, int]) -> pd.Series:
    """Street, house number and addition as one address line, in the row's country's order."""
    numbers = _part(cells, parts, "house_number")
    additions = _part(cells, parts, "house_number_addition")
    streets = _texts(frame["address"])
    countries = _texts(frame["country"])
    known = {country: _country_code(country) for country in set(countries)}
    codes = [known[country] for country in countries]
    joined = [
        join_address(street, house_number(number, addition), code)
        for street, number, addition, code in zip(streets, numbers, additions, codes, strict=True)
    ]
    return pd.Series(pd.array(joined, dtype="str"), index=frame.index)


def _split_names(frame: pd.DataFrame, cells: pd.DataFrame, headers_map: ColumnMap) -> list[Issue]:
    """Fill first and last name from the contact-name column (where they have no column of
    their own); a doubtful split is a `contact_name_split` warning naming both halves."""
    position = headers_map.parts["contact_name"]
    column = headers_map.headers[position]
    firsts, lasts, warnings = [], [], []
    for row, name in zip(frame.index, _texts(cells[position]), strict=True):
        split = split_contact_name(name)
        firsts.append(split.first)
        lasts.append(split.last)
        if split.doubtful and split.first:
            warnings.append(_split_warning(int(row), column, name, split.first, split.last))
    for field_name, values in (("contact_first_name", firsts), ("contact_last_name", lasts)):
        if headers_map.fields.get(field_name) == position:
            frame[field_name] = pd.Series(pd.array(values, dtype="str"), index=frame.index)
    return warnings


def _split_warning(row: int, column: str, name: str, first: str, last: str) -> Issue:
    return Issue(
        row=row,
        column=column,
        field="contact_first_name",
        value=name,
        code="contact_name_split",
        message=CODES["contact_name_split"].message(name=name, first=first, last=last),
        severity="warning",
    )


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str:
    """The ISO code of a country cell, or "" (the country rule reports a bad one)."""
    outcome = normalize_country(text)
    return outcome.value if outcome.ok and outcome.value else ""
