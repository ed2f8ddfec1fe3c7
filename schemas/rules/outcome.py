"""What a rule returns: the stored form of a good value, or a problem code and message."""

from __future__ import annotations

from typing import Any, NamedTuple

from schemas.codes import CODES

# Distinct values (or value and country pairs) each rule remembers.
CACHE_SIZE = 1 << 18


class Outcome(NamedTuple):
    """A normalized value, or a problem `code` with its `message` (value then None).

    A warning code comes with a value: the value is stored and the warning reported.
    """

    value: str | None
    code: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


def problem(code: str, /, *, stored: str | None = None, **fields: Any) -> Outcome:
    """The outcome of a problem `code`, its message written from the code's template.

    `stored` is the value kept where the code is a warning (None for an error); `fields`
    fill the template.
    """
    return Outcome(stored, code, CODES[code].message(**fields))
