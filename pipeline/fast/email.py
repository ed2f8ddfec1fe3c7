"""E-mail fast path: a conservative ASCII dot-atom pattern with RFC 5321's length limits.

It decides "valid, stored as the local part + the lower-cased domain" (a role mailbox's
local part lower-cased too, as email-validator does: `Info@` → `info@`) for plain ASCII
addresses: letters, digits and `_ % + -` in dot-separated local-part atoms, a domain of
LDH labels (no `--`, so no IDNA A-labels) under an alphabetic top-level domain that is
not one of email-validator's own special-use names. Everything else (quotes, IDN,
Unicode, comments, `!#$&'*/=?^{|}~`) goes to email-validator.
"""

from __future__ import annotations

from functools import cache

import pyarrow as arrow
import pyarrow.compute as pc

_ATOM = r"[A-Za-z0-9_%+\-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_ADDRESS = rf"^(?P<local>{_ATOM}(?:\.{_ATOM})*)@(?P<domain>(?:{_LABEL}\.)+[A-Za-z]{{2,63}})$"
# RFC 5321 §4.5.3.1: a local part of at most 64 octets, an address of at most 254.
LOCAL_MAX, ADDRESS_MAX = 64, 254


@cache
def _case_insensitive_mailboxes() -> arrow.Array:
    """The role mailboxes (RFC 2142: info, sales, support, postmaster, www, …) whose local
    part email-validator stores in lower case, from its own list."""
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    return arrow.array(CASE_INSENSITIVE_MAILBOX_NAMES, arrow.string())


@cache
def _special_use() -> str:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return "|".join(name.replace(".", r"\.") for name in SPECIAL_USE_DOMAIN_NAMES)


def decide(values: arrow.Array, countries: arrow.Array | None = None) -> arrow.Array:
    """The stored form of each certainly valid address; null elsewhere."""
    parts = pc.extract_regex(values, _ADDRESS)
    local, domain = parts.field("local"), parts.field("domain")
    decided = pc.is_valid(parts)
    decided = pc.and_(decided, pc.less_equal(pc.utf8_length(values), ADDRESS_MAX))
    decided = pc.and_(decided, pc.less_equal(pc.utf8_length(local), LOCAL_MAX))
    decided = pc.and_(decided, pc.invert(pc.match_substring(domain, "--")))
    lowered = pc.utf8_lower(domain)
    reserved = pc.match_substring_regex(lowered, rf"(?:^|\.)(?:{_special_use()})$")
    decided = pc.fill_null(pc.and_(decided, pc.invert(reserved)), False)
    # email-validator lower-cases a role mailbox's local part (Info@ → info@), so does this.
    role = pc.is_in(pc.utf8_lower(local), value_set=_case_insensitive_mailboxes())
    local = pc.if_else(pc.fill_null(role, False), pc.utf8_lower(local), local)
    stored = pc.binary_join_element_wise(local, lowered, "@")
    return pc.if_else(decided, stored, arrow.scalar(None, arrow.string()))
