"""Possible duplicates: a customer that looks like one stored under another ERP ID.

Two customers look alike when they share a VAT number, or a registration number in the
same country (both as stored, so in one normalized form), or when their company names
are near each other at the same postcode of the same country. A look-alike is a warning
for a person (`possible_duplicate`), never a merge: two ERP IDs may well be two
accounts of one company on purpose.

Names are compared without their legal form (`B.V.`, `GmbH & Co. KG`, `S.A.`, …), using
cleanco's own list of legal forms, and scored with rapidfuzz's token sort ratio, so word
order and case do not matter; `NAME_SCORE` is the threshold, and the numbers in two near
names must be the same.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy
from cleanco.clean import normalized, prepare_default_terms, strip_punct, tail_removal_rexp
from rapidfuzz import fuzz, process, utils
from sqlalchemy import Connection

from pipeline import store
from schemas.codes import CODES

Reason = Literal["tax_id", "registration_number", "name"]

# Token sort ratio (0-100) from which two names at one postcode are "near": it allows a
# typo in a name of 15 letters ("Bakkerij Jansen" / "Bakkerij Janssen": 97), not
# another word ("Bakkerij Jansen" / "Slagerij Jansen": 40).
NAME_SCORE = 90
# Look-alikes named in one warning; the rest are counted ("and 132 more").
NAMED = 3


@dataclass(frozen=True)
class Lookalike:
    """A customer (`erp_id`) that looks like stored ones (`others`) for one reason."""

    erp_id: str
    others: tuple[str, ...]
    reason: Reason
    # What they share: the number, or the first stored customer's name.
    value: str

    @property
    def field(self) -> str:
        """The candidate's field that looks alike."""
        return "full_name" if self.reason == "name" else self.reason

    def message(self) -> str:
        """The warning's message, naming the first `NAMED` look-alikes and counting the rest."""
        if self.reason == "name":
            why = f"company name near {self.value!r} at the same postcode"
        else:
            number = "VAT number" if self.reason == "tax_id" else "registration number"
            why = f"same {number} {self.value}"
        named = ", ".join(self.others[:NAMED])
        rest = len(self.others) - NAMED
        other = f"customer {named}" if len(self.others) == 1 else f"customers {named}"
        other += f" and {rest} more" if rest > 0 else ""
        return CODES["possible_duplicate"].message(other=other, why=why)


Record = Mapping[str, Any]


def find_lookalikes(
    connection: Connection, candidates: Sequence[Record], exclude: Collection[str] = ()
) -> list[Lookalike]:
    """For each candidate (a customer's fields by name) and reason, the stored customers
    it looks like. Never reported: a stored customer with the candidate's own ERP ID (the
    candidate itself), nor one of `exclude` (the file's own ERP IDs: a file imported
    again is not compared with itself); a stored customer already named for a number is
    not named again for its name."""
    found: dict[tuple[str, Reason], list[Record]] = defaultdict(list)
    for reason in ("tax_id", "registration_number"):
        stored = _sharing(connection, candidates, reason, exclude)
        for candidate in candidates:
            found[candidate["erp_id"], reason] += stored.get(_number_key(candidate, reason), [])
    neighbours = _sharing(connection, candidates, "postal_code", exclude)
    for place, group in _group(candidates, _place).items():
        for candidate, record in _near_names(group, neighbours.get(place, [])):
            erp_id = candidate["erp_id"]
            if not any(record in found[erp_id, reason] for reason in ("tax_id", "registration_number")):
                found[erp_id, "name"].append(record)
    by_erp_id = {str(c["erp_id"]): c for c in candidates}
    return [
        lookalike
        for (erp_id, reason), records in found.items()
        if (lookalike := _lookalike(by_erp_id[erp_id], reason, records)) is not None
    ]


def _lookalike(candidate: Record, reason: Reason, records: Sequence[Record]) -> Lookalike | None:
    """The candidate's look-alikes for one reason, itself left out, by ERP ID (the store
    returns them in no set order: PostgreSQL's changes as rows are updated); None when
    none is left."""
    erp_id = str(candidate["erp_id"])
    others = sorted(
        (record for record in records if record["erp_id"] != erp_id), key=lambda r: str(r["erp_id"])
    )
    if not others:
        return None
    value = _name(others[0]) if reason == "name" else str(candidate[reason])
    return Lookalike(erp_id, tuple(dict.fromkeys(str(r["erp_id"]) for r in others)), reason, value)


