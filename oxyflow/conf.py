"""Typed readers for environment variables.

Each helper refuses a value it cannot understand with :class:`ConfigError`, naming the
variable, the value and what is allowed, so a misconfigured deployment stops at start-up
instead of running with a silently wrong setting.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """An environment variable holds a value the platform cannot use."""

    def __init__(self, name: str, value: str, allowed: str) -> None:
        super().__init__(f"{name}={value!r} is not valid: expected {allowed}.")
        self.name = name
        self.value = value
        self.allowed = allowed


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(name, default)


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    raw = env[name].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(name, env[name], "one of 1/0, true/false, yes/no, on/off")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    raw = env[name].strip()
    bounds = f"an integer between {minimum} and {maximum}"
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, raw, bounds) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(name, raw, bounds)
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    env = os.environ if environ is None else environ
    if name not in env:
        return list(default)
    return [item.strip() for item in env[name].split(",") if item.strip()]


def env_time_zone(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = env.get(name, default).strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, value, "an IANA time zone such as UTC or Africa/Algiers") from None
    return value


def env_choice(
    name: str, default: str, choices: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    env = os.environ if environ is None else environ
    value = env.get(name, default).strip()
    if value not in choices:
        raise ConfigError(name, value, "one of " + ", ".join(choices))
    return value
