"""Province spellings and official names (`schemas/authority/regions.py`).

Sources: Correos' Spanish province names and GeoNames' ES and IT postal extracts (the
spellings in ALIASES); ISO 3166-2 as pycountry ships it (the bracketed names).
"""

from __future__ import annotations

import pycountry
import pytest

from schemas.authority import regions


@pytest.mark.parametrize(
    ("iso_name", "country", "official"),
    [
        ("Barcelona [Barcelona]", "ES", "Barcelona"),
        ("A Coruña [La Coruña]", "ES", "A Coruña"),
        ("Illes Balears [Islas Baleares]", "ES", "Illes Balears"),
        ("Murcia, Región de", "ES", "Región de Murcia"),
        ("Valenciana, Comunidad", "ES", "Comunidad Valenciana"),
        ("Noord-Brabant", "NL", "Noord-Brabant"),
        ("Forlì-Cesena", "IT", "Forlì-Cesena"),
    ],
)
def test_the_official_name_has_no_bracket_and_no_inversion(
    iso_name: str, country: str, official: str
) -> None:
    """It drops ISO's bracketed alternative and turns Spain's sorting form round."""
    assert regions.official_name(iso_name, country) == official


@pytest.mark.parametrize("country", ["ES", "IT", "NL", "DE", "BE", "US", "CA", "AU"])
def test_no_stored_name_keeps_a_bracket(country: str) -> None:
    """It gives every subdivision of the countries we serve a name without brackets."""
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        name = regions.subdivision_name(sub.code)
        assert name and "[" not in name and "]" not in name, (sub.code, name)


@pytest.mark.parametrize(
    ("spelling", "country", "name"),
    [
        ("Baleares", "ES", "Illes Balears"),
        ("Islas Baleares", "ES", "Illes Balears"),
        ("Gerona", "ES", "Girona"),
        ("Lérida", "ES", "Lleida"),
        ("lerida", "ES", "Lleida"),
        ("Orense", "ES", "Ourense"),
        ("Castellón de la Plana", "ES", "Castellón"),
        ("Reggio di Calabria", "IT", "Reggio Calabria"),
        ("Reggio nell'Emilia", "IT", "Reggio Emilia"),
        ("Forli", "IT", "Forlì-Cesena"),
        ("Bolzano-Bozen", "IT", "Bolzano"),
        ("Bolzano/Bozen", "IT", "Bolzano"),
        ("Provincia di Reggio di Calabria", "IT", "Reggio Calabria"),
        ("Pesaro-Urbino", "IT", "Pesaro e Urbino"),
        ("Monza Brianza", "IT", "Monza e Brianza"),
    ],
)
def test_postal_and_geonames_spellings_name_the_province(spelling: str, country: str, name: str) -> None:
    """It matches the spelling real files use and gives the official name."""
    code = regions.alias_code(spelling, country)
    assert code is not None
    assert regions.subdivision_name(code) == name


def test_every_alias_names_a_real_subdivision_of_its_country() -> None:
    """It maps each alias onto an ISO 3166-2 code of the same country."""
    for country, aliases in regions.ALIASES.items():
        for alias, code in aliases.items():
            assert code.startswith(f"{country}-"), alias
            assert regions.subdivision_name(code), (alias, code)


@pytest.mark.parametrize(("spelling", "country"), [("Atlantis", "ES"), ("Baleares", "IT"), ("Forli", "ES")])
def test_an_unknown_spelling_names_nothing(spelling: str, country: str) -> None:
    """It finds no province for a name that is no alias of that country."""
    assert regions.alias_code(spelling, country) is None
