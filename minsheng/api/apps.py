from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "minsheng.api"
    label = "api"
    verbose_name = _("REST 接口")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular: an import side effect, by its design.
        from minsheng.api import (
            schema,  # noqa: F401
            webhooks,
        )
        from minsheng.notify.channels import register_channel
        from minsheng.tickets import notifications

        # Units' systems hear about their tickets through signed webhooks, delivered by the
        # notify outbox like every other message (retries, backoff, visible failures).
        register_channel(webhooks.CHANNEL, webhooks.WebhookChannel)
        notifications.subscribe("dispatch", webhooks.on_dispatch)
        notifications.subscribe("unsatisfied", webhooks.on_unsatisfied)
        notifications.subscribe("overdue", webhooks.on_overdue)
