"""Currency codes that are in ISO 4217 but no money a new customer pays in.

pycountry lists ISO 4217's current codes (List One) and nothing else, so a withdrawn code
(`NLG`, `DEM`) reads as unknown, and every code of List One passes, those that are no
currency included. The rules here:

- **Withdrawn codes** (ISO 4217 List Three, historic denominations): the euro area's
  former currencies, withdrawn when the euro replaced them, and the codes replaced at a
  redenomination or a new currency. Rejected, naming the code that replaced each.
- **Codes that are no currency** (ISO 4217 List One, the "X" codes without a country):
  `XTS` is reserved for testing, `XXX` marks a transaction with no currency, the precious
  metals and the bond-market and accounting units (`XAU`, `XBA`, `XDR`, `XSU`, `XUA`).
  No invoice is paid in them. The fund codes (`CHW`, `CLF`, …) are left alone: some are
  settled in (WIR francs, Chile's Unidad de Fomento).
"""

from __future__ import annotations

# ISO 4217 List Three: the withdrawn code → the current code that took its place.
_EURO_AREA = (
    "ADP ATS BEF BGN CYP DEM EEK ESP FIM FRF GRD HRK IEP ITL LTL LUF LVL MCF MTL NLG PTE SIT SKK SML VAL XEU"
)
REPLACED_BY: dict[str, str] = dict.fromkeys(_EURO_AREA.split(), "EUR") | {
    "ANG": "XCG",  # Netherlands Antillean guilder → Caribbean guilder
    "AZM": "AZN",
    "BGL": "EUR",  # replaced by BGN in 1999, and BGN by the euro in 2026
    "BYR": "BYN",
    "CSD": "RSD",
    "CUC": "CUP",
    "ECS": "USD",
    "GHC": "GHS",
    "MGF": "MGA",
    "MRO": "MRU",
    "MZM": "MZN",
    "PLZ": "PLN",
    "ROL": "RON",
    "RUR": "RUB",
    "SDD": "SDG",
    "SLL": "SLE",
    "SRG": "SRD",
    "STD": "STN",
    "TMM": "TMT",
    "TRL": "TRY",
    "VEB": "VES",
    "VEF": "VES",
    "YUM": "RSD",
    "ZMK": "ZMW",
    "ZWD": "ZWG",
    "ZWL": "ZWG",
}
# The English names of the euro area's former currencies as ISO 4217 List Three gives
# them, which sheets also carry.
REPLACED_NAMES: dict[str, str] = {
    "Austrian Schilling": "ATS",
    "Bulgarian Lev": "BGN",
    "Belgian Franc": "BEF",
    "Cyprus Pound": "CYP",
    "Deutsche Mark": "DEM",
    "Estonian Kroon": "EEK",
    "Spanish Peseta": "ESP",
    "Markka": "FIM",
    "French Franc": "FRF",
    "Drachma": "GRD",
    "Kuna": "HRK",
    "Irish Pound": "IEP",
    "Italian Lira": "ITL",
    "Lithuanian Litas": "LTL",
    "Luxembourg Franc": "LUF",
    "Latvian Lats": "LVL",
    "Maltese Lira": "MTL",
    "Netherlands Guilder": "NLG",
    "Portuguese Escudo": "PTE",
    "Tolar": "SIT",
    "Slovak Koruna": "SKK",
    "European Currency Unit": "XEU",
}
# ISO 4217 List One's codes that are no currency, and what each is.
NOT_MONEY: dict[str, str] = {
    "XTS": "reserved for testing",
    "XXX": "the code for transactions without a currency",
    "XAU": "gold (a troy ounce)",
    "XAG": "silver (a troy ounce)",
    "XPT": "platinum (a troy ounce)",
    "XPD": "palladium (a troy ounce)",
    "XBA": "a bond-market unit",
    "XBB": "a bond-market unit",
    "XBC": "a bond-market unit",
    "XBD": "a bond-market unit",
    "XDR": "the IMF's special drawing right, a unit of account",
    "XSU": "the Sucre, a unit of account of ALBA's central banks",
    "XUA": "the African Development Bank's unit of account",
}


def withdrawn_problem(code: str) -> str | None:
    """Why a withdrawn ISO 4217 code is no currency to invoice in, naming its successor."""
    successor = REPLACED_BY.get(code)
    if successor is None:
        return None
    return f"is withdrawn from ISO 4217: use {successor}"


def not_money_problem(code: str) -> str | None:
    """Why an ISO 4217 code that is no currency is none (None for a currency)."""
    what = NOT_MONEY.get(code)
    return None if what is None else f"is no currency a customer pays in: {code} is {what} (ISO 4217)"
