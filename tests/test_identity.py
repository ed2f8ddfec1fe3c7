"""Who imports and who reviews when the user database does not know the account: the
environment's login variables, in the order login programs set them."""

from __future__ import annotations

import os
import pwd

import pytest

from pipeline.identity import account, login_name, name_problem

VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")


@pytest.fixture
def stranger(monkeypatch: pytest.MonkeyPatch) -> int:
    """A user id without an entry in the user database (a container's), no login variable set."""
    uid = 54321
    try:
        pwd.getpwuid(uid)
        pytest.skip("user id 54321 has a login name on this machine")
    except KeyError:
        pass
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return uid


@pytest.mark.parametrize("variable", VARIABLES)
def test_a_login_variable_names_an_account_the_user_database_does_not_know(
    variable: str, stranger: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It takes the name from LOGNAME, USER, LNAME or USERNAME, trimmed, when the user
    database has no entry for the account."""
    monkeypatch.setenv(variable, " dana ")
    assert login_name() == "dana" and account() == "dana"


def test_the_first_login_variable_set_wins_and_a_blank_one_is_passed_over(
    stranger: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It passes over a blank variable and takes the first one set, in login's order."""
    monkeypatch.setenv("LOGNAME", "  ")
    monkeypatch.setenv("USER", "erik")
    monkeypatch.setenv("USERNAME", "someone-else")
    assert login_name() == "erik"


def test_without_any_name_the_account_is_its_user_id(stranger: int) -> None:
    """It names an account nobody can name by its user id, never by an empty name."""
    assert login_name() is None and account() == f"uid {stranger}"


@pytest.mark.parametrize(
    ("name", "problem"),
    [("dana", None), ("", "is empty"), ("x" * 201, "201 characters long"), ("a\u200bb", "invisible")],
)
def test_a_name_the_store_can_keep(name: str, problem: str | None) -> None:
    """It says why a name cannot be recorded: empty, longer than the store's column, or
    holding a control or invisible formatting character."""
    found = name_problem(name)
    assert found == problem if problem is None else problem in str(found)
