"""The rules, by topic: each turns one value (and its country) into an `Outcome`.

`text` holds what every cell gets (white space, undecodable bytes, header folding);
`country`, `currency` (with industry), `tax_id`, `registration`, `address` and `contact`
hold the field rules and, beside them, their data tables. The rules are pure and cached,
so a column is checked once per distinct value (or value and country), and idempotent:
the stored form normalizes to itself.

**Reject what is certainly wrong; warn what is doubtful; never accept what is certainly
wrong just because a library does.** Where a library checks only a value's shape, the
rules also apply what the authority that issues the value publishes (postal operators,
tax authorities, registers, RFCs): `schemas/authority/`, each rule citing its authority,
all of them listed in `docs/rules.md`.
"""
