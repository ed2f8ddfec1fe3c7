"""Custom Pandera checks, each named by the problem code it reports.

A check evaluates the field's rule once per distinct value (or distinct value and
country) and maps the outcome back onto the rows, so a 100,000-row column with 3
currencies costs 3 rule calls. What spans more than the rows being checked reaches a
check as a statistic bound when the schema is built (pandera's way): the ERP IDs
repeated anywhere in the file, and the rules' outcomes computed ahead for these rows
(`RuleOutcomes`, which `pipeline/outcomes.py` implements, as pandera's backends
implement its api). Without them a check computes from the rules itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import pandas as pd
from pandera import extensions

from schemas.codes import CODES
from schemas.fields import FIELDS, label
from schemas.rules.contact import normalize_email
from schemas.rules.country import normalize_country
from schemas.rules.currency import normalize_currency, normalize_industry
from schemas.rules.outcome import Outcome
from schemas.rules.tax_id import has_tax_check
from schemas.rules.text import CONTROL_CHARACTERS, UNDECODABLE, ignorecase_spelled, undecodable_part


class RuleOutcomes(Protocol):
    """The costly fields' rule outcomes, computed ahead for the rows of one frame."""

    def covers(self, index: pd.Index) -> bool:
        """True when these outcomes were computed for rows with exactly this index."""
        ...

    def codes(self, field: str) -> pd.Series:
        """The problem code of every row (None where fine or not applicable)."""
        ...


# Statistics that hold file-wide data. Pandera deep-copies a schema's columns and writes
# a check's statistics into its name: these are shared, not copied, and named short.


@dataclass(frozen=True, repr=False)
class Repeated:
    """The values repeated anywhere in a file that is validated a part at a time."""

    values: frozenset[str]

    def __repr__(self) -> str:
        return f"<{len(self.values)} repeated values>"

    def __deepcopy__(self, memo: dict[int, Any]) -> Repeated:
        return self


@dataclass(frozen=True, repr=False)
class Precomputed:
    """The costly rules' outcomes computed ahead for the rows to check (None: compute them)."""

    outcomes: RuleOutcomes | None = None

    def __repr__(self) -> str:
        return "<precomputed>" if self.outcomes is not None else "<none>"

    def __deepcopy__(self, memo: dict[int, Any]) -> Precomputed:
        return self

    def for_rows(self, index: pd.Index) -> RuleOutcomes | None:
        """The outcomes, if they were computed for exactly these rows."""
        return self.outcomes if self.outcomes is not None and self.outcomes.covers(index) else None


def repeated(values: pd.Series) -> Repeated:
    """The statistic of `duplicate_in_file` for a file whose column holds `values`."""
    return Repeated(frozenset(values[values.duplicated(keep=False)].dropna().unique()))


def value_table(values: pd.Series, rule: Callable[[str], Outcome]) -> dict[str, Outcome]:
    """The rule's outcome of every distinct value (blank values left out)."""
    return {value: rule(value) for value in values.dropna().unique()}


def value_codes(values: pd.Series, rule: Callable[[str], Outcome]) -> pd.Series:
    """The problem code (or None) of every value, computed once per distinct value."""
    codes = {value: outcome.code for value, outcome in value_table(values, rule).items()}
    return values.dropna().map(codes).reindex(values.index)


def country_codes(frame: pd.DataFrame, field: str) -> pd.Series:
    """The problem code of a country-dependent field on every row with a known country.

    Blank values are checked too: a blank postcode is a problem in a country with
    postcodes. Rows without a known country are left to the country check.
    """
    countries = {
        value: outcome.value for value, outcome in value_table(frame["country"], normalize_country).items()
    }
    known = frame["country"].dropna().map(countries).dropna()
    values = rule_inputs(frame, field, frame.loc[known.index, field].fillna("").astype(str), known)
    pairs = list(zip(values, known, strict=True))
    table = {pair: country_rule(field, *pair).code for pair in set(pairs)}
    return pd.Series([table[pair] for pair in pairs], index=known.index, dtype=object).reindex(frame.index)


# A blank value whose rule reads another field is given as this mark and that field's
# value (a control character: never in a cleaned cell).
READS_MARK = "\x1e"


def rule_inputs(frame: pd.DataFrame, field: str, values: pd.Series, countries: pd.Series) -> pd.Series:
    """The values a country rule is given: where the field `reads` another (and needs it:
    blank, in one of `reads_for`), the mark and that field's value instead of the blank."""
    spec = FIELDS[field]
    if not spec.reads:
        return values
    needed = (values == "") & countries.reindex(values.index).isin(spec.reads_for)
    if not needed.any():
        return values
    other = frame.loc[values.index, spec.reads].fillna("").astype(str)
    return values.mask(needed, READS_MARK + other)


