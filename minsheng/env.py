"""Typed readers for the environment variables that configure a deployment.

Every difference between deployments comes from the environment (see docs/configuration.md).
Each helper fails loudly with ImproperlyConfigured and names the variable, so a typo in a
deployment never silently falls back to a default.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(name, default)


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    raw = env[name].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={env[name]!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


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
    try:
        value = int(env[name].strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={env[name]!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum {maximum}.")
    return value


def env_float(
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    maximum: float = 1.0,
    environ: Mapping[str, str] | None = None,
) -> float:
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    raw = env[name].strip()
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={env[name]!r} is not a number.") from None
    if not raw.replace(".", "", 1).isascii() or not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={raw} is not between {minimum} and {maximum}.")
    return value


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list; blanks around items are ignored, empty items are an error."""
    env = os.environ if environ is None else environ
    if name not in env:
        return list(default)
    items = [item.strip() for item in env[name].split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={env[name]!r} has an empty item in its comma list.")
    return items


def env_timezone(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known IANA time zone.") from None
    return value


def env_choice(
    name: str, default: str, choices: list[str], *, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_database(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Parse DATABASE_URL; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    url = env_str(name, default, environ=environ)
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={url.split('@')[-1]!r}: unsupported database scheme {scheme!r}; "
            "use sqlite:///path or postgres://user@host:port/name."
        )
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60))
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database.")
    return config


ALLOW_GENERATED_KEY = "MINSHENG_ALLOW_GENERATED_SECRET_KEY"


def secret_key(var_dir: Path, *, environ: Mapping[str, str] | None = None) -> str:
    """SECRET_KEY, else the file named by SECRET_KEY_FILE, else a development key kept in var/.

    The development key is generated once and kept out of git (var/ is ignored), so sessions
    survive restarts of `make run` without anyone committing a key. A server refuses to start
    on it with DEBUG off unless MINSHENG_ALLOW_GENERATED_SECRET_KEY says so
    (`require_explicit_key`).
    """
    env = os.environ if environ is None else environ
    if env.get("SECRET_KEY"):
        key = env["SECRET_KEY"]
    elif env.get("SECRET_KEY_FILE"):
        path = Path(env["SECRET_KEY_FILE"])
        try:
            key = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"SECRET_KEY_FILE={path}: cannot read it ({exc.strerror})."
            ) from None
    else:
        key = _generated_key(var_dir / "secret_key")
    if len(key) < 32:
        raise ImproperlyConfigured("The secret key must be at least 32 characters long.")
    return key


def _generated_key(path: Path) -> str:
    """The key in `path`, written first if absent: by one process only, whole, mode 0600.

    Processes starting together each write a key to a file of their own (created 0600, never
    readable by others even for an instant) and link it to `path`; the link succeeds for one of
    them and fails for the others, who read the winner's. A reader never sees a half-written
    key, because the file is linked only once it is complete."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        own = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
                handle.flush()
                os.fsync(handle.fileno())
            # Another process was first: its key is the key.
            with contextlib.suppress(FileExistsError):
                os.link(own, path)
        finally:
            own.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


def key_is_generated(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return not (env.get("SECRET_KEY") or env.get("SECRET_KEY_FILE"))


def require_explicit_key(*, debug: bool, environ: Mapping[str, str] | None = None) -> None:
    """Refuse to serve on the generated development key with DEBUG off, unless allowed.

    Called where a server starts (minsheng/wsgi.py, `manage.py serve`). A production server on
    a key someone may have copied from a developer's var/ would sign sessions and password
    reset links anyone with that copy can forge."""
    env = os.environ if environ is None else environ
    if debug or not key_is_generated(env):
        return
    if env_bool(ALLOW_GENERATED_KEY, False, environ=env):
        return
    raise ImproperlyConfigured(
        "No SECRET_KEY or SECRET_KEY_FILE is set and DEBUG is off: refusing to serve on the "
        "generated development key in var/secret_key. Set SECRET_KEY_FILE (docs/deployment.md), "
        f"or {ALLOW_GENERATED_KEY}=1 where the generated key is wanted (the demo of `make run`)."
    )
