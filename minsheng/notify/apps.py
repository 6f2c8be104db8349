from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "minsheng.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        from minsheng.notify import checks  # noqa: F401 - registers the settings check
