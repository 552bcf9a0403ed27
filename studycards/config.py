"""Settings from ``<home>/config.toml``: how many new cards a deck may introduce a day, and when a day ends.

Every key is optional; a missing file means the defaults. A mistake in the file (bad TOML, an unknown key,
a value of the wrong type or out of range) is one ``ConfigError`` line naming the file and the key, so a
typo never silently falls back to a default.

    new_cards_per_day = 20     # per deck, per study day; 0 pauses new cards
    day_starts_at_hour = 4     # the study day rolls over at this local hour (0-23)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path

from studycards.errors import StudycardsError
from studycards.study_day import DEFAULT_DAY_STARTS_AT_HOUR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "config.toml"
MAX_NEW_CARDS_PER_DAY = 10_000


class ConfigError(StudycardsError):
    """``config.toml`` cannot be read as it is; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """The settings studycards reads from the home's ``config.toml``."""

    new_cards_per_day: int = 20
    day_starts_at_hour: int = DEFAULT_DAY_STARTS_AT_HOUR


# key -> (lowest, highest) allowed; every setting is an integer.
_RANGES = {
    "new_cards_per_day": (0, MAX_NEW_CARDS_PER_DAY),
    "day_starts_at_hour": (0, 23),
}


def config_path(home: Path) -> Path:
    return Path(home) / CONFIG_FILE


def load_config(home: Path) -> Config:
    """The settings in ``<home>/config.toml``, or the defaults when the file does not exist."""
    path = config_path(home)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file ({error.strerror})") from None
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    known = [f.name for f in fields(Config)]
    values: dict[str, int] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key {key!r} (known keys: {', '.join(known)})")
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"{path}: key {key!r} must be a whole number from {low} to {high}, not {value!r}")
        values[key] = value
    return Config(**values)
