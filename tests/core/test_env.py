"""Settings come from the environment through helpers that fail loudly and name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from minsheng import env

ROOT = Path(__file__).resolve().parents[2]


def test_it_reads_booleans() -> None:
    assert env.env_bool("DEBUG", False, environ={"DEBUG": "yes"}) is True
    assert env.env_bool("DEBUG", True, environ={"DEBUG": "0"}) is False
    assert env.env_bool("DEBUG", True, environ={}) is True


def test_it_rejects_a_malformed_boolean() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env.env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_it_rejects_a_port_out_of_range_or_not_a_number() -> None:
    with pytest.raises(ImproperlyConfigured, match="PORT=70000 is above the maximum 65535"):
        env.env_int("PORT", 8000, minimum=1, maximum=65535, environ={"PORT": "70000"})
    with pytest.raises(ImproperlyConfigured, match="PORT='eighty' is not an integer"):
        env.env_int("PORT", 8000, environ={"PORT": "eighty"})


def test_it_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE='Mars/Olympus' is not a known"):
        env.env_timezone("TIME_ZONE", "Asia/Shanghai", environ={"TIME_ZONE": "Mars/Olympus"})


def test_it_rejects_an_empty_item_in_allowed_hosts() -> None:
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env.env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.gov.cn,,b.gov.cn"})
    assert env.env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.gov.cn, b"}) == [
        "a.gov.cn",
        "b",
    ]


def test_it_rejects_an_unsupported_database_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="unsupported database scheme 'mysql'"):
        env.env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mysql://u@h/db"})


def test_it_parses_postgres_and_sqlite_urls() -> None:
    pg = env.env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://u@db:5432/ms"})
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "ms"
    lite = env.env_database("DATABASE_URL", "", environ={"DATABASE_URL": "sqlite:////tmp/x.db"})
    assert lite["ENGINE"] == "django.db.backends.sqlite3"


def test_it_generates_the_development_key_once(tmp_path: Path) -> None:
    first = env.secret_key(tmp_path, environ={})
    assert len(first) >= 32
    assert env.secret_key(tmp_path, environ={}) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_it_prefers_secret_key_then_secret_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("k" * 40 + "\n")
    assert env.secret_key(tmp_path, environ={"SECRET_KEY_FILE": str(key_file)}) == "k" * 40
    assert env.secret_key(tmp_path, environ={"SECRET_KEY": "s" * 40}) == "s" * 40


def test_it_rejects_a_missing_key_file_and_a_short_key(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE=.*cannot read it"):
        env.secret_key(tmp_path, environ={"SECRET_KEY_FILE": str(tmp_path / "absent")})
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        env.secret_key(tmp_path, environ={"SECRET_KEY": "short"})


def _django_check(**extra: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_settings_module_fails_loudly_on_a_bad_setting(tmp_path: Path) -> None:
    result = _django_check(MINSHENG_VAR_DIR=str(tmp_path), DEBUG="perhaps")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='perhaps' is not a boolean" in result.stderr


def test_the_settings_module_loads_with_defaults(tmp_path: Path) -> None:
    result = _django_check(MINSHENG_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()


def test_the_generated_key_file_is_never_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A permissive umask: the file must still be created 0600, not chmodded afterwards.
    old = os.umask(0)
    try:
        env.secret_key(tmp_path, environ={})
    finally:
        os.umask(old)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / "secret_key"]  # no temporary file left


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from minsheng import env; "
        "print(env.secret_key(Path(sys.argv[1]), environ={}))"
    )
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    keys = {proc.communicate(timeout=60)[0].strip() for proc in starts}
    assert all(proc.returncode == 0 for proc in starts)
    assert len(keys) == 1 and len(next(iter(keys))) >= 32
    assert keys == {(tmp_path / "secret_key").read_text().strip()}


def test_a_server_refuses_the_generated_key_without_debug_unless_allowed() -> None:
    with pytest.raises(ImproperlyConfigured, match="refusing to serve on the generated"):
        env.require_explicit_key(debug=False, environ={})
    env.require_explicit_key(debug=True, environ={})
    env.require_explicit_key(debug=False, environ={"SECRET_KEY": "s" * 40})
    env.require_explicit_key(debug=False, environ={"SECRET_KEY_FILE": "/run/secrets/key"})
    env.require_explicit_key(debug=False, environ={env.ALLOW_GENERATED_KEY: "1"})


def _import_wsgi(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import minsheng.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wsgi_application_refuses_to_start_on_the_generated_key(tmp_path: Path) -> None:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", env.ALLOW_GENERATED_KEY)
    }
    environment.update(MINSHENG_VAR_DIR=str(tmp_path), DEBUG="0")
    refused = _import_wsgi(environment)
    assert refused.returncode != 0
    assert "refusing to serve on the generated development key" in refused.stderr
    environment[env.ALLOW_GENERATED_KEY] = "1"
    allowed = _import_wsgi(environment)
    assert allowed.returncode == 0, allowed.stderr
