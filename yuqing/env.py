"""Settings from the environment (``YUQING_*``), failing loudly on a bad value.

Each helper names the variable in its error, so a typo in a deployment stops the process at start-up
instead of running with a silent default.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse


class ConfigError(RuntimeError):
    """A ``YUQING_*`` variable holds a value we cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={value}: must be at most {maximum}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (matched without regard to case, returned as spelled there)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    by_key = {choice.lower(): choice for choice in choices}
    value = by_key.get(raw.strip().lower())
    if value is None:
        raise ConfigError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_mapping(name: str, default: dict[str, str]) -> dict[str, str]:
    """``a=b,c=d`` → ``{"a": "b", "c": "d"}``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    result: dict[str, str] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ConfigError(f"{name}: {part!r} is not of the form from=to")
        result[key.strip()] = value.strip()
    return result


def database_from_url(name: str, url: str) -> dict[str, object]:
    """Django DATABASES entry from ``sqlite:////abs/path`` or ``postgres://user:pw@host:port/db``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if not path or path == "/":
            raise ConfigError(f"{name}={url!r}: sqlite URL needs a file path, e.g. sqlite:////abs/db.sqlite3")
        return sqlite_database(path)
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        db = parsed.path.lstrip("/")
        if not db:
            raise ConfigError(f"{name}={url!r}: PostgreSQL URL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(db),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigError(f"{name}={url!r}: unsupported scheme {parsed.scheme!r} (use sqlite:// or postgres://)")


def sqlite_database(path: str) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the web server read while a worker writes; IMMEDIATE avoids the
            # upgrade-deadlock of deferred transactions under concurrent writers. The busy timeout is
            # "timeout" (a busy_timeout pragma here would override it).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
