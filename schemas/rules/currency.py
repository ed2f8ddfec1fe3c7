"""Currency (ISO 4217 code, name or symbol) and industry (one of the configured list)."""

from __future__ import annotations

import re
from functools import lru_cache

from schemas.authority import currencies
from schemas.rules.outcome import CACHE_SIZE, Outcome, problem
from schemas.rules.text import clean_text, header_key

# The industries a configuration allows unless it names its own.
DEFAULT_INDUSTRIES = ("Commercial", "Education", "Government", "Healthcare", "Non-profit")

CURRENCY_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "us$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₺": "TRY",
    "zł": "PLN",
    "kč": "CZK",
    "ft": "HUF",
    "₽": "RUB",
    "₩": "KRW",
    "r$": "BRL",
    "a$": "AUD",
    "c$": "CAD",
    "chf": "CHF",
    "fr.": "CHF",
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "usdollar": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "poundsterling": "GBP",
}


_CURRENCY_WORDS = re.compile(r"[^\W\d_]+(?:[ .'-][^\W\d_]+)*\.?")


def _read_currency_index() -> dict[str, str]:
    import pycountry  # here, not above: the configuration imports this module's defaults

    index: dict[str, str] = {}
    for currency in pycountry.currencies:
        index[header_key(currency.alpha_3)] = currency.alpha_3
        index.setdefault(header_key(currency.name), currency.alpha_3)
    return index


_currency_index = lru_cache(maxsize=1)(_read_currency_index)
_NOT_A_CURRENCY = "is not an ISO 4217 code, name or symbol"


@lru_cache(maxsize=1)
def _withdrawn_index() -> dict[str, str]:
    """Key of every withdrawn code and former euro-area currency's name → the code."""
    index = {header_key(code): code for code in currencies.REPLACED_BY}
    return index | {header_key(name): code for name, code in currencies.REPLACED_NAMES.items()}


def _normalize_currency(value: str, allowed: tuple[str, ...] = ()) -> Outcome:
    """An ISO 4217 code, name or symbol (`Euro`, `eur`, `€`) → the code; a withdrawn code
    (`NLG`) or one that is no currency (`XTS`) is named as such (`authority/currencies.py`)."""
    text = clean_text(value)
    code = CURRENCY_SYMBOLS.get(text.casefold())
    key = header_key(text)
    if code is None and _CURRENCY_WORDS.fullmatch(text):
        code = _currency_index().get(key) or CURRENCY_SYMBOLS.get(key)
    if code is None:
        withdrawn = _withdrawn_index().get(key)
        why = currencies.withdrawn_problem(withdrawn) if withdrawn else None
        return problem("unknown_currency", value=value, problem=why or _NOT_A_CURRENCY)
    why = currencies.not_money_problem(code)
    if why is not None:
        return problem("unknown_currency", value=value, problem=why)
    if allowed and code not in allowed:
        return problem("currency_not_allowed", value=value, currency=code, allowed=", ".join(allowed))
    return Outcome(code)


normalize_currency = lru_cache(maxsize=CACHE_SIZE)(_normalize_currency)


def _normalize_industry(value: str, industries: tuple[str, ...]) -> Outcome:
    """One of the configured industries, matched without case or punctuation."""
    for industry in industries:
        if header_key(industry) == header_key(value):
            return Outcome(industry)
    return problem("unknown_industry", value=value, industries=", ".join(industries))


normalize_industry = lru_cache(maxsize=CACHE_SIZE)(_normalize_industry)
