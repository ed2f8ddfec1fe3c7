"""docs/rules.md is held equal to the rules in code (`schemas/authority/catalog.RULES`).

A rule added to one side only fails here, naming it (the README code-table pattern of
tests/test_docs.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemas.authority.catalog import RULES, Rule
from schemas.codes import CODES
from schemas.fields import FIELDS
from schemas.rules.address import normalize_state
from schemas.rules.contact import normalize_email
from schemas.rules.country import normalize_country
from schemas.rules.currency import normalize_currency
from schemas.rules.outcome import Outcome

DOC = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")


def rules_table() -> list[tuple[str, ...]]:
    """The rows of the table under `## The rules`, as cells."""
    section = re.search(r"^## The rules\n(.*?)(?=^## )", DOC, re.MULTILINE | re.DOTALL)
    assert section, "docs/rules.md has no '## The rules' section"
    lines = [line.strip() for line in section.group(1).splitlines() if line.strip().startswith("|")]
    split = re.compile(r"(?<!\\)\|")  # a cell's own | is written \|
    cells = [tuple(c.strip().replace("\\|", "|") for c in split.split(line.strip("|"))) for line in lines]
    assert cells[0] == ("field", "countries", "rule", "code", "severity", "authority")
    return cells[2:]


def test_the_rules_table_is_the_catalog() -> None:
    """It finds every rule of the catalog in docs/rules.md, in order, and nothing else."""
    documented = rules_table()
    expected = [rule.cells() for rule in RULES]
    assert [row for row in documented if row not in expected] == [], "documented but not in code"
    assert [row for row in expected if row not in documented] == [], "in code but not documented"
    assert documented == expected


def test_every_rule_cites_an_authority_and_a_known_severity() -> None:
    """It gives every rule an authority, and a severity that matches whether it has a code."""
    for rule in RULES:
        assert rule.authority.strip(), rule
        assert rule.severity in ("error", "warning", "—"), rule
        assert (rule.code == "—") == (rule.severity == "—"), rule


def test_the_principle_is_written_down() -> None:
    """It keeps the principle at the head of docs/rules.md and of the rules' packages."""
    import schemas.authority
    import schemas.rules

    principle = "Reject what is certainly wrong; warn what is doubtful"
    assert principle in DOC
    assert principle in (schemas.authority.__doc__ or "")
    assert principle in (schemas.rules.__doc__ or "")


def outcome_of(rule: Rule) -> Outcome:
    """The field's rule run on the rule's example, for a customer in its example country."""
    country = rule.example_country
    if rule.code == "state_from_postal_code":
        return normalize_state("", country, rule.example)  # the example is the postcode
    if rule.field == "contact_email":
        return normalize_email(rule.example)
    if rule.field == "country":
        return normalize_country(rule.example)
    if rule.field == "currency":
        return normalize_currency(rule.example)
    country_rule = FIELDS[rule.field].rule
    assert country_rule is not None and FIELDS[rule.field].country_dependent
    return country_rule(rule.example, country)


# ASCII ids, unique by themselves: an id pytest escapes (the "—" of a rule without code) is not found
# again by node id when pytest runs twice in one process, as under mutmut.
@pytest.mark.parametrize(
    "rule",
    RULES,
    ids=[
        f"{rule.field}-{rule.example_country}-{rule.code.replace('—', 'none')}-{n}"
        for n, rule in enumerate(RULES)
    ],
)
def test_every_rule_decides_its_example_as_documented(rule: Rule) -> None:
    """It gives each rule's example the documented code, keeping the value for a warning or `—`."""
    outcome = outcome_of(rule)
    if rule.code == "—":
        assert outcome == Outcome(outcome.value), outcome
        assert outcome.value, outcome
        return
    assert outcome.code == rule.code, outcome
    assert CODES[rule.code].severity == rule.severity
    assert (outcome.value is not None) is (rule.severity == "warning"), outcome
