"""Configuration: `onboard.toml`, `ONBOARD_*` environment variables and options.

Precedence, lowest first: built-in defaults, the TOML file, the environment, options.
A bad key or value is a `ConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.identity import name_problem
from schemas.rules.currency import DEFAULT_INDUSTRIES

DEFAULT_DB_URL = "sqlite:///onboarding.db"
DEFAULT_CONFIG_FILE = "onboard.toml"


class ConfigError(Exception):
    """The configuration file or an override is not usable."""


@dataclass(frozen=True)
class Limits:
    """What a file may hold before it is refused whole (protects memory and time)."""

    # A CSV of a million customers is about 210 MB; it is read in parts, memory stays flat.
    max_file_mb: float = 500.0
    # An .xlsx is a zip: a tiny file can expand to gigabytes (a zip bomb).
    max_unpacked_mb: float = 1000.0
    max_cells: int = 30_000_000


@dataclass(frozen=True)
class Config:
    """Everything a run needs to know besides its input files."""

    db_url: str = DEFAULT_DB_URL
    report_dir: Path = Path("reports")
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES
    # Empty means every ISO 4217 currency is allowed.
    currencies: tuple[str, ...] = ()
    # The sheet to read of each workbook (--sheet); None: the first with a header row.
    sheet: str | None = None
    # Extra header synonyms per canonical field, added to those of schemas/fields.py.
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Who imports (--user, import.user, else the login name) and the account running it.
    user: str = ""
    login: str = ""
    four_eyes: bool = False
    # The drop folder of `onboard run` (inbox/, reviews/, processed/, failed/, reports/).
    root: Path | None = None
    # Files modified less than this many seconds ago are still being written.
    settle_seconds: float = 10.0
    # A file whose share of rejected rows is above this fails whole (1.0: never).
    max_reject_rate: float = 1.0
    limits: Limits = field(default_factory=Limits)
    # A store that accepts connections but never answers must not hang a cron sweep.
    connect_timeout: float = 10.0
    statement_timeout: float = 900.0
    # A shell command run after each sweep that did something, the sweep's JSON on stdin.
    notify: str = ""
    # Symbolic links in inbox/ and reviews/ are skipped unless this is true.
    follow_symlinks: bool = False
    # Reports hold personal data: owner-only unless a team shares them through a group.
    group_readable: bool = False

    @property
    def umask(self) -> int:
        """The umask for everything onboard writes: owner-only, or also group-readable."""
        return 0o027 if self.group_readable else 0o077

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given non-None values replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _str_list(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f'{key} must be a list of non-empty strings, e.g. ["EUR", "USD"]')
    return tuple(v.strip() for v in value)


def _rate(value: object, key: str) -> float:
    try:
        rate = float(value)  # type: ignore[arg-type]  # checked by the except below
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a number from 0 to 1, e.g. 0.05") from None
    if isinstance(value, bool) or not 0.0 <= rate <= 1.0:
        raise ConfigError(f"{key} must be a number from 0 to 1, e.g. 0.05 (got {value!r})")
    return rate


def _seconds(value: object, key: str) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]  # checked by the except below
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a number of seconds, e.g. 10") from None
    if isinstance(value, bool) or seconds < 0:
        raise ConfigError(f"{key} must be zero or more seconds (got {value!r})")
    return seconds


def _flag(value: str, key: str) -> bool:
    """An environment variable's yes or no."""
    lowered = value.strip().casefold()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{key} must be true or false (got {value!r})")


