from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The citizens' side (群众端): report, track and rate from a phone, without an account."""

    name = "minsheng.portal"
    label = "portal"
    verbose_name = "群众端"
