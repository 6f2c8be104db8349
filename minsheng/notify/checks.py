"""`manage.py check` (and so `migrate` and the worker's start) refuses a broken notify
configuration instead of letting every SMS die one by one in the outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from minsheng.notify.channels import check_sms_url, parse_sms_template


@checks.register()
def check_lease(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    # A worker stops sending a batch when less than twice the gateway timeout is left on its
    # lease, so a lease shorter than that would never send anything.
    if settings.NOTIFY_LEASE_SECONDS < 4 * settings.NOTIFY_SMS_TIMEOUT:
        return [
            checks.Error(
                f"NOTIFY_LEASE_SECONDS={settings.NOTIFY_LEASE_SECONDS} must be at least four times "
                f"NOTIFY_SMS_TIMEOUT={settings.NOTIFY_SMS_TIMEOUT}.",
                id="notify.E002",
            )
        ]
    return []


@checks.register()
def check_sms_gateway(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.NOTIFY_SMS_BACKEND != "http":
        return []
    try:
        check_sms_url(settings.NOTIFY_SMS_URL)
        parse_sms_template(settings.NOTIFY_SMS_TEMPLATE)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="notify.E001")]
    return []
