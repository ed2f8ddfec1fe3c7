"""Every rule beyond our libraries, one line each: field, countries, rule, code, severity,
authority, and an example value the rule decides.

`docs/rules.md` is this table written out, and `tests/test_authority_catalog.py` holds the
two equal; the same test runs each example through the field's rule and expects the code.
A rule that only lets a value through (a prefix, a spelling) has no code (`—`).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.authority.postcodes import (
    COUNTRY_PREFIXES,
    LEADING_RANGES,
    NATIONAL_PREFIXES,
    REGION_FROM_POSTCODE,
)


@dataclass(frozen=True)
class Rule:
    """One rule: where it applies, what it decides, and on whose authority."""

    field: str
    countries: tuple[str, ...]  # ISO codes; empty: every country
    rule: str
    code: str  # "—" where the rule accepts a value the library refused
    severity: str  # "error", "warning" or "—"
    authority: str
    example: str  # a value the rule decides as `code` says, for a customer in `at`
    at: str = ""  # the example's country; default: the first of `countries`

    @property
    def example_country(self) -> str:
        return self.at or (self.countries[0] if self.countries else "NL")

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """The rule as a row of docs/rules.md."""
        countries = ", ".join(self.countries) if self.countries else "all"
        code = f"`{self.code}`" if self.code != "—" else "—"
        return (f"`{self.field}`", countries, self.rule, code, self.severity, self.authority)


# An example just outside each country's range.
_OUTSIDE = {
    "AT": "0999",
    "BE": "0123",
    "CH": "0999",
    "CY": "0999",
    "CZ": "800 00",
    "GR": "012 34",
    "HR": "60000",
    "HU": "0999",
    "IS": "099",
    "SI": "0999",
    "SK": "500 01",
    "DE": "00999",
    "DK": "0700",
    "ES": "53001",
    "FR": "96100",
    "IT": "00009",
    "LU": "0999",
    "NO": "0000",
    "PT": "0999-999",
    "SE": "012 34",
    "US": "00210",
}

_RANGES = tuple(
    Rule(
        "postal_code",
        (country,),
        f"postcodes {rule.described}",
        "invalid_postal_code",
        "error",
        rule.authority,
        _OUTSIDE[country],
    )
    for country, rule in sorted(LEADING_RANGES.items())
)

_POSTCODES = (
    Rule(
        "postal_code",
        ("IE",),
        "Eircode: routing key of a letter and 2 digits (or D6W), then 4 of 0–9 A C D E F H K N P R T V W X Y",
        "invalid_postal_code",
        "error",
        "Eircode, address and postcode structure",
        "D02 B285",
    ),
    Rule(
        "postal_code",
        ("IE",),
        "Eircode routing key not among the 139 Eircode publishes: kept, flagged",
        "postal_code_unverified",
        "warning",
        "Eircode, routing-key list",
        "A65 F4E2",
    ),
    Rule(
        "postal_code",
        tuple(sorted(COUNTRY_PREFIXES)),
        "a country prefix (`D-01067`, `CH-8001`, `SE-111 20`, `LT-01100`, `DK 1125`) of the customer's "
        "country is accepted and stored in the national form",
        "—",
        "—",
        "UPU addressing (ISO 3166 prefix); CEPT vehicle-code prefixes; Lietuvos paštas (LT-), "
        "Posta Moldovei (MD-)",
        "D-01067",
        "DE",
    ),
    Rule(
        "postal_code",
        tuple(sorted(COUNTRY_PREFIXES)),
        "a country prefix of another country is rejected, naming that country",
        "invalid_postal_code",
        "error",
        "UPU addressing (ISO 3166 prefix); CEPT vehicle-code prefixes",
        "A-1010",
        "DE",
    ),
    Rule(
        "postal_code",
        ("DE", "DK", "ES", "FI", "FR", "IT", "NO", "PL", "US"),
        "a postcode one or two digits short that fits once zeros are put back: "
        "the message says a spreadsheet dropped the leading zero",
        "invalid_postal_code",
        "error",
        "spreadsheets read digits as numbers (LIBRARY-NOTES)",
        "1067",
        "DE",
    ),
    Rule(
        "postal_code",
        tuple(sorted(NATIONAL_PREFIXES)),
        "a postcode typed without the letters its operator writes first (`1050` in Latvia, `500` in "
        "Andorra) is accepted and stored with them (`LV-1050`, `AD500`)",
        "—",
        "—",
        "Latvijas Pasts (LV-NNNN); the postal formats of Andorra, Barbados, St Vincent, the BVI, El Salvador",
        "1050",
        "LV",
    ),
    Rule(
        "postal_code",
        ("GB", "GG", "IM", "JE"),
        "a letter after the district only where Royal Mail puts one: A9A's third character one of "
        "A B C D E F G H J K P S T U W, AA9A's fourth one of A B E H M N P R V W X Y",
        "invalid_postal_code",
        "error",
        "Royal Mail, Postcode Address File (postcode format)",
        "EC1Z 8SY",
        "GB",
    ),
)

_STATES = (
    Rule(
        "state",
        REGION_FROM_POSTCODE,
        "a blank province is taken from the postcode (Spain's province number, Italy's CAP range)",
        "state_from_postal_code",
        "warning",
        "Correos; Poste Italiane (Google's per-province postcode ranges)",
        "08001",  # the postcode; the state is blank
    ),
    Rule(
        "state",
        ("ES", "IT"),
        "the postal operators' and GeoNames' spellings (`Baleares`, `Reggio di Calabria`, `Forli`, "
        "`Bolzano-Bozen`) are matched",
        "—",
        "—",
        "Correos; Poste Italiane; GeoNames postal extracts",
        "Baleares",
    ),
    Rule(
        "state",
        (),
        "stored as the official name, without ISO's bracketed alternative "
        "(`Barcelona`, not `Barcelona [Barcelona]`)",
        "—",
        "—",
        "ISO 3166-2 (first name is the official one)",
        "Barcelona",
        "ES",
    ),
)

_EMAIL = (
    Rule("contact_email", (), "at most 64 octets before the @", "invalid_email", "error",
         "RFC 5321 §4.5.3.1.1", "x" * 65 + "@example.com"),
    Rule("contact_email", (), "at most 254 octets in all", "invalid_email", "error",
         "RFC 5321 §4.5.3.1.3; RFC 3696 erratum 1690",
         "x" * 60 + "@" + ".".join(["d" * 63] * 3) + ".com"),
    Rule("contact_email", (), "no quoted local part (`\"john doe\"@…`)", "invalid_email", "error",
         "RFC 5321 §4.1.2", '"john doe"@example.com'),
    Rule("contact_email", (), "no IP-literal domain (`jan@[192.0.2.1]`)", "invalid_email", "error",
         "RFC 5321 §4.1.3, §2.3.5", "jan@[192.0.2.1]"),
    Rule("contact_email", (), "no one-letter top-level domain", "invalid_email", "error",
         "ICANN TLD delegation; RFC 3696 §2", "jan@example.x"),
    Rule("contact_email", (), "no digit or hyphen in an ASCII top-level domain (`jan@example.c0m`)",
         "invalid_email", "error", "ICANN gTLD Applicant Guidebook §2.2.1.3.2 (letters only)",
         "jan@example.c0m"),
    Rule("contact_email", (), "no full-width or other compatibility characters before the @ "
         "(`ｊｏｈｎ@…`, `ﬁnance@…`)", "invalid_email", "error",
         "RFC 8264 §9.17 (PRECIS IdentifierClass); IETF mailmaint, SMTPUTF8 address syntax",
         "ｊｏｈｎ@example.com"),
)  # fmt: skip

_TAX = (
    Rule("tax_id", ("NO",), "an organisation number without `MVA` (`NO974760673`) is read as the VAT number "
         "it is part of, stored `974760673MVA`", "—", "—",
         "Skatteetaten (the VAT number is the organisation number and MVA)", "NO974760673"),
    Rule("tax_id", (), "outside the EU, the country's ISO code written before the number (`RU0274051582`, "
         "`RS100010812`) is no part of it: the number is checked and stored without it", "—", "—",
         "VAT numbers in international trade carry the ISO 3166 code (as in VIES)", "RU0274051582", "RU"),
    Rule("tax_id", ("CH",), "a UID without `MWST`, `TVA` or `IVA` (`CHE-116.281.710`) is rejected saying the "
         "suffix is missing: the UID alone does not show a VAT registration", "invalid_tax_id", "error",
         "Swiss Federal Tax Administration (the VAT number is the UID and MWST/TVA/IVA)", "CHE-116.281.710"),
    Rule("tax_id", (), "zeros only is a placeholder, however the check digits work out", "invalid_tax_id",
         "error", "tax authorities issue no such number", "BG000000000", "BG"),
    Rule("tax_id", ("GB",), "9/12-digit numbers in blocks HMRC never issues (old scheme 0100000–0999999, "
         "9490001–9700000, 9990001–9999999; 9755 scheme up to 1000000)", "invalid_tax_id", "error",
         "HMRC VAT number check-digit rules", "GB999999973"),
)  # fmt: skip

_REGISTRATION = (
    Rule("registration_number", ("SE",), "a personal identity number (digits 3–4 a month) is no "
         "organisation number (digits 3–4 at least 20)", "invalid_registration_number", "error",
         "Skatteverket SKV 709, SKV 704", "811218-9876"),
    Rule("registration_number", ("DE",), "a Handelsregister number without its court (`HRB 12345`) "
         "is accepted, flagged as unverifiable", "registration_number_unverified", "warning",
         "handelsregister.de (court, register, number)", "HRB 12345"),
    Rule("registration_number", ("NL",), "a 12-digit branch number (vestigingsnummer) is named as such",
         "invalid_registration_number", "error", "KVK", "000012345678"),
    Rule("registration_number", ("NL",), "a 9-digit RSIN is named as such", "invalid_registration_number",
         "error", "KVK; Belastingdienst", "123456782"),
    Rule("registration_number", (), "zeros only is a placeholder", "invalid_registration_number",
         "error", "no register issues one (KVK, Handelsregister, …)", "000000", "IT"),
    Rule("registration_number", ("NL", "DK", "PL", "BE", "DE", "FR"), "the register's name written with the "
         "number (`KvK 12345678`, `CVR-nr. 13585628`, `Amtsgericht München HRB 12345`, "
         "`RCS Paris B 552 081 317`) is no part of it: the number is checked and stored without it", "—", "—",
         "KVK; Erhvervsstyrelsen (CVR); KRS; KBO/BCE; Handelsregister; INSEE (SIREN) and the greffes (RCS)",
         "KvK-nummer: 12345678"),
    Rule("registration_number", ("PL",), "a KRS number (the court register: 10 digits, from 0000000001) is "
         "accepted beside a REGON", "—", "—", "Krajowy Rejestr Sądowy (Ministry of Justice)",
         "KRS 0000028860"),
    Rule("registration_number", ("GB",), "a prefix Companies House does not give (`XY123456`) is rejected; "
         "its published prefixes (`SC`, `NI`, `OC`, `R0`, …) and 6 digits, and the suffixed forms on its "
         "register (`IP28746R`, `NI12345A`, `RS123CUS`), are accepted", "invalid_registration_number",
         "error", "Companies House, company number prefixes; FCA Mutuals Public Register", "XY123456"),
    Rule("registration_number", ("AT",), "a Firmenbuch number with its check letter in upper case "
         "(`FN 123456 A`) is accepted, stored in the register's lower case", "—", "—",
         "Firmenbuch (Austrian Ministry of Justice): FN, number, check letter", "FN 123456 A"),
    Rule("registration_number", ("NL", "GB"), "7 digits: the message says a spreadsheet dropped the leading "
         "zero", "invalid_registration_number", "error", "KVK; Companies House (8 digits, leading zeros)",
         "1234567"),
)  # fmt: skip

_PHONE = (
    Rule("contact_phone", (), "a number valid only in another country is stored and flagged, naming it",
         "phone_other_country", "warning", "ITU E.164 assignments (phonenumbers' metadata)",
         "+226 70 12 34 56", "US"),
    Rule("contact_phone", (), "digits that are valid once a dropped leading zero is put back: "
         "the message says so", "invalid_phone", "error", "spreadsheets read digits as numbers",
         "33123456789", "NL"),
    Rule("contact_phone", (), "an extension (`ext 12`, `x12`, `#12`) or letters, which phonenumbers "
         "drops or turns into keypad digits, are named, never stored altered", "invalid_phone", "error",
         "ITU-T E.164 (digits only, no extension); ITU-T E.161 (letters on a keypad)",
         "+31 40 123 4567 ext 12", "NL"),
    Rule("contact_phone", ("IT", "SM", "VA"), "the portal's `(0)` before a number whose leading zero is part "
         "of it (`+39 (0)6 …`) is read as typed, not dropped as a trunk zero", "—", "—",
         "ITU-T E.164 (Italy's numbers keep their leading zero)", "+39 (0)6 1234 5678", "IT"),
)  # fmt: skip

_CODES = (
    Rule("country", (), "a code or name withdrawn from ISO 3166-1 (`AN`, `YU`, `CS`, `Czechoslovakia`) "
         "is named as withdrawn", "unknown_country", "error",
         "ISO 3166-3, formerly used codes (pycountry's historic countries)", "AN"),
    Rule("currency", (), "a withdrawn code or former euro currency (`NLG`, `DEM`, `HRK`, `Deutsche Mark`) "
         "is rejected, naming the code that replaced it", "unknown_currency", "error",
         "ISO 4217 List Three (historic denominations)", "NLG"),
    Rule("currency", (), "a code that is no currency (`XTS` testing, `XXX` no currency, metals, "
         "bond-market and accounting units) is rejected", "unknown_currency", "error",
         "ISO 4217 List One", "XTS"),
)  # fmt: skip

RULES: tuple[Rule, ...] = _RANGES + _POSTCODES + _STATES + _EMAIL + _TAX + _REGISTRATION + _PHONE + _CODES
