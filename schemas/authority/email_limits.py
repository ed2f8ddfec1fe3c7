"""E-mail addresses by the RFC limits and our decisions on the RFC's rarely used forms.

email-validator parses an address but checks the local part's length only in its strict
mode, and accepts a one-letter top-level domain. The limits and decisions here:

- RFC 5321 §4.5.3.1.1: a local part (before the @) is at most 64 octets.
- RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an
  address is at most 254 octets (RFC 3696 erratum 1690).
- A quoted local part (`"john doe"@example.com`) is refused: RFC 5321 §4.1.2 says a
  host SHOULD avoid mailboxes that need the quoted form, and the portal, CRM and
  mailing software that read our store do not all accept it. email-validator refuses
  it by default, and so do we.
- An IP-literal domain (`jan@[192.0.2.1]`) is refused: RFC 5321 §2.3.5 names hosts by
  domain names, and a customer's contact address on a bare IP address is a test or a typo.
- A one-letter top-level domain (`jan@example.x`) is refused: none exists, and none can
  be delegated (ICANN delegates two-letter ccTLDs from ISO 3166-1 and gTLDs of at least
  three characters; RFC 1123 §2.1 and RFC 3696 §2 rule out all-numeric ones). Nor one
  with a digit or hyphen (`example.c0m`): ICANN delegates ASCII top-level domains of
  letters only (gTLD Applicant Guidebook §2.2.1.3.2), and internationalized ones as
  `xn--` labels, which are left to IDNA.
- Full-width and other compatibility characters before the @ (`ｊｏｈｎ@example.com`, typed
  with an East Asian input method still on, or `ﬁ`, `ĳ`) are refused: the mailbox `ｊｏｈｎ`
  is not `john`, and internationalized addresses are held to the PRECIS IdentifierClass
  (RFC 8264 §9.17 disallows every character with a compatibility decomposition; the IETF
  mailmaint draft "SMTPUTF8 address syntax" applies that class to addresses). The domain
  needs no such rule: IDNA maps it (`ｅｘａｍｐｌｅ.com` → `example.com`).
"""

from __future__ import annotations

import unicodedata

LOCAL_PART_OCTETS = 64
ADDRESS_OCTETS = 254


def limit_problem(address: str) -> str | None:
    """Why an address breaks the RFC limits or our decisions (None when it keeps them)."""
    local, at, domain = address.rpartition("@")
    if not at:
        return None
    if local.startswith('"'):
        return (
            "a quoted part before the @ is not accepted (RFC 5321 §4.1.2: mailboxes should not need quotes)"
        )
    if domain.startswith("["):
        return "an IP address after the @ is not accepted: use the domain name"
    # A lone surrogate has no UTF-8 form; counted as its three bytes, the parser rejects it.
    local_octets = len(local.encode("utf-8", "surrogatepass"))
    if local_octets > LOCAL_PART_OCTETS:
        return f"the part before the @ is {local_octets} bytes long; at most {LOCAL_PART_OCTETS} (RFC 5321)"
    total = len(address.encode("utf-8", "surrogatepass"))
    if total > ADDRESS_OCTETS:
        return f"the address is {total} bytes long; at most {ADDRESS_OCTETS} (RFC 5321)"
    top = domain.rstrip(".").rpartition(".")[2]
    if len(top) == 1:
        return f"the domain ends in .{top}, and no one-letter top-level domain exists"
    if top.isascii() and not top.lower().startswith("xn--") and not top.isalpha():
        return f"the domain ends in .{top}, and a top-level domain is letters only"
    return None


def compatibility_problem(local_part: str) -> str | None:
    """Why a local part (in NFC, as email-validator gives it) holds full-width or other
    compatibility characters, naming them and the plain form (None when it holds none)."""
    plain = unicodedata.normalize("NFKC", local_part)
    if plain == local_part:
        return None
    odd = "".join(dict.fromkeys(c for c in local_part if unicodedata.normalize("NFKC", c) != c))
    return (
        f"the part before the @ holds full-width or compatibility characters ({odd}), "
        f"another mailbox than {plain}: type it in plain characters (RFC 8264)"
    )
