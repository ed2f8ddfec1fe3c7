"""Who imports and who reviews: names recorded on batches, audit rows and decisions.

The four-eyes rule compares these names, so none may be empty: the operating system's
account comes from the user database by the process's user id (an environment variable
such as USER is only a fallback, and it is not enough alone to pass as someone else),
and a file dropped into a sweep's folder belongs to its owner.
"""

from __future__ import annotations

import os
import pwd
import unicodedata
from collections.abc import Iterable
from pathlib import Path

# The store keeps who imported and who reviewed in columns of this many characters
# (`pipeline.store.tables`); a longer name failed the load on PostgreSQL only.
NAME_MAX = 200


def name_problem(name: str) -> str | None:
    """Why `name` cannot be recorded as who imports or reviews, or None when it can."""
    if not name.strip():
        return "is empty"
    if len(name) > NAME_MAX:
        return f"is {len(name)} characters long; at most {NAME_MAX} are kept"
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in name):
        return "holds a control or invisible formatting character"
    return None


def login_name() -> str | None:
    """The login name of the account this process runs as, or None when unknown."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        pass  # a container's uid without an entry in /etc/passwd
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        name = os.environ.get(variable, "").strip()
        if name:
            return name
    return None


def account() -> str:
    """The account this process runs as: its login name, else its numeric user id."""
    return login_name() or f"uid {os.geteuid()}"


def owner(path: Path) -> str:
    """The login name of a file's owner (who dropped it), else its numeric user id."""
    uid = path.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def same_person(names: Iterable[str | None], others: Iterable[str | None]) -> str | None:
    """The first name found in both lists (compared without case, accents' forms and
    extra spaces), or None when the two lists name different people."""
    mine = {_key(n) for n in names if n and n.strip()}
    for name in others:
        if name and name.strip() and _key(name) in mine:
            return name
    return None


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
