"""README.md is held equal to the program: its command table to the click commands, its
options table to the click options, its problem-code table to `schemas.codes.CODES`, its
environment variables to those the code reads (in the manner of sqlite-utils' docs tests).

A command, option, code or variable added to one side only fails here, naming it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import KEYS, load_config
from schemas.codes import CODES

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")

Command = tuple[str, ...]


def section(heading: str) -> str:
    """The README's text from `heading` (a whole line) to the next heading of any level."""
    match = re.search(rf"^{re.escape(heading)}\n(.*?)(?=^#)", README, re.MULTILINE | re.DOTALL)
    assert match, f"README has no section {heading!r}"
    return match.group(1)


def table(text: str) -> list[list[str]]:
    """The rows of the first markdown table in `text` (header and rule excluded), as cells."""
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def click_commands(group: click.Group = cli, prefix: Command = ()) -> dict[Command, click.Command]:
    """Every command that does something (groups are only their prefixes), by its words."""
    found: dict[Command, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= click_commands(command, (*prefix, name))
        else:
            found[(*prefix, name)] = command
    return found


COMMANDS = click_commands()


def command_of(usage: str) -> Command:
    """`onboard review export --out FILE.xlsx [--batch ID]` → ("review", "export")."""
    words = usage.split()
    assert words[0] == "onboard", usage
    path: list[str] = []
    current: click.Command = cli
    for word in words[1:]:
        if not isinstance(current, click.Group) or word not in current.commands:
            break
        path.append(word)
        current = current.commands[word]
    return tuple(path)


def readme_commands() -> dict[Command, str]:
    """The commands of the README's command table, each with its usage as written."""
    found: dict[Command, str] = {}
    for row in table(section("## Commands")):
        for usage in code_spans(row[0]):
            found[command_of(usage)] = usage
    return found


def options_of(command: click.Command) -> set[str]:
    return {name for p in command.params if isinstance(p, click.Option) for name in p.opts if name != "-h"}


GROUP_OPTIONS = options_of(cli) - {"--help"}


def click_options() -> dict[str, set[str]]:
    """Each option's long name → the commands having it (`onboard` for the group's own)."""
    found: dict[str, set[str]] = {name: {"onboard"} for name in GROUP_OPTIONS}
    for path, command in COMMANDS.items():
        for name in options_of(command) - {"--help"}:
            found.setdefault(name, set()).add(" ".join(path))
    return found


def readme_options() -> dict[str, set[str]]:
    """The README's options table: each option → the commands its second column names
    (`all but X, Y` is every command except those)."""
    found: dict[str, set[str]] = {}
    every = {" ".join(path) for path in COMMANDS}
    for row in table(section("### Options")):
        option = code_spans(row[0])[0].split()[0]
        named = set(code_spans(row[1]))
        commands = every - named if row[1].startswith("all but") else named
        assert option not in found, f"{option} has two rows"
        found[option] = commands
    return found


def test_every_command_is_in_the_readme_and_nothing_else() -> None:
    """It lists exactly the commands onboard has, sub-commands included."""
    assert set(readme_commands()) == set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_of_the_readme_has_help(path: Command) -> None:
    """It shows help for every command the README lists, and exits 0."""
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")


def test_every_option_in_a_command_line_of_the_readme_exists() -> None:
    """It names only options that the command has in the command table's usage lines."""
    for path, usage in readme_commands().items():
        named = set(re.findall(r"--[a-z][a-z-]*", usage))
        assert named <= options_of(COMMANDS[path]), (usage, named - options_of(COMMANDS[path]))


def test_the_options_table_is_the_options_onboard_has() -> None:
    """It documents every option onboard has, each for exactly the commands that have it."""
    documented, actual = readme_options(), click_options()
    assert sorted(documented) == sorted(actual), "options missing from README or from onboard"
    for option, commands in actual.items():
        assert documented[option] == commands, option


def test_the_problem_code_table_is_the_code_table() -> None:
    """It lists every problem code with the level, severity and description of `CODES`."""
    rows = table(section("### Problem codes"))
    documented = {code_spans(row[0])[0]: (row[1], row[2], row[3]) for row in rows}
    assert len(documented) == len(rows), "a code has two rows"
    assert documented == {c.name: (c.level, c.severity, c.description) for c in CODES.values()}


def test_the_environment_variables_are_those_onboard_reads() -> None:
    """It names every ONBOARD_* variable the code reads, and no other."""
    paragraph = re.search(r"Command-line options beat environment variables.*?\n\n", README, re.DOTALL)
    assert paragraph
    documented = set(re.findall(r"`(ONBOARD_[A-Z_]+)`", paragraph.group(0)))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "pipeline").glob("*.py"))
    assert documented == set(re.findall(r"\bONBOARD_[A-Z_]+\b", source))


def test_the_configuration_example_has_every_key_and_loads(tmp_path: Path) -> None:
    """It shows every key of `config.KEYS` in the README's onboard.toml, no other, and that
    file loads; each ONBOARD_* variable of the table is named under it."""
    example = re.search(r"^```toml\n(.*?)^```", section("### Configuration (`onboard.toml`)"), re.M | re.S)
    assert example
    document = tomllib.loads(example.group(1))
    shown = {f"{name}.{key}" for name, body in document.items() for key in body}
    assert shown == {key.path for key in KEYS}
    path = tmp_path / "onboard.toml"
    path.write_text(example.group(1), encoding="utf-8")
    assert load_config(path, environ={}).four_eyes is True
    paragraph = section("### Configuration (`onboard.toml`)")
    assert {key.env for key in KEYS if key.env} <= set(re.findall(r"`(ONBOARD_[A-Z_]+)`", paragraph))


def test_the_layout_names_every_module_of_the_rules() -> None:
    """It names every module of schemas/ and schemas/rules/ in the README's Layout section."""
    layout = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    modules = [p for p in (REPO / "schemas").rglob("*.py") if p.name != "__init__.py"]
    assert modules
    missing = [str(p.relative_to(REPO)) for p in modules if not re.search(rf"\b{p.stem}\b", layout)]
    assert missing == []


def test_the_wheel_declares_every_package_and_data_file() -> None:
    """It holds pyproject's package list equal to the folders with an __init__.py under
    pipeline/ and schemas/, and every file there that is not Python to the package data:
    a package left out installs from the checkout but not from the wheel."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("pipeline", "schemas")
        for init in (REPO / top).rglob("__init__.py")
    }
    migrations = {"pipeline.store.migrations", "pipeline.store.migrations.versions"}  # no __init__
    assert set(setuptools["packages"]) == found | migrations
    data = {
        path.relative_to(REPO)
        for top in ("pipeline", "schemas")
        for path in (REPO / top).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    }
    declared = {
        Path(*package.split("."), name)
        for package, names in setuptools.get("package-data", {}).items()
        for name in names
    }
    assert data <= declared
