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

DEFAULT_DB_URL = "sqlite:///onboarding.db"
DEFAULT_CONFIG_FILE = "onboard.toml"
DEFAULT_INDUSTRIES = ("Commercial", "Education", "Government", "Healthcare", "Non-profit")


class ConfigError(Exception):
    """The configuration file or an override is not usable."""


@dataclass(frozen=True)
class Config:
    """Everything a run needs to know besides its input files."""

    db_url: str = DEFAULT_DB_URL
    report_dir: Path = Path("reports")
    industries: tuple[str, ...] = DEFAULT_INDUSTRIES
    # Empty means every ISO 4217 currency is allowed.
    currencies: tuple[str, ...] = ()
    # Extra header synonyms per canonical field, added to schemas/synonyms.py.
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    user: str = ""
    four_eyes: bool = False

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with the given non-None values replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KNOWN = {
    "database": {"url"},
    "reports": {"dir"},
    "validation": {"industries", "currencies"},
    "columns": {"synonyms"},
    "review": {"four_eyes"},
}


def _str_list(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key} must be a list of non-empty strings, e.g. [\"EUR\", \"USD\"]")
    return tuple(v.strip() for v in value)


def _from_toml(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Turn a parsed TOML document into Config keyword arguments, checking every key."""
    from schemas.synonyms import SYNONYMS  # the canonical field names

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
    reports = data.get("reports", {})
    if "dir" in reports:
        if not isinstance(reports["dir"], str):
            raise ConfigError(f"{source}: reports.dir must be a folder path")
        values["report_dir"] = Path(reports["dir"])
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
    synonyms = data.get("columns", {}).get("synonyms", {})
    if not isinstance(synonyms, dict):
        raise ConfigError(f"{source}: columns.synonyms must be a table of field = [names]")
    extra: dict[str, tuple[str, ...]] = {}
    for name, names in synonyms.items():
        if name not in SYNONYMS:
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
    if environ.get("ONBOARD_DB_URL"):
        values["db_url"] = environ["ONBOARD_DB_URL"]
    if environ.get("ONBOARD_REPORT_DIR"):
        values["report_dir"] = Path(environ["ONBOARD_REPORT_DIR"])
    return Config(**values)
