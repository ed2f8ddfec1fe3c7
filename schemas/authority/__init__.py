"""Rules beyond our libraries, each taken from the authority that issues the value.

**Reject what is certainly wrong; warn what is doubtful; never accept what is certainly
wrong just because a library does.** Our libraries check shapes and check digits: Google's
address data counts a postcode's digits, python-stdnum runs a number's arithmetic,
email-validator parses an address. Real files carry values those checks pass although the
national postal operator, the tax authority, the register or the RFC says they cannot
exist. Each rule here cites that authority in a comment, and `catalog.RULES` lists every
rule with its field, countries, code, severity and authority: `docs/rules.md` is held
equal to it by a test.

These modules are pure: text (and a country) in, a finding or a normalized value out.
They import only the standard library and our dependencies, never `pipeline/`.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Finding(NamedTuple):
    """A problem a rule found: its stable `code`, the `reason` its code's message template
    takes (`schemas/codes.py`), and how bad it is."""

    code: str
    reason: str
    severity: Severity = "error"
