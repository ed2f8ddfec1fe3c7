"""File names as text: in JSON, in the store, and as the name of a report folder.

A file name is whatever bytes the user's file system holds. Python hands a name that is
not UTF-8 over as a `str` with lone surrogates (PEP 383), which no UTF-8 encoder accepts:
`text_of` shows such bytes as `\\xNN` instead. `folder_name` makes one harmless path
component out of any name, so a report folder always lands inside the report directory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

# Most file systems allow 255 bytes per name component.
NAME_MAX = 255
# Characters a folder name should not hold: separators, and what is invisible or moves
# the cursor (controls, bidi overrides, line separators).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def text_of(name: str | PurePath) -> str:
    """`name` as valid Unicode text, undecodable bytes shown as `\\xNN`."""
    text = str(name)
    if text.isascii():
        return text
    try:
        # Surrogate escapes back to the bytes they stand for, each undecodable one spelt out.
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def plain_json(value: Any) -> Any:
    """`value` with every string, path and key as valid Unicode text (see `text_of`)."""
    if isinstance(value, str | PurePath):
        return text_of(value)
    if isinstance(value, Mapping):
        return {text_of(str(k)): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def folder_name(path: str | PurePath, suffix: str = "") -> str:
    """A report folder's name made from a file's name: its stem, then `suffix`.

    Whatever the file is called (`...csv`, `..csv`, `.csv`, 250 bytes long, not UTF-8),
    the result is one visible path component: no separator, no leading dot, no control
    or bidi character, valid UTF-8, and at most 255 bytes including `suffix`.
    """
    stem = PurePath(text_of(path)).stem
    cleaned = "".join("_" if _unsafe(c) else c for c in stem).lstrip(". ")
    budget = NAME_MAX - len(suffix.encode("utf-8"))
    cut = cleaned.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" ")
    return (cut or "file") + suffix


def _unsafe(character: str) -> bool:
    return character in "/\\" or unicodedata.category(character) in _UNSAFE_CATEGORIES