def _sharing(
    connection: Connection, candidates: Sequence[Record], column: str, exclude: Collection[str]
) -> dict[Any, list[Record]]:
    """The stored customers sharing a candidate's `column`, by the key they share."""
    stored = store.customers_sharing(connection, column, [str(c.get(column) or "") for c in candidates])
    kept = (record for record in stored if record["erp_id"] not in exclude)
    if column == "postal_code":
        return _group(kept, _place)
    return _group(kept, lambda record: _number_key(record, column))


def _near_names(group: Sequence[Record], stored: Sequence[Record]) -> Iterable[tuple[Record, Record]]:
    """(candidate, stored customer) with near names, of candidates and stored customers
    at one place: every pair scored at once (rapidfuzz's cdist), then checked in full."""
    if not stored:
        return
    mine = [name_core(_name(c)) for c in group]
    theirs = [name_core(_name(r)) for r in stored]
    scores = process.cdist(
        mine, theirs, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_SCORE, dtype=numpy.uint8
    )
    for i, j in zip(*scores.nonzero(), strict=True):
        if names_near(mine[i], theirs[j]):
            yield group[i], stored[j]


def _group(records: Iterable[Record], key: Callable[[Record], Any]) -> dict[Any, list[Record]]:
    grouped: dict[Any, list[Record]] = defaultdict(list)
    for record in records:
        if (value := key(record)) is not None:
            grouped[value].append(record)
    return grouped


def _number_key(record: Record, reason: str) -> tuple[str, str] | None:
    """A number with its country (outside the EU a tax number carries none: a US EIN and
    a South African number may be the same digits). A "number" without a digit other
    than 0 (0, N/A, TBD, -) is a placeholder, not an identifier: it matches nothing."""
    number = str(record.get(reason) or "")
    if not any(digit in number for digit in "123456789"):
        return None
    return str(record.get("country")), number


def _place(record: Record) -> tuple[str, str] | None:
    postcode = record.get("postal_code")
    return (str(record.get("country")), str(postcode)) if postcode else None


def _name(record: Record) -> str:
    return str(record.get("full_name") or record.get("short_name") or "")


def names_near(one: str, other: str) -> bool:
    """Whether two name cores (`name_core`) are near: a token sort ratio of at least
    `NAME_SCORE`, and the same numbers, since "Studio 5" and "Studio 6" are two companies.
    A name that is only a legal form ("B.V.": an empty core) is near nothing."""
    if not one or not other or _numbers(one) != _numbers(other):
        return False
    return bool(fuzz.token_sort_ratio(one, other, score_cutoff=NAME_SCORE))


def _numbers(name: str) -> list[str]:
    return re.findall(r"\d+", name)


def _legal_forms() -> dict[str, list[tuple[int, list[str]]]]:
    """cleanco's legal forms, in the order it tries them (longest first), by last word."""
    forms: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    for order, (_size, parts) in enumerate(prepare_default_terms()):
        forms[parts[-1]].append((order, parts))
    return forms


_FORMS = _legal_forms()


@lru_cache(maxsize=1 << 18)  # a stored name is the neighbour of many candidates, in many parts
def name_core(name: str) -> str:
    """A company name without its legal form, case, accents and punctuation: "Jansen
    B.V.", "JANSEN bv" and "Jänsen" are all "jansen"."""
    core = without_legal_form(name)
    return str(utils.default_process(" ".join(_fold(word) for word in core.split())))


def without_legal_form(name: str) -> str:
    """The name with its legal form taken off exactly as cleanco's `basename` takes it
    (its forms tried in its order, each once). cleanco tries all its 321 forms on every
    name (90 µs a name); this tries only those ending in the name's last word. A
    differential test holds the two equal."""
    name = _strip_tail(name)
    words = name.split()
    keys = [key for word in words for key in _keys(word)]
    tried = -1
    while keys:
        forms = _FORMS.get(keys[-1], ())
        form = next(((o, len(p)) for o, p in forms if o > tried and keys[-len(p) :] == p), None)
        if form is None:
            break
        tried, size = form
        del keys[-size:], words[-size:]
    return _strip_tail(" ".join(words))


def _strip_tail(name: str) -> str:
    """cleanco's `strip_tail` (trailing symbols other than the dot off), its pattern
    searched directly."""
    found = tail_removal_rexp.search(name)
    return name[: found.start()] if found is not None else name


@lru_cache(maxsize=1 << 16)
def _keys(word: str) -> tuple[str, ...]:
    """cleanco's keys of a word, as it compares them with its legal forms: folded, without
    dots, commas and hyphens."""
    return tuple(strip_punct(key) for key in _fold(word).split())


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """cleanco's fold of a word: case and accents off. Folding is character by character,
    so a name folds word by word; names repeat words (cities, legal forms), so each is
    folded once."""
    return word.casefold() if word.isascii() else str(normalized(word))
