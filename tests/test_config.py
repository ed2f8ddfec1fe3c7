"""Configuration: onboard.toml, ONBOARD_* variables, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import DEFAULT_DB_URL, ConfigError, load_config
from schemas.rules.currency import DEFAULT_INDUSTRIES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It uses the built-in defaults when there is no onboard.toml."""
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.db_url == DEFAULT_DB_URL
    assert config.industries == DEFAULT_INDUSTRIES
    assert config.currencies == ()
    assert config.max_reject_rate == 1.0
    assert config.group_readable is False
    assert config.umask == 0o077


def test_reads_every_key(tmp_path: Path) -> None:
    """It reads every documented key of onboard.toml."""
    path = write(
        tmp_path,
        """
[database]
url = "sqlite:///x.db"
[reports]
dir = "out"
group_readable = true
[validation]
industries = ["Retail", "Banking"]
currencies = ["eur", "USD"]
max_reject_rate = 0.05
[columns.synonyms]
erp_id = ["Relatienummer"]
[review]
four_eyes = true
[sweep]
root = "/srv/drop"
settle_seconds = 3
""",
    )
    config = load_config(path, environ={})
    assert config.db_url == "sqlite:///x.db"
    assert config.report_dir == Path("out")
    assert config.group_readable is True
    assert config.industries == ("Retail", "Banking")
    assert config.currencies == ("EUR", "USD")
    assert config.max_reject_rate == 0.05
    assert config.synonyms == {"erp_id": ("Relatienummer",)}
    assert config.four_eyes is True
    assert config.root == Path("/srv/drop")
    assert config.settle_seconds == 3


def test_the_current_folders_file_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It reads ./onboard.toml when no --config is given."""
    write(tmp_path, '[database]\nurl = "sqlite:///here.db"\n')
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}).db_url == "sqlite:///here.db"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    """It lets ONBOARD_* variables override the file."""
    path = write(tmp_path, '[database]\nurl = "sqlite:///file.db"\n[review]\nfour_eyes = false\n')
    environ = {
        "ONBOARD_DB_URL": "sqlite:///env.db",
        "ONBOARD_FOUR_EYES": "yes",
        "ONBOARD_SETTLE_SECONDS": "0",
        "ONBOARD_MAX_REJECT_RATE": "0.5",
        "ONBOARD_CURRENCIES": "EUR, GBP",
        "ONBOARD_INDUSTRIES": "Retail",
        "ONBOARD_ROOT": "/tmp/drop",
        "ONBOARD_REPORTS_GROUP_READABLE": "true",
    }
    config = load_config(path, environ=environ)
    assert config.db_url == "sqlite:///env.db"
    assert config.four_eyes is True
    assert config.settle_seconds == 0
    assert config.max_reject_rate == 0.5
    assert config.currencies == ("EUR", "GBP")
    assert config.industries == ("Retail",)
    assert config.root == Path("/tmp/drop")
    assert config.group_readable is True
    assert config.umask == 0o027


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[databse]\nurl = 'x'\n", "databse"),
        ("[database]\nuri = 'sqlite:///x'\n", "database.uri"),
        ("[database]\nurl = 'not a url'\n", "database.url"),
        ("[validation]\ncurrencies = ['EUR', 'XXY']\n", "XXY"),
        ("[validation]\nindustries = 'Retail'\n", "validation.industries"),
        ("[validation]\nmax_reject_rate = 5\n", "max_reject_rate"),
        ("[sweep]\nsettle_seconds = -1\n", "settle_seconds"),
        ("[review]\nfour_eyes = 'maybe'\n", "four_eyes"),
        ("[reports]\ngroup_readable = 'yes'\n", "reports.group_readable"),
        ("[columns.synonyms]\nerp = ['Debtor']\n", "columns.synonyms.erp"),
        ("[database\n", "not valid TOML"),
        ("[database]\nconnect_timeout = -1\n", "database.connect_timeout"),
        ("[database]\nstatement_timeout = 'long'\n", "database.statement_timeout"),
        ("[import]\nuser = ' '\n", "import.user"),
        ("[sweep]\nnotify = 3\n", "sweep.notify"),
        ("[sweep]\nfollow_symlinks = 'yes'\n", "sweep.follow_symlinks"),
    ],
)
def test_bad_keys_and_values_are_named(tmp_path: Path, text: str, named: str) -> None:
    """It refuses a bad key or value with a message naming it."""
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_config(write(tmp_path, text), environ={})


def test_bad_environment_value_is_named() -> None:
    """It refuses a bad ONBOARD_* value with a message naming the variable."""
    with pytest.raises(ConfigError, match="ONBOARD_MAX_REJECT_RATE"):
        load_config(None, environ={"ONBOARD_MAX_REJECT_RATE": "lots"})


def test_cli_reports_a_bad_configuration_in_one_line(tmp_path: Path) -> None:
    """It makes the CLI exit 2 with one line naming the bad key, no traceback."""
    path = write(tmp_path, "[validation]\ncolour = 'red'\n")
    result = CliRunner().invoke(cli, ["status", "--config", str(path), "--db", f"sqlite:///{tmp_path}/x.db"])
    assert result.exit_code == 2
    assert "validation.colour" in result.output
    assert "Traceback" not in result.output


def test_init_writes_a_configuration_that_loads(tmp_path: Path) -> None:
    """It makes `onboard init` write a commented configuration that loads cleanly."""
    folder = tmp_path / "drop"
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    for name in ("inbox", "reviews", "processed", "failed", "reports"):
        assert (folder / name).is_dir()
    config = load_config(folder / "onboard.toml", environ={})
    assert config.root == folder.resolve()
    assert config.db_url.startswith("sqlite:///")
    assert config.group_readable is False
    # Its commented settings are valid too, once a team switches them on.
    text = (folder / "onboard.toml").read_text(encoding="utf-8")
    assert "# group_readable = false" in text
    switched = write(tmp_path, text.replace("# group_readable = false", "group_readable = true"))
    assert load_config(switched, environ={}).group_readable is True


def test_new_keys_load_and_the_environment_names_the_importer(tmp_path: Path) -> None:
    """It reads time-outs, the importer, the notify command and symlink following; ONBOARD_USER
    beats import.user."""
    path = write(
        tmp_path,
        "[database]\nconnect_timeout = 3\nstatement_timeout = 60\n[import]\nuser = 'ops'\n"
        "[sweep]\nnotify = 'mail -s onboard ops'\nfollow_symlinks = true\n",
    )
    config = load_config(path, environ={})
    assert (config.connect_timeout, config.statement_timeout) == (3.0, 60.0)
    assert (config.user, config.notify, config.follow_symlinks) == ("ops", "mail -s onboard ops", True)
    assert load_config(path, environ={"ONBOARD_USER": "dana"}).user == "dana"
