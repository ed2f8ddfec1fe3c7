"""States and provinces as postal operators and GeoNames spell them, stored by official name.

ISO 3166-2 (through pycountry) names some subdivisions with a bracketed alternative,
`Barcelona [Barcelona]`, `A Coruña [La Coruña]`, and inverts others for sorting,
`Murcia, Región de`: neither is how the province is written on an address. Real files
spell provinces as Correos and Poste Italiane print them, or as GeoNames' postal extracts
list them (`Baleares`, `Reggio di Calabria`, `Forli`, `Bolzano/Bozen`): those spellings
are matched here and the stored value is the official name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

# Spellings of provinces that ISO 3166-2 and its translations do not list, by the
# authority that uses them, → ISO 3166-2 code.
ALIASES: dict[str, dict[str, str]] = {
    # Correos' Spanish province names (códigos postales by province) and GeoNames' ES
    # extract, where the official name is the Catalan, Basque or Galician one.
    "ES": {
        "Baleares": "ES-PM",
        "Islas Baleares": "ES-PM",
        "Balears": "ES-PM",
        "Illes Balears": "ES-PM",
        "Gerona": "ES-GI",
        "Lérida": "ES-L",
        "Orense": "ES-OR",
        "La Coruña": "ES-C",
        "Coruña": "ES-C",
        "Guipúzcoa": "ES-SS",
        "Vizcaya": "ES-BI",
        "Álava": "ES-VI",
        "Araba": "ES-VI",
        "Castellón de la Plana": "ES-CS",
        "Castelló": "ES-CS",
        "Alacant": "ES-A",
        "València": "ES-V",
        "Santa Cruz de Tenerife": "ES-TF",
        "Tenerife": "ES-TF",
        "Palmas": "ES-GC",
        "Rioja": "ES-LO",
    },
    # Poste Italiane's and GeoNames' IT spellings of provinces.
    "IT": {
        "Reggio di Calabria": "IT-RC",
        "Reggio nell'Emilia": "IT-RE",
        "Forli": "IT-FC",
        "Forlì": "IT-FC",
        "Forli'-Cesena": "IT-FC",
        "Bolzano-Bozen": "IT-BZ",
        "Bolzano/Bozen": "IT-BZ",
        "Bozen": "IT-BZ",
        "Alto Adige": "IT-BZ",
        "Südtirol": "IT-BZ",
        "Pesaro-Urbino": "IT-PU",
        "Pesaro Urbino": "IT-PU",
        "Massa Carrara": "IT-MS",
        "Monza Brianza": "IT-MB",
        "Monza e della Brianza": "IT-MB",
        "Aosta": "IT-AO",
        "Aoste": "IT-AO",
        "Valle d'Aosta/Vallée d'Aoste": "IT-AO",
        "Barletta Andria Trani": "IT-BT",
        "Verbano Cusio Ossola": "IT-VB",
        "Carbonia-Iglesias": "IT-SU",
        "Medio Campidano": "IT-SU",
        "Ogliastra": "IT-NU",
        "Olbia-Tempio": "IT-SS",
    },
}
# The words an address or extract may put before a province's name.
_PROVINCE_WORDS = re.compile(
    r"(?:provincia|province|provincie|provinz|citta metropolitana) (?:di |de |of |del )?"
)
_BRACKETED = re.compile(r"\s*\[[^\]]*\]")
_INVERTED = re.compile(r"([^,]+), ([^,]+)")


def key(text: str) -> str:
    """Fold a spelling for matching: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", stripped.casefold())


def official_name(iso_name: str, country: str) -> str:
    """The name an address writes for an ISO 3166-2 name.

    `Barcelona [Barcelona]` → `Barcelona`, `A Coruña [La Coruña]` → `A Coruña` (the
    official name is the first; the bracket is ISO's alternative); Spain's sorting forms
    `Murcia, Región de` → `Región de Murcia` (ISO 3166-2:ES lists them inverted).
    """
    name = _BRACKETED.sub("", iso_name).strip()
    inverted = _INVERTED.fullmatch(name)
    if country == "ES" and inverted:
        name = f"{inverted.group(2)} {inverted.group(1)}"
    return name


@cache
def _iso_names(country: str) -> dict[str, str]:
    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]  # untyped
    return {sub.code: official_name(sub.name, country) for sub in found or []}


# Codes Google's address data uses that ISO 3166-2 files under another: the province of
# Aosta is the autonomous region Valle d'Aosta itself (ISO 3166-2:IT lists it as IT-23).
SAME_SUBDIVISION = {"IT-AO": "IT-23"}


def subdivision_name(code: str) -> str | None:
    """The official name of an ISO 3166-2 subdivision (`ES-B` → `Barcelona`), or None."""
    code = SAME_SUBDIVISION.get(code, code)
    return _iso_names(code.split("-", 1)[0]).get(code)


@cache
def _alias_index(country: str) -> dict[str, str]:
    return {key(alias): code for alias, code in ALIASES.get(country, {}).items()}


def alias_code(text: str, country: str) -> str | None:
    """The ISO 3166-2 code of a postal operator's or GeoNames' spelling, or None."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _PROVINCE_WORDS.sub("", plain, count=1)
    return _alias_index(country).get(key(folded)) or _alias_index(country).get(key(text))