def country_rule(field: str, value: str, country: str, rule: Callable[..., Outcome] | None = None) -> Outcome:
    """The field's rule (or `rule`, the same uncached) on a value from `rule_inputs`."""
    rule = rule or FIELDS[field].rule
    assert rule is not None, field
    if value.startswith(READS_MARK):
        return rule("", country, value[1:])
    return rule(value, country)


# --- registered checks: each one's name is the problem code it reports -------------


@extensions.register_check_method(statistics=["maximum"])
def too_long(values: pd.Series, *, maximum: int) -> pd.Series:
    """Text no longer than `maximum` characters."""
    return values.str.len() <= maximum


@extensions.register_check_method()
def control_character(values: pd.Series) -> pd.Series:
    """No control characters: invisible in a spreadsheet, and they break exports."""
    return ~values.str.contains(CONTROL_CHARACTERS, regex=True)


@extensions.register_check_method()
def encoding(values: pd.Series) -> pd.Series:
    """No bytes the file's encoding could not decode (the reader marks each with a stand-in)."""
    return ~values.str.contains(UNDECODABLE, regex=True)


# Excel's error values, as a CSV saved by Excel holds them (and the reader gives for an
# xlsx error cell), the newer ones of dynamic arrays, data types and Python in Excel too.
SPREADSHEET_ERRORS = (
    r"#(?:REF!|VALUE!|DIV/0!|N/A|NAME\?|NULL!|NUM!|SPILL!|CALC!|GETTING_DATA"
    r"|FIELD!|BLOCKED!|CONNECT!|UNKNOWN!|BUSY!|EXTERNAL!|PYTHON!)"
)
# A long number that Excel displayed (and a CSV saved) as 1.23457E+11: the digits are gone.
SCIENTIFIC = r"[+-]?\d(?:[.,]\d+)?[eE]\+?\d{1,3}"


@extensions.register_check_method()
def spreadsheet_error(values: pd.Series) -> pd.Series:
    """No Excel error values (#REF!, #N/A, …): a formula broke and the value is lost."""
    return ~values.str.fullmatch(SPREADSHEET_ERRORS)


# What people type into a required cell they cannot fill, to get past the check: marks
# without a letter or digit (`-`, `?`, `/`, `...`), and "not applicable / not known" in the
# languages the headers are (`n/a`, `n.v.t.`, `k.A.`, `unknown`, `onbekend`, `inconnu`).
# A short name `TBA` or a surname `Na` may be real, so abbreviations need their dots.
PLACEHOLDER_MARKS = r"[\W_]+"
PLACEHOLDER_WORDS = (
    r"n\s*[./]\s*[abdv](?:\s*\.\s*t)?\.?|nvt|k\.\s*a\.?|keine\s+angabe|unknown|onbekend"
    r"|unbekannt|inconnue?|not\s+(?:applicable|available|known)|niet\s+(?:van\s+toepassing|bekend)"
    r"|nicht\s+(?:zutreffend|bekannt)|sans\s+objet|non\s+(?:applicable|disponible|connue?)"
)
# The rule as written, for Python's re (fullmatch).
PLACEHOLDERS = f"{PLACEHOLDER_MARKS}|(?i:{PLACEHOLDER_WORDS})"
# The words spelled so that pyarrow's RE2 decides them over the whole column as Python's
# re does (Python's Unicode `\s` and ignore-case differ from RE2's), proven equal in
# tests/test_placeholders.py: Python's re, value by value, cost 0.7 s per 100,000 rows.
_PLACEHOLDER_WORDS_RE2 = ignorecase_spelled(PLACEHOLDER_WORDS)


@extensions.register_check_method()
def placeholder_value(values: pd.Series) -> pd.Series:
    """No placeholder where a value is required: `n/a` is no company, city or number."""
    found = _re2_fullmatch(values, _PLACEHOLDER_WORDS_RE2)
    # Only a value without an ASCII letter or digit can be marks alone (`-`, `?`, `…`):
    # few are, and Python's Unicode-aware `\W` decides those.
    markless = ~values.str.contains("[A-Za-z0-9]", regex=True).fillna(True).astype(bool)
    if markless.any():
        found[markless] |= values[markless].str.fullmatch(PLACEHOLDER_MARKS).fillna(False).astype(bool)
    return ~found


