from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "minsheng.open311"
    label = "open311"
    verbose_name = _("Open311 接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The per-process catalogue of services forgets itself when a category or an
        # attribute changes (open311/selectors.py).
        from minsheng.open311.models import ServiceAttribute
        from minsheng.open311.selectors import catalogue_changed
        from minsheng.tickets.models import Category

        for model in (Category, ServiceAttribute):
            uid = model.__name__
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"open311-{uid}")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"open311-del-{uid}")
