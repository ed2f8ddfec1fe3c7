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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from cleanco.clean import normalized, prepare_default_terms, strip_punct, strip_tail
from rapidfuzz import fuzz, utils
from sqlalchemy import Connection

from pipeline import store
from schemas.codes import CODES

Reason = Literal["tax_id", "registration_number", "name"]

# Token sort ratio (0-100) from which two names at one postcode are "near": it allows a
# typo or two in a name of 20 letters ("Bakkerij Jansen" / "Bakkerij Janssen": 97), not
# another word ("Bakkerij Jansen" / "Slagerij Jansen": 87).
NAME_SCORE = 90


@dataclass(frozen=True)
class Lookalike:
    """A customer (`erp_id`) that looks like a stored one (`other`), and why."""

    erp_id: str
    other: str
    reason: Reason
    # What they share: the number, or the stored customer's name.
    value: str

    @property
    def field(self) -> str:
        """The candidate's field that looks alike."""
        return "full_name" if self.reason == "name" else self.reason

    def message(self) -> str:
        if self.reason == "name":
            why = f"company name near {self.value!r} at the same postcode"
        else:
            number = "VAT number" if self.reason == "tax_id" else "registration number"
            why = f"same {number} {self.value}"
        return CODES["possible_duplicate"].message(other=self.other, why=why)


def find_lookalikes(connection: Connection, candidates: Sequence[Mapping[str, Any]]) -> list[Lookalike]:
    """The stored customers each candidate looks like (at most one look-alike per pair,
    the strongest reason first). A candidate is a customer's fields by name; a stored
    customer with the candidate's own ERP ID is the candidate itself, never a look-alike."""
    found: dict[tuple[str, str], Lookalike] = {}

    def stored_sharing(column: str) -> list[dict[str, Any]]:
        return store.customers_sharing(connection, column, [str(c.get(column) or "") for c in candidates])

    for reason in ("tax_id", "registration_number"):
        stored = stored_sharing(reason)
        by_number = _group(stored, lambda r, reason=reason: _number_key(r, reason))
        for candidate in candidates:
            for record in by_number.get(_number_key(candidate, reason), ()):
                _add(found, candidate, record, reason, str(candidate[reason]))
    neighbours = _group(stored_sharing("postal_code"), _place)
    cores: dict[str, str] = {}  # a stored name is the neighbour of many candidates

    def core(name: str) -> str:
        if name not in cores:
            cores[name] = name_core(name)
        return cores[name]

    for candidate in candidates:
        near = neighbours.get(_place(candidate))
        if near:
            name = core(_name(candidate))
            for record in near:
                if names_near(name, core(_name(record))):
                    _add(found, candidate, record, "name", _name(record))
    return list(found.values())


def _add(
    found: dict[tuple[str, str], Lookalike],
    candidate: Mapping[str, Any],
    record: Mapping[str, Any],
    reason: Reason,
    value: str,
) -> None:
    erp_id, other = str(candidate["erp_id"]), str(record["erp_id"])
    if other != erp_id and (erp_id, other) not in found:
        found[erp_id, other] = Lookalike(erp_id, other, reason, value)


def _group(records: Iterable[Mapping[str, Any]], key: Any) -> dict[Any, list[Mapping[str, Any]]]:
    grouped: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        if (value := key(record)) is not None:
            grouped[value].append(record)
    return grouped


def _number_key(record: Mapping[str, Any], reason: Reason) -> tuple[str, ...] | None:
    """A VAT number carries its country; a registration number is one only within its country."""
    number = record.get(reason)
    if not number:
        return None
    return (str(number),) if reason == "tax_id" else (str(record.get("country")), str(number))


def _place(record: Mapping[str, Any]) -> tuple[str, str] | None:
    postcode = record.get("postal_code")
    return (str(record.get("country")), str(postcode)) if postcode else None


def _name(record: Mapping[str, Any]) -> str:
    return str(record.get("full_name") or record.get("short_name") or "")


def names_near(one: str, other: str) -> bool:
    """Whether two name cores (`name_core`) are near: a token sort ratio of at least
    `NAME_SCORE`, and the same numbers, since "Studio 5" and "Studio 6" are two companies."""
    return bool(fuzz.token_sort_ratio(one, other, score_cutoff=NAME_SCORE)) and _numbers(one) == _numbers(
        other
    )


def _numbers(name: str) -> list[str]:
    return re.findall(r"\d+", name)


# cleanco's legal forms, in the order it tries them (longest first), indexed by last word.
_FORMS: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
for _order, (_size, _parts) in enumerate(prepare_default_terms()):
    _FORMS[_parts[-1]].append((_order, _parts))


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
    name = strip_tail(name)
    words = name.split()
    keys = [strip_punct(key) for word in words for key in _fold(word).split()]
    tried = -1
    while keys:
        forms = _FORMS.get(keys[-1], ())
        form = next(((o, len(p)) for o, p in forms if o > tried and keys[-len(p) :] == p), None)
        if form is None:
            break
        tried, size = form
        del keys[-size:], words[-size:]
    return str(strip_tail(" ".join(words)))


@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """cleanco's fold of a word: case and accents off. Folding is character by character,
    so a name folds word by word; names repeat words (cities, legal forms), so each is
    folded once."""
    return word.casefold() if word.isascii() else str(normalized(word))
