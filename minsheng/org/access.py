"""Who is signed in, and how they get and stay there: the signed-in user behind a role gate
(`current_user`, every app's views), the login throttle, the password rules, the forced
password change and the idle timeout (org owns users and roles, so it sits below them all)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import LoginFailure, User

# Refused and failed logins; never a password.
security_log = logging.getLogger("minsheng.security")


def current_user(request: HttpRequest, *roles: str) -> User:
    """The signed-in user; with `roles`, refuse (403) anyone who holds none of them."""
    user: User = request.user  # type: ignore[assignment]
    if roles and not user.has_role(*roles):
        raise PermissionDenied
    return user


# --- Logins: throttling ------------------------------------------------------------------------


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.MINSHENG_LOGIN_LOCK_MINUTES))


def login_refusal(username: str, address: str | None) -> str | None:
    """Why a login may not even be tried now (too many recent failures for this account or
    from this address), or None. Refused attempts do not tell whether the password was right."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(at__gte=since)
    minutes = int(settings.MINSHENG_LOGIN_LOCK_MINUTES)
    if recent.filter(username=username.lower()).count() >= settings.MINSHENG_LOGIN_MAX_FAILURES:
        return str(
            _("该账号登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后再试或联系系统管理员。")
            % {"minutes": minutes}
        )
    if (
        address
        and recent.filter(address=address).count() >= settings.MINSHENG_LOGIN_MAX_PER_ADDRESS
    ):
        return str(_("本机登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes})
    return None


def login_failed(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], address=address)
    security_log.warning("login failed for %r from %s", username[:150], address or "?")


def login_succeeded(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = str(request.META.get("REMOTE_ADDR") or "")
    return address or None


# --- Passwords -----------------------------------------------------------------------------


class CharacterClassValidator:
    """At least `classes` of the four kinds of character: lower case, upper case, digits,
    symbols (the 等保 2.0 practice for government systems: length and complexity)."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: object = None) -> None:
        kinds = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(kinds) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return str(
            _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类。") % {"n": self.classes}
        )


# --- Sessions: the forced change and the idle timeout ---------------------------------------

LAST_SEEN = "minsheng_last_seen"
PASSWORD_PATHS = ("/accounts/password/", "/accounts/logout/", "/i18n/")


def mark_seen(request: HttpRequest, now: float) -> None:
    request.session[LAST_SEEN] = int(now)


MACHINE_PATHS = ("/api/", "/open311/")


class SessionRefused(PermissionDenied):
    """A session call to an interface for programs (/api/, /open311/) that the session guard
    turns away: answered as that interface's JSON error (core.errors), not a redirect to a
    page that a program cannot follow."""


class SessionGuardMiddleware:
    """A signed-in page session ends after MINSHENG_SESSION_IDLE_MINUTES without a request, and
    an account an administrator gave a password to goes to the password change page first.

    The last-seen time is written at most once a minute, so an active user does not cost a
    session write per request. API calls with a token have no session and pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or "_auth_user_id" not in request.session:
            return self.get_response(request)
        idle = int(settings.MINSHENG_SESSION_IDLE_MINUTES) * 60
        if idle:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > idle:
                logout(request)
                if request.path.startswith(MACHINE_PATHS):
                    raise SessionRefused(_("您已较长时间未操作，会话已结束，请重新登录。"))
                messages.info(request, _("您已较长时间未操作，请重新登录。"))
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) > 60:
                mark_seen(request, now)
        if user.must_change_password and not request.path.startswith(PASSWORD_PATHS):
            if request.path.startswith(MACHINE_PATHS):
                raise SessionRefused(_("请先登录网页修改管理员设置的初始密码，再调用接口。"))
            return redirect("password_change")
        return self.get_response(request)


def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """user_logged_in: the session starts as just seen (org.apps connects it)."""
    if request is not None and hasattr(request, "session"):
        mark_seen(request, time.time())