def _bool(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false")
    return value


def _url(value: object, key: str) -> str:
    if not isinstance(value, str) or "://" not in value:
        raise ConfigError(f"{key} must be a URL like sqlite:///onboarding.db")
    return value


def _name(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a non-empty name")
    if problem := name_problem(value.strip()):
        raise ConfigError(f"{key} {problem}")
    return value.strip()


def _folder(value: object, key: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a folder path")
    return Path(value)


def _command(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a shell command, e.g. 'mail -s onboard ops'")
    return value.strip()


def _size(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{key} must be a positive number (got {value!r})")
    return float(value)


def _count(value: object, key: str) -> int:
    return int(_size(value, key))


def _currencies(value: object, key: str) -> tuple[str, ...]:
    import pycountry  # only when a configuration restricts currencies

    currencies = _str_list(value, key)
    unknown = [c for c in currencies if pycountry.currencies.get(alpha_3=c.upper()) is None]
    if unknown:
        raise ConfigError(f"{key} has unknown codes: {unknown}")
    return tuple(c.upper() for c in currencies)


def _synonyms(value: object, key: str) -> dict[str, tuple[str, ...]]:
    from schemas.fields import FIELDS  # the canonical fields

    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table of field = [names]")
    for name in value:
        if name not in FIELDS:
            raise ConfigError(f"{key}.{name}: no such field")
    return {name: _str_list(names, f"{key}.{name}") for name, names in value.items()}


def _comma_list(text: str, key: str) -> list[str]:
    """An environment variable's list: items separated by commas."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _as_is(text: str, key: str) -> str:
    return text


@dataclass(frozen=True)
class Key:
    """One setting: its place in onboard.toml, the `Config` field it sets (`limits.…`: a
    field of `Limits`), how a value is checked, the environment variable that overrides
    it, and its lines in the commented example that `onboard init` writes."""

    path: str
    field: str
    parse: Callable[[Any, str], Any]
    env: str = ""
    # Turns the variable's text into what `parse` takes.
    env_value: Callable[[str, str], Any] = _as_is
    example: str = ""


# Every key, in the order of the example file; a message names the key or the variable.
KEYS: tuple[Key, ...] = (
    Key(
        "database.url",
        "db_url",
        _url,
        "ONBOARD_DB_URL",
        example="# SQLite file (default) or a shared PostgreSQL store:\n"
        '#   url = "postgresql+psycopg://onboard:SECRET@db.example.com/onboard"\n'
        'url = "sqlite:///{root}/onboarding.db"',
    ),
    Key(
        "database.connect_timeout",
        "connect_timeout",
        _seconds,
        example="# A store that does not answer fails after this many seconds (PostgreSQL), and a\n"
        "# statement running longer is cancelled: a cron sweep never hangs.\n"
        "# connect_timeout = 10",
    ),
    Key("database.statement_timeout", "statement_timeout", _seconds, example="# statement_timeout = 900"),
    Key(
        "import.user",
        "user",
        _name,
        "ONBOARD_USER",
        example="# Who imports when not given with --user (default: the login name). A sweep records\n"
        "# the owner of each dropped file instead.\n"
        '# user = "onboarding-team"',
    ),
    Key("reports.dir", "report_dir", _folder, "ONBOARD_REPORT_DIR"),
    Key(
        "reports.group_readable",
        "group_readable",
        _bool,
        "ONBOARD_REPORTS_GROUP_READABLE",
        _flag,
        example="# Reports, moved files and the SQLite store hold personal data and are readable by\n"
        "# their owner only. Set to true to let the owner's group read them too (umask 027).\n"
        "# group_readable = false",
    ),
    Key(
        "sweep.root",
        "root",
        _folder,
        "ONBOARD_ROOT",
        example='# The drop folder of `onboard run`.\nroot = "{root}"',
    ),
    Key(
        "sweep.settle_seconds",
        "settle_seconds",
        _seconds,
        "ONBOARD_SETTLE_SECONDS",
        example="# Files modified less than this many seconds ago are still being written.\n"
        "settle_seconds = 10",
    ),
    Key(
        "sweep.notify",
        "notify",
        _command,
        example="# A shell command run after each sweep that did something, with the sweep's JSON summary\n"
        "# on standard input (mail, a chat webhook, monitoring). Its failure is logged, never fatal.\n"
        "# notify = \"mail -s 'onboard sweep' onboarding@example.com\"",
    ),
    Key(
        "sweep.follow_symlinks",
        "follow_symlinks",
        _bool,
        example="# Symbolic links in inbox/ and reviews/ are skipped unless this is true.\n"
        "# follow_symlinks = false",
    ),
    Key(
        "validation.industries",
        "industries",
        _str_list,
        "ONBOARD_INDUSTRIES",
        _comma_list,
        example="# The industries a customer may have.\n"
        'industries = ["Commercial", "Education", "Government", "Healthcare", "Non-profit"]',
    ),
    Key(
        "validation.currencies",
        "currencies",
        _currencies,
        "ONBOARD_CURRENCIES",
        _comma_list,
        example="# Restrict currencies (ISO 4217 codes); leave out to allow all.\n"
        '# currencies = ["EUR", "USD", "GBP"]',
    ),
    Key(
        "validation.max_reject_rate",
        "max_reject_rate",
        _rate,
        "ONBOARD_MAX_REJECT_RATE",
        example="# Fail a whole file when more than this share of its rows is rejected (1.0: never).\n"
        "max_reject_rate = 1.0",
    ),
    Key(
        "columns.synonyms",
        "synonyms",
        _synonyms,
        example='# Extra header names per field, e.g.:\n# erp_id = ["Relatienummer", "Debtor number"]',
    ),
    Key(
        "review.four_eyes",
        "four_eyes",
        _bool,
        "ONBOARD_FOUR_EYES",
        _flag,
        example="# When true, whoever imported a batch may not approve it.\nfour_eyes = false",
    ),
    Key("limits.max_file_mb", "limits.max_file_mb", _size),
    Key("limits.max_unpacked_mb", "limits.max_unpacked_mb", _size),
    Key("limits.max_cells", "limits.max_cells", _count),
)
_BY_PATH = {key.path: key for key in KEYS}
_SECTIONS = tuple(dict.fromkeys(key.path.partition(".")[0] for key in KEYS))


def _example() -> str:
    """The commented onboard.toml of `onboard init` ({root}: the drop folder), from `KEYS`.

    A table-valued key (columns.synonyms) is a [section.key] table of its own.
    """
    parts = [
        "# onboard configuration. Environment variables ONBOARD_* override these values,\n"
        "# command-line options override both.\n"
    ]
    for section in _SECTIONS:
        shown = [key for key in KEYS if key.path.startswith(f"{section}.") and key.example]
        if shown:
            heading = shown[0].path if shown[0].parse is _synonyms else section
            parts.append(f"[{heading}]\n" + "".join(f"{key.example}\n" for key in shown))
    return "\n".join(parts)


EXAMPLE_CONFIG = _example()


def example_config(root: Path) -> str:
    """The commented example configuration for the drop folder `root`."""
    return EXAMPLE_CONFIG.format(root=root)


def _settings(values: dict[str, Any]) -> dict[str, Any]:
    """Values by field as `Config` keyword arguments (the `limits.…` ones as one `Limits`)."""
    sizes = {name.partition(".")[2]: v for name, v in values.items() if name.startswith("limits.")}
    settings = {name: v for name, v in values.items() if not name.startswith("limits.")}
    if sizes:
        settings["limits"] = Limits(**sizes)
    return settings


def _from_toml(data: dict[str, Any], source: str) -> dict[str, Any]:
    """A parsed TOML document as values by `Config` field, every key checked."""
    values: dict[str, Any] = {}
    for section, body in data.items():
        if section not in _SECTIONS or not isinstance(body, dict):
            raise ConfigError(f"{source}: unknown section [{section}]; known: {', '.join(_SECTIONS)}")
        for name, value in body.items():
            key = _BY_PATH.get(f"{section}.{name}")
            if key is None:
                known = sorted(k.path.partition(".")[2] for k in KEYS if k.path.startswith(f"{section}."))
                raise ConfigError(f"{source}: unknown key {section}.{name}; known: {', '.join(known)}")
            values[key.field] = key.parse(value, f"{source}: {key.path}")
    return values


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """`ONBOARD_*` variables, which override the file; an empty one counts as unset."""
    values: dict[str, Any] = {}
    for key in KEYS:
        text = environ.get(key.env, "") if key.env else ""
        if text.strip():
            values[key.field] = key.parse(key.env_value(text, key.env), key.env)
    return values


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from `path` (or ./onboard.toml when present) and environment."""
    environ = os.environ if environ is None else environ
    if path is None and environ.get("ONBOARD_CONFIG"):
        path = Path(environ["ONBOARD_CONFIG"])
    values: dict[str, Any] = {}
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path} does not exist") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
        values = _from_toml(data, str(path))
    values |= _from_environment(environ)
    return Config(**_settings(values))


def sweep_config(
    root: Path | None, config_path: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Path | None, Path | None]:
    """(the drop folder named by --root or ONBOARD_ROOT, the configuration file of its sweep).

    Without --config or ONBOARD_CONFIG, a drop folder's own onboard.toml configures its sweep.
    """
    environ = os.environ if environ is None else environ
    folder = root or (Path(environ["ONBOARD_ROOT"]) if environ.get("ONBOARD_ROOT") else None)
    own = folder / DEFAULT_CONFIG_FILE if folder is not None else None
    if config_path is None and not environ.get("ONBOARD_CONFIG") and own is not None and own.is_file():
        return folder, own
    return folder, config_path
