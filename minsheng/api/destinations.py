"""Where a webhook may send: the public internet, not this machine's or the intranet's insides.

An administrator (or anyone who obtains an administrator's session) could otherwise point a
webhook at http://127.0.0.1:5432/, the cloud's metadata address 169.254.169.254 or another
internal service, and have the worker send requests there (SSRF). Refused: loopback,
private (RFC 1918, fc00::/7), link-local, carrier-grade NAT, multicast, reserved and unspecified
addresses, and the names `localhost` / `*.localhost`. Checked twice: when a webhook is saved
(for an address written in the URL) and when the worker connects (the address the name
resolved to, read from the connected socket, so a name that resolves elsewhere later — DNS
rebinding — is caught too). A county whose units' systems live on its intranet allows private
addresses with API_WEBHOOK_ALLOW_PRIVATE=1 (docs/configuration.md).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CGNAT = ipaddress.ip_network("100.64.0.0/10")


def allowed_private() -> bool:
    return bool(settings.API_WEBHOOK_ALLOW_PRIVATE)


def is_internal_address(address: str) -> bool:
    """Whether an IP address (v4 or v6, as text) is one a webhook must not reach."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT)
    )


def is_internal_host(host: str) -> bool:
    """A host written in a URL that names this machine or an internal address."""
    host = host.strip("[]").rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost") or is_internal_address(host)


def validate_webhook_url(url: str) -> None:
    """The model's validator: refuse a URL whose host is internal (unless allowed)."""
    if allowed_private():
        return
    host = urlsplit(url).hostname or ""
    if is_internal_host(host):
        raise ValidationError(
            _(
                "接收地址不能是本机、内网或保留地址（%(host)s）。如确需推送到内网系统，请由运维设置 API_WEBHOOK_ALLOW_PRIVATE。"
            )
            % {"host": host},
            code="internal_address",
        )
