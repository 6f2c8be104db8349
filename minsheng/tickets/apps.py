from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "minsheng.tickets"
    label = "tickets"
    verbose_name = _("工单")

    def ready(self) -> None:
        # The forms' cached <option>s of categories and units (tickets/forms.py) are dropped
        # when either changes.
        from minsheng.org.models import Unit
        from minsheng.tickets.forms import clear_options_caches
        from minsheng.tickets.models import Category

        for model in (Category, Unit):
            for signal in (post_save, post_delete):
                signal.connect(
                    clear_options_caches, sender=model, dispatch_uid=f"options-{model.__name__}"
                )
