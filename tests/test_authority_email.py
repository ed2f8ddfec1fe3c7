"""E-mail addresses by the RFC limits (`schemas/authority/email_limits.py`).

Sources: RFC 5321 §4.5.3.1 (64-octet local part; 256-octet path, so 254 for an address,
RFC 3696 erratum 1690), RFC 5321 §4.1.2 (quoted local parts), RFC 3696 §2 (top-level
domains); the over-long vectors are those of email-validator's own tests
(`test_email_address_too_long`-style: 64 and 65 characters before the @); RFC 8264 §9.17
(compatibility characters).
"""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

from schemas.authority.email_limits import ADDRESS_OCTETS, LOCAL_PART_OCTETS, limit_problem
from schemas.rules.contact import normalize_email

LONG_DOMAIN = ".".join(["d" * 63] * 3) + ".com"  # 195 characters, every label at its limit


@pytest.mark.parametrize(
    "address",
    [
        "jan@example.com",
        "x" * 64 + "@example.com",  # the longest local part
        "ü" * 32 + "@example.com",  # 64 octets in UTF-8
        "x" * 58 + "@" + LONG_DOMAIN,  # 254 octets: the longest address
        "info@example.nl",
        "jan@example.co.uk",
        "jan@xn--bcher-kva.example",
        "jan@example.xn--p1ai",  # .рф, an internationalized TLD as IDNA writes it
    ],
)
def test_addresses_within_the_limits_pass(address: str) -> None:
    """It passes addresses at or within every limit."""
    assert limit_problem(address) is None


@pytest.mark.parametrize(
    ("address", "named"),
    [
        ("x" * 65 + "@example.com", "65 bytes"),
        ("ü" * 33 + "@example.com", "66 bytes"),  # 33 characters, 66 octets
        ("x" * 59 + "@" + LONG_DOMAIN, "255 bytes"),
        ('"john doe"@example.com', "quoted"),
        ("jan@[192.0.2.1]", "IP address"),
        ("jan@[IPv6:2001:db8::1]", "IP address"),
        ("jan@example.x", ".x"),
        ("jan@b.c", ".c"),
        ("jan@example.c0m", "letters only"),  # ICANN delegates letters-only ASCII TLDs
        ("jan@example.co-m", "letters only"),
    ],
)
def test_addresses_beyond_a_limit_say_which(address: str, named: str) -> None:
    """It rejects what the RFC limits or our decisions rule out, and says which."""
    problem = limit_problem(address)
    assert problem is not None
    assert named in problem


def test_email_validator_alone_lets_a_long_local_part_through() -> None:
    """It exists because email-validator accepts a 65-octet local part outside strict mode."""
    validate_email("x" * 65 + "@example.com", check_deliverability=False)
    with pytest.raises(EmailNotValidError):
        validate_email("x" * 65 + "@example.com", check_deliverability=False, strict=True)


def test_the_limits_are_rfc_5321s() -> None:
    """It holds RFC 5321's numbers."""
    assert (LOCAL_PART_OCTETS, ADDRESS_OCTETS) == (64, 254)


@given(st.text(max_size=300))
def test_limit_problem_never_raises(text: str) -> None:
    """It answers for any text."""
    assert limit_problem(text) is None or isinstance(limit_problem(text), str)


# Full-width and compatibility characters before the @: the mailbox a person meant is the
# plain one (RFC 8264 §9.17: PRECIS IdentifierClass disallows them). email-validator's own
# valid internationalized vectors (its tests/test_syntax.py) stay valid.
@pytest.mark.parametrize(
    ("address", "plain"),
    [
        ("ｊｏｈｎ@example.com", "john"),  # an East Asian input method left in full-width mode
        ("ｊohn@example.com", "john"),
        ("ﬁnance@example.com", "finance"),  # a typographic ligature pasted from a document
        ("ĳ@example.nl", "ij"),
        ("ﾃｽﾄ@example.jp", "テスト"),  # half-width katakana
    ],
)
def test_compatibility_characters_before_the_at_are_rejected(address: str, plain: str) -> None:
    """It rejects a local part with full-width or compatibility characters, naming the plain form."""
    outcome = normalize_email(address)
    assert outcome.code == "invalid_email"
    assert f"another mailbox than {plain}" in outcome.message


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("伊昭傑@郵件.商務", "伊昭傑@郵件.商務"),  # email-validator's vectors
        ("юзер@екзампл.ком", "юзер@екзампл.ком"),
        ("e\u0301lise@example.com", "\u00e9lise@example.com"),  # decomposed: stored in NFC
        ("テスト@example.jp", "テスト@example.jp"),
        ("john@ｅｘａｍｐｌｅ.com", "john@example.com"),  # IDNA maps the domain
    ],
)
def test_plain_unicode_addresses_are_kept(address: str, stored: str) -> None:
    """It keeps internationalized addresses without compatibility characters."""
    assert normalize_email(address) == (stored, None, "")


@pytest.mark.parametrize("address", ["\ud800@example.com", "jan@\udc00.com"])
def test_a_lone_surrogate_is_rejected_without_a_traceback(address: str) -> None:
    """It rejects an address with an unpaired surrogate (validator.js's vectors), raising nothing."""
    assert normalize_email(address).code == "invalid_email"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Jan Jansen <jan@example.nl>", "give jan@example.nl alone"),
        ('"Jansen, Jan" <jan@example.nl>', "give jan@example.nl alone"),
        ("<jan@example.nl>", "give jan@example.nl alone"),
        ("mailto:jan@example.nl", "mailto: link: give jan@example.nl alone"),
        ("jan@example.nl; piet@example.nl", "several addresses"),
        ("jan@example.nl, piet@example.nl", "several addresses"),
    ],
)
def test_what_a_mail_program_copies_along_is_named(typed: str, words: str) -> None:
    """It rejects an address copied with a display name, as a mailto: link or with a
    second address, saying what to keep (they were rejected as just not valid)."""
    found = normalize_email(typed)
    assert found.code == "invalid_email" and words in found.message