def _re2_fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """True where the whole value matches `pattern` in RE2, False where not or blank;
    straight through pyarrow, as pandas' `str.fullmatch` would run it, without pandas
    parsing the pattern with Python's re on every call to see whether RE2 may run it
    (milliseconds a call for this one: most of a small file's placeholder check)."""
    import pyarrow
    import pyarrow.compute as pc

    column = pyarrow.array(values, from_pandas=True, type=pyarrow.large_string())
    matched = pc.fill_null(pc.match_substring_regex(column, f"^(?:{pattern})$"), False)
    return pd.Series(matched.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


@extensions.register_check_method()
def scientific_notation(values: pd.Series) -> pd.Series:
    """No numbers in Excel's scientific notation: their last digits are lost."""
    return ~values.str.fullmatch(SCIENTIFIC)


@extensions.register_check_method(statistics=["repeated"])
def duplicate_in_file(values: pd.Series, *, repeated: Repeated | None) -> pd.Series:
    """Values that occur once in the file; every row of a repeated value fails.

    `repeated` holds the whole file's repeated values when a part of it is checked.
    """
    if repeated is not None:
        return ~values.isin(repeated.values)
    return ~values.duplicated(keep=False)


@extensions.register_check_method()
def unknown_country(values: pd.Series) -> pd.Series:
    return value_codes(values, normalize_country) != "unknown_country"


@extensions.register_check_method(statistics=["outcomes"])
def invalid_email(values: pd.Series, *, outcomes: Precomputed) -> pd.Series:
    precomputed = outcomes.for_rows(values.index)
    codes = precomputed.codes("contact_email") if precomputed else value_codes(values, normalize_email)
    return codes != "invalid_email"


@extensions.register_check_method(statistics=["allowed"])
def unknown_currency(values: pd.Series, *, allowed: tuple[str, ...]) -> pd.Series:
    return value_codes(values, partial(normalize_currency, allowed=allowed)) != "unknown_currency"


@extensions.register_check_method(statistics=["allowed"])
def currency_not_allowed(values: pd.Series, *, allowed: tuple[str, ...]) -> pd.Series:
    codes = value_codes(values, partial(normalize_currency, allowed=allowed))
    return codes != "currency_not_allowed"


@extensions.register_check_method(statistics=["industries"])
def unknown_industry(values: pd.Series, *, industries: tuple[str, ...]) -> pd.Series:
    codes = value_codes(values, partial(normalize_industry, industries=industries))
    return codes != "unknown_industry"


def _country_check(frame: pd.DataFrame, outcomes: Precomputed, field: str, code: str) -> pd.Series:
    """Rows whose `field` the country's rule does not report as `code`."""
    precomputed = outcomes.for_rows(frame.index)
    codes = precomputed.codes(field) if precomputed else country_codes(frame, field)
    return codes != code


def _register_country_check(field: str, code: str) -> None:
    """Register a frame-level check (it needs the country) named `code` for `field`."""

    # The check's work is a module-level function, not this closure: the registration
    # runs at import, so mutation testing could never reach a body written here.
    def check(frame: pd.DataFrame, *, outcomes: Precomputed) -> pd.Series:
        return _country_check(frame, outcomes, field, code)

    check.__name__ = code
    check.__doc__ = f"Rows whose {label(field)} the country's rule reports as {code}."
    extensions.register_check_method(statistics=["outcomes"])(check)


for _field in FIELDS.values():
    if _field.country_dependent:
        for _code in _field.codes:
            _register_country_check(_field.name, _code)


@extensions.register_check_method()
def tax_id_unverified(frame: pd.DataFrame) -> pd.Series:
    """Rows of accepted customers whose country has no tax-number check."""
    present = frame["country"].dropna()
    unverified = {c: not has_tax_check(c) for c in present.unique()}
    return ~present.map(unverified).reindex(frame.index).fillna(False).astype(bool)


@extensions.register_check_method()
def duplicate_tax_id(frame: pd.DataFrame) -> pd.Series:
    """Rows whose VAT number other rows of the file use under a different ERP ID."""
    kinds = frame.dropna(subset=["tax_id"]).groupby("tax_id")["erp_id"].nunique()
    return ~frame["tax_id"].isin(set(kinds[kinds > 1].index))


def message(code: str, field: str, value: str) -> str:
    """The message of a problem a check finds by itself (not a field's rule: the rules
    write their own), from its code's template."""
    return CODES[code].message(
        label=label(field),
        value=value,
        length=len(value),
        maximum=FIELDS[field].max_length,
        undecodable=undecodable_part(value),
    )
