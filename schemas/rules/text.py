"""Text as every cell gets it: white space, digits of other scripts, undecodable bytes,
and the folding that header and value matching share."""

from __future__ import annotations

import re
import unicodedata

# White space as a spreadsheet user sees it, including no-break and thin spaces; an
# explicit class so that Python's re and pyarrow's RE2 agree on it.
_OTHER_SPACES = "\t\n\r\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
WHITESPACE = f"[ {_OTHER_SPACES}]+"
_SPACES = re.compile(WHITESPACE)
# What collapsing changes: white space other than a plain space, or two spaces in a row.
# Text without either only needs trimming (most columns: a quicker test than the rewrite).
WHITESPACE_TO_COLLAPSE = f"[{_OTHER_SPACES}]|  "
# C0 and C1 controls, Unicode's bidirectional controls (Bidi_Control: the marks and the
# embeddings, overrides and isolates that reorder what is shown, as in "Trojan Source",
# CVE-2021-42574) and the invisible tag characters: none is visible in a cell, and each
# makes a stored name or ERP ID differ from the one a person reads and types.
CONTROL_CHARACTERS = (
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\U000e0001\U000e0020-\U000e007f]"
)


# What Python's re matches, beyond the ASCII letters themselves, with an ASCII letter
# under ignore-case, and what its Unicode `\s` matches (found by testing every code point
# against Python's own re: tests/test_placeholders.py holds them equal).
_IGNORECASE_EXTRAS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
_PYTHON_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def ignorecase_spelled(pattern: str) -> str:
    r"""`(?i:pattern)` spelled without the flag and without `\s`, so RE2 (pyarrow) and
    Python's re decide it alike: every ASCII letter as the class of all characters Python
    matches it with, `\s` as the class of Python's white space. For patterns of literal
    letters, escapes, classes, groups and quantifiers (no ranges of letters)."""
    spelled, in_class, escaped = [], False, False
    for character in pattern:
        if escaped:
            escaped = False
            if character == "s":
                spelled.append(_PYTHON_SPACES if in_class else f"[{_PYTHON_SPACES}]")
            else:
                spelled.append("\\" + character)
        elif character == "\\":
            escaped = True
        elif character.isascii() and character.isalpha():
            variants = character.lower() + character.upper() + _IGNORECASE_EXTRAS.get(character.lower(), "")
            spelled.append(variants if in_class else f"[{variants}]")
        else:
            in_class = (in_class or character == "[") and character != "]"
            spelled.append(character)
    return "".join(spelled)


def clean_text(value: str) -> str:
    """Trim, and collapse inner runs of white space to one space."""
    return _SPACES.sub(" ", value).strip(" ")


def ascii_digits(text: str) -> str:
    """Digits typed in another script (full-width １２, Arabic-Indic ٥٦) as ASCII digits."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


_NOT_ALNUM = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """Fold a header or value for matching: no case, accents, spaces or punctuation.

    "Zip/Postal code", "zip postal-code" and "ZIP_POSTAL_CODE" share one key.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub("", stripped.casefold())


# A byte that a file's encoding cannot decode is read as a stand-in character, U+10FE00
# plus the byte: Python's own surrogate escapes cannot be held in Arrow text or written
# as UTF-8, and this private-use block is produced by no keyboard, code page or program.
# The `encoding` check rejects a cell holding one; reports show it as the byte, \xNN.
UNDECODABLE_BASE = 0x10FE00
UNDECODABLE_RANGE = "\U0010fe00-\U0010feff"
UNDECODABLE = f"[{UNDECODABLE_RANGE}]"
_UNDECODABLE = re.compile(UNDECODABLE)


def stand_in_for_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: every byte that cannot be decoded as its stand-in character."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(UNDECODABLE_BASE + byte) for byte in bad), error.end


def undecodable_part(value: str) -> str:
    """The stand-ins of undecodable bytes in the text, in order (shown by `visible`)."""
    return "".join(_UNDECODABLE.findall(value))


def visible(value: str) -> str:
    """The text as a person reads it in a report: each undecodable byte as \\xNN."""
    if value.isascii():
        return value
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - UNDECODABLE_BASE:02x}", value)
