from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "minsheng.api"
    label = "api"
    verbose_name = _("REST 接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular: an import side effect, by its design.
        from minsheng.api import schema  # noqa: F401
