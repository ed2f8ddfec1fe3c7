"""Configuration: `onboard.toml`, `ONBOARD_*` environment variables and options.

Precedence, lowest first: built-in defaults, the TOML file, the environment, options.
A bad key or value is a `ConfigError` naming the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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


_KNOWN = {
    "database": {"url", "connect_timeout", "statement_timeout"},
    "import": {"user"},
    "reports": {"dir", "group_readable"},
    "validation": {"industries", "currencies", "max_reject_rate"},
    "columns": {"synonyms"},
    "review": {"four_eyes"},
    "sweep": {"root", "settle_seconds", "notify", "follow_symlinks"},
    "limits": {"max_file_mb", "max_unpacked_mb", "max_cells"},
}


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
    lowered = value.strip().casefold()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{key} must be true or false (got {value!r})")


def _reports(reports: dict[str, Any], source: str) -> dict[str, Any]:
    """The [reports] section as Config keyword arguments."""
    values: dict[str, Any] = {}
    if "dir" in reports:
        if not isinstance(reports["dir"], str):
            raise ConfigError(f"{source}: reports.dir must be a folder path")
        values["report_dir"] = Path(reports["dir"])
    if "group_readable" in reports:
        if not isinstance(reports["group_readable"], bool):
            raise ConfigError(f"{source}: reports.group_readable must be true or false")
        values["group_readable"] = reports["group_readable"]
    return values


def _from_toml(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn a parsed TOML document into Config keyword arguments, checking every key."""
    from schemas.fields import FIELDS  # the canonical fields

    values: dict[str, Any] = {}
    for section, body in data.items():
        if section not in _KNOWN or not isinstance(body, dict):
            raise ConfigError(f"{source}: unknown section [{section}]; known: {', '.join(_KNOWN)}")
        for key in body:
            if key not in _KNOWN[section]:
                allowed = ", ".join(sorted(_KNOWN[section]))
                raise ConfigError(f"{source}: unknown key {section}.{key}; known: {allowed}")
    database = data.get("database", {})
    if "url" in database:
        if not isinstance(database["url"], str) or "://" not in database["url"]:
            raise ConfigError(f"{source}: database.url must be a URL like sqlite:///onboarding.db")
        values["db_url"] = database["url"]
    for key in ("connect_timeout", "statement_timeout"):
        if key in database:
            values[key] = _seconds(database[key], f"{source}: database.{key}")
    user = data.get("import", {}).get("user")
    if user is not None:
        if not isinstance(user, str) or not user.strip():
            raise ConfigError(f"{source}: import.user must be a non-empty name")
        values["user"] = user.strip()
    values |= _reports(data.get("reports", {}), source)
    validation = data.get("validation", {})
    if "industries" in validation:
        values["industries"] = _str_list(validation["industries"], "validation.industries")
    if "currencies" in validation:
        currencies = _str_list(validation["currencies"], "validation.currencies")
        import pycountry

        unknown = [c for c in currencies if pycountry.currencies.get(alpha_3=c.upper()) is None]
        if unknown:
            raise ConfigError(f"{source}: validation.currencies has unknown codes: {unknown}")
        values["currencies"] = tuple(c.upper() for c in currencies)
    if "max_reject_rate" in validation:
        values["max_reject_rate"] = _rate(
            validation["max_reject_rate"], f"{source}: validation.max_reject_rate"
        )
    sweep = data.get("sweep", {})
    if "root" in sweep:
        if not isinstance(sweep["root"], str) or not sweep["root"].strip():
            raise ConfigError(f"{source}: sweep.root must be a folder path")
        values["root"] = Path(sweep["root"])
    if "settle_seconds" in sweep:
        values["settle_seconds"] = _seconds(sweep["settle_seconds"], f"{source}: sweep.settle_seconds")
    if "notify" in sweep:
        if not isinstance(sweep["notify"], str):
            raise ConfigError(f"{source}: sweep.notify must be a shell command, e.g. 'mail -s onboard ops'")
        values["notify"] = sweep["notify"].strip()
    if "follow_symlinks" in sweep:
        if not isinstance(sweep["follow_symlinks"], bool):
            raise ConfigError(f"{source}: sweep.follow_symlinks must be true or false")
        values["follow_symlinks"] = sweep["follow_symlinks"]
    limits = data.get("limits", {})
    if limits:
        sizes: dict[str, Any] = {}
        for key in ("max_file_mb", "max_unpacked_mb", "max_cells"):
            if key in limits:
                value = limits[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise ConfigError(f"{source}: limits.{key} must be a positive number (got {value!r})")
                sizes[key] = int(value) if key == "max_cells" else float(value)
        values["limits"] = Limits(**sizes)
    synonyms = data.get("columns", {}).get("synonyms", {})
    if not isinstance(synonyms, dict):
        raise ConfigError(f"{source}: columns.synonyms must be a table of field = [names]")
    extra: dict[str, tuple[str, ...]] = {}
    for name, names in synonyms.items():
        if name not in FIELDS:
            raise ConfigError(f"{source}: columns.synonyms.{name}: no such field")
        extra[name] = _str_list(names, f"columns.synonyms.{name}")
    if extra:
        values["synonyms"] = extra
    review = data.get("review", {})
    if "four_eyes" in review:
        if not isinstance(review["four_eyes"], bool):
            raise ConfigError(f"{source}: review.four_eyes must be true or false")
        values["four_eyes"] = review["four_eyes"]
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
    return Config(**values)


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """`ONBOARD_*` variables, which override the file."""
    values: dict[str, Any] = {}
    get = environ.get
    if get("ONBOARD_DB_URL"):
        values["db_url"] = environ["ONBOARD_DB_URL"]
    if get("ONBOARD_USER", "").strip():
        values["user"] = environ["ONBOARD_USER"].strip()
    if get("ONBOARD_REPORT_DIR"):
        values["report_dir"] = Path(environ["ONBOARD_REPORT_DIR"])
    if get("ONBOARD_ROOT"):
        values["root"] = Path(environ["ONBOARD_ROOT"])
    if get("ONBOARD_SETTLE_SECONDS"):
        values["settle_seconds"] = _seconds(environ["ONBOARD_SETTLE_SECONDS"], "ONBOARD_SETTLE_SECONDS")
    if get("ONBOARD_MAX_REJECT_RATE"):
        values["max_reject_rate"] = _rate(environ["ONBOARD_MAX_REJECT_RATE"], "ONBOARD_MAX_REJECT_RATE")
    if get("ONBOARD_REPORTS_GROUP_READABLE"):
        values["group_readable"] = _flag(
            environ["ONBOARD_REPORTS_GROUP_READABLE"], "ONBOARD_REPORTS_GROUP_READABLE"
        )
    if get("ONBOARD_FOUR_EYES"):
        values["four_eyes"] = _flag(environ["ONBOARD_FOUR_EYES"], "ONBOARD_FOUR_EYES")
    for name, key in (("industries", "ONBOARD_INDUSTRIES"), ("currencies", "ONBOARD_CURRENCIES")):
        if get(key):
            items = [item.strip() for item in environ[key].split(",") if item.strip()]
            values |= _from_toml({"validation": {name: items}}, key)
    return values
