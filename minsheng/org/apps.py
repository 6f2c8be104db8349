from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "minsheng.org"
    label = "org"
    verbose_name = _("组织与区划")

    def ready(self) -> None:
        # A new session starts as just seen, for the idle timeout (org/access.py).
        from minsheng.org.access import on_login

        user_logged_in.connect(on_login, dispatch_uid="org-session-seen")
