"""`manage.py check --deploy` is clean with the production environment of docs/deployment.md,
and every page carries the Content-Security-Policy (issue 18, finding 10)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

from minsheng.core.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "hotline.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://hotline.example.gov.cn",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_TLS_PROXY": "1",
}


def check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    # Only what a production server would have: nothing of this test run's environment (a
    # browser test's DJANGO_ALLOW_ASYNC_UNSAFE, a DATABASE_URL) leaks in.
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    environment.update(PRODUCTION, MINSHENG_VAR_DIR=str(tmp_path), **extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_https_settings(tmp_path: Path) -> None:
    # The control: the same check does notice a deployment that forgot them.
    result = check_deploy(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_every_page_sends_the_content_security_policy(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
